"""tracker: snapshot a folder of text documents into SQLite and see what changed, by paragraph.

``Tracker`` and ``SnapshotResult`` are imported when first asked for (PEP 562): importing a
submodule (``tracker.cli``, ``tracker.errors``) must not load the whole library first, since
every command pays for what this package imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import TrackerError

if TYPE_CHECKING:
    from .api import Tracker
    from .scan.folder import SnapshotResult

__all__ = ["SnapshotResult", "Tracker", "TrackerError"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``tracker.Tracker`` and ``tracker.SnapshotResult``, imported on first use."""
    if name == "Tracker":
        from .api import Tracker

        return Tracker
    if name == "SnapshotResult":
        from .scan.folder import SnapshotResult

        return SnapshotResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
