"""Save-on-change for the course's forms: debounced, flushable, and flushed at exit.

A form calls :meth:`Autosaver.changed` from its observers; the save runs once the lead has
paused for ``delay`` seconds, or at once when ``delay`` is 0. The pause is timed on the
kernel's own event loop when there is one (Jupyter, Voilà, and the browser's Pyodide kernel,
which cannot start threads), else on a timer thread. :meth:`flush` saves any pending change
now (tests, and the kernel shutting down, use it).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import weakref
from collections.abc import Callable

from ..store import in_browser

#: Seconds of quiet before a change is written to disk.
DEFAULT_DELAY = 0.5

_LIVE: weakref.WeakSet[Autosaver] = weakref.WeakSet()


class Autosaver:
    """Run ``save`` after changes, at most once per quiet spell of ``delay`` seconds."""

    def __init__(self, save: Callable[[], None], delay: float = DEFAULT_DELAY) -> None:
        self._save = save
        self.delay = delay
        self._pending: asyncio.TimerHandle | threading.Timer | None = None
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
            self._cancel()
            if self.delay <= 0:
                self.flush()
                return
            self._pending = self._schedule()

    def _schedule(self) -> asyncio.TimerHandle | threading.Timer | None:
        try:
            return asyncio.get_running_loop().call_later(self.delay, self.flush)
        except RuntimeError:  # no event loop running in this thread
            if in_browser():
                self.flush()  # no threads in the browser: save at once
                return None
            timer = threading.Timer(self.delay, self.flush)
            timer.daemon = True
            timer.start()
            return timer

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def flush(self) -> None:
        """Save a pending change now; does nothing when there is none."""
        with self._lock:
            self._cancel()
            if not self._dirty:
                return
            self._save()  # changed() waits on the lock, so no change is lost meanwhile
            self._dirty = False


@atexit.register
def _flush_all() -> None:
    """Save what is pending when the kernel shuts down or restarts."""
    for saver in list(_LIVE):
        with contextlib.suppress(Exception):  # a failed save must never block exit
            saver.flush()
