"""What Datasette shows of a tracker database: metadata, canned queries, diff and feed data.

Used by the ``tracker`` Datasette plugin (:mod:`tracker.datasette_plugin`) and by ``tracker serve``.
Everything here reads through a plain (read-only) :mod:`sqlite3` connection: nothing opens a
:class:`tracker.Tracker`, which would take a writable connection and run migrations.
"""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

from datasette.utils import tilde_encode

from .diff import Change, diff_paragraphs
from .render_html import DIFF_CSS, render_inline_html
from .schema import decode_inline

#: Datasette settings of `tracker serve`: the useful facets are configured per table, and the
#: column-by-column facet suggestions would cost most of a `changes` page load (140 of 190 ms on
#: the replayed PEP history).
SETTINGS: dict[str, object] = {"suggest_facets": False}

#: Tables whose presence marks a database as a tracker database.
TRACKER_TABLES = frozenset({"documents", "versions", "paragraphs", "paragraph_changes"})

#: Most entries an Atom feed may ask for (``?limit=``), and how many it has by default.
FEED_MAX, FEED_DEFAULT = 200, 50

#: Changed paragraphs shown in the content of one feed entry.
FEED_CHANGES = 12

#: Markers of a search hit inside a ``snippet`` column (turned into ``<mark>`` when rendered).
MARK_START, MARK_END = "\x02", "\x03"

#: Styles added to the pages of tracker databases: the diff styles, their use inside table cells,
#: compact column descriptions, and an automatic layout for the side-by-side table (with a fixed
#: layout, a diff that opens with a skipped run would get four equal columns from its first row).
CSS = (
    DIFF_CSS
    + """\
td .tracker-diff{line-height:1.4;min-width:16em}
td .tracker-diff .note{font-size:.8em}
td .tracker-diff .text{display:block}
.tracker-cell-op-insert{background:#e6ffec}
.tracker-cell-op-delete{background:#ffebe9}
mark.tracker-hit{background:#fff8c5;padding:0 .1em}
.tracker-nav{display:flex;flex-wrap:wrap;gap:.4em 1.2em;margin:.6em 0 1em;padding:0;list-style:none}
.tracker-nav .disabled{color:#8c959f}
.tracker-meta{color:#424a53;margin:.2em 0}
dl.column-descriptions{display:grid;grid-template-columns:repeat(2,max-content minmax(0,1fr));
  gap:.1em .8em;font-size:.85em;margin:.5em 0 1em}
dl.column-descriptions dt{margin:0}
dl.column-descriptions dd{margin:0;padding-left:0;line-height:inherit;color:#57606a}
@media (max-width:800px){dl.column-descriptions{grid-template-columns:max-content minmax(0,1fr)}}
.tracker-diff table.sbs{table-layout:auto}
.tracker-diff table.sbs td{white-space:pre-wrap;overflow-wrap:anywhere}
.tracker-diff table.sbs td.num{width:3em;white-space:nowrap}
"""
)

_EVENT_SQL = """case
    when v.deleted then 'deleted'
    when v.version = 1 then 'created'
    when lag(v.deleted) over (partition by v.document_id order by v.version) then 'restored'
    else 'edited' end"""

QUERIES: dict[str, dict] = {
    "document_history": {
        "title": "Document history",
        "description": "Every version of one document, newest first, with its change counts. "
        "Type the full name (e.g. docs/guide.txt) or just its last part (guide.txt). "
        "Each version number links to its rendered diff.",
        "sql": f"""select d.name as document, v.version, v.captured_at, {_EVENT_SQL} as event,
  v.paragraphs, v.bytes, v.added, v.removed, v.modified, v.moved,
  (select count(*) from paragraph_changes c where c.version_id = v.id) as changed_paragraphs,
  v.note, v.path
from versions v
join documents d on d.id = v.document_id
where d.name = :document or substr(d.name, -length(:document) - 1) = '/' || :document
order by d.name, v.version desc""",
        "hide_sql": True,
    },
    "changes_in_range": {
        "title": "Changes in a date range",
        "description": "Every changed paragraph of every document between two dates (UTC, "
        "inclusive; a bare date covers its whole day; leave one empty for no bound), newest "
        "first, with the inline diff.",
        "sql": """select c.document, c.version, c.captured_at, c.op,
  c.old_index, c.new_index, c.old_text, c.new_text, c.inline
from changes c
where (:since = '' or c.captured_at >= :since)
  and (:until = '' or c.captured_at < :until || '~')
order by c.captured_at desc, c.id""",
        "hide_sql": True,
    },
    "versions_in_range": {
        "title": "Versions in a date range",
        "description": "One row per recorded version between two dates (UTC, inclusive; leave "
        "one empty for no bound), newest first; each version links to its diff.",
        "sql": f"""select d.name as document, v.version, v.captured_at, {_EVENT_SQL} as event,
  v.added, v.removed, v.modified, v.moved, v.paragraphs, v.note
from versions v
join documents d on d.id = v.document_id
where (:since = '' or v.captured_at >= :since)
  and (:until = '' or v.captured_at < :until || '~')
order by v.captured_at desc, v.id desc""",
        "hide_sql": True,
    },
    "search": {
        "title": "Search every version",
        "description": "Full-text search of every paragraph ever recorded, in any version of any "
        "document (words are matched whole, all of them; the best 100 paragraphs). Shows which "
        "versions contain each paragraph, when it first appeared and whether the latest version "
        "still has it; the paragraph id leads to its provenance.",
        "sql": """with hits as (
  select rowid as paragraph_id, rank,
         snippet(paragraphs_fts, 0, char(2), char(3), '…', 24) as snippet
  from paragraphs_fts
  where :q != '' and paragraphs_fts match escape_fts(:q)
  order by rank
  limit 100
),
occurrences as (
  select j.value as paragraph_id, v.document_id, v.version, v.captured_at
  from versions v, json_each(v.paragraph_ids) j
  where j.value in (select paragraph_id from hits)
),
runs as (
  select paragraph_id, document_id, version, captured_at,
         version - row_number() over (
           partition by paragraph_id, document_id order by version) as run
  from occurrences
),
ranges as (
  select paragraph_id, document_id, min(version) as low, max(version) as high,
         min(captured_at) as since, count(*) as n
  from runs
  group by paragraph_id, document_id, run
  order by paragraph_id, document_id, low
)
select d.name as document, h.snippet, r.paragraph_id,
  group_concat(case when r.low = r.high then 'v' || r.low
                    else 'v' || r.low || '-v' || r.high end, ', ') as versions,
  sum(r.n) as version_count, min(r.since) as first_seen,
  max(r.high) = (select max(lv.version) from versions lv
                 where lv.document_id = r.document_id) as in_latest
from ranges r
join hits h on h.paragraph_id = r.paragraph_id
join documents d on d.id = r.document_id
group by r.paragraph_id, r.document_id
order by h.rank, first_seen""",
        "hide_sql": True,
    },
    "provenance": {
        "title": "Paragraph provenance",
        "description": "When a paragraph first appeared and every version that contains it. "
        "Give its id (from the search or the paragraphs table), its hash, or its exact text. "
        "'appeared' marks the versions where it came in (with how: insert, modify, move), "
        "'kept' those that carried it over from the version before.",
        "sql": """with target as (
  select id, text from paragraphs
  where id = :paragraph or hash = :paragraph or text = :paragraph or text = trim(:paragraph)
),
occurrences as (
  select j.value as paragraph_id, j.key as position, v.id as version_id, v.document_id,
         v.version, v.captured_at
  from versions v, json_each(v.paragraph_ids) j
  where j.value in (select id from target)
),
ordered as (
  select o.*,
    lag(o.version) over (partition by o.paragraph_id, o.document_id order by o.version)
      as previous,
    row_number() over (partition by o.paragraph_id order by o.captured_at, o.version_id)
      as nth
  from occurrences o
)
select d.name as document, o.version, o.captured_at, o.position + 1 as paragraph_number,
  case when o.previous is null then 'appeared'
       when o.previous = o.version - 1 then 'kept'
       else 'appeared again' end as event,
  (select group_concat(c.op) from paragraph_changes c
   where c.version_id = o.version_id and c.new_paragraph_id = o.paragraph_id) as how,
  o.paragraph_id,
  case when o.nth = 1 then t.text else '' end as text
from ordered o
join target t on t.id = o.paragraph_id
join documents d on d.id = o.document_id
order by o.paragraph_id, o.captured_at, o.version_id, o.position""",
        "hide_sql": True,
    },
    "documents_overview": {
        "title": "Documents overview",
        "description": "Every document with its number of versions, first and last change, "
        "total paragraph changes and present state, most recently changed first.",
        "sql": """select d.name as document, count(v.id) as versions,
  min(v.captured_at) as first_seen, max(v.captured_at) as last_change,
  coalesce(sum(v.added), 0) as added, coalesce(sum(v.removed), 0) as removed,
  coalesce(sum(v.modified), 0) as modified, coalesce(sum(v.moved), 0) as moved,
  case when (select lv.deleted from versions lv where lv.document_id = d.id
             order by lv.version desc limit 1) then 'deleted' else 'present' end as state
from documents d
left join versions v on v.document_id = d.id
group by d.id
order by last_change desc""",
        "hide_sql": True,
    },
}

_TABLES: dict[str, dict] = {
    "documents": {
        "description": "Every tracked document, named by its path relative to the snapshotted "
        "folder. Its versions are in the versions table; the name links to its history.",
        "label_column": "name",
        "sort": "name",
        "facets": ["split_mode"],
        "columns": {
            "name": "Path relative to the snapshotted folder (the document's identity)",
            "split_mode": "How the text is cut into paragraphs: blank (blank-line blocks) "
            "or line (one per line)",
            "root": "Folder the document was last snapshotted from",
            "created_at": "When its first version was recorded (UTC)",
            "file_size": "Size of the file at the last scan (bytes)",
            "file_mtime_ns": "Modification time of the file at the last scan (ns since epoch)",
            "file_checked_ns": "When the file was last scanned (ns since epoch)",
        },
    },
    "versions": {
        "description": "One row per recorded version of a document (a deletion is a version "
        "too), newest first. The version number links to the rendered diff against the "
        "version before.",
        "sort_desc": "captured_at",
        "facets": ["document_id", {"date": "captured_at"}, "deleted"],
        "columns": {
            "document_id": "The document",
            "version": "Version number, from 1 (links to the diff against the previous version)",
            "captured_at": "When this version was recorded (UTC, ISO 8601)",
            "path": "Path of the file when the version was recorded",
            "sha256": "SHA-256 of the exact text (empty for a deletion)",
            "bytes": "Size of the text in bytes (UTF-8)",
            "paragraphs": "Number of paragraphs",
            "deleted": "1 if this version records the document's deletion",
            "added": "Paragraphs added since the previous version",
            "removed": "Paragraphs removed since the previous version",
            "modified": "Paragraphs edited in place since the previous version",
            "moved": "Paragraphs moved (possibly edited) since the previous version",
            "note": "Free-text note given when recording",
            "paragraph_ids": "The version's paragraphs, in order (ids into paragraphs)",
            "layout": "Separators between paragraphs (to rebuild the exact text)",
        },
    },
    "paragraphs": {
        "description": "Every distinct paragraph text ever recorded, stored once however many "
        "versions contain it. The search box searches all of them (so text from old versions "
        "is found too); the provenance query tells which versions contain one.",
        "columns": {
            "id": "Paragraph id (versions list these in paragraph_ids)",
            "hash": "First 16 hex digits of the SHA-256 of the text",
            "text": "The paragraph text",
        },
    },
    "paragraph_changes": {
        "description": "Raw storage of the changes view: one row per changed paragraph of a "
        "version, with paragraph ids and a compact inline diff. Browse the changes view instead.",
    },
    "renames": {
        "description": "Documents renamed while keeping their history (from_name to to_name, "
        "recorded after the given version).",
    },
    "changes": {
        "description": "One row per changed paragraph of every version, newest first: the "
        "operation (insert, delete, modify, move), the 0-based paragraph positions in the old "
        "and new version, both texts and the inline word diff (removed words struck out, added "
        "ones highlighted). Version numbers link to the full diff.",
        "sort_desc": "captured_at",
        "facets": ["document", "op", {"date": "captured_at"}],
        "columns": {
            "id": "Change id",
            "document": "Document name",
            "version": "The version that made the change (links to its diff)",
            "captured_at": "When that version was recorded (UTC)",
            "op": "insert, delete, modify (edited in place) or move (maybe edited too)",
            "old_index": "Position in the previous version (0-based; empty for insert)",
            "new_index": "Position in this version (0-based; empty for delete)",
            "old_text": "Text before (empty for insert)",
            "new_text": "Text after (empty for delete)",
            "inline": "The change as an inline diff",
        },
    },
    "_sqlite_migrations": {"hidden": True},
}


def is_tracker_schema(table_names: Iterable[str]) -> bool:
    """Tell whether a database has the tracker tables (so the plugin decorates it)."""
    return TRACKER_TABLES <= set(table_names)


def database_path(database: str) -> str:
    """The URL segment of a database name (Datasette's tilde encoding)."""
    return tilde_encode(database)


def diff_path(database: str, doc: str, version: int | str) -> str:
    """Path (without base_url) of the rendered diff of one version of a document."""
    return f"/-/tracker/diff/{database_path(database)}/{quote(doc, safe='/')}/{version}"


def feed_path(database: str, doc: str | None = None) -> str:
    """Path (without base_url) of the Atom feed of a database, or of one of its documents."""
    path = f"/-/tracker/{database_path(database)}/changes.atom"
    return f"{path}?{urlencode({'doc': doc})}" if doc else path


def query_path(database: str, query: str, **params: object) -> str:
    """Path (without base_url) of a canned query with its parameters filled in."""
    path = f"/{database_path(database)}/{query}"
    return f"{path}?{urlencode(params)}" if params else path


def database_metadata(database: str, base_url: str = "/") -> dict:
    """Datasette metadata (tables, canned queries, links) for one tracker database."""
    base = base_url.rstrip("/")
    feed = base + feed_path(database)
    changes = f"{base}/{database_path(database)}/changes"
    search = base + query_path(database, "search")
    tables = {name: dict(meta) for name, meta in _TABLES.items()}
    tables["changes"]["description_html"] = (
        f"{_html(tables['changes']['description'])} "
        f'Subscribe to the <a href="{_html(feed)}">Atom feed</a>.'
    )
    return {
        "title": f"{database}: document history",
        "description_html": (
            "Paragraph-by-paragraph history of a folder of text documents, recorded by "
            f'<code>tracker</code>. Start with the <a href="{_html(changes)}">changes</a> '
            f'view, <a href="{_html(search)}">search every version</a>, or subscribe to the '
            f'<a href="{_html(feed)}">Atom feed</a> of recorded versions.'
        ),
        "tables": tables,
        "queries": {name: dict(query) for name, query in QUERIES.items()},
    }


def instance_metadata(databases: Iterable[str], base_url: str = "/") -> dict:
    """Full Datasette metadata for an instance serving these tracker databases."""
    return {
        "title": "Tracker",
        "description": "Document history recorded by tracker: browse versions, read diffs, "
        "search every version of every paragraph.",
        "databases": {name: database_metadata(name, base_url) for name in databases},
    }


def _html(text: str) -> str:
    return escape(text, quote=True)


# --------------------------------------------------------------------------- diff page data


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


def counts_text(row: Mapping[str, object]) -> str:
    """``+1 -2 ~3 moved 1`` for a version's counts (``deleted``, ``new, N paragraphs``)."""
    if row.get("deleted"):
        return "deleted"
    if row.get("version") == 1:
        return f"new, {row.get('paragraphs') or 0} paragraphs"
    text = f"+{row.get('added') or 0} -{row.get('removed') or 0} ~{row.get('modified') or 0}"
    if row.get("moved"):
        text += f" moved {row['moved']}"
    return text


# --------------------------------------------------------------------------- rendering helpers


def change_html(op: str, old_text: str | None, new_text: str | None, inline: str | None) -> str:
    """One stored paragraph change as escaped HTML with ``<del>``/``<ins>`` (a table cell)."""
    if op == "insert":
        body = f"<ins>{escape(new_text or '')}</ins>"
    elif op == "delete":
        body = f"<del>{escape(old_text or '')}</del>"
    elif inline is not None:
        body = render_inline_html(decode_inline(inline, old_text or ""))
    else:
        body = escape(new_text if new_text is not None else old_text or "")
    note = '<span class="note">moved</span>' if op == "move" else ""
    return (
        f'<div class="tracker-diff"><div class="para op-{escape(op)}">'
        f'<div class="text">{note}{body}</div></div></div>'
    )


def snippet_html(snippet: str) -> str:
    """A search snippet as escaped HTML, its hit markers turned into ``<mark>``."""
    return (
        escape(snippet)
        .replace(MARK_START, '<mark class="tracker-hit">')
        .replace(MARK_END, "</mark>")
    )


# --------------------------------------------------------------------------- Atom feed


def feed_rows(
    conn: sqlite3.Connection, doc: str | None, limit: int
) -> list[tuple[dict, list[tuple]]]:
    """The latest versions (newest first), each with its first stored paragraph changes."""
    where, params = "", []
    if doc:
        where, params = "where d.name = ?", [doc]
    cursor = conn.execute(
        "select v.id, d.name as document, v.version, v.captured_at, v.deleted, v.paragraphs,"
        " v.added, v.removed, v.modified, v.moved, v.note"
        f" from versions v join documents d on d.id = v.document_id {where}"
        " order by v.captured_at desc, v.id desc limit ?",
        [*params, limit],
    )
    names = [column[0] for column in cursor.description]
    out = []
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        changes = conn.execute(
            "select c.op, op.text, np.text, c.inline from paragraph_changes c"
            " left join paragraphs op on op.id = c.old_paragraph_id"
            " left join paragraphs np on np.id = c.new_paragraph_id"
            " where c.version_id = ? order by c.id limit ?",
            [row["id"], FEED_CHANGES + 1],
        ).fetchall()
        out.append((row, changes))
    return out


def atom_feed(
    entries: list[tuple[dict, list[tuple]]],
    *,
    title: str,
    feed_id: str,
    feed_url: str,
    site_url: str,
    diff_url: Callable[[str, int], str],
) -> bytes:
    """Build the Atom XML (RFC 4287) for :func:`feed_rows` output; ElementTree escapes it all."""
    ns = "http://www.w3.org/2005/Atom"

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    feed = ET.Element("feed", xmlns=ns)
    sub(feed, "title", title)
    sub(feed, "id", feed_id)
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=site_url)
    sub(feed, "updated", entries[0][0]["captured_at"] if entries else "1970-01-01T00:00:00Z")
    author = sub(feed, "author")
    sub(author, "name", "tracker")
    sub(feed, "generator", "tracker")
    for row, changes in entries:
        entry = sub(feed, "entry")
        url = diff_url(row["document"], row["version"])
        sub(entry, "title", f"{row['document']} v{row['version']}: {counts_text(row)}")
        sub(entry, "id", url)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "updated", row["captured_at"])
        sub(entry, "published", row["captured_at"])
        sub(entry, "summary", counts_text(row) + (f" ({row['note']})" if row["note"] else ""))
        parts = [f"<p>{_html(counts_text(row))}</p>"]
        for op, old_text, new_text, inline in changes[:FEED_CHANGES]:
            parts.append(change_html(op, old_text, new_text, inline))
        if len(changes) > FEED_CHANGES:
            parts.append(f'<p><a href="{_html(url)}">More changes…</a></p>')
        sub(entry, "content", "\n".join(parts), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


#: Characters XML 1.0 does not allow (documents may hold form feeds and other controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text made safe for XML 1.0: forbidden control characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
