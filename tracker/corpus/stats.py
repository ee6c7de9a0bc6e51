"""Corpus statistics: versions, churn per month, most-edited paragraphs, largest edits, and text
shared between documents."""

from __future__ import annotations

from collections import Counter, defaultdict

from ..history import History
from ..models import Version
from .search import latest_versions

#: Paragraphs shorter than this are ignored when looking for text shared between documents.
MIN_SHARED_CHARS = 40


def _changed(version: Version) -> int:
    return sum(getattr(version, key) or 0 for key in ("added", "removed", "modified", "moved"))


def _edit_chains(history: History, versions: dict[int, list[Version]]) -> list[dict]:
    """Paragraphs followed through their edits (the stored rewrite pairs), with edit counts."""
    pairs: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for document_id, number, old, new in history.store.edit_pairs():
        if document_id in versions:
            pairs[(document_id, number)].append((old, new))
    chains = []
    for document_id, versions_of_doc in versions.items():
        lineage: dict[int, dict] = {}
        for version in versions_of_doc:
            if version.deleted:
                continue
            for old, new in pairs.get((document_id, version.version), []):
                chain = lineage.pop(old, None) or {"edits": 0, "first": version.version}
                chain.update(edits=chain["edits"] + 1, last=version.version, pid=new)
                lineage[new] = chain
            for pid in version.paragraph_ids:
                lineage.setdefault(pid, {"edits": 0, "first": version.version, "pid": pid})
        for chain in lineage.values():
            if chain["edits"]:
                chains.append({"doc": versions_of_doc[-1].doc, **chain})
    return chains


def stats(
    history: History,
    doc: str | None = None,
    *,
    top: int = 10,
    min_chars: int = MIN_SHARED_CHARS,
) -> dict:
    """Versions, churn per month, most-edited paragraphs, largest edits and shared paragraphs."""
    only = history.document(doc).id if doc else None
    every = history.store.all_versions()
    chosen = [v for v in every if only is None or v.document_id == only]
    by_document: dict[int, list[Version]] = defaultdict(list)
    for version in sorted(chosen, key=lambda v: (v.document_id, v.version)):
        by_document[version.document_id].append(version)
    churn: dict[str, Counter] = defaultdict(Counter)
    for version in chosen:
        month = churn[version.captured_at[:7]]
        month["versions"] += 1
        month["changed"] += _changed(version)
        for key in ("added", "removed", "modified", "moved"):
            month[key] += getattr(version, key) or 0
    deleted = {(v.document_id, v.version) for v in chosen if v.deleted}
    edits = [  # neither first versions nor re-additions after a deletion are edits
        v
        for v in chosen
        if not v.deleted
        and v.version > 1
        and _changed(v)
        and (v.document_id, v.version - 1) not in deleted
    ]
    edits.sort(key=lambda v: (-_changed(v), v.captured_at))
    chains = sorted(_edit_chains(history, by_document), key=lambda c: (-c["edits"], c["doc"]))[:top]
    texts = dict(
        zip(
            [c["pid"] for c in chains],
            history.store.paragraph_texts([c["pid"] for c in chains]),
        )
    )
    return {
        "documents": len(by_document),
        "versions": len(chosen),
        "deletions": len(deleted),
        "first": min((v.captured_at for v in chosen), default=None),
        "last": max((v.captured_at for v in chosen), default=None),
        "churn": [{"month": month, **churn[month]} for month in sorted(churn)],
        "most_edited": [
            {
                "doc": c["doc"],
                "edits": c["edits"],
                "versions": f"v{c['first']}-v{c['last']}",
                "text": texts[c["pid"]],
            }
            for c in chains
        ],
        "largest_edits": [
            {
                "doc": v.doc,
                "version": v.version,
                "captured_at": v.captured_at,
                "changed": _changed(v),
                "added": v.added or 0,
                "removed": v.removed or 0,
                "modified": v.modified or 0,
                "moved": v.moved or 0,
                "note": v.note,
            }
            for v in edits[:top]
        ],
        "shared": shared_paragraphs(history, only=only, top=top, min_chars=min_chars),
    }


def shared_paragraphs(
    history: History,
    *,
    only: int | None = None,
    top: int = 10,
    min_chars: int = MIN_SHARED_CHARS,
) -> list[dict]:
    """Paragraphs present in the latest versions of several documents (boilerplate, copies)."""
    holders: dict[int, set[str]] = defaultdict(set)
    mine: set[int] | None = None
    for version in latest_versions(history):
        for pid in set(version.paragraph_ids):
            holders[pid].add(version.doc)
        if version.document_id == only:
            mine = set(version.paragraph_ids)
    if only is not None:
        holders = {pid: docs for pid, docs in holders.items() if pid in (mine or set())}
    shared = [pid for pid, docs in holders.items() if len(docs) >= 2]
    texts = dict(zip(shared, history.store.paragraph_texts(shared)))
    rows = [
        {"documents": sorted(holders[pid]), "count": len(holders[pid]), "text": texts[pid]}
        for pid in shared
        if len(texts[pid].strip()) >= min_chars
    ]
    rows.sort(key=lambda row: (-row["count"], -len(row["text"]), row["text"]))
    return rows[:top] if top else rows
