"""The pure half of recording a version: from its text and the version before, everything stored.

:func:`prepare` takes strings and returns a :class:`Prepared` version: paragraphs, layout,
checksum, the paragraph changes against the version before and their counts. It touches no
database, so it can run anywhere: in the recording process, or on the workers of a bulk import
while one writer stores the results in order (:meth:`tracker.history.writes.Writes.store_prepared`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store.codec import encode_layout
from ..text import paragraphs as para
from ..text.diff import Change, diff_paragraphs, stats, unchanged
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
    #: ``paragraph_changes``. For a first version, every paragraph, inserted.
    changes: list[Change] = field(default_factory=list)
    #: For each new paragraph, the index of the old one it continues (unchanged, modified or
    #: moved), or None for a new paragraph (inserted, or split off another): its lineage.
    continues: list[int | None] = field(default_factory=list)


def prepare(
    text: str,
    mode: str,
    previous: Sequence[str] | None,
    *,
    sha256: str | None = None,
    patterns: Sequence[re.Pattern[str]] = (),
) -> Prepared:
    """Split ``text`` (in split ``mode``) and diff it against the ``previous`` version's
    paragraphs (None: the document's first version, or nothing to compare with); classify each
    change, with the document's ignore ``patterns`` telling volatile text."""
    parts = para.split(text, mode)
    changes, counts, continues = compare(previous, parts.paragraphs, patterns)
    return Prepared(
        paragraphs=parts.paragraphs,
        layout=encode_layout(parts.separators),
        sha256=sha256 or sha256_text(text),
        size=len(text.encode("utf-8")),
        counts=counts,
        changes=changes,
        continues=continues,
    )


def compare(
    previous: Sequence[str] | None,
    paragraphs: Sequence[str],
    patterns: Sequence[re.Pattern[str]] = (),
) -> tuple[list[Change], dict[str, int], list[int | None]]:
    """The classified changes (equal ones left out), counts and continuations of ``paragraphs``
    against the ``previous`` version's (None: a first version, every paragraph inserted).

    The counts include ``substantive``: how many of the changes are of that class.
    """
    from ..text.classes import SUBSTANTIVE, change_class  # (start-up: only writes need it)

    if previous is None:
        changes = [
            Change("insert", None, j, None, text, None, kind=SUBSTANTIVE)
            for j, text in enumerate(paragraphs)
        ]
        counts = {"added": len(paragraphs), "removed": 0, "modified": 0, "moved": 0}
        counts["substantive"] = len(paragraphs)
        return changes, counts, [None] * len(paragraphs)
    found = diff_paragraphs(previous, paragraphs, inline=False, equal=False)
    continues: list[int | None] = [None] * len(paragraphs)
    for change in found:
        if change.new is not None and change.old is not None:
            continues[change.new] = change.old
    same = unchanged(found, len(previous), len(paragraphs))
    for i, j in same:
        continues[j] = i
    changes = [change.classed(change_class(change, patterns)) for change in found]
    counts = stats(changes)
    counts["unchanged"] = len(same)
    counts["substantive"] = sum(1 for change in changes if change.kind == SUBSTANTIVE)
    return changes, counts, continues


def split_mode(text: str, split: str) -> str:
    """The split mode a new document gets: ``split``, or the one ``auto`` chooses for its text."""
    if split not in para.SPLIT_MODES:
        raise ValueError(f"unknown split mode {split!r}")
    return para.choose_mode(text) if split == "auto" else split
