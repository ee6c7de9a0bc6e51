"""tracker: snapshot a folder of text documents into SQLite and see what changed, by paragraph."""

from .api import Tracker
from .errors import TrackerError
from .scan.folder import SnapshotResult

__all__ = ["SnapshotResult", "Tracker", "TrackerError"]
__version__ = "0.1.0"
