"""Save-on-change for the course widgets: debounced, flushable, and flushed at exit.

A widget calls :meth:`Autosaver.changed` from its observers; the save runs once the lead has
paused for ``delay`` seconds (a timer thread), or at once when ``delay`` is 0. :meth:`flush`
saves any pending change now (tests, benchmarks, and the kernel shutting down use it).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from .errors import RecordError, from_validation_error

#: Seconds of quiet before a change is written to disk.
DEFAULT_DELAY = 0.5

_LIVE: weakref.WeakSet[Autosaver] = weakref.WeakSet()


class Autosaver:
    """Run ``save`` after changes, at most once per quiet spell of ``delay`` seconds."""

    def __init__(self, save: Callable[[], None], delay: float = DEFAULT_DELAY) -> None:
        self._save = save
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._dirty = False
        self._lock = threading.RLock()
        _LIVE.add(self)

    @property
    def pending(self) -> bool:
        """True while a change waits to be saved (or is being saved)."""
        return self._dirty

    def changed(self) -> None:
        """Note a change: save now (``delay`` 0) or once the changes stop for ``delay`` s."""
        with self._lock:
            self._dirty = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self.delay <= 0:
                self.flush()
                return
            self._timer = threading.Timer(self.delay, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        """Save a pending change now; does nothing when there is none."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._dirty:
                return
            self._save()  # changed() waits on the lock, so no change is lost meanwhile
            self._dirty = False


class SavesItself:
    """Mixin for a widget that writes its record on every change.

    Subclasses provide ``path``, a ``status`` widget, ``_write()`` (build and save the record)
    and ``_fail(error)`` (show the error kindly). Every way a save can fail (invalid values, a
    bad file already on disk, a full or read-only disk) reaches ``_fail`` as a
    :class:`RecordError` naming the file and the field; nothing on disk is changed then.
    """

    path: Path
    error: str | None = None
    saved_at: dt.datetime | None = None

    def _write(self) -> None:
        raise NotImplementedError

    def _fail(self, error: RecordError) -> None:
        raise NotImplementedError

    def _save(self) -> None:
        try:
            self._write()
        except ValidationError as error:
            self._fail(from_validation_error(error, self.path, RecordError))
        except RecordError as error:
            self._fail(error)
        except OSError as error:
            self._fail(RecordError(self.path, None, f"could not be written ({error.strerror})"))
        else:
            self.error = None
            self.saved_at = dt.datetime.now()
            self.status.value = f"Saved at {self.saved_at:%H:%M}"


@atexit.register
def _flush_all() -> None:
    """Save what is pending when the kernel shuts down or restarts."""
    for saver in list(_LIVE):
        with contextlib.suppress(Exception):  # a failed save must never block exit
            saver.flush()
