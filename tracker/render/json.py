"""Render a paragraph diff as JSON-ready data, for programs (``--format json``, ``--exec``).

Paragraph indexes are the engine's 0-based ones (the renderings for people number from 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..text.diff import Change, stats


def _meta(meta: Mapping[str, object] | None) -> dict[str, object] | None:
    """Keep only the version fields that belong in the JSON output: which version, ``deleted``
    (true) for one that records its document's deletion, and for one that brought its document
    back after a deletion, ``restored`` (the earlier version whose text it has, or null) and
    ``recreated`` (true when none had it), as ``tracker log --json`` gives them."""
    if meta is None:
        return None
    out = {key: meta.get(key) for key in ("version", "captured_at", "sha256")}
    if meta.get("deleted"):
        out["deleted"] = True
    if meta.get("restored") is not None or meta.get("recreated"):
        out.update(restored=meta.get("restored"), recreated=bool(meta.get("recreated")))
    return out


def _json_paragraph(c: Change) -> dict[str, object]:
    """One change in the JSON shape: text for whole paragraphs, old/new text when edited.

    ``split_from`` (an insert cut from that old paragraph) and ``merged_into`` (a delete whose
    text went into that new paragraph) are present only on the changes they apply to.
    """
    edited = c.edited
    out: dict[str, object] = {
        "op": c.op,
        "old": c.old,
        "new": c.new,
        "text": None if c.op == "modify" else c.text,
        "old_text": c.old_text if edited else None,
        "new_text": c.new_text if edited else None,
        "inline": [[op, part] for op, part in c.inline] if c.inline is not None else None,
    }
    if c.op != "equal":
        out["class"] = c.kind
    if c.split_from is not None:
        out["split_from"] = c.split_from
    if c.merged_into is not None:
        out["merged_into"] = c.merged_into
    return out


def diff_json(
    doc: str,
    from_meta: Mapping[str, object] | None,
    to_meta: Mapping[str, object] | None,
    changes: Sequence[Change],
    hidden: int = 0,
) -> dict[str, object]:
    """The diff as a JSON-ready dict (doc, from, to, stats, hidden, paragraphs); indexes are
    0-based. ``hidden``: how many changes ``--ignore`` turned into unchanged paragraphs."""
    return {
        "doc": doc,
        "from": _meta(from_meta),
        "to": _meta(to_meta),
        "stats": stats(changes),
        "hidden": hidden,
        "paragraphs": [_json_paragraph(c) for c in changes],
    }
