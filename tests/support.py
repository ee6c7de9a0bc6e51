"""What several test files share: hostile strings, a small web history, a real `tracker serve`,
a git repository built by a test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tracker import Tracker

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
