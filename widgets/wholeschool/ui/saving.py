"""The one way a form saves itself: every failure shown kindly, nothing on disk changed.

A form provides ``folder`` (its :class:`~wholeschool.store.RecordFolder`), a ``status``
widget, ``_write()`` (build and save its record) and ``where`` (words for where it saves).
Invalid values, a bad file already on disk and a full or read-only disk all reach the
status line as a message naming the file and the field; a lead never sees a traceback.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
from pydantic import ValidationError

from ..core.errors import RecordError, from_validation_error
from ..store import RecordFolder, in_browser
from .looks import error_html, saved_html


class SavesItself:
    """Mixin for a form that writes its record on every change."""

    folder: RecordFolder
    status: widgets.HTML
    error: str | None = None
    saved_at: dt.datetime | None = None
    #: What the lead is told when a save fails.
    kept = "Nothing already saved was changed."

    @property
    def record_name(self) -> str:
        raise NotImplementedError

    def _write(self) -> None:
        raise NotImplementedError

    @property
    def where(self) -> str:
        """Where the record lives, in words a lead understands."""
        if in_browser():
            return "in this browser only; nothing is sent anywhere"
        return f"in your records folder, {self.folder.path.name}"

    def _save(self) -> None:
        path = self.folder.file(self.record_name)
        try:
            self._write()
        except ValidationError as error:
            self._fail(from_validation_error(error, path, RecordError))
        except RecordError as error:
            self._fail(error)
        else:
            self.error = None
            self.saved_at = self.folder.clock().astimezone()
            self.status.value = saved_html(self.saved_at, self.where)

    def _fail(self, error: RecordError) -> None:
        self.error = self.describe(error)
        self.status.value = error_html(self.error, self.kept)

    def describe(self, error: RecordError) -> str:
        """The error as the lead should read it (forms may name the row they mean)."""
        return str(error)
