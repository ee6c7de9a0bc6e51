"""What every import reports: :class:`ImportResult`, and the progress callback it takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: ``progress(done, total)``: called as an import advances (records or commits).
Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import did: versions recorded, records that changed nothing, renames, skips."""

    recorded: int = 0
    unchanged: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    commits: int | None = None
    #: import-git: why nothing was imported when no file on the branch matched the globs.
    nothing_matched: str | None = None

    def as_dict(self) -> dict:
        data = {
            "recorded": self.recorded,
            "unchanged": self.unchanged,
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
        }
        if self.commits is not None:
            data["commits"] = self.commits
        if self.nothing_matched is not None:
            data["nothing_matched"] = self.nothing_matched
        return data
