"""The Atom feed of a tracker database: its latest versions, each with its first changes.

:func:`atom_feed` builds the XML with ElementTree, which escapes it all, from
:meth:`tracker.history.History.recent` (the same read as everything else).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..models import Version
from ..render.html import escape_html
from ..render.words import counts_text
from .cells import change_html

#: Most entries an Atom feed may ask for (``?limit=``), and how many it has by default.
FEED_MAX, FEED_DEFAULT = 200, 50

#: Changed paragraphs shown in the content of one feed entry.
FEED_CHANGES = 12

Entries = list[tuple[Version, list[tuple[str, str | None, str | None]]]]


def atom_feed(
    entries: Entries,
    *,
    title: str,
    feed_id: str,
    feed_url: str,
    site_url: str,
    diff_url: Callable[[str, int], str],
) -> bytes:
    """Build the Atom XML (RFC 4287) of recent versions (each with up to ``FEED_CHANGES + 1`` of
    its changes, so that the entry can say there are more)."""
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
    sub(feed, "updated", entries[0][0].captured_at if entries else "1970-01-01T00:00:00Z")
    author = sub(feed, "author")
    sub(author, "name", "tracker")
    sub(feed, "generator", "tracker")
    for version, changes in entries:
        entry = sub(feed, "entry")
        url = diff_url(version.doc, version.version)
        counts = counts_text(version)
        sub(entry, "title", f"{version.doc} v{version.version}: {counts}")
        sub(entry, "id", url)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "updated", version.captured_at)
        sub(entry, "published", version.captured_at)
        sub(entry, "summary", counts + (f" ({version.note})" if version.note else ""))
        parts = [f"<p>{escape_html(counts)}</p>"]
        for op, old_text, new_text in changes[:FEED_CHANGES]:
            parts.append(change_html(op, old_text, new_text))
        if len(changes) > FEED_CHANGES:
            parts.append(f'<p><a href="{escape_html(url)}">More changes…</a></p>')
        sub(entry, "content", "\n".join(parts), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


#: Characters XML 1.0 does not allow (documents may hold form feeds and other controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text made safe for XML 1.0: forbidden control characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
