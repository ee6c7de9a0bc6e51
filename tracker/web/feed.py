"""The Atom feed of a tracker database: its latest versions, each with its first changes.

:func:`feed_rows` reads through a plain (read-only) :mod:`sqlite3` connection; :func:`atom_feed`
builds the XML with ElementTree, which escapes it all.
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from html import escape

from .cells import change_html

#: Most entries an Atom feed may ask for (``?limit=``), and how many it has by default.
FEED_MAX, FEED_DEFAULT = 200, 50

#: Changed paragraphs shown in the content of one feed entry.
FEED_CHANGES = 12


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
            "select c.op, op.text, np.text from paragraph_changes c"
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
        for op, old_text, new_text in changes[:FEED_CHANGES]:
            parts.append(change_html(op, old_text, new_text))
        if len(changes) > FEED_CHANGES:
            parts.append(f'<p><a href="{_html(url)}">More changes…</a></p>')
        sub(entry, "content", "\n".join(parts), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


#: Characters XML 1.0 does not allow (documents may hold form feeds and other controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text made safe for XML 1.0: forbidden control characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _html(text: str) -> str:
    return escape(text, quote=True)
