"""Reading a document that is still being written: `tracker.scan.files.read_text` re-reads it.

A writer thread appends to the file in the middle of a read, in step with the reader through
events (no sleeps), so the retry loop runs every time.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from tracker.errors import UnreadableFile
from tracker.scan import files

TIMEOUT = 10.0  # upper bound for a thread to answer; it normally does at once


class AppendWhileRead:
    """Stands in for ``open`` in tracker.scan.files: during each of the first ``times`` reads,
    a writer thread appends a chunk, and the read goes on only once the chunk is written.

    ``at="read"``: after the data is read, before read_text looks at the size again (the data
    is short of the file); ``at="open"``: after read_text first looked at the size, before the
    data is read (the data is the whole file, but longer than the size seen before it).
    """

    def __init__(self, path: Path, chunks: list[str], times: int, at: str = "read") -> None:
        self.path = path
        self.chunks = list(chunks)
        self.times = times
        self.at = at
        self.opens = 0
        self.reads: list[bytes] = []  # what each read saw
        self._read = threading.Event()
        self._appended = threading.Event()
        self._stop = False
        self.failure: str | None = None
        self.thread = threading.Thread(target=self._writer, name="test-writer")

    def __enter__(self) -> AppendWhileRead:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._read.set()
        self.thread.join(TIMEOUT)
        assert self.failure is None, self.failure

    def _writer(self) -> None:
        while True:
            if not self._read.wait(TIMEOUT):
                self.failure = "the reader never read"
                return
            self._read.clear()
            if self._stop:
                return
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(self.chunks.pop(0))
            self._appended.set()

    def _append(self) -> None:
        """Let the writer append one chunk, and wait until it has."""
        self._appended.clear()
        self._read.set()
        if not self._appended.wait(TIMEOUT):
            raise AssertionError("the writer never appended")

    def __call__(self, file, mode="r", *args, **kwargs):
        self.opens += 1
        if self.at == "open" and self.opens <= self.times:
            self._append()
        handle = open(file, mode, *args, **kwargs)
        outer = self

        class Handle:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def read(self, size=-1):
                data = handle.read(size)
                outer.reads.append(data)
                if outer.at == "read" and len(outer.reads) <= outer.times:
                    outer._append()
                return data

        return Handle()


def test_a_file_appended_to_while_it_is_read_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("first chunk\n", encoding="utf-8")
    with AppendWhileRead(path, ["second chunk\n"], times=1) as writer:
        monkeypatch.setattr(files, "open", writer, raising=False)
        got = files.read_text(path)
    assert writer.reads == [b"first chunk\n", b"first chunk\nsecond chunk\n"]  # torn, then whole
    assert got.text == "first chunk\nsecond chunk\n"
    assert got.size == 25
    assert got.sha256 == hashlib.sha256(b"first chunk\nsecond chunk\n").hexdigest()


def test_a_file_appended_to_after_its_size_was_taken_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("first chunk\n", encoding="utf-8")
    with AppendWhileRead(path, ["second chunk\n"], times=1, at="open") as writer:
        monkeypatch.setattr(files, "open", writer, raising=False)
        got = files.read_text(path)
    # the first read had the whole file already, but the file had changed since it was measured
    assert writer.reads == [b"first chunk\nsecond chunk\n"] * 2
    assert (got.text, got.size) == ("first chunk\nsecond chunk\n", 25)


@pytest.mark.parametrize("at", ["read", "open"])
def test_a_file_that_changes_at_every_read_is_skipped_for_now(tmp_path, monkeypatch, at):
    path = tmp_path / "a.txt"
    path.write_text("0\n", encoding="utf-8")
    monkeypatch.setattr(files, "STABLE_READ_PAUSE", 0.0)
    attempts = files.STABLE_READ_ATTEMPTS
    chunks = [f"{i}\n" for i in range(1, attempts + 1)]
    with AppendWhileRead(path, chunks, times=attempts, at=at) as writer:
        monkeypatch.setattr(files, "open", writer, raising=False)
        with pytest.raises(UnreadableFile) as info:
            files.read_text(path, label="a.txt")
    assert str(info.value) == "a.txt: kept changing while being read, skipped for now"
    assert writer.opens == attempts == 5
    assert path.read_text() == "0\n1\n2\n3\n4\n5\n"


def test_a_file_that_holds_still_is_read_once(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("still\n", encoding="utf-8")
    with AppendWhileRead(path, [], times=0) as writer:
        monkeypatch.setattr(files, "open", writer, raising=False)
        got = files.read_text(path)
    assert (got.text, writer.opens) == ("still\n", 1)


def test_a_read_caught_between_truncate_and_refill_is_read_again(tmp_path, monkeypatch):
    """A save that truncates the file and writes it back, size and mtime as before (a coarse
    clock): the read that fell in between got nothing, and only its length tells."""
    path = tmp_path / "a.txt"
    path.write_text("whole text\n", encoding="utf-8")
    before = path.stat()
    reads: list[bytes] = []

    def open_mid_save(file, mode="r", *args, **kwargs):
        if not reads:
            path.write_bytes(b"")  # the save has truncated the file...
        handle = open(file, mode, *args, **kwargs)

        class Handle:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def read(self, size=-1):
                data = handle.read(size)
                reads.append(data)
                if len(reads) == 1:  # ...and fills it again, same size, same mtime
                    path.write_text("whole text\n", encoding="utf-8")
                    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
                return data

        return Handle()

    monkeypatch.setattr(files, "open", open_mid_save, raising=False)
    got = files.read_text(path)
    assert reads == [b"", b"whole text\n"]
    assert got.text == "whole text\n"
