"""Where a version's paragraphs and words come from: blame, a paragraph's life, word blame.

:class:`Origins` is the part of :class:`tracker.history.History` that reads lineages and word
origins; the work is in :mod:`.trace` and :mod:`.words`, imported by the method that needs it
(opening a history, as every command does, loads neither).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import refs
from .reads import Reads

if TYPE_CHECKING:
    from ..models import BlameLine, TraceEvent, Version, WordBlame


class Origins(Reads):
    """Blame, trace and word blame, on the read side of a history."""

    def blame(self, doc: str, at: str | int = "latest") -> list[BlameLine]:
        """Each paragraph of a version with the version where it took its present text (and the
        one where its lineage began), read from the lineages stored at record time."""
        from ..models import BlameLine
        from .trace import lineages_of

        document = self.document(doc)
        versions = self.store.versions(document.id)
        target = refs.resolve_version(at, versions, document.name)
        if target.deleted:
            raise refs.deletion_has_no_text(target, versions, document.name)
        lineages = lineages_of(target)
        spans = self.store.lineage_spans(document.id, target.version, lineages)
        by_number = {v.version: v for v in versions}
        lines = []
        for index, (text, lineage) in enumerate(zip(self.paragraphs(target), lineages)):
            first, wording = spans.get(lineage, (target.version, target.version))
            origin = by_number[wording if wording is not None else first]
            lines.append(BlameLine(index, text, origin, by_number[first], lineage))
        return lines

    def trace(
        self,
        doc: str,
        paragraph: int | None = None,
        at: str | int = "latest",
        *,
        search: str | None = None,
    ) -> tuple[Version, int, list[TraceEvent]]:
        """The life of one paragraph of a version: (the version, the paragraph's 0-based index,
        every event of its lineage, oldest first). See :mod:`tracker.history.trace`."""
        from .trace import trace

        return trace(self, doc, paragraph, at, search)

    def word_blame(self, doc: str, at: str | int = "latest") -> WordBlame:
        """Every word of a version with the version that first introduced it (see
        :mod:`tracker.history.words`); the first ask of a document works it out and keeps it."""
        from .words import word_blame

        return word_blame(self, doc, at)
