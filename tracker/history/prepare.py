"""The pure half of recording a version: from its text and the version before, everything stored.

:func:`prepare` takes strings and returns a :class:`Prepared` version: paragraphs, layout,
checksum, the paragraph changes against the version before and their counts. It touches no
database, so it can run anywhere: in the recording process, or on the workers of a bulk import
while one writer stores the results in order (:meth:`tracker.history.writes.Writes.store_prepared`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store.codec import encode_layout
from ..text import paragraphs as para
from ..text.diff import Change, diff_paragraphs, stats
from ..text.encoding import sha256_text


@dataclass
class Prepared:
    """A new version worked out from its text: what the store writes for it."""

    paragraphs: list[str]
    layout: str
    sha256: str
    size: int
    counts: dict[str, int]
    #: Changed paragraphs against the version before (equal ones left out): the rows of
    #: ``paragraph_changes``. Empty for a first version.
    changes: list[Change] = field(default_factory=list)


def prepare(
    text: str, mode: str, previous: Sequence[str] | None, *, sha256: str | None = None
) -> Prepared:
    """Split ``text`` (in split ``mode``) and diff it against the ``previous`` version's
    paragraphs (None: the document's first version, or nothing to compare with)."""
    parts = para.split(text, mode)
    if previous is None:
        changes: list[Change] = []
        counts = {"added": len(parts.paragraphs), "removed": 0, "modified": 0, "moved": 0}
    else:
        everything = diff_paragraphs(previous, parts.paragraphs, inline=False)
        counts = stats(everything)
        changes = [change for change in everything if change.op != "equal"]
    return Prepared(
        paragraphs=parts.paragraphs,
        layout=encode_layout(parts.separators),
        sha256=sha256 or sha256_text(text),
        size=len(text.encode("utf-8")),
        counts=counts,
        changes=changes,
    )


def split_mode(text: str, split: str) -> str:
    """The split mode a new document gets: ``split``, or the one ``auto`` chooses for its text."""
    if split not in para.SPLIT_MODES:
        raise ValueError(f"unknown split mode {split!r}")
    return para.choose_mode(text) if split == "auto" else split
