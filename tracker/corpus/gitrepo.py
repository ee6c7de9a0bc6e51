"""Reading a git repository for import-git: the commits of a first-parent history with their
changed paths (``git log --raw``), and the texts of their files (``git cat-file --batch``)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import TrackerError, UnreadableFile
from ..text.encoding import decode
from ..times import to_iso


@dataclass(frozen=True)
class Entry:
    """One changed path of a commit (first-parent diff): status letter, modes, blob, paths."""

    status: str
    mode: str
    blob: str
    path: str
    old_path: str | None = None


@dataclass
class Commit:
    """A first-parent commit: its hash, committer time (ISO, UTC), subject and changed paths."""

    sha: str
    at: str
    subject: str
    entries: list[Entry] = field(default_factory=list)


class Git:
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

    def key(self) -> str:
        """The repository's own folder, which keys where its imports stopped: a worktree's is
        its main repository's. REPO must be a work tree's top folder or a bare repository:
        names are paths from the top, so a folder inside would silently stand for all of it."""
        found = self.run("rev-parse", "--git-common-dir", "--show-prefix", check=False)
        if found.returncode != 0:
            raise TrackerError(f"{self.repo}: not a git repository")
        common, prefix = found.stdout.decode("utf-8", "surrogateescape").split("\n")[:2]
        if prefix:
            top = self.text("rev-parse", "--show-toplevel")
            raise TrackerError(
                f"{self.repo}: a folder inside the git repository {top}: pass that folder"
                f" (with --path {prefix + '*'!r} for the files under this one)"
            )
        return str(Path(self.repo, common).resolve())

    def tip(self, branch: str) -> str:
        """The commit ``branch`` (or a tag, or any commit-ish) names, or a one-line error."""
        found = self.run("rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}", check=False)
        if found.returncode == 0:
            return found.stdout.decode().strip()
        names = self.text("for-each-ref", "--format=%(refname:short)", "refs/heads").split()
        if not names and not self.text("for-each-ref", "--count=1"):
            raise TrackerError(f"{self.repo}: no commits yet, nothing to import")
        hint = "pass --branch"
        if names:
            more = ", ..." if len(names) > 5 else ""
            hint = f"its branches: {', '.join(names[:5])}{more}; {hint}"
        raise TrackerError(f"{self.repo}: no branch {branch!r} ({hint})")

    def log(self, span: str) -> list[Commit]:
        """The first-parent commits of ``span``, oldest first, with their changed paths. Every
        option that a user's git config could change is given: ``--root`` (``log.showRoot``
        false would hide the files of the first commit) and the subjects' encoding
        (``i18n.logOutputEncoding``)."""
        return parse_log(
            self.run(
                "log",
                "--first-parent",
                "--diff-merges=first-parent",
                "--reverse",
                "--root",
                "--encoding=UTF-8",
                "-M",
                "--raw",
                "-z",
                "--no-abbrev",
                "--format=%x1e%H %ct %s",
                span,
            ).stdout
        )

    def has(self, commit: str) -> bool:
        """Whether the repository holds this commit."""
        return self.run("cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0

    def shallow(self) -> bool:
        """Whether this is a shallow clone, holding only the recent part of its history."""
        return self.text("rev-parse", "--is-shallow-repository") == "true"

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


#: How a git-lfs pointer file begins (its spec also keeps it under 1024 bytes): the file's
#: content is in LFS storage, not in the repository.
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\n"


def blob_text(git: Git, entry: Entry, commit: Commit) -> str:
    """The text of an entry's blob, or UnreadableFile: binary, not UTF-8, or a git-lfs pointer
    (its text is not the document's, which git-lfs keeps outside the repository)."""
    data = git.blob(entry.blob)
    label = f"{entry.path} at {commit.sha[:10]}"
    if data.startswith(LFS_POINTER) and len(data) < 1024:
        raise UnreadableFile(
            f"{label}: a git-lfs pointer (the file is not in the repository), skipped"
        )
    return decode(data, label)


def parse_log(output: bytes) -> list[Commit]:
    """Parse ``git log --raw -z --format=%x1e%H %ct %s`` into commits and their changed paths."""
    commits: list[Commit] = []
    tokens = output.split(b"\0")
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b"\x1e"):
            sha, stamp, subject = (token[1:].decode("utf-8", "replace").split(" ", 2) + [""])[:3]
            moment = datetime.fromtimestamp(int(stamp), timezone.utc)
            commits.append(Commit(sha, to_iso(moment), subject))
        elif token.startswith(b":"):
            _, mode, _, blob, status = token[1:].decode("ascii").split(" ")
            # a path that is not UTF-8 keeps its bytes as lone surrogates, which the name rule
            # refuses with a warning (replacing them would merge two such files into one)
            path = tokens[index].decode("utf-8", "surrogateescape")
            index += 1
            old = None
            if status[0] in "RC":
                old, path = path, tokens[index].decode("utf-8", "surrogateescape")
                index += 1
            commits[-1].entries.append(Entry(status[0], mode, blob, path, old))
    return commits
