"""The data of the diff page: a version of a document, the one before it, and their diff.

Everything here reads through a plain (read-only) :mod:`sqlite3` connection: nothing opens a
:class:`tracker.Tracker`, which would take a writable connection and run migrations.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from ..text.diff import Change, diff_paragraphs


@dataclass(frozen=True)
class VersionRow:
    """The columns of a ``versions`` row that the diff page and the feed need."""

    id: int
    version: int
    captured_at: str
    deleted: bool
    paragraph_ids: list[int]
    added: int | None
    removed: int | None
    modified: int | None
    moved: int | None
    note: str | None

    def meta(self) -> dict:
        """The version as the metadata mapping that :mod:`tracker.render_html` labels."""
        return {"version": self.version, "captured_at": self.captured_at}


@dataclass
class VersionDiff:
    """One version of a document, the one before it, and the paragraph diff between them."""

    doc: str
    old: VersionRow | None
    new: VersionRow
    previous: int | None  # version numbers for the page's navigation
    next: int | None
    latest: int
    changes: list[Change]


def _version_rows(conn: sqlite3.Connection, document_id: int) -> list[VersionRow]:
    rows = conn.execute(
        "select id, version, captured_at, deleted, paragraph_ids, added, removed, modified,"
        " moved, note from versions where document_id = ? order by version",
        [document_id],
    ).fetchall()
    return [
        VersionRow(
            r[0], r[1], r[2], bool(r[3]), json.loads(r[4] or "[]"), r[5], r[6], r[7], r[8], r[9]
        )
        for r in rows
    ]


def _paragraph_texts(conn: sqlite3.Connection, version: VersionRow | None) -> list[str]:
    if version is None or version.deleted or not version.paragraph_ids:
        return []
    rows = conn.execute(
        "select id, text from paragraphs where id in (select value from json_each(?))",
        [json.dumps(sorted(set(version.paragraph_ids)))],
    ).fetchall()
    texts = dict((row[0], row[1]) for row in rows)
    return [texts[i] for i in version.paragraph_ids]


def renamed_to(conn: sqlite3.Connection, name: str) -> str | None:
    """The present name of a document once called ``name`` (to redirect old links)."""
    row = conn.execute(
        "select d.name from renames r join documents d on d.id = r.document_id"
        " where r.from_name = ? order by r.id desc limit 1",
        [name],
    ).fetchone()
    return row[0] if row else None


def load_version_diff(conn: sqlite3.Connection, doc: str, version: str) -> VersionDiff | None:
    """Diff a version (a number, ``v3`` or ``latest``) with the one before; None if unknown.

    The same comparison as ``tracker diff DOC --until VERSION`` (the previous version, or nothing
    for the first; a deletion has no paragraphs), so the page matches ``--format html``.
    """
    row = conn.execute("select id from documents where name = ?", [doc]).fetchone()
    if row is None:
        return None
    versions = _version_rows(conn, row[0])
    if not versions:
        return None
    if version == "latest":
        position = len(versions) - 1
    else:
        number = int(version.lstrip("v"))
        found = [i for i, v in enumerate(versions) if v.version == number]
        if not found:
            return None
        position = found[0]
    new = versions[position]
    old = versions[position - 1] if position else None
    changes = diff_paragraphs(_paragraph_texts(conn, old), _paragraph_texts(conn, new))
    return VersionDiff(
        doc=doc,
        old=old,
        new=new,
        previous=old.version if old else None,
        next=versions[position + 1].version if position + 1 < len(versions) else None,
        latest=versions[-1].version,
        changes=changes,
    )


def version_location(conn: sqlite3.Connection, version_id: int) -> tuple[str, int] | None:
    """(document name, version number) of a ``versions`` row id, or None."""
    row = conn.execute(
        "select d.name, v.version from versions v join documents d on d.id = v.document_id"
        " where v.id = ?",
        [version_id],
    ).fetchone()
    return (row[0], row[1]) if row else None
