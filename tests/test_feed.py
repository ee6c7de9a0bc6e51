"""The Atom feed built from versions and their changes, element by element (hand-checked)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tracker.models import Version
from tracker.web.feed import FEED_CHANGES, atom_feed, xml_text

ATOM = "{http://www.w3.org/2005/Atom}"


def version(number: int, at: str, deleted: bool = False, **counts) -> Version:
    return Version("a&b.txt", 1, number, at, None, 0, 0, deleted, **counts)


def feed(entries, **kwargs) -> bytes:
    return atom_feed(
        entries,
        title=kwargs.get("title", "T <t>"),
        feed_id="urn:feed",
        feed_url="http://h/feed?a=1&b=2",
        site_url="http://h/site",
        diff_url=lambda doc, number: f"http://h/diff/{doc}/{number}",
    )


def test_feed_of_two_versions():
    edited = version(2, "2024-02-01T00:00:00.000Z", added=1, removed=0, modified=1, note="a <note>")
    deleted = version(3, "2024-03-01T00:00:00.000Z", deleted=True)
    xml = feed([(deleted, []), (edited, [("modify", "x y", "x z"), ("insert", None, "<b>")])])
    assert xml.decode() == (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>T &lt;t&gt;</title><id>urn:feed</id>"
        '<link rel="self" type="application/atom+xml" href="http://h/feed?a=1&amp;b=2" />'
        '<link rel="alternate" type="text/html" href="http://h/site" />'
        "<updated>2024-03-01T00:00:00.000Z</updated>"  # the newest entry's time
        "<author><name>tracker</name></author><generator>tracker</generator>"
        "<entry><title>a&amp;b.txt v3: deleted</title><id>http://h/diff/a&amp;b.txt/3</id>"
        '<link rel="alternate" type="text/html" href="http://h/diff/a&amp;b.txt/3" />'
        "<updated>2024-03-01T00:00:00.000Z</updated>"
        "<published>2024-03-01T00:00:00.000Z</published>"
        "<summary>deleted</summary>"
        '<content type="html">&lt;p&gt;deleted&lt;/p&gt;</content></entry>'
        "<entry><title>a&amp;b.txt v2: 1 paragraph added, 1 modified</title>"
        "<id>http://h/diff/a&amp;b.txt/2</id>"
        '<link rel="alternate" type="text/html" href="http://h/diff/a&amp;b.txt/2" />'
        "<updated>2024-02-01T00:00:00.000Z</updated>"
        "<published>2024-02-01T00:00:00.000Z</published>"
        "<summary>1 paragraph added, 1 modified (a &lt;note&gt;)</summary>"
        '<content type="html">&lt;p&gt;1 paragraph added, 1 modified&lt;/p&gt;\n'
        '&lt;div class="tracker-diff"&gt;&lt;div class="para op-modify"&gt;'
        '&lt;div class="text"&gt;x &lt;del&gt;y&lt;/del&gt;&lt;ins&gt;z&lt;/ins&gt;'
        "&lt;/div&gt;&lt;/div&gt;&lt;/div&gt;\n"
        '&lt;div class="tracker-diff"&gt;&lt;div class="para op-insert"&gt;'
        '&lt;div class="text"&gt;&lt;ins&gt;&amp;lt;b&amp;gt;&lt;/ins&gt;'
        "&lt;/div&gt;&lt;/div&gt;&lt;/div&gt;</content></entry></feed>"
    )


def test_empty_feed():
    assert feed([], title="t").decode() == (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:feed</id>'
        '<link rel="self" type="application/atom+xml" href="http://h/feed?a=1&amp;b=2" />'
        '<link rel="alternate" type="text/html" href="http://h/site" />'
        "<updated>1970-01-01T00:00:00Z</updated>"
        "<author><name>tracker</name></author><generator>tracker</generator></feed>"
    )


def test_an_entry_shows_its_first_changes_then_links_to_the_rest():
    assert FEED_CHANGES == 12
    many = [("insert", None, f"paragraph {i}") for i in range(FEED_CHANGES + 1)]
    entry_version = version(2, "2024-02-01T00:00:00.000Z", added=13, removed=0, modified=0)
    content = ET.fromstring(feed([(entry_version, many)])).find(f"{ATOM}entry/{ATOM}content")
    assert content.text.count("<ins>paragraph ") == 12
    assert "paragraph 11" in content.text and "paragraph 12" not in content.text
    assert content.text.endswith('\n<p><a href="http://h/diff/a&amp;b.txt/2">More changes…</a></p>')
    exactly = ET.fromstring(feed([(entry_version, many[:FEED_CHANGES])]))
    assert "More changes" not in exactly.find(f"{ATOM}entry/{ATOM}content").text


def test_control_characters_become_replacement_characters():
    assert xml_text("a\x00b\x08c\x0bd\x0ce\x1ff\tg\nh\ri\ufffej\ud800k") == (
        "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\tg\nh\ri\ufffdj\ufffdk"
    )
    form_feed = version(2, "2024-02-01T00:00:00.000Z", added=1, removed=0, modified=0)
    parsed = ET.fromstring(feed([(form_feed, [("insert", None, "page\x0cbreak")])]))
    assert "page\ufffdbreak" in parsed.find(f"{ATOM}entry/{ATOM}content").text


def test_the_link_to_more_changes_is_escaped():
    """The diff URL holds the host a request named: escaped in the entry's HTML."""
    many = [("insert", None, f"p{i}") for i in range(FEED_CHANGES + 1)]
    entry = version(2, "2024-02-01T00:00:00.000Z", added=13, removed=0, modified=0)
    xml = atom_feed(
        [(entry, many)],
        title="t",
        feed_id="i",
        feed_url="u",
        site_url="s",
        diff_url=lambda doc, number: 'http://x"><script>alert(1)</script>/d',
    )
    content = ET.fromstring(xml).find(f"{ATOM}entry/{ATOM}content").text
    assert content.endswith(
        '<p><a href="http://x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/d">'
        "More changes…</a></p>"
    )
