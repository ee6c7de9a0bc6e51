"""`tracker import --workers N` and `import-git --workers N` on a real Dask cluster: the same
database as a serial import, and one-line errors (no Dask, no scheduler, a failing worker,
Ctrl-C). Slow: every test starts processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from support import (
    as_before_lineages,
    database_facts,
    eventful_history,
    eventful_repo,
    free_port,
    heavy_history,
    tracker_command,
    write_history,
)

from tracker import Tracker
from tracker.cli import cli
from tracker.corpus import lanes

pytestmark = pytest.mark.slow

#: The longest any one process of these tests may take (starting a cluster on a busy machine).
TIMEOUT = 180


def tracker(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `tracker` command in its own process."""
    return subprocess.run(
        [*tracker_command(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )


#: What every command with --workers says when Dask is not installed.
NO_DASK = "Error: --workers needs Dask, which is not installed: pip install 'tracker[dask]'\n"


def without_dask(*args: object) -> subprocess.CompletedProcess:
    """Run `tracker ARGS` in its own process, as if Dask were not installed."""
    script = (
        "import sys\n"
        "sys.modules['dask'] = sys.modules['distributed'] = None  # as if not installed\n"
        "from tracker.cli import cli\n"
        "cli(sys.argv[1:], prog_name='tracker')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def dump(db: Path) -> list[str]:
    """Every table's every row, as SQL: equal dumps, equal databases."""
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def test_workers_make_the_database_a_serial_import_makes(tmp_path: Path) -> None:
    source = write_history(tmp_path / "h.jsonl", eventful_history())
    serial = tracker("import", source, "--db", tmp_path / "serial.db")
    parallel = tracker("import", source, "--workers", "2", "--db", tmp_path / "parallel.db")
    assert parallel.returncode == 0, parallel.stderr
    assert (parallel.stdout, parallel.stderr) == (serial.stdout, serial.stderr)
    assert "renamed" in serial.stdout and "skipped" in serial.stdout
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")
    # again: nothing new, so some chunks send the cluster nothing at all
    before = database_facts(tmp_path / "parallel.db")
    again = tracker("import", source, "--workers", "2", "--db", tmp_path / "parallel.db")
    serial_again = tracker("import", source, "--db", tmp_path / "serial.db")
    assert again.returncode == 0, again.stderr
    assert (again.stdout, again.stderr) == (serial_again.stdout, serial_again.stderr)
    assert again.stdout.startswith("0 new versions")
    assert database_facts(tmp_path / "parallel.db") == before


def test_a_busy_port_8787_is_no_warning(tmp_path: Path) -> None:
    """Another Dask dashboard (or any server) on 8787 does not leak Dask's port warning into
    a parallel import's output: the cluster's scheduler serves nothing there."""
    source = write_history(tmp_path / "h.jsonl", eventful_history()[:20])
    with socket.socket() as busy:
        try:
            busy.bind(("0.0.0.0", 8787))
            busy.listen()
        except OSError:
            pass  # taken already: the situation this test wants
        result = tracker("import", source, "--workers", "1", "--db", tmp_path / "t.db")
    assert result.returncode == 0, result.stderr
    assert "8787" not in result.stderr and "Warning" not in result.stderr, result.stderr


def test_workers_classify_with_the_ignore_patterns_of_each_document(tmp_path: Path) -> None:
    """Workers prepare versions without knowing document names; the writer classifies them with
    the patterns that apply by name: the same classes as a serial import."""
    source = write_history(tmp_path / "h.jsonl", eventful_history())
    for name in ("serial", "parallel"):
        added = tracker(
            "ignore", "add", r"\b[a-z]+\b", "--doc", "*.md", "--db", tmp_path / f"{name}.db"
        )
        assert added.returncode == 0, added.stderr
    tracker("import", source, "--db", tmp_path / "serial.db")
    tracker("import", source, "--workers", "2", "--db", tmp_path / "parallel.db")
    rows = (
        "select v.document_id, v.version, c.id, c.class from paragraph_changes c"
        " join versions v on v.id = c.version_id order by 3"
    )
    with (
        sqlite3.connect(tmp_path / "serial.db") as serial,
        sqlite3.connect(tmp_path / "parallel.db") as parallel,
    ):
        expected = serial.execute(rows).fetchall()
        assert parallel.execute(rows).fetchall() == expected
    assert {row[3] for row in expected} >= {"volatile", "substantive"}


def test_lanes_carry_each_document_from_chunk_to_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks, so that every document's paragraphs go from task to task on the cluster;
    and a database that holds the first half already."""
    monkeypatch.setattr(lanes, "CHUNK_CHARS_PER_LANE", 3_000)
    records = eventful_history()
    first = write_history(tmp_path / "first.jsonl", records[: len(records) // 2])
    whole = write_history(tmp_path / "whole.jsonl", records)
    results = {}
    for name, workers in (("serial", None), ("parallel", 2)):
        with Tracker(tmp_path / f"{name}.db") as db:
            db.import_jsonl(first)
            results[name] = db.import_jsonl(whole, workers=workers)
    assert results["parallel"].writer_prepared == 0  # the workers prepared every version
    assert results["parallel"].as_dict() == results["serial"].as_dict()
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")


def test_import_git_with_workers_makes_the_database_a_serial_import_makes(tmp_path: Path) -> None:
    repo = eventful_repo(tmp_path / "repo")
    serial = tracker("import-git", repo.path, "--db", tmp_path / "serial.db")
    parallel = tracker(
        "import-git", repo.path, "--workers", "2", "--db", tmp_path / "parallel.db", "--json"
    )
    assert parallel.returncode == 0, parallel.stderr
    assert "binary file" in parallel.stderr and parallel.stderr == serial.stderr
    assert '"commits": 30' in parallel.stdout
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")


def test_upgrade_with_workers_makes_the_database_a_serial_upgrade_makes(tmp_path: Path) -> None:
    """`tracker upgrade --workers 2` of a database from before lineages: the same database as
    `tracker upgrade`, every row."""
    source = write_history(tmp_path / "h.jsonl", eventful_history())
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    assert tracker("import", source, "--db", serial).returncode == 0
    as_before_lineages(serial)
    shutil.copyfile(serial, parallel)
    before = dump(serial)
    done = tracker("upgrade", "--db", serial)
    assert done.returncode == 0 and done.stdout.endswith(" versions upgraded\n"), done.stderr
    on_workers = tracker("upgrade", "--workers", "2", "--db", parallel)
    assert on_workers.returncode == 0, on_workers.stderr
    assert (on_workers.stdout, on_workers.stderr) == (done.stdout, done.stderr)
    assert dump(parallel) == dump(serial) != before


def test_without_dask_workers_say_in_one_line_how_to_get_it(tmp_path: Path) -> None:
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    done = without_dask("import", source, "--workers", "2", "--db", tmp_path / "t.db")
    assert (done.returncode, done.stderr) == (1, NO_DASK)


def test_upgrade_without_dask_says_how_to_get_it_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Tracker(db) as tracker_db:
        tracker_db.import_jsonl(write_history(tmp_path / "h.jsonl", eventful_history(rounds=2)))
    as_before_lineages(db)
    before = dump(db)
    done = without_dask("upgrade", "--workers", "2", "--db", db)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", NO_DASK)
    assert dump(db) == before


def test_a_serial_import_does_not_load_dask(tmp_path: Path) -> None:
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    script = (
        "import sys\n"
        "from tracker.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:], prog_name='tracker')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    argv = ["import", source, "--db", tmp_path / "t.db"]
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_a_scheduler_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    port = free_port()  # nothing listens there
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    started = time.monotonic()
    address = f"tcp://127.0.0.1:{port}"
    done = tracker("import", source, "--scheduler", address, "--db", tmp_path / "t.db", env=env)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: cannot reach the Dask scheduler at {address}: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60
    with Tracker(tmp_path / "t.db") as db:
        assert db.documents() == []


#: A connect timeout no test waits out (the subprocess helper gives up after TIMEOUT): a command
#: that still returns with it set did not wait for it.
NEVER = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": f"{10 * TIMEOUT}s"}


def test_a_refused_scheduler_fails_without_waiting_for_dasks_timeout(tmp_path: Path) -> None:
    # Dask retries a refused connection until its connect timeout; tracker tries once first
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    address = f"tcp://127.0.0.1:{free_port()}"
    done = tracker("import", source, "--scheduler", address, "--db", tmp_path / "t.db", env=NEVER)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: cannot reach the Dask scheduler at {address}: ")
    assert "Connection refused" in done.stderr and done.stderr.count("\n") == 1


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A TCP port that takes connections and never says a word, as a wrong service might."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"


def test_a_server_that_never_answers_is_a_one_line_error(tmp_path: Path) -> None:
    # Dask waits for a scheduler's handshake without any limit of its own
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    with silent_server() as address:
        done = tracker("import", source, "--scheduler", address, "--db", tmp_path / "t.db", env=env)
    assert done.returncode == 1
    assert done.stderr == f"Error: no Dask scheduler answers at {address} after 6 s\n"
    with Tracker(tmp_path / "t.db") as db:
        assert db.documents() == []


def test_a_bad_file_does_not_wait_for_the_scheduler(tmp_path: Path) -> None:
    source = tmp_path / "h.jsonl"
    source.write_text('{"doc": "", "text": "x"}\n')
    with silent_server() as address:
        done = tracker(
            "import", source, "--scheduler", address, "--db", tmp_path / "t.db", env=NEVER
        )
    assert done.returncode == 1
    assert "1 malformed record, nothing imported" in done.stderr


def test_an_empty_scheduler_address_is_a_usage_error(tmp_path: Path) -> None:
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    done = tracker("import", source, "--scheduler", " ", "--db", tmp_path / "t.db")
    assert done.returncode == 2
    assert "Invalid value for '--scheduler': give an address, like tcp://HOST:8786" in done.stderr
    assert not (tmp_path / "t.db").exists()


@pytest.mark.parametrize("address", ["tcp://", "tcp://host:port"])
def test_a_malformed_scheduler_address_is_one_line(tmp_path: Path, address: str) -> None:
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    done = tracker("import", source, "--scheduler", address, "--db", tmp_path / "t.db")
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: not a Dask scheduler address: '{address}' (")
    assert done.stderr.count("\n") == 1


def spilling(db: Path) -> Callable[[list[psutil.Process]], bool]:
    """Whether a transaction on ``db`` has spilled into the write-ahead log since now."""
    wal = Path(f"{db}-wal")
    spilled = wal.stat().st_size if wal.exists() else 0
    return lambda started: wal.exists() and wal.stat().st_size > spilled + 100_000


def busy_workers(seconds: float) -> Callable[[list[psutil.Process]], bool]:
    """Whether the processes started have used ``seconds`` of CPU between them."""

    def used(started: list[psutil.Process]) -> float:
        total = 0.0
        for process in started:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    return lambda started: used(started) > seconds


def interrupt_once(
    argv: list[str], ready: Callable[[list[psutil.Process]], bool]
) -> tuple[int, str, str, list]:
    """Run `tracker ARGV` and send SIGINT to it and every process it started, as a terminal's
    Ctrl-C does, once its workers run and ``ready`` says so; its exit status, output, and the
    processes it had started (to check that none outlives it)."""
    process = subprocess.Popen(
        [*tracker_command(), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a test run started in the background ignores SIGINT, and its
        # children would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,  # its own process group, which the SIGINT goes to
    )
    try:
        parent = psutil.Process(process.pid)
        deadline = time.monotonic() + TIMEOUT
        started: list[psutil.Process] = []  # the workers, and whatever started them
        while time.monotonic() < deadline and process.poll() is None:
            started = parent.children(recursive=True)
            if len(started) >= 3 and ready(started):
                break
            time.sleep(0.05)
        assert process.poll() is None, "it ended before it could be interrupted"
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, out, err, started


def test_ctrl_c_stops_the_workers_and_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Tracker(db) as tracker_db:
        tracker_db.import_jsonl(write_history(tmp_path / "before.jsonl", eventful_history()))
    before = dump(db)
    # more text than SQLite's page cache holds (32 MiB): the import's transaction spills into
    # the write-ahead log long before it commits, which is when the test interrupts it
    source = write_history(tmp_path / "heavy.jsonl", heavy_history(versions=700))
    status, out, err, started = interrupt_once(
        ["import", str(source), "--workers", "2", "--db", str(db)], spilling(db)
    )
    assert (status, out, err) == (1, "", "\nAborted!\n")
    _, alive = psutil.wait_procs(started, timeout=30)
    assert alive == []
    assert dump(db) == before


def test_ctrl_c_stops_an_upgrade_on_workers_and_leaves_the_database_as_it_was(
    tmp_path: Path,
) -> None:
    """Interrupted while its workers diff (its writes fit SQLite's cache until it commits)."""
    db = tmp_path / "t.db"
    with Tracker(db) as tracker_db:
        tracker_db.import_jsonl(write_history(tmp_path / "h.jsonl", heavy_history(versions=150)))
    as_before_lineages(db)
    before = dump(db)
    status, out, err, started = interrupt_once(
        ["upgrade", "--workers", "2", "--db", str(db)], busy_workers(1.5)
    )
    assert (status, out, err) == (1, "", "\nAborted!\n")
    _, alive = psutil.wait_procs(started, timeout=30)
    assert alive == []
    assert dump(db) == before


def import_on_threads(source: Path, db: Path):
    """`tracker import SOURCE` through the CLI, in this process, on a Dask cluster whose one
    worker is a thread of this process (so that a test can patch what it runs)."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, processes=False, dashboard_address=None, silence_logs=50
    ) as cluster:
        argv = ["import", str(source), "--scheduler", cluster.scheduler_address]
        return CliRunner().invoke(cli, [*argv, "--db", str(db)])


@pytest.mark.allow_thread_leak  # an in-process cluster's threads outlive it a little
def test_a_worker_that_fails_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\non two lines")

    monkeypatch.setattr(lanes, "prepare", broken)  # the workers are threads of this process
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    result = import_on_threads(source, tmp_path / "t.db")
    assert result.exit_code == 1
    assert result.output == "Error: a Dask worker failed: RuntimeError: boom on two lines\n"
    with Tracker(tmp_path / "t.db") as db:
        assert db.documents() == []


@pytest.mark.allow_thread_leak  # an in-process cluster's threads outlive it a little
def test_ctrl_c_while_the_cluster_stops_after_the_import_is_no_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import has committed when the cluster is stopped: a Ctrl-C then (this test sends it
    at the start of the stop) neither hides the result nor makes the exit status a failure."""
    from tracker.corpus.cluster import DaskPool

    close = DaskPool.close

    def interrupted_close(self: DaskPool) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        close(self)

    monkeypatch.setattr(DaskPool, "close", interrupted_close)
    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=2))
    result = import_on_threads(source, tmp_path / "t.db")
    assert result.exit_code == 0, result.output
    serial = CliRunner().invoke(cli, ["import", str(source), "--db", str(tmp_path / "s.db")])
    assert result.output == serial.output and "new versions" in result.output
    assert database_facts(tmp_path / "t.db") == database_facts(tmp_path / "s.db")


def classes_of(db: Path) -> list[tuple]:
    """Every change's class and every version's substantive count."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select c.id, c.class, v.substantive from paragraph_changes c"
            " join versions v on v.id = c.version_id order by c.id"
        ).fetchall()


def without_pattern_times(db: Path) -> list[str]:
    """:func:`dump`, but the ignore patterns without the time they were added."""
    with sqlite3.connect(db) as conn:
        patterns = conn.execute("select id, pattern, doc_glob, note from ignore_patterns")
        kept = [row for row in dump(db) if not row.startswith('INSERT INTO "ignore_patterns"')]
        return [*kept, *map(repr, patterns)]


def test_ignore_patterns_and_reclassify_on_workers_give_the_serial_classes(tmp_path: Path) -> None:
    """`ignore add`, `reclassify` and `ignore remove` with --workers 2: the same database as
    without, step by step, and the patterns do change classes on the way."""
    source = write_history(tmp_path / "h.jsonl", eventful_history())
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    assert tracker("import", source, "--db", serial).returncode == 0
    shutil.copyfile(serial, parallel)
    seen = [classes_of(serial)]
    steps = [
        ["ignore", "add", r"\b[a-m][a-z]*\b", "--doc", "*.md"],
        ["ignore", "add", r"\b[n-z][a-z]*\b"],
        ["reclassify"],  # after the second pattern is deleted by hand
        ["ignore", "remove", "1"],
    ]
    for step in steps:
        if step == ["reclassify"]:
            for db in (serial, parallel):
                with sqlite3.connect(db) as conn:
                    conn.execute("delete from ignore_patterns where id = 2")
                conn.close()
        done = tracker(*step, "--db", serial)
        on_workers = tracker(*step, "--workers", "2", "--db", parallel)
        assert on_workers.returncode == 0 == done.returncode, on_workers.stderr
        assert (on_workers.stdout, on_workers.stderr) == (done.stdout, done.stderr)
        assert without_pattern_times(parallel) == without_pattern_times(serial)
        seen.append(classes_of(serial))
    # every step changed classes; the last is back where the import was
    assert all(before != after for before, after in zip(seen, seen[1:]))
    assert seen[-1] == seen[0]
    assert {row[1] for row in seen[2]} >= {"volatile", "substantive", "moved"}


def test_reclassify_on_workers_in_small_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of three edits (many pieces of work in flight, some holding only unedited
    moves): the classes of a serial run."""
    from tracker.history import ignore

    monkeypatch.setattr(ignore, "RECLASSIFY_BATCH", 3)
    source = write_history(tmp_path / "h.jsonl", eventful_history())
    for name in ("serial", "parallel"):
        with Tracker(tmp_path / f"{name}.db") as db:
            db.import_jsonl(source)
            with sqlite3.connect(tmp_path / f"{name}.db") as conn:  # by hand: then reclassify
                conn.execute(
                    "insert into ignore_patterns (pattern, doc_glob, created_at)"
                    " values ('\\b[a-m][a-z]*\\b', null, '2024-01-01T00:00:00Z')"
                )
            conn.close()
            db.forget_patterns()
            count = db.reclassify(workers=2 if name == "parallel" else None)
            assert count == db.store.count_edited_changes([d.id for d in db.store.documents()])
    classes = classes_of(tmp_path / "serial.db")
    assert classes_of(tmp_path / "parallel.db") == classes
    assert {row[1] for row in classes} >= {"volatile", "substantive", "moved"}


def test_ignore_add_without_dask_stores_no_pattern(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Tracker(db) as tracker_db:
        tracker_db.import_jsonl(write_history(tmp_path / "h.jsonl", eventful_history(rounds=2)))
    before = dump(db)
    for argv in (["ignore", "add", "x", "--workers", "2"], ["reclassify", "--workers", "1"]):
        done = without_dask(*argv, "--db", db)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", NO_DASK)
    assert dump(db) == before


def test_workers_with_nothing_to_do_start_no_cluster(tmp_path: Path) -> None:
    """Nothing to classify (no edits, or a pattern for documents that have none) and nothing to
    upgrade: the commands succeed without Dask, since no cluster is started for nothing."""
    db = tmp_path / "t.db"
    first_versions = [{"doc": "new.md", "text": "One.\n\nTwo.\n", "at": "2024-01-01T00:00:00Z"}]
    with Tracker(db) as tracker_db:
        tracker_db.import_jsonl(write_history(tmp_path / "h.jsonl", eventful_history(rounds=3)))
        tracker_db.import_jsonl(write_history(tmp_path / "new.jsonl", first_versions))
    for argv, said in (
        (["ignore", "add", "x", "--doc", "new.md"], "ignore pattern 1 added: x\n"),
        (
            ["ignore", "add", "y", "--doc", "nowhere/*"],
            "ignore pattern 2 added: y\nwarning: no document matches --doc 'nowhere/*' yet:"
            " kept, it applies to documents of such names once they are tracked"
            " (`tracker docs` lists the names)\n",
        ),
        (["ignore", "remove", "2"], "ignore pattern 2 removed: y\n"),
        (["upgrade"], ""),
    ):
        done = without_dask(*argv, "--workers", "2", "--db", db)
        assert (done.returncode, done.stderr) == (0, said), done.stderr
    assert without_dask("reclassify", "--workers", "2", "--db", db).stderr == NO_DASK
    empty = tmp_path / "empty.db"
    Tracker(empty).close()
    done = without_dask("reclassify", "--workers", "2", "--db", empty)
    assert (done.returncode, done.stderr) == (0, "0 edited paragraphs classified\n")


@pytest.mark.allow_thread_leak  # an in-process cluster's threads outlive it a little
def test_ctrl_c_during_a_reclassify_on_workers_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (sent by the worker itself, on its 30th piece of work: the writer has stored
    classes by then, changed ones among them) rolls every class back."""
    from distributed import LocalCluster

    from tracker.history import ignore

    db = tmp_path / "t.db"
    with Tracker(db) as tracker_db:
        tracker_db.import_jsonl(write_history(tmp_path / "h.jsonl", eventful_history()))
    with sqlite3.connect(db) as conn:
        conn.execute(
            "insert into ignore_patterns (pattern, doc_glob, created_at)"
            " values ('.+', null, '2024-01-01T00:00:00Z')"  # every edit: volatile
        )
    conn.close()
    before = dump(db)
    monkeypatch.setattr(ignore, "RECLASSIFY_BATCH", 3)
    classify_edits, calls = ignore.classify_edits, []
    # the tasks are pickled, this function with them: it counts in a list kept in a module
    monkeypatch.setattr(ignore, "calls_in_this_test", calls, raising=False)

    def interrupted(work: ignore.Edits) -> list[str]:
        calls = ignore.calls_in_this_test
        calls.append(1)
        if len(calls) == 30:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(2)
        return classify_edits(work)

    monkeypatch.setattr(ignore, "classify_edits", interrupted)
    # as from a terminal (a test run started in the background ignores SIGINT)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with LocalCluster(
            n_workers=1, processes=False, dashboard_address=None, silence_logs=50
        ) as cluster:
            argv = ["reclassify", "--scheduler", cluster.scheduler_address, "--db", str(db)]
            result = CliRunner().invoke(cli, argv)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (result.exit_code, result.output) == (1, "\nAborted!\n")
    assert len(calls) >= 30
    assert dump(db) == before
