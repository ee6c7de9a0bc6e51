"""`tracker diff` and `tracker blame` through the real CLI, on a real database."""

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from tracker import Tracker
from tracker.cli import cli

V1 = (
    "Title of the policy\n\n"
    "We collect your name and email address.\n\n"
    "We never sell your data to anyone.\n\n"
    "Data is kept for twelve months.\n\n"
    "You may ask us to delete it.\n\n"
    "Contact us at the address below.\n"
)
V2 = (
    "Title of the policy\n\n"
    "Contact us at the address below.\n\n"  # moved up from the end
    "We collect your name, email address and location.\n\n"  # modified
    "Data is kept for twelve months.\n\n"  # "never sell" deleted before this one
    "You may ask us to delete it.\n\n"
    "Cookies are used for <script>alert(1)</script> analytics.\n"  # inserted
)
V3 = V2.replace("analytics.", "analytics only.")


@pytest.fixture
def policy_db(tmp_path):
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("policy.txt", V1, at="2026-01-01T00:00:00Z")
        tracker.record("policy.txt", V2, at="2026-02-01T00:00:00Z")
        tracker.record("policy.txt", V3, at="2026-03-01T00:00:00Z")
    return str(path)


def test_json_shape_and_every_paragraph_once(run, policy_db):
    result = run(
        "diff", "policy", "--since", "v1", "--until", "v2", "--format", "json", "--db", policy_db
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"doc", "from", "to", "stats", "hidden", "paragraphs"}
    assert data["doc"] == "policy.txt"
    assert data["from"]["version"] == 1 and data["to"]["version"] == 2
    assert set(data["from"]) == {"version", "captured_at", "sha256"}
    assert data["stats"] == {
        "added": 1, "removed": 1, "modified": 1, "moved": 1, "unchanged": 3, "split": 0, "merged": 0
    }  # fmt: skip
    ops = {p["op"]: p for p in data["paragraphs"]}
    assert {op: p.get("class") for op, p in ops.items()} == {
        "equal": None,  # no "class" key on unchanged paragraphs
        "move": "moved",
        "modify": "substantive",
        "insert": "substantive",
        "delete": "substantive",
    }
    assert "class" not in ops["equal"]
    assert ops["move"]["text"] == "Contact us at the address below."
    assert (ops["move"]["old"], ops["move"]["new"]) == (5, 1)
    assert ops["modify"]["old_text"] == "We collect your name and email address."
    assert ops["modify"]["new_text"] == "We collect your name, email address and location."
    inline = ops["modify"]["inline"]
    assert "".join(s for op, s in inline if op != "+") == ops["modify"]["old_text"]
    assert any(op == "+" and "location" in s for op, s in inline)
    assert ops["delete"]["text"] == "We never sell your data to anyone."
    assert sorted(p["old"] for p in data["paragraphs"] if p["old"] is not None) == list(range(6))
    assert sorted(p["new"] for p in data["paragraphs"] if p["new"] is not None) == list(range(6))


def test_since_defaults_and_ranges_agree(run, policy_db):
    base = ["--format", "json", "--db", policy_db]
    latest = json.loads(run("diff", "policy", *base).stdout)
    assert (latest["from"]["version"], latest["to"]["version"]) == (2, 3)
    ranged = json.loads(run("diff", "policy", "v1..v3", *base).stdout)
    since = json.loads(run("diff", "policy", "--since", "v1", *base).stdout)
    assert ranged == since
    assert (since["from"]["version"], since["to"]["version"]) == (1, 3)


def test_text_format_plain_markers(run, policy_db):
    result = run("diff", "policy", "--since", "v1", "--until", "v2", "--db", policy_db)
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    assert result.stdout.splitlines() == [
        "policy.txt v1 (2026-01-01 00:00:00) -> policy.txt v2 (2026-02-01 00:00:00)",
        "  [1] Title of the policy",
        "> [2] moved from paragraph 6: Contact us at the address below.",
        "~ [3] We collect your name[- and-]{+,+} email address{+ and location+}.",
        "- [3] We never sell your data to anyone.",  # a whole paragraph: no word markers
        "  [4] Data is kept for twelve months.",
        "  [5] You may ask us to delete it.",
        "+ [6] Cookies are used for <script>alert(1)</script> analytics.",
    ]


def test_text_format_colour_always(run, policy_db):
    result = run("diff", "policy", "--color", "always", "--db", policy_db)
    assert "\x1b[" in result.stdout


def test_no_color_environment(policy_db):
    result = CliRunner().invoke(
        cli, ["diff", "policy", "--db", policy_db], env={"NO_COLOR": "1"}, color=True
    )
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "~ [6] Cookies are used for <script>alert(1)</script> analytics{+ only+}."
    )  # the diff is there, its markers plain


def test_stat(run, policy_db):
    result = run("diff", "policy", "v1..v2", "--stat", "--db", policy_db)
    assert result.stdout.strip().endswith("+1 -1 ~1 moved 1, 3 unchanged")


@pytest.mark.parametrize("format_", ["unified", "html", "markdown"])
def test_stat_refuses_a_format_it_cannot_print(run, policy_db, format_):
    """--stat prints a line of counts (or JSON): asked for a page or a patch, it says so
    instead of printing the line as if that were the format asked for."""
    result = run("diff", "policy", "--stat", "--format", format_, "--db", policy_db)
    assert result.exit_code == 2
    assert f"--stat prints text or json, not --format {format_}" in result.stderr
    assert result.stdout == ""


def test_html_escapes_document_text(run, policy_db):
    result = run("diff", "policy", "v1..v2", "--format", "html", "--db", policy_db)
    page = result.stdout
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<script>" not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<ins" in page and "<del" in page


def test_markdown(run, policy_db):
    result = run("diff", "policy", "v1..v2", "--format", "markdown", "--db", policy_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\n\n") == [
        "### Changes to policy.txt: version 1 (2026-01-01T00:00:00.000Z)"
        " \u2192 version 2 (2026-02-01T00:00:00.000Z)",
        "**1 added, 1 removed, 1 modified, 1 moved, 3 unchanged**",
        "\u00b6 1: Title of the policy",
        "**\u00b6 2, moved from \u00b6 6:** Contact us at the address below.",
        "**\u00b6 3, modified:** We collect your name ~~and~~**,** email address **and location**.",
        "**old \u00b6 3, removed:** ~~We never sell your data to anyone.~~",
        "\u00b6 4: Data is kept for twelve months.",
        "\u00b6 5: You may ask us to delete it.",
        "**\u00b6 6, added:** **Cookies are used for \\<script\\>alert(1)\\</script\\>"
        " analytics.**",
        "",  # the page's last newline, then echo's
    ]


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
@pytest.mark.parametrize("since,until", [("v1", "v2"), ("v2", "v3"), ("v1", "v3")])
def test_unified_applies_with_patch(run, policy_db, tmp_path, since, until):
    with Tracker(policy_db) as tracker:
        old, new = tracker.text("policy", since), tracker.text("policy", until)
    target = tmp_path / "policy.txt"
    target.write_bytes(old.encode())
    result = run("diff", "policy", f"{since}..{until}", "--format", "unified", "--db", policy_db)
    assert result.stdout.startswith("--- ")
    subprocess.run(
        ["patch", "-s", str(target)], input=result.stdout_bytes, check=True, cwd=tmp_path
    )
    assert target.read_bytes() == new.encode()


def test_diff_errors(run, policy_db):
    assert run("diff", "nope", "--db", policy_db).stderr.startswith(
        "Error: no document matches 'nope'"
    )
    bad = run("diff", "policy", "--since", "v9", "--db", policy_db)
    assert bad.exit_code == 1
    assert bad.stderr == "Error: no version v9 of policy.txt: policy.txt has v1..v3\n"
    both = run("diff", "policy", "v1..v2", "--since", "v1", "--db", policy_db)
    assert both.exit_code == 2


def test_first_version_diffs_against_nothing(run, policy_db):
    data = json.loads(
        run("diff", "policy", "--until", "v1", "--format", "json", "--db", policy_db).stdout
    )
    assert data["from"] is None
    assert data["stats"]["added"] == 6


def test_blame(run, policy_db):
    result = run("blame", "policy", "--json", "--db", policy_db)
    lines = json.loads(result.stdout)
    origins = {line["text"]: line["version"] for line in lines}
    assert origins["Title of the policy"] == 1
    assert origins["Contact us at the address below."] == 1  # only moved: keeps its origin
    assert origins["We collect your name, email address and location."] == 2
    assert origins["Cookies are used for <script>alert(1)</script> analytics only."] == 3
    text = run("blame", "policy", "--at", "v2", "--db", policy_db).stdout.splitlines()
    assert text[0] == "v1 2026-01-01 [1] | Title of the policy"
    assert text[1] == "v1 2026-01-01 [2] | Contact us at the address below."
    assert text[2].startswith("v2 2026-02-01 [3] | We collect your name, email")
    assert text[5].startswith("v2 2026-02-01 [6] | Cookies are used for")


def test_blame_numbers_paragraphs_as_trace_takes_them(run, tmp_path):
    """The number blame gives a paragraph (text and --json) is the one trace takes for it."""
    db = str(tmp_path / "t.db")
    texts = [f"Paragraph number {n} of the policy." for n in range(1, 12)]
    with Tracker(db) as tracker:
        tracker.record("p.txt", "\n\n".join(texts) + "\n")
        texts[9] = "Paragraph number 10 of the policy, now edited."
        tracker.record("p.txt", "\n\n".join(texts) + "\n")
    lines = json.loads(run("blame", "p", "--json", "--db", db).stdout)
    assert [line["paragraph"] for line in lines] == list(range(1, 12))
    edited = next(line for line in lines if "now edited" in line["text"])
    assert edited["paragraph"] == 10
    trace = run("trace", "p", str(edited["paragraph"]), "--db", db).stdout
    assert trace.splitlines()[0] == "p.txt v2, paragraph 10:"
    assert "now edited" in trace
    text = run("blame", "p", "--db", db).stdout.splitlines()
    assert text[0].startswith("v1 ")
    assert text[0].endswith("  [1] | Paragraph number 1 of the policy.")  # aligned with [10]
    assert text[9].startswith("v2 ") and " [10] | Paragraph number 10" in text[9]


def test_log_counts_come_from_the_engine(run, policy_db):
    entries = json.loads(run("log", "policy", "--json", "--db", policy_db).stdout)
    v2 = entries[1]
    assert (v2["added"], v2["removed"], v2["modified"], v2["moved"]) == (1, 1, 1, 1)
    assert "+1 -1 ~1 moved 1" in run("log", "policy", "--db", policy_db).stdout


def test_layout_only_change_is_said(run, tmp_path):
    policy_db = str(tmp_path / "t.db")
    with Tracker(policy_db) as tracker:
        tracker.record("x.txt", "One\n\nTwo\n")
        tracker.record("x.txt", "One\r\n\r\nTwo\r\n")  # only the line endings change
    text = run("diff", "x", "--db", policy_db).stdout
    assert "only the layout: line endings" in text
    assert (
        run("diff", "x", "--stat", "--db", policy_db)
        .stdout.strip()
        .endswith("0 moved 0, 2 unchanged; only the layout changed")
    )


def test_default_diff_of_a_returned_file_matches_log_counts(run, tmp_path):
    policy_db = str(tmp_path / "t.db")
    with Tracker(policy_db) as tracker:
        tracker.record("a.txt", "keep\n\ngone soon\n")
        tracker.delete("a.txt")
        tracker.record("a.txt", "keep\n\nnew\n")  # came back: compared with v1, not the deletion
    log = json.loads(run("log", "a", "--json", "--db", policy_db).stdout)
    data = json.loads(run("diff", "a", "--format", "json", "--db", policy_db).stdout)
    assert data["from"]["version"] == 1 and data["to"]["version"] == 3
    # "gone soon" out, "new" in, "keep" kept: counted against v1 by both, not against nothing
    assert (data["stats"]["added"], data["stats"]["removed"]) == (1, 1)
    assert (log[2]["added"], log[2]["removed"]) == (1, 1)
    deletion = json.loads(
        run("diff", "a", "--until", "v2", "--format", "json", "--db", policy_db).stdout
    )
    assert deletion["from"]["version"] == 1 and deletion["stats"]["removed"] == 2


def test_markdown_writes_out_terminal_control_sequences(run, tmp_path):
    """Markdown is printed to terminals too: a document's escape sequences are written out
    (``\\x1b``), never sent, as the text format does."""
    policy_db = str(tmp_path / "t.db")
    with Tracker(policy_db) as tracker:
        tracker.record("e.txt", "clean\n\nevil \x1b]0;pwned\x07 x\n")
        tracker.record("e.txt", "clean\n\nevil \x1b]0;pwned\x07 y\n")
    out = run("diff", "e", "--format", "markdown", "--db", policy_db).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b\\]0;pwned\\x07" in out  # "]" is Markdown, so it is escaped too


def test_blame_escapes_terminal_control_sequences(run, tmp_path):
    policy_db = str(tmp_path / "t.db")
    with Tracker(policy_db) as tracker:
        tracker.record("e.txt", "clean\n\nevil \x1b]0;pwned\x07 x\n")
    out = run("blame", "e", "--db", policy_db).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "evil \\x1b]0;pwned\\x07 x" in out


def test_stat_says_how_many_added_paragraphs_were_split_off(run, tmp_path):
    db = str(tmp_path / "t.db")
    first = "We collect your name and email address when you sign up."
    second = "We use them to send you the newsletter every month."
    with Tracker(db) as tracker:
        tracker.record("a.txt", f"Title\n\n{first} {second}\n")
        tracker.record("a.txt", f"Title\n\n{first}\n\n{second}\n")
    out = run("diff", "a", "--stat", "--db", db).stdout.strip()
    assert out.endswith("+1 -0 ~1 moved 0, 1 unchanged (1 split off)")
    text = run("diff", "a", "--db", db).stdout
    assert f"+ [3] split from paragraph 2: {second}" in text
