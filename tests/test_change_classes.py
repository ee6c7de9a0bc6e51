"""Change classes where users meet them: stored at record time, `log`, `diff --ignore`, ignore
patterns, reclassify, timeline, the feed and Datasette facets; through the real CLI and database.

The pure rules are tested in test_classes.py; here, that they are recorded and used.
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from datasette.app import Datasette
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import Tracker

TOKEN = "See https://example.com/terms?ref=1&h=AT19UBiX0a for the full text of these terms."
NAME = "We collect your name and email when you sign up, and keep them for two years."
ADDRESS = "Write to us at the address below if you have questions about these terms."


def doc(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


@pytest.fixture
def terms(tmp_path: Path) -> Path:
    """Four versions of a terms page: a token changes in each; v2 also changes a number (minor
    with the token ignored, substantive words otherwise unchanged); v3 changes words; v4 only
    re-wraps a paragraph and changes the token."""
    path = tmp_path / "t.db"
    v2 = doc(TOKEN.replace("X0a", "Y1b"), NAME.replace("two", "2"), ADDRESS)
    v3 = doc(
        TOKEN.replace("X0a", "Z2c"), NAME.replace("two", "2"), ADDRESS.replace("us", "our team")
    )
    v4 = doc(
        TOKEN.replace("X0a", "W3d"),
        NAME.replace("two", "2").replace(" and keep", "\nand keep"),
        ADDRESS.replace("us", "our team"),
    )
    with Tracker(path) as tracker:
        for day, text in enumerate([doc(TOKEN, NAME, ADDRESS), v2, v3, v4], start=1):
            tracker.record("terms.txt", text, at=f"2024-01-0{day}T00:00:00Z")
    return path


#: The classes of the six edits of ``terms`` once the tracking token is ignored: the token edits
#: are volatile, "two" -> "2" and the new words substantive, the re-wrap whitespace.
TOKEN_IGNORED = ["volatile", "substantive", "volatile", "substantive", "volatile", "whitespace"]


def classes(db: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select version, op, class from changes where version > 1 order by version, id"
        ).fetchall()


def test_every_change_is_classified_when_recorded(terms: Path) -> None:
    assert classes(terms) == [
        (2, "modify", "substantive"),  # the token: substantive until a pattern says otherwise
        (2, "modify", "substantive"),  # "two" -> "2": a word became digits
        (3, "modify", "substantive"),
        (3, "modify", "substantive"),
        (4, "modify", "substantive"),
        (4, "modify", "whitespace"),  # re-wrapped
    ]
    with Tracker(terms) as tracker:
        assert [v.substantive for v in tracker.versions("terms")] == [3, 2, 2, 1]


def test_a_recased_heading_is_a_case_edit_not_a_new_paragraph(run, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Tracker(db) as tracker:
        tracker.record("p.txt", doc("TERMS OF SERVICE", NAME), at="2024-01-01T00:00:00Z")
        tracker.record("p.txt", doc("Terms of Service", NAME), at="2024-01-02T00:00:00Z")
    assert classes(db) == [(2, "modify", "case")]
    result = run("diff", "p", "--ignore", "case", "--db", db)
    assert result.exit_code == 0, result.output
    assert "1 minor change hidden" in result.output


def test_an_ignore_pattern_reclassifies_the_history(run, terms: Path) -> None:
    added = run("ignore", "add", r"[?&]h=\w+", "--note", "tracking token", db=terms)
    assert added.exit_code == 0, added.output
    assert added.stderr == "ignore pattern 1 added: [?&]h=\\w+\n"
    assert [row[2] for row in classes(terms)] == TOKEN_IGNORED
    log = run("log", "terms", db=terms).stdout.splitlines()
    assert [line.split("  ")[-1] for line in log] == [
        "new, 3 paragraphs",
        "+0 -0 ~2 (1 substantive)",
        "+0 -0 ~2 (1 substantive)",
        "+0 -0 ~2 minor",
    ]
    only = run("log", "terms", "--substantive", db=terms).stdout.splitlines()
    assert [line.split("  ")[0] for line in only] == ["v1", "v2", "v3"]
    listed = json.loads(run("ignore", "list", "--json", db=terms).stdout)
    assert [(p["id"], p["pattern"], p["note"]) for p in listed] == [
        (1, "[?&]h=\\w+", "tracking token")
    ]
    removed = run("ignore", "remove", "1", db=terms)
    assert removed.exit_code == 0
    assert [row[2] for row in classes(terms)][0] == "substantive"
    assert run("ignore", "remove", "1", db=terms).stderr == (
        "Error: no ignore pattern 1: `tracker ignore list` shows them\n"
    )


def test_reclassify_writes_its_classes_in_batches(
    run, terms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The classes are written a few at a time while the edits stream by: with batches of two
    (six edits: three batches), the same classes as in one go, and every edit counted."""
    from tracker.history import ignore

    monkeypatch.setattr(ignore, "RECLASSIFY_BATCH", 2)
    assert run("ignore", "add", r"[?&]h=\w+", db=terms).exit_code == 0
    assert [row[2] for row in classes(terms)] == TOKEN_IGNORED
    with Tracker(terms) as tracker:
        assert tracker.reclassify() == 6
        assert [v.substantive for v in tracker.versions("terms")] == [3, 1, 1, 0]


def test_a_pattern_for_other_documents_changes_nothing_here(run, terms: Path) -> None:
    assert run("ignore", "add", r"[?&]h=\w+", "--doc", "other/*", db=terms).exit_code == 0
    assert [row[2] for row in classes(terms)][0] == "substantive"


def test_a_pattern_for_documents_not_tracked_says_so_and_is_kept_for_them(run, terms: Path) -> None:
    """A --doc glob that matches no document (a typo, or documents to come) is said, and the
    pattern is stored all the same: a document of that name tracked later is classed with it."""
    warning = (
        "warning: no document matches --doc 'other/*' yet: kept, it applies to documents of"
        " such names once they are tracked (`tracker docs` lists the names)\n"
    )
    for done in ("added", "already there"):
        result = run("ignore", "add", r"[?&]h=\w+", "--doc", "other/*", db=terms)
        assert result.exit_code == 0
        assert result.stderr == f"ignore pattern 1 {done}: [?&]h=\\w+\n" + warning
    for glob in ("terms.txt", "*.txt", "terms*"):  # by name or file name: no warning
        result = run("ignore", "add", "unused", "--doc", glob, db=terms)
        assert "warning" not in result.stderr, glob
    with Tracker(terms) as tracker:
        tracker.record("other/terms.txt", doc(TOKEN), at="2024-02-01T00:00:00Z")
        tracker.record("other/terms.txt", doc(TOKEN.replace("X0a", "Y1b")))
        assert [v.substantive for v in tracker.versions("other/terms.txt")] == [1, 0]


def test_a_bad_pattern_is_a_one_line_error_and_stores_nothing(run, terms: Path) -> None:
    result = run("ignore", "add", "(unclosed", db=terms)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad ignore pattern '(unclosed': missing )")
    assert len(result.stderr.splitlines()) == 1
    assert run("ignore", "list", "--json", db=terms).stdout.strip() == "[]"


def test_diff_ignore_hides_classes_in_every_format(run, terms: Path) -> None:
    run("ignore", "add", r"[?&]h=\w+", db=terms)
    text = run("diff", "terms", "v1..v2", "--ignore", "volatile", "--context", "0", db=terms)
    assert text.stdout.splitlines() == [
        "terms.txt v1 (2024-01-01 00:00:00) -> terms.txt v2 (2024-01-02 00:00:00)",
        "@@ paragraph 1 unchanged @@",
        "~ [2] We collect your name and email when you sign up, and keep them for"
        " [-two-]{+2+} years.",
        "@@ paragraph 3 unchanged @@",
        "1 minor change hidden",
    ]
    stat = run("diff", "terms", "v3..v4", "--stat", "--ignore", "minor", db=terms).stdout
    assert stat.strip().endswith("+0 -0 ~0 moved 0, 3 unchanged; 2 minor changes hidden")
    data = json.loads(run("diff", "terms", "v3..v4", "--format", "json", "--ignore", "minor",
                          db=terms).stdout)  # fmt: skip
    assert data["hidden"] == 2 and {p["op"] for p in data["paragraphs"]} == {"equal"}
    html = run("diff", "terms", "v3..v4", "--format", "html", "--ignore", "minor", db=terms)
    assert "2 minor changes hidden" in html.stdout
    markdown = run("diff", "terms", "v3..v4", "--format", "markdown", "--ignore", "minor",
                   db=terms)  # fmt: skip
    assert "2 minor changes hidden" in markdown.stdout
    unified = run("diff", "terms", "--format", "unified", "--ignore", "minor", db=terms)
    assert unified.exit_code == 2


def test_diff_shows_a_whitespace_only_paragraph_as_one_short_line(run, terms: Path) -> None:
    short = run("diff", "terms", "v3..v4", "--context", "0", db=terms).stdout.splitlines()
    assert "~ [2] whitespace only" in short
    full = run("diff", "terms", "v3..v4", "--full", db=terms).stdout
    assert "~ [2] We collect your name and email when you sign up," in full
    data = json.loads(run("diff", "terms", "v3..v4", "--format", "json", db=terms).stdout)
    assert [p.get("class") for p in data["paragraphs"]] == ["substantive", "whitespace", None]


def test_an_unknown_class_is_a_usage_error(run, terms: Path) -> None:
    result = run("diff", "terms", "--ignore", "typos", db=terms)
    assert result.exit_code == 2
    assert "'typos' is not a change class" in result.stderr


def test_timeline_and_feed_can_leave_out_minor_versions(run, terms: Path) -> None:
    run("ignore", "add", r"[?&]h=\w+", db=terms)
    every = run("timeline", db=terms).stdout.splitlines()
    substantive = run("timeline", "--substantive", db=terms).stdout.splitlines()
    assert len(every) == 4 and [line for line in every if "v4" not in line] == substantive


@pytest.mark.asyncio
async def test_feed_substantive_and_class_facet(terms: Path) -> None:
    with Tracker(terms) as tracker:
        tracker.add_ignore(r"[?&]h=\w+")
    ds = Datasette([str(terms)])
    await ds.invoke_startup()
    feed = await ds.client.get("/-/tracker/t/changes.atom?substantive=1")
    titles = [
        e.text for e in ET.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}title")
    ]
    assert not any("v4" in title for title in titles[1:])
    assert any("v3" in title for title in titles[1:])
    everything = await ds.client.get("/-/tracker/t/changes.atom")
    assert b"terms.txt v4" in everything.content
    facets = (await ds.client.get("/t/changes.json?_facet=class")).json()
    values = {f["value"] for f in facets["facet_results"]["class"]["results"]}
    assert values == {"substantive", "volatile", "whitespace"}


@pytest.mark.slow
def test_watch_only_substantive_and_the_exec_variable(tmp_path: Path, folder: Path) -> None:
    """`tracker watch --only substantive` records a minor version but neither prints it nor runs
    --exec for it; a substantive one gets TRACKER_SUBSTANTIVE."""
    import threading

    from tracker.watch.events import WatchEvent
    from tracker.watch.session import WatchSession

    db = tmp_path / "w.db"
    seen: list[WatchEvent] = []
    arrived = threading.Event()
    out = tmp_path / "exec.txt"

    def on_event(event: WatchEvent) -> None:
        seen.append(event)
        if event.kind == "version":
            arrived.set()

    (folder / "a.txt").write_text(doc(NAME, ADDRESS))
    session = WatchSession(
        folder,
        db,
        on_event,
        debounce=0.05,
        only_substantive=True,
        exec_command=f'echo "$TRACKER_VERSION $TRACKER_SUBSTANTIVE" >> {out}',
    )
    session.start()
    try:
        assert arrived.wait(10)
        arrived.clear()
        (folder / "a.txt").write_text(doc(NAME.replace(" and keep", "\nand keep"), ADDRESS))
        (folder / "b.txt").write_text("A second document.\n")  # told: proves the batch was seen
        assert arrived.wait(10)
    finally:
        session.stop()
    versions = [(e.doc, e.version.version) for e in seen if e.kind == "version"]
    assert versions == [("a.txt", 1), ("b.txt", 1)]
    with Tracker(db) as tracker:
        assert [v.minor for v in tracker.versions("a.txt")] == [False, True]
    assert sorted(out.read_text().split("\n")[:-1]) == ["1 1", "1 2"]


PARAGRAPHS = st.lists(
    st.text(alphabet="abcdef ghij,.\n-–'’", min_size=1, max_size=40).map(str.strip).filter(bool),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARAGRAPHS, PARAGRAPHS)
def test_ignoring_minor_never_hides_a_substantive_change(old: list[str], new: list[str]) -> None:
    """Through the library, as `diff --ignore minor` calls it: every insert, delete and
    substantive edit stays shown, whatever the texts."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        with Tracker(Path(folder) / "t.db") as tracker:
            tracker.record("p.txt", doc(*old), at="2024-01-01")
            tracker.record("p.txt", doc(*new), at="2024-01-02")
            if len(tracker.versions("p.txt")) < 2:
                return
            every = tracker.diff("p.txt").changes
            shown = tracker.diff("p.txt", ignore={"whitespace", "volatile", "punctuation", "case",
                                                  "numbers", "moved"}).changes  # fmt: skip
    kept = {(c.op, c.old, c.new) for c in shown}
    for change in every:
        if change.op in ("insert", "delete") or change.kind == "substantive":
            assert (change.op, change.old, change.new) in kept
