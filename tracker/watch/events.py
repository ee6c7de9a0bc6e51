"""What a watch session tells its caller: :class:`WatchEvent`, and its JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Version

__all__ = ["WatchEvent"]


@dataclass(frozen=True)
class WatchEvent:
    """Something the session did or noticed, handed to the ``on_event`` callback.

    ``kind`` is one of ``started`` (``counts["documents"]``: documents tracked), ``version``,
    ``deleted`` (both with ``version``), ``renamed`` (``doc`` is the new name, ``old_name`` the
    former), ``skipped`` (``doc`` is the path, ``reason`` why), ``caught_up`` (the start-up
    scan finished; ``counts``), ``rescanned`` (a later full scan finished), ``warning`` and
    ``error`` (``reason``; a batch that failed is retried with a full scan), ``stopping`` (what
    is pending is being recorded before the end) and ``interrupted`` (stopped at once;
    ``counts["left"]``: files left unrecorded, ``counts["rescan"]``: 1 if a comparison of the
    whole folder was given up too: the next start catches up both).
    """

    kind: str
    doc: str = ""
    version: Version | None = None
    old_name: str | None = None
    reason: str | None = None
    at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The event as one JSON object (the shape ``tracker watch --json`` prints)."""
        if self.version is not None:
            v = self.version
            return {
                "event": self.kind,
                "doc": v.doc,
                "version": v.version,
                "captured_at": v.captured_at,
                "added": v.added,
                "removed": v.removed,
                "modified": v.modified,
                "moved": v.moved,
                "paragraphs": v.paragraphs,
                "bytes": v.bytes,
                "sha256": v.sha256,
            }
        data: dict[str, Any] = {"event": self.kind}
        if self.doc:
            data["doc"] = self.doc
        if self.old_name is not None:
            data["from"] = self.old_name
        if self.at is not None:
            data["captured_at"] = self.at
        if self.reason is not None:
            data["reason"] = self.reason
        data.update(self.counts)
        return data
