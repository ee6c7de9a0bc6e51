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
from ..render.words import counts_words
from .cells import change_html

#: Most entries an Atom feed may ask for (``?limit=``), and how many it has by default.
FEED_MAX, FEED_DEFAULT = 200, 50

#: Changed paragraphs shown in the content of one feed entry.
FEED_CHANGES = 12

XHTML = "http://www.w3.org/1999/xhtml"

Entries = list[tuple[Version, list[tuple[str, str | None, str | None]]]]


def atom_feed(
    entries: Entries,
    *,
    title: str,
    feed_id: str,
    feed_url: str,
    site_url: str,
    diff_url: Callable[[str, int], str],
    stylesheet: str | None = None,
) -> bytes:
    """Build the Atom XML (RFC 4287) of recent versions (each with up to ``FEED_CHANGES + 1`` of
    its changes, so that the entry can say there are more).

    With ``stylesheet`` (a CSS URL), a browser opening the feed shows it readably: the feed
    names it in an ``xml-stylesheet`` instruction, and carries a few XHTML links (foreign markup,
    which feed readers skip) so that its entries can be followed from the page."""
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
    if stylesheet:
        about = sub(feed, "div", xmlns=XHTML, **{"class": "tracker-feed-about"})
        about.text = "An Atom feed of the changes recorded by tracker: add its address to a feed"
        about.text += " reader to follow them, or "
        sub(about, "a", "browse them", href=site_url).tail = "."
    for version, changes in entries:
        entry = sub(feed, "entry")
        url = diff_url(version.doc, version.version)
        counts = counts_words(version)
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
        if stylesheet:
            links = sub(entry, "div", xmlns=XHTML, **{"class": "tracker-feed-link"})
            sub(links, "a", "Read the changes", href=url)
    xml = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    if stylesheet:
        declaration, _, rest = xml.partition(b"\n")
        instruction = f'<?xml-stylesheet type="text/css" href="{escape_html(stylesheet)}"?>'
        xml = declaration + b"\n" + instruction.encode() + b"\n" + rest
    return xml


#: Characters XML 1.0 does not allow (documents may hold form feeds and other controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text made safe for XML 1.0: forbidden control characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
