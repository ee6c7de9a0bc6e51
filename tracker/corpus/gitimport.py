"""Import a git branch's first-parent history: one version per commit that changes a file.

The import runs in one transaction (all or nothing) and is idempotent: it continues after the last
commit it imported from that branch (kept in the ``import_state`` table).
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .. import refs
from ..errors import TrackerError, UnreadableFile
from ..history import History
from ..refs import name_problem
from ..text.encoding import decode
from ..times import now_iso, to_iso
from .importing import ImportResult, Progress


@dataclass(frozen=True)
class _Entry:
    """One changed path of a commit (first-parent diff): status letter, modes, blob, paths."""

    status: str
    mode: str
    blob: str
    path: str
    old_path: str | None = None


@dataclass
class _Commit:
    sha: str
    at: str
    subject: str
    entries: list[_Entry] = field(default_factory=list)


class _Git:
    """Runs git in one repository; blobs are read through one ``git cat-file --batch`` process."""

    def __init__(self, repo: str | os.PathLike):
        self.repo = str(repo)
        if not Path(self.repo).is_dir():
            raise TrackerError(f"{repo}: no such folder")
        self._batch: subprocess.Popen | None = None

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run(["git", "-C", self.repo, *args], capture_output=True)
        except FileNotFoundError:
            raise TrackerError("git is not installed (needed by import-git)") from None
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise TrackerError(f"{self.repo}: git {args[0]} failed: {' '.join(message[-1:])}")
        return done

    def text(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace").strip()

    def blob(self, sha: str) -> bytes:
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "-C", self.repo, "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        assert self._batch.stdin is not None and self._batch.stdout is not None
        self._batch.stdin.write(sha.encode("ascii") + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) != 3:
            raise TrackerError(f"{self.repo}: git cat-file cannot read blob {sha}")
        data = self._batch.stdout.read(int(header[2]) + 1)
        return data[:-1]

    def close(self) -> None:
        if self._batch is not None:
            assert self._batch.stdin is not None
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None


def _parse_log(output: bytes) -> list[_Commit]:
    """Parse ``git log --raw -z --format=%x1e%H %ct %s`` into commits and their changed paths."""
    commits: list[_Commit] = []
    tokens = output.split(b"\0")
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b"\x1e"):
            sha, stamp, subject = (token[1:].decode("utf-8", "replace").split(" ", 2) + [""])[:3]
            moment = datetime.fromtimestamp(int(stamp), timezone.utc)
            commits.append(_Commit(sha, to_iso(moment), subject))
        elif token.startswith(b":"):
            _, mode, _, blob, status = token[1:].decode("ascii").split(" ")
            path = tokens[index].decode("utf-8", "replace")
            index += 1
            old = None
            if status[0] in "RC":
                old, path = path, tokens[index].decode("utf-8", "replace")
                index += 1
            commits[-1].entries.append(_Entry(status[0], mode, blob, path, old))
    return commits


def import_git(
    history: History,
    repo: str | os.PathLike,
    *,
    branch: str = "main",
    paths: Sequence[str] = (),
    split: str = "auto",
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> ImportResult:
    """Record each first-parent commit of ``branch`` that changes a matching text file.

    ``paths`` are fnmatch globs on the path in the repository (``*`` also matches ``/``); none
    means every file. Renames are followed, deletions recorded, binary files skipped, and so are
    paths that could not be written out as files (``refs.name_problem``), with a warning.
    """
    globs = list(paths) or ["*"]
    git = _Git(repo)
    try:
        key = git.text("rev-parse", "--absolute-git-dir")
        tip = git.run("rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}", check=False)
        if tip.returncode != 0:
            raise TrackerError(f"{repo}: no branch {branch!r} (pass --branch)")
        tip_sha = tip.stdout.decode().strip()
        paths_key = json.dumps(sorted(globs))
        last = history.store.import_state(key, branch, paths_key)
        result = ImportResult(commits=0)
        if last == tip_sha:
            return result
        if last is not None:
            ancestor = git.run("merge-base", "--is-ancestor", last, tip_sha, check=False)
            if ancestor.returncode != 0:
                raise TrackerError(
                    f"{repo}: {branch} was rewritten since the last import ({last[:10]} is no"
                    " longer on it); import it into a new database"
                )
        span = f"{last}..{tip_sha}" if last else tip_sha
        log = git.run(
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            "--reverse",
            "-M",
            "--raw",
            "-z",
            "--no-abbrev",
            "--format=%x1e%H %ct %s",
            span,
        ).stdout
        commits = _parse_log(log)

        unsafe: set[str] = set()
        matched = False

        def wanted(path: str | None) -> bool:
            nonlocal matched
            if path is None or not any(fnmatch.fnmatchcase(path, g) for g in globs):
                return False
            matched = True
            problem = name_problem(refs.normalize_name(path))
            if problem is None:
                return True
            if path not in unsafe:  # one warning per path and import
                unsafe.add(path)
                where = f"{path!r} at {commit.sha[:10]}"  # the commit being applied
                message = f"{where}: cannot be written out as a file: {problem}"
                result.skipped.append((path, message))
                if warn is not None:
                    warn(message)
            return False

        with history.store.transaction():
            for done, commit in enumerate(commits, start=1):
                _apply_commit(history, git, commit, wanted, split, result, warn)
                result.commits = done
                if progress is not None:
                    progress(done, len(commits))
            if last is None and not matched:
                # most likely a mistyped glob: say so, and remember nothing, so that every
                # run says so again rather than "0 new versions"
                shown = ", ".join(repr(glob) for glob in globs)
                result.nothing_matched = (
                    f"no file in the history of branch {branch!r} of {repo} matches {shown}"
                    f" ({len(commits)} commits read): nothing imported"
                )
                return result
            history.store.set_import_state(key, branch, paths_key, tip_sha, now_iso())
        return result
    finally:
        git.close()


def _live(history: History, name: str) -> bool:
    document = history.store.document(name)
    return document is not None and not document.deleted


def _apply_commit(
    history: History,
    git: _Git,
    commit: _Commit,
    wanted: Callable[[str | None], bool],
    split: str,
    result: ImportResult,
    warn: Callable[[str], None] | None,
) -> None:
    """Record one commit: renames first, then deletions, then new and changed files."""
    note = f"{commit.sha} {commit.subject}".rstrip()

    def record(name: str, text: str | None, renamed: bool = False) -> None:
        if history.record(name, text, commit.at, note=note, split=split) is not None:
            result.recorded += 1
        elif not renamed:  # a pure rename is not an unchanged file
            result.unchanged += 1

    writes: list[tuple[_Entry, bool]] = []
    for entry in commit.entries:
        renamed = False
        if entry.status in "RC" and entry.old_path is not None:
            if entry.status == "R" and wanted(entry.old_path) and _live(history, entry.old_path):
                if wanted(entry.path) and history.store.document(entry.path) is None:
                    history.rename(entry.old_path, entry.path, commit.at)
                    result.renamed.append((entry.old_path, entry.path))
                    renamed = True
                else:
                    record(entry.old_path, None)
            if wanted(entry.path):
                writes.append((entry, renamed))
        elif entry.status == "D":
            if wanted(entry.path) and _live(history, entry.path):
                record(entry.path, None)
        elif wanted(entry.path):
            writes.append((entry, False))
    for entry, renamed in writes:
        if entry.mode not in ("100644", "100755"):
            continue  # symlinks and submodules are not documents
        label = f"{entry.path} at {commit.sha[:10]}"
        try:
            text = decode(git.blob(entry.blob), label)
        except UnreadableFile as error:
            result.skipped.append((entry.path, str(error)))
            if warn is not None:
                warn(str(error))
            continue
        record(entry.path, text, renamed)
