"""The read commands agree with each other: options a sibling has, what --json and text say."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tracker import Tracker


@pytest.fixture
def gone_and_back(db: Path) -> Path:
    """notes.txt: v1 text, v2 deleted, v3 back with other text, v4 deleted again."""
    with Tracker(db) as tracker:
        tracker.record("notes.txt", "Plans.\n\nApples.\n", at="2026-01-01T00:00:00Z")
        tracker.delete("notes.txt", at="2026-01-02T00:00:00Z")
        tracker.record("notes.txt", "Plans.\n\nPears.\n", at="2026-01-03T00:00:00Z")
        tracker.delete("notes.txt", at="2026-01-04T00:00:00Z")
    return db


def test_diff_takes_json_as_every_read_command_does(run, gone_and_back):
    for extra in ([], ["--stat"]):
        as_json = run("diff", "notes", "v1..v3", "--json", *extra, db=gone_and_back)
        formatted = run("diff", "notes", "v1..v3", "--format", "json", *extra, db=gone_and_back)
        assert as_json.exit_code == 0, as_json.output
        assert as_json.stdout == formatted.stdout
        assert json.loads(as_json.stdout)["to"]["version"] == 3


def test_a_diff_says_which_end_records_a_deletion(run, gone_and_back):
    header = run("diff", "notes", "v1..v2", db=gone_and_back).stdout.splitlines()[0]
    assert header == (
        "notes.txt v1 (2026-01-01 00:00:00) -> notes.txt v2 (2026-01-02 00:00:00, deleted)"
    )
    stat = run("diff", "notes", "v2..v3", "--stat", db=gone_and_back).stdout
    assert stat.startswith("notes.txt v2 (2026-01-02 00:00:00, deleted) -> v3 (re-created): ")
    assert run("diff", "notes", "--stat", db=gone_and_back).stdout.startswith(
        "notes.txt v3 (2026-01-03 00:00:00, re-created) -> v4 (deleted): +0 -2"
    )
    markdown = run("diff", "notes", "v1..v2", "--format", "markdown", db=gone_and_back).stdout
    assert "version 2 (2026-01-02T00:00:00.000Z, deleted)" in markdown
    data = json.loads(run("diff", "notes", "v2..v3", "--format", "json", db=gone_and_back).stdout)
    assert data["from"]["deleted"] is True and "deleted" not in data["to"]
    stat_json = run("diff", "notes", "v2..v3", "--stat", "--format", "json", db=gone_and_back)
    counts = json.loads(stat_json.stdout)
    assert (counts["from"], counts["to"]) == (data["from"], data["to"])


@pytest.mark.parametrize(
    "args",
    [
        ["show", "notes"],
        ["blame", "notes"],
        ["blame", "notes", "--words"],
        ["trace", "notes", "1"],
        ["show", "notes", "--at", "v2"],
    ],
)
def test_asking_a_deletion_for_text_names_the_last_text(run, gone_and_back, args):
    result = run(*args, db=gone_and_back)
    assert result.exit_code == 1 and result.stdout == ""
    deleted = "v4" if "v2" not in args else "v2"
    last = "v3" if deleted == "v4" else "v1"
    assert result.stderr.startswith(f"Error: notes.txt {deleted} records its deletion (2026-")
    assert result.stderr.endswith(f"; it has no text; its last text is {last} (--at {last})\n")
    assert len(result.stderr.splitlines()) == 1


def test_log_json_has_the_renames_its_text_shows(run, db):
    with Tracker(db) as tracker:
        tracker.record("a.txt", "One.\n", at="2026-01-01T00:00:00Z")
        tracker.rename("a.txt", "b.txt", at="2026-01-02T00:00:00Z")
        tracker.record("b.txt", "One!\n", at="2026-01-03T00:00:00Z")
    text = run("log", "b", db=db).stdout.splitlines()
    assert text[1] == "    2026-01-02 00:00:00  renamed a.txt -> b.txt"
    versions = json.loads(run("log", "b", "--json", db=db).stdout)
    assert [v["renames"] for v in versions] == [
        [{"from": "a.txt", "to": "b.txt", "renamed_at": "2026-01-02T00:00:00.000Z"}],
        [],
    ]


def test_stats_help_says_when_the_text_gives_churn_per_year(run, db):
    from tracker.cli.corpus import MAX_MONTHS_SHOWN

    with Tracker(db) as tracker:
        for month in range(MAX_MONTHS_SHOWN + 1):
            at = f"{2020 + month // 12}-{month % 12 + 1:02}-01T00:00:00Z"
            tracker.record("a.txt", f"Version {month}.\n", at=at)
    assert "churn (paragraphs changed per year):" in run("stats", db=db).stdout
    churn = json.loads(run("stats", "--json", db=db).stdout)["churn"]
    assert len(churn) == MAX_MONTHS_SHOWN + 1 and "month" in churn[0]
    help_text = " ".join(run("stats", "--help").stdout.split())
    assert f"per year in the text over more than {MAX_MONTHS_SHOWN} months" in help_text


def test_log_takes_the_date_window_timeline_takes(run, db):
    with Tracker(db) as tracker:
        for day in range(1, 6):
            tracker.record("a.txt", f"Day {day}.\n", at=f"2026-03-0{day}T12:00:00Z")
        tracker.record("b.txt", "Other.\n", at="2026-03-03T12:00:00Z")
    window = ["--since", "2026-03-02", "--until", "2026-03-04"]
    logged = json.loads(run("log", "a", *window, "--json", db=db).stdout)
    assert [v["version"] for v in logged] == [2, 3, 4]
    events = json.loads(run("timeline", "--doc", "a.txt", *window, "--json", db=db).stdout)
    assert [e["version"] for e in reversed(events)] == [2, 3, 4]
    text = run("log", "a", "--since", "2026-03-05T12:00:00Z", db=db).stdout
    assert text.startswith("v5  2026-03-05 12:00:00  ") and len(text.splitlines()) == 1
    empty = run("log", "a", "--since", "2026-04-01", db=db)
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert empty.stderr == "no version of a.txt in that range\n"
    bad = run("log", "a", "--until", "March", db=db)
    assert bad.exit_code == 2 and "cannot read time 'March'" in bad.stderr


@pytest.mark.parametrize("command", [["timeline"], ["log", "a"]])
def test_a_window_that_ends_before_it_starts_is_a_usage_error(run, db, command):
    with Tracker(db) as tracker:
        tracker.record("a.txt", "One.\n", at="2026-03-01T12:00:00Z")
    for window in (
        ["--since", "2026-03-02", "--until", "2026-03-01"],
        ["--until", "2026-03-01", "--since", "2026-03-02"],
    ):
        result = run(*command, *window, db=db)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.endswith(
            "Error: Invalid value for '--until': '2026-03-01' is before --since '2026-03-02'\n"
        )
    same_day = run(*command, "--since", "2026-03-01", "--until", "2026-03-01", db=db)
    assert same_day.exit_code == 0 and "v1" in same_day.stdout


def test_docs_and_diff_escape_a_name_an_older_database_may_hold(run, db):
    with Tracker(db) as tracker:
        tracker.record("placeholder.txt", "old\n\nline\n", at="2024-01-01")
        tracker.record("placeholder.txt", "new\n\nline\n", at="2024-01-02")
    with sqlite3.connect(db) as conn:  # refused today; an older tracker could store it
        conn.execute("update documents set name = 'esc\x1b[31mred.txt'")
    conn.close()
    shown = "esc\\x1b[31mred.txt"
    for args in (["docs"], ["diff", "esc"], ["diff", "esc", "--stat"], ["timeline"]):
        out = run(*args, db=db, color=True).stdout  # as on a terminal: nothing stripped
        assert "\x1b" not in out and shown in out, args
    assert run("docs", db=db, color=True).stdout.startswith(f"{shown}  ")
    header = run("diff", "esc", db=db, color=True).stdout.splitlines()[0]
    assert header == f"{shown} v1 (2024-01-01 00:00:00) -> {shown} v2 (2024-01-02 00:00:00)"
    restored = run("restore", "esc", "--to", db.parent / "out.txt", db=db, color=True)
    assert restored.stderr == f"{shown} v2 written to {db.parent / 'out.txt'}\n"


def test_trace_colours_the_changed_words_as_diff_does(run, db):
    with Tracker(db) as tracker:
        tracker.record("a.txt", "Title.\n\nWe keep your data.\n", at="2026-01-01")
        tracker.record("a.txt", "Title.\n\nWe never keep your data.\n", at="2026-01-02")
    plain = run("trace", "a", "2", db=db).stdout  # not a terminal: markers
    assert plain.splitlines()[-1].endswith("[2] modified: We {+never +}keep your data.")
    painted = run("trace", "a", "2", "--color", "always", db=db).stdout
    diff = run("diff", "a", "--color", "always", db=db).stdout
    edit = "We \x1b[32;4mnever \x1b[0mkeep your data."
    assert painted.splitlines()[-1].endswith(f"[2] modified: {edit}") and edit in diff
    assert run("trace", "a", "2", "--color", "never", db=db, color=True).stdout == plain


def test_docs_takes_the_doc_glob_that_search_and_timeline_take(run, db):
    with Tracker(db) as tracker:
        tracker.record("notes/a.txt", "A.\n", at="2026-01-01")
        tracker.record("notes/b.md", "B.\n", at="2026-01-01")
        tracker.record("c.txt", "C.\n", at="2026-01-01")
    for glob, names in (
        ("notes/*", ["notes/a.txt", "notes/b.md"]),
        ("*.txt", ["c.txt", "notes/a.txt"]),
        ("b.md", ["notes/b.md"]),
    ):
        listed = [line.split()[0] for line in run("docs", "--doc", glob, db=db).stdout.splitlines()]
        data = json.loads(run("docs", "--doc", glob, "--json", db=db).stdout)
        changed = json.loads(run("timeline", "--doc", glob, "--json", db=db).stdout)
        assert listed == [d["name"] for d in data] == names == sorted(e["doc"] for e in changed)
    none = run("docs", "--doc", "zz*", db=db)
    assert (none.exit_code, none.stdout, none.stderr) == (
        0,
        "",
        "no document matches --doc 'zz*'\n",
    )
    assert run("docs", "--doc", "zz*", "--json", db=db).stdout == "[]\n"


def test_doc_names_a_folder_as_a_path_does_in_git(run, db):
    """``--doc notes`` (or ``notes/``) is every document in that folder, at any depth; not a
    document whose name only starts the same, nor a file of that name in another folder."""
    with Tracker(db) as tracker:
        for name in ("notes/a.txt", "notes/deep/b.md", "notesx/c.txt", "other/notes", "d.txt"):
            tracker.record(name, f"Secret words in {name}.\n", at="2026-01-01")
    for glob, names in (
        ("notes", ["notes/a.txt", "notes/deep/b.md", "other/notes"]),
        ("notes/", ["notes/a.txt", "notes/deep/b.md"]),
        ("notes/deep", ["notes/deep/b.md"]),
        ("note?", ["notes/a.txt", "notes/deep/b.md", "other/notes"]),
        ("d.txt", ["d.txt"]),
    ):
        listed = [line.split()[0] for line in run("docs", "--doc", glob, db=db).stdout.splitlines()]
        changed = json.loads(run("timeline", "--doc", glob, "--json", db=db).stdout)
        found = run("search", "secret", "--doc", glob, db=db).stdout.splitlines()
        assert listed == names == sorted(e["doc"] for e in changed), glob
        assert sorted(line.split()[0] for line in found) == names, glob
    assert run("docs", "--doc", "note", db=db).stderr == "no document matches --doc 'note'\n"


def test_trace_search_reads_words_as_search_does(run, db):
    with Tracker(db) as tracker:
        tracker.record(
            "a.txt",
            "Put a magic comment on the first line.\n\n"
            "A comment that is magic\nis not the same.\n\n"
            "Nothing here.\n",
            at="2026-01-01",
        )
    for query in ('"magic comment"', '"MAGIC   comment" first', "put comm*", "first lin*"):
        found = run("search", query, "--json", db=db)
        assert [hit["paragraph"] for hit in json.loads(found.stdout)] == [1], query
        traced = run("trace", "a", "--search", query, db=db)
        assert traced.exit_code == 0, (query, traced.stderr)
        assert traced.stdout.startswith("a.txt v1, paragraph 1:\n"), query
    phrase_over_lines = run("trace", "a", "--search", '"that is magic is not"', db=db)
    assert phrase_over_lines.stdout.startswith("a.txt v1, paragraph 2:\n")
    both = run("trace", "a", "--search", "comment magic", db=db)  # words, in any order
    assert both.exit_code == 1 and both.stderr.startswith("Error: 2 paragraphs contain")
