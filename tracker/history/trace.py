"""The life of one paragraph: every version in which its lineage was created, changed, moved,
split, merged, deleted or put back, read from the changes stored when each version was recorded.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .. import refs
from ..errors import DamagedDatabase, TrackerError
from ..models import TraceEvent, Version
from ..store.codec import decode_runs
from ..text.inline import inline_diff
from ..text.terms import query_terms

if TYPE_CHECKING:
    from .reads import Reads


def lineages_of(version: Version) -> list[int]:
    """The lineage of each paragraph of a version (from the runs stored with it)."""
    if version.lineages is None and version.lineages_from not in (None, version.version):
        raise DamagedDatabase(
            f"damaged database: {version.doc} v{version.version} has the lineages of"
            f" v{version.lineages_from}, which has none; run `tracker fsck`"
        )
    if version.lineages is None:
        raise TrackerError(
            f"{version.doc} v{version.version} was recorded before lineages were kept; open the"
            " database with a tracker that can write it once to upgrade it"
        )
    return decode_runs(version.lineages)


def find_paragraph(texts: list[str], words: str) -> int:
    """The 0-based index of the one paragraph containing every word of ``words`` (any case,
    any part of a word), read as ``tracker search`` reads them: a "quoted phrase" is found
    whole, and a trailing ``*`` is only a prefix mark."""
    wanted = [" ".join(text.casefold().split()) for text, _ in query_terms(words)]
    wanted = [term for term in wanted if term]
    if not wanted:
        raise TrackerError("--search needs some words")
    found = [
        i
        for i, text in enumerate(texts)
        if all(term in " ".join(text.casefold().split()) for term in wanted)
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise TrackerError(f"no paragraph contains {words!r}")
    shown = "; ".join(f"[{i + 1}] {_clip(texts[i])}" for i in found[:8])
    more = f" and {len(found) - 8} more" if len(found) > 8 else ""
    raise TrackerError(f"{len(found)} paragraphs contain {words!r}: {shown}{more}")


def _clip(text: str, width: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def trace(
    history: Reads,
    doc: str,
    paragraph: int | None = None,
    at: str | int = "latest",
    search: str | None = None,
) -> tuple[Version, int, list[TraceEvent]]:
    """The life of paragraph ``paragraph`` (1-based) of version ``at`` of ``doc``, or of the one
    paragraph whose text contains the words of ``search``: (the version, the 0-based index of
    the paragraph in it, its events oldest first)."""
    document = history.document(doc)
    versions = history.store.versions(document.id)
    version = refs.resolve_version(at, versions, document.name)
    if version.deleted:
        raise refs.deletion_has_no_text(version, versions, document.name)
    texts = history.paragraphs(version)
    if search is not None:
        index = find_paragraph(texts, search)
    elif not texts:
        raise TrackerError(f"{version.doc} v{version.version} has no paragraphs")
    elif paragraph is None or not 1 <= paragraph <= len(texts):
        raise TrackerError(
            f"{version.doc} v{version.version} has paragraphs 1-{len(texts)}, not {paragraph}"
        )
    else:
        index = paragraph - 1
    lineage = lineages_of(version)[index]
    return version, index, lineage_events(history, version.document_id, lineage)


def lineage_events(history: Reads, document_id: int, lineage: int) -> list[TraceEvent]:
    """Every event in the life of a lineage, oldest first."""
    versions = {v.version: v for v in history.store.versions(document_id)}
    rows = history.store.lineage_changes(document_id, lineage)
    by_version: dict[int, list[tuple]] = {}
    for row in rows:
        by_version.setdefault(row[0], []).append(row)
    events: list[TraceEvent] = []
    seen = False
    for number, version_rows in by_version.items():
        own = [row for row in version_rows if row[6] == lineage]
        if not own:
            continue
        _, op, old, new, old_text, new_text, _, split_from, merged_into, kind = own[0]
        at = versions[number].captured_at
        if op == "insert":
            kind = "split" if split_from is not None else ("restored" if seen else "created")
            events.append(
                TraceEvent(
                    number,
                    at,
                    kind,
                    new + 1,
                    new_text,
                    split_from=None if split_from is None else split_from + 1,
                )
            )
        elif op == "delete":
            kind = "merged" if merged_into is not None else "deleted"
            events.append(
                TraceEvent(
                    number,
                    at,
                    kind,
                    old + 1,
                    old_text,
                    merged_into=None if merged_into is None else merged_into + 1,
                )
            )
        else:
            edited = old_text != new_text
            merged_from = sorted(r[2] + 1 for r in version_rows if r[1] == "delete" and r[8] == new)
            split_into = sorted(r[3] + 1 for r in version_rows if r[1] == "insert" and r[7] == old)
            events.append(
                TraceEvent(
                    number,
                    at,
                    "modified" if op == "modify" else "moved",
                    new + 1,
                    new_text,
                    inline=inline_diff(old_text, new_text) if edited else None,
                    merged_from=merged_from,
                    split_into=split_into,
                    old_index=old + 1,
                    change_class=kind,
                )
            )
        seen = True
    return _with_comebacks(events, list(versions.values()))


def _with_comebacks(events: list[TraceEvent], versions: list[Version]) -> list[TraceEvent]:
    """The events, each with the versions after it (up to the next event; after the last, while
    the paragraph lives) that brought the whole document back after its deletion."""
    backs = [v for v in versions if v.came_back]
    if not backs or not events:
        return events
    alive = events[-1].op not in ("deleted", "merged")
    out = []
    for k, event in enumerate(events):
        until = events[k + 1].version if k + 1 < len(events) else None
        found = [
            v
            for v in backs
            if v.version > event.version and (alive if until is None else v.version <= until)
        ]
        out.append(replace(event, document_back_after=found) if found else event)
    return out
