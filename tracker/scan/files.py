"""Find documents in a folder and read them safely: text only, stable, never outside the folder."""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from ..errors import UnreadableFile
from ..text.encoding import decode
from .filters import is_ignored_name, is_ignored_path

#: Files above this size are refused (``--max-bytes`` / ``TRACKER_MAX_BYTES`` change it).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: How often a file is re-read while it is still being written before giving up on it for now.
STABLE_READ_ATTEMPTS = 5
STABLE_READ_PAUSE = 0.02

_by_name = attrgetter("name")


def is_ignored(relpath: str) -> bool:
    """True for hidden paths and editor/temp names (shared with the watcher; no suffix filter)."""
    return is_ignored_path(relpath.replace("\\", "/"))


class FileText(NamedTuple):
    """The decoded text of one file plus what is needed to skip it next time if unchanged (a
    named tuple: a dataclass would cost every command's start-up a millisecond)."""

    text: str
    sha256: str
    size: int
    mtime_ns: int
    read_ns: int


class Entry(NamedTuple):
    """A file found by a scan: its document name (relative POSIX path), its path and its stat
    (a tuple: a scan makes one per file)."""

    name: str
    path: str
    size: int
    mtime_ns: int


def read_text(
    path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES, label: str | None = None
) -> FileText:
    """Read a text file, re-reading until size and mtime hold still (no torn half-writes).

    Raises FileNotFoundError when the file vanished, UnreadableFile for everything else.
    """
    import hashlib  # here: a re-scan that finds no change reads no file and hashes nothing

    label = label or str(path)
    last_error = "kept changing while being read"
    for attempt in range(STABLE_READ_ATTEMPTS):
        if attempt:
            time.sleep(STABLE_READ_PAUSE * attempt)
        try:
            before = os.stat(path)
            if not stat.S_ISREG(before.st_mode):
                raise UnreadableFile(f"{label}: not a regular file, skipped")
            if before.st_size > max_bytes:
                raise UnreadableFile(
                    f"{label}: {before.st_size:,} bytes is over the"
                    f" {max_bytes:,}-byte limit, skipped"
                )
            read_ns = time.time_ns()
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
            after = os.stat(path)
        except FileNotFoundError:
            raise
        except IsADirectoryError:
            raise UnreadableFile(f"{label}: is a directory") from None
        except PermissionError:
            raise UnreadableFile(f"{label}: permission denied, skipped") from None
        except OSError as error:
            raise UnreadableFile(f"{label}: cannot read ({error.strerror}), skipped") from None
        if len(data) > max_bytes:
            raise UnreadableFile(f"{label}: grew over the {max_bytes:,}-byte limit, skipped")
        stable = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if stable and len(data) == after.st_size:
            text = decode(data, label)
            return FileText(
                text=text,
                sha256=hashlib.sha256(data).hexdigest(),
                size=after.st_size,
                mtime_ns=after.st_mtime_ns,
                read_ns=read_ns,
            )
    raise UnreadableFile(f"{label}: {last_error}, skipped for now")


def symlink_problem(path: str | os.PathLike, root: Path) -> str | None:
    """Why a symlink met in a folder deserves a warning (it is never followed); None if not.

    A loop (two links pointing at each other) and a link out of ``root`` (resolved) are worth
    telling; a link to a file inside the folder (or to nothing there) is passed over quietly.
    """
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symlink loop, not followed"
    if not Path(os.path.realpath(path)).is_relative_to(root):
        return "symlink pointing outside the folder, not followed"
    return None


def scan(
    root: Path,
    accept: Callable[[str], bool] | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> Iterator[Entry]:
    """Walk ``root`` recursively, yielding regular files whose relative path is accepted.

    Hidden folders are not entered; symlinks are never followed (a loop, or a link pointing
    outside the folder, is reported through ``on_skip``). Without ``accept``, every file is taken
    unless :func:`is_ignored` (judged one path component at a time, each folder's once).
    """
    root_resolved = root.resolve()
    # (folder path, its relative prefix, whether a component of that prefix is ignored)
    stack: list[tuple[str, str, bool]] = [(str(root), "", False)]
    while stack:
        folder, prefix, ignored = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_by_name)
        except OSError as error:
            if on_skip:
                on_skip(prefix or str(folder), f"cannot list folder ({error.strerror})")
            continue
        # Regular files first, the default rule inline: this loop runs once per file of the
        # folder, and a re-scan that finds no change is mostly this loop and the stat in it.
        for entry in entries:
            name = entry.name
            relname = prefix + name
            try:
                if entry.is_file(follow_symlinks=False):
                    if accept is None:
                        if ignored or is_ignored_name(name):
                            continue
                    elif not accept(relname):
                        continue
                    info = entry.stat(follow_symlinks=False)
                    yield Entry(relname, entry.path, info.st_size, info.st_mtime_ns)
                elif entry.is_dir(follow_symlinks=False):
                    if not name.startswith("."):
                        below = ignored or (accept is None and is_ignored_name(name))
                        stack.append((entry.path, relname + "/", below))
                elif entry.is_symlink():
                    if on_skip and _accepts(accept, relname, ignored, name):
                        problem = symlink_problem(entry.path, root_resolved)
                        if problem is not None:
                            on_skip(relname, problem)
            except FileNotFoundError:
                continue
            except OSError as error:
                if on_skip:
                    on_skip(relname, f"cannot read ({error.strerror})")


def _accepts(
    accept: Callable[[str], bool] | None, relname: str, folder_ignored: bool, name: str
) -> bool:
    """``accept(relname)``, or by default: neither the folder nor the name is ignored."""
    if accept is not None:
        return accept(relname)
    return not folder_ignored and not is_ignored_name(name)
