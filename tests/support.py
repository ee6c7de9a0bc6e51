"""What several test files share: hostile strings, a small web history, a real `tracker serve`,
a git repository built by a test."""

from __future__ import annotations

import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tracker import Tracker

if TYPE_CHECKING:
    from datasette.app import Datasette

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ATOM = "{http://www.w3.org/2005/Atom}"
PLAIN = "Plain start of a longer sentence with many words in it"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def build_db(path: Path) -> Path:
    """A small history: two documents edited a few times, one hostile, one deleted."""
    with Tracker(path) as tracker:
        tracker.record(
            "notes/plan.txt",
            "Intro paragraph.\n\nWe grow apples in the north field.\n\nClosing words.\n",
            at="2024-01-01T10:00:00Z",
        )
        tracker.record(
            "notes/plan.txt",
            "Intro paragraph.\n\nWe grow pears in the north field.\n\nClosing words.\n\n"
            "A new paragraph about irrigation.\n",
            at="2024-02-01T10:00:00Z",
        )
        tracker.record(
            "notes/plan.txt",
            "Intro paragraph.\n\nWe grow pears in the north field.\n\n"
            "A new paragraph about irrigation.\n",
            at="2024-03-01T10:00:00Z",
        )
        tracker.record("hostile.txt", f"{PLAIN}.\n\n{SCRIPT}\n", at="2024-01-15T09:00:00Z")
        tracker.record(
            "hostile.txt",
            f"{PLAIN}, and {SCRIPT} here.\n\n{SCRIPT}\n\n{IMG}\n",
            at="2024-02-15T09:00:00Z",
        )
        tracker.record("old.txt", "Short lived.\n", at="2024-01-20T00:00:00Z")
        tracker.record("old.txt", None, at="2024-01-21T00:00:00Z")
    return path


def record_edits(path: Path, name: str, paragraphs: int, versions: int) -> None:
    """A document of ``paragraphs`` paragraphs written by version 1, then each version k up to
    ``versions`` puts a word of its own in paragraph k modulo ``paragraphs`` (replacing the
    word an earlier version put there), one day apart from 1 January 2020."""
    texts = [f"Paragraph {k} keeps its steady words." for k in range(paragraphs)]
    with Tracker(path) as tracker:
        for version in range(1, versions + 1):
            if version > 1:
                k = version % paragraphs
                texts[k] = f"Paragraph {k} keeps its edited{version} words."
            day = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(days=version - 1)
            at = day.strftime("%Y-%m-%dT%H:%M:%SZ")
            tracker.record(name, "\n\n".join(texts) + "\n", at=at)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tracker_command() -> list[str]:
    exe = Path(sys.executable).parent / "tracker"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tracker"]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start_server(db_path: Path, preexec_fn=None) -> tuple[subprocess.Popen, str]:
    """Run `tracker serve` on a free port and wait until it answers (``preexec_fn``: run in the
    child before it starts, as for :func:`subprocess.Popen`)."""
    port = free_port()
    process = subprocess.Popen(
        [*tracker_command(), "serve", "--port", str(port), "--db", str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=preexec_fn,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode())
        try:
            if fetch(base + "/-/versions.json")[0] == 200:
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("tracker serve did not answer within 30 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


class Repo:
    """A git repository built by the test, with deterministic authors and commit dates."""

    def __init__(self, path: Path):
        self.path = path
        self.day = 0
        path.mkdir()
        self.git("init", "-q", "-b", "main")

    def env(self) -> dict:
        stamp = f"2024-03-{self.day + 1:02d}T12:00:00+02:00"
        return {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Ada",
            "GIT_AUTHOR_EMAIL": "ada@example.org",
            "GIT_COMMITTER_NAME": "Ada",
            "GIT_COMMITTER_EMAIL": "ada@example.org",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=self.env(), capture_output=True, check=True
        )
        return done.stdout.decode().strip()

    def write(self, name: str, data: str | bytes) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        self.day += 1
        return self.git("rev-parse", "HEAD")


# -- histories with every kind of event, for comparing a parallel import with a serial one ------

_WORDS = (
    "river stone harbour lantern orchard meadow signal copper window ledger canvas thimble "
    "quarry beacon saddle compass furnace pigeon garnet willow anchor bramble cinder dune"
).split()


def _sentence(rng) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))


def _edit(rng, paragraphs: list[str]) -> None:
    """One ordinary edit: reword a paragraph, insert, delete or move one."""
    kind = rng.choice(["reword", "reword", "insert", "delete", "move"])
    index = rng.randrange(len(paragraphs))
    if kind == "reword":
        words = paragraphs[index].split(" ")
        words[rng.randrange(len(words))] = rng.choice(_WORDS)
        paragraphs[index] = " ".join(words)
    elif kind == "insert":
        paragraphs.insert(index, _paragraph(rng))
    elif kind == "delete" and len(paragraphs) > 3:
        del paragraphs[index]
    elif kind == "move":
        paragraphs.insert(rng.randrange(len(paragraphs)), paragraphs.pop(index))


def eventful_history(rounds: int = 24, seed: int = 5) -> list[dict]:
    """JSONL records of six documents over ``rounds`` rounds, with every kind of event an import
    meets: edits, a document split one line per paragraph, unchanged repeats, a record repeated
    at the same time, deletions and re-additions (also under a name a rename freed), rename
    records, versions that rename with ``renamed_from``, and records that cannot apply."""
    import random
    from datetime import datetime, timedelta, timezone

    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    docs = {
        name: [_paragraph(rng) for _ in range(rng.randint(4, 9))]
        for name in ("a.md", "b.md", "notes/c.md", "d.txt", "e.md")
    }
    lines = {"lines.txt": [_sentence(rng) + " " + _sentence(rng) for _ in range(12)]}
    out: list[dict] = []
    clock = [0]

    def at() -> str:
        clock[0] += 1
        return (start + timedelta(hours=clock[0])).isoformat().replace("+00:00", "Z")

    def text(name: str) -> str:
        if name in lines:
            return "\n".join(lines[name]) + "\n"
        return "\n\n".join(docs[name]) + "\n"

    for round_ in range(rounds):
        for name in list(docs):
            for _ in range(rng.randint(0, 3)):
                _edit(rng, docs[name])
            out.append({"doc": name, "text": text(name), "at": at()})
        lines["lines.txt"][rng.randrange(12)] = _sentence(rng) + " " + _sentence(rng)
        out.append({"doc": "lines.txt", "text": text("lines.txt"), "at": at()})
        if round_ == 2:  # unchanged; then, at one time, two texts and the first again (a revert)
            out.append({"doc": "a.md", "text": text("a.md"), "at": at()})
            moment, first = at(), text("a.md") + "\nA postscript.\n"
            out.append({"doc": "a.md", "text": first, "at": moment})
            out.append({"doc": "a.md", "text": text("a.md"), "at": moment})
            out.append({"doc": "a.md", "text": first, "at": moment})  # back again: a version too
        if round_ == 3:
            out.append({"doc": "b2.md", "renamed_from": "b.md", "at": at()})
            docs["b2.md"] = docs.pop("b.md")
        if round_ == 5:  # deleted; comes back edited three rounds later
            out.append({"doc": "d.txt", "text": None, "at": at()})
            gone = docs.pop("d.txt")
        if round_ == 6:
            out.append({"doc": "never.md", "text": None, "at": at()})  # skipped
            out.append({"doc": "z.md", "renamed_from": "ghost.md", "at": at()})  # skipped
        if round_ == 8:
            _edit(rng, gone)
            docs["d.txt"] = gone
            out.append({"doc": "d.txt", "text": text("d.txt"), "at": at()})
        if round_ == 10:  # a version that renames: notes/c.md -> c.md
            docs["c.md"] = docs.pop("notes/c.md")
            _edit(rng, docs["c.md"])
            out.append(
                {"doc": "c.md", "renamed_from": "notes/c.md", "text": text("c.md"), "at": at()}
            )
        if round_ == 12:  # a new document under the name b.md, freed by the rename
            docs["b.md"] = [_paragraph(rng) for _ in range(5)]
        if round_ == 14:  # a rename onto a tracked name is skipped
            out.append({"doc": "a.md", "renamed_from": "e.md", "at": at()})
    return out


def write_history(path: Path, records: list[dict]) -> Path:
    """Write records as JSONL."""
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def eventful_repo(path: Path, commits: int = 30, seed: int = 9) -> Repo:
    """A git repository whose commits edit, add, rename (git mv), delete and re-add files,
    and add a binary one."""
    import random

    rng = random.Random(seed)
    repo = Repo(path)
    files = {name: [_paragraph(rng) for _ in range(5)] for name in ("a.md", "b.md", "docs/c.md")}
    for number in range(commits):
        for name, paragraphs in files.items():
            if rng.random() < 0.7:
                _edit(rng, paragraphs)
            repo.write(name, "\n\n".join(paragraphs) + "\n")
        if number == 4:
            repo.write("logo.md", b"\x89PNG\x00binary")
        if number == 6:
            files["docs/b.md"] = files.pop("b.md")
            repo.git("mv", "b.md", "docs/b.md")
        if number == 9:
            gone = files.pop("a.md")
            (repo.path / "a.md").unlink()
        if number == 13:
            _edit(rng, gone)
            files["a.md"] = gone
            repo.write("a.md", "\n\n".join(gone) + "\n")
        if number == 16:
            files["e.md"] = [_paragraph(rng) for _ in range(3)]
            repo.write("e.md", "\n\n".join(files["e.md"]) + "\n")
        repo.commit(f"Commit {number}")
    return repo


def database_facts(db: Path) -> dict:
    """Everything that must not differ between two imports of the same history: the export,
    every version's checksum, counts, paragraph ids and changed paragraphs, and what the
    full-text index finds (checked against the paragraphs table by FTS5 itself first)."""
    import io

    with Tracker(db, create=False) as tracker:
        out = io.BytesIO()
        tracker.export(out)
        store = tracker.store
        store.conn.execute(
            "insert into paragraphs_fts (paragraphs_fts, rank) values ('integrity-check', 1)"
        )
        words = {w for (text,) in store.query("select text from paragraphs") for w in text.split()}
        found = {
            word: store.query(
                "select rowid from paragraphs_fts where paragraphs_fts match ? order by rowid",
                ['"' + word.replace('"', '""') + '"'],
            )
            for word in sorted(words)
        }
        return {
            "search": found,
            "export": out.getvalue().decode("utf-8"),
            "documents": store.query("select id, name, split_mode from documents order by id"),
            "versions": store.query(
                "select document_id, version, captured_at, sha256, bytes, paragraphs, deleted,"
                " added, removed, modified, moved, note, paragraph_ids, layout"
                " from versions order by id"
            ),
            "changes": store.query("select * from paragraph_changes order by id"),
            "paragraphs": store.query("select id, hash from paragraphs order by id"),
            "renames": store.query("select * from renames order by id"),
        }


def as_before_lineages(db: Path) -> None:
    """Make a database what a tracker from before lineages left: no lineages, no substantive
    counts, no change rows for first versions, an empty lineages table."""
    with sqlite3.connect(db) as conn:
        conn.execute("update versions set lineages = null, substantive = null")
        conn.execute("update paragraph_changes set lineage = null")
        conn.execute(
            "delete from paragraph_changes where version_id in"
            " (select id from versions where version = 1)"
        )
        conn.execute("delete from lineages")
    conn.close()


def heavy_history(documents: int = 4, versions: int = 150, seed: int = 3) -> list[dict]:
    """Records whose every version rewrites a token in each of 16 long paragraphs: slow to
    prepare (every paragraph is paired with its old text and scored), so an import of them
    takes a while."""
    import random
    import string
    from datetime import datetime, timedelta

    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    vocabulary = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(3000)
    ]

    def words(count: int) -> str:
        return " ".join(rng.choices(vocabulary, k=count))

    bodies = [[(words(120), words(120)) for _ in range(16)] for _ in range(documents)]
    out = []
    for version in range(versions):
        for number, body in enumerate(bodies):
            token = f"{rng.getrandbits(160):040x}"
            text = "\n\n".join(f"{a} {token} {b}" for a, b in body) + "\n"
            at = (start + timedelta(hours=version, minutes=number)).strftime("%Y-%m-%dT%H:%M:00Z")
            out.append({"doc": f"heavy-{number}.md", "text": text, "at": at})
    return out


# -- a random history: paragraphs that recur, repeat and move between documents -----------

WORDS = "apple berry cherry damson elder fig grape".split()
NAMES = ["a.md", "notes/b.md", "notes/c.txt", "d.md", "deep/e/f.md"]


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))


def random_history(path: Path, seed: int, steps: int = 60) -> None:
    """Texts drawn from few words (paragraphs recur, repeat, move between documents), with
    deletions, returns, renames, and equal times for versions and renames."""
    rng = random.Random(seed)
    live: dict[str, list[str]] = {}
    gone: list[str] = []
    day = 0
    with Tracker(path) as tracker:
        for _ in range(steps):
            day += rng.choice([0, 0, 1])  # equal times are common
            at = f"2024-01-{1 + day // 2:02d}T{10 + day % 2}:00:00Z"
            roll = rng.random()
            if roll < 0.08 and live:
                name = rng.choice(sorted(live))
                tracker.record(name, None, at=at)
                gone.append(name)
                del live[name]
            elif roll < 0.16 and live:
                old = rng.choice(sorted(live))
                new = f"moved/{rng.randint(0, 999)}-{old.rsplit('/', 1)[-1]}"
                if tracker.store.document(new) is None:
                    tracker.rename(old, new, at=at)
                    live[new] = live.pop(old)
            else:
                if gone and rng.random() < 0.3:
                    name = gone.pop()
                    live[name] = [paragraph(rng) for _ in range(rng.randint(0, 3))]
                else:
                    name = rng.choice(sorted(live) + [n for n in NAMES if n not in live])
                    paragraphs = live.setdefault(name, [])
                    for _ in range(rng.randint(1, 3)):
                        op = rng.random()
                        if op < 0.4 or not paragraphs:
                            paragraphs.insert(rng.randint(0, len(paragraphs)), paragraph(rng))
                        elif op < 0.6:
                            paragraphs.pop(rng.randrange(len(paragraphs)))
                        elif op < 0.8:
                            paragraphs.insert(
                                rng.randint(0, len(paragraphs) - 1),
                                paragraphs.pop(rng.randrange(len(paragraphs))),
                            )
                        else:
                            paragraphs[rng.randrange(len(paragraphs))] = paragraph(rng)
                tracker.record(name, "\n\n".join(live[name]) + "\n", at=at)


@asynccontextmanager
async def served(datasette: Datasette) -> AsyncIterator[Datasette]:
    """A Datasette instance started (its plugins' startup hooks run, as `datasette serve` does),
    its database connections closed afterwards."""
    await datasette.invoke_startup()
    try:
        yield datasette
    finally:
        for database in datasette.databases.values():
            database.close()
