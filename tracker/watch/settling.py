"""Files still being written: which paths of a batch are ready to read, and which wait.

A batch is cut after a quiet period (``debounce``), so a file modified less than that ago was
written again since: reading it now could catch it half-written (truncated, not yet refilled).
Such a file is put back for a later batch (:meth:`Watcher.recheck`), unless it has waited
``max_delay`` already (a file written continuously, or a clock skew) or the session is stopping.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from .watcher import Watcher


class Settling:
    """Tell the files of ``root`` written in the watcher's last quiet period from the others."""

    def __init__(self, root: Path, watcher: Watcher, stopping: threading.Event) -> None:
        self.root = root
        self._watcher = watcher
        self._stopping = stopping
        self._busy_since: dict[str, float] = {}  # paths put back, since when

    def _quiet_ns(self) -> int:
        """The watcher's quiet period, in nanoseconds."""
        return int(self._watcher.debounce * 1e9)

    def active(self) -> bool:
        """Tell whether files written in the last ``debounce`` seconds wait for a later batch."""
        return self._quiet_ns() > 0 and not self._stopping.is_set()

    def ready(self, paths: Iterable[str]) -> list[str]:
        """The paths not written in the last ``debounce`` seconds, sorted; the others are put
        back for a later batch."""
        if not self.active():
            return sorted(paths)
        now_ns, now = time.time_ns(), time.monotonic()
        ready: list[str] = []
        busy: list[str] = []
        for path in sorted(paths):
            (busy if self.busy(path, now_ns, now) else ready).append(path)
        self._watcher.recheck(busy)
        return ready

    def busy(self, path: str, now_ns: int, now: float) -> bool:
        """Tell whether a path was written less than ``debounce`` ago and may wait longer."""
        try:
            info = os.lstat(self.root / path)
        except OSError:
            info = None  # gone: nothing to tear
        if (
            info is not None
            and stat.S_ISREG(info.st_mode)  # a symlink or a folder has nothing to tear either
            and now_ns - info.st_mtime_ns < self._quiet_ns()
        ):
            since = self._busy_since.setdefault(path, now)
            if now - since < self._watcher.max_delay:
                return True
        self._busy_since.pop(path, None)
        return False
