"""Save-on-change for the course widgets: debounced, flushable, and flushed at exit.

A widget calls :meth:`Autosaver.changed` from its observers; the save runs once the lead has
paused for ``delay`` seconds (a timer thread), or at once when ``delay`` is 0. :meth:`flush`
saves any pending change now (tests, benchmarks, and the kernel shutting down use it).
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import weakref
from collections.abc import Callable

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


@atexit.register
def _flush_all() -> None:
    """Save what is pending when the kernel shuts down or restarts."""
    for saver in list(_LIVE):
        with contextlib.suppress(Exception):  # a failed save must never block exit
            saver.flush()
