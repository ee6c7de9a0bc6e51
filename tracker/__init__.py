"""tracker: snapshot a folder of text documents into SQLite and see what changed, by paragraph."""

from .api import Tracker
from .folder import SnapshotResult
from .errors import TrackerError

__all__ = ["SnapshotResult", "Tracker", "TrackerError"]
__version__ = "0.1.0"
