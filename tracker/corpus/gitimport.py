"""Import a git branch's first-parent history: one version per commit that changes a file.

The import runs in one transaction (all or nothing) and is idempotent: it continues after the last
commit imported from that repository's line, whatever the branch was called then and whichever
paths it took (:mod:`.gitstate`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..errors import UnreadableFile
from ..history import History
from ..refs import file_name_problem
from ..times import now_iso
from .gitrepo import Commit, Entry, Git, blob_text
from .gitstate import Coverage, glob_variants, matches
from .importing import HistoryTarget, ImportResult, Progress, Target

if TYPE_CHECKING:
    from .lanes import Pool


def import_git(
    history: History,
    repo: str | os.PathLike,
    *,
    branch: str = "main",
    paths: Sequence[str] = (),
    split: str = "auto",
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    pool: Pool | None = None,
) -> ImportResult:
    """Record each first-parent commit of ``branch`` that changes a matching text file.

    ``paths`` are fnmatch globs on the path in the repository (``*`` also matches ``/``, and
    ``**/`` no folder at all); none means every file. Renames are followed, deletions recorded,
    binary files skipped, and so are paths that could not be written out as files or would be
    stored under another name (``refs.file_name_problem``), with a warning. With a ``pool``
    (:mod:`.cluster`), texts are prepared in its lanes and stored here, in order.
    """
    globs = list(paths) or ["*"]
    git = Git(repo)
    try:
        key = git.key()
        tip_sha = git.tip(branch)
        paths_key = json.dumps(sorted(globs))
        result = ImportResult(commits=0)
        if history.store.import_state(key, branch, paths_key) == tip_sha:
            return result
        coverage, last = Coverage.read(git, history.store, key, tip_sha, (branch, paths_key))
        if last is None and warn is not None and git.shallow():
            warn(
                f"{repo} is a shallow clone: only the history it holds is imported, and fetching"
                " the rest later will not add it (`git fetch --unshallow` first for all of it)"
            )
        start = coverage.start(last, paths_key)
        span = f"{start}..{tip_sha}" if start else tip_sha
        commits = git.log(span)

        wanted = _Wanted(globs, result, warn, coverage)
        coverage.check(commits, wanted.globs, str(repo), branch)
        target = HistoryTarget(history)
        with history.store.transaction():
            if pool is None:
                for done, commit in enumerate(commits, start=1):
                    wanted.commit = commit
                    text_of = _reader(git, commit, result, warn)
                    _apply_commit(target, commit, done, wanted, text_of, split, result)
                    result.commits = done
                    if progress is not None:
                        progress(done, len(commits))
            else:
                _import_pipelined(
                    history, git, commits, globs, split, pool, target, wanted, progress
                )
                result.writer_prepared = target.prepared_here
            if start is None and not wanted.matched:
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


def _shown(path: str) -> str:
    """A path quoted for a message, a byte that was not UTF-8 shown as ``\\xNN``."""
    return re.sub(r"\\udc([89a-f][0-9a-f])", r"\\x\1", repr(path))


class _Wanted:
    """Whether a path is imported at ``commit``, the one being applied: it matches a glob, an
    earlier import did not record it there (``coverage``), and it can be written out as a file.
    An unsafe one is skipped with a warning (once per path)."""

    def __init__(
        self,
        globs: list[str],
        result: ImportResult,
        warn: Callable[[str], None] | None,
        coverage: Coverage,
    ):
        self.globs = [variant for glob in globs for variant in glob_variants(glob)]
        self.result = result
        self.warn = warn
        self.coverage = coverage
        self.unsafe: set[str] = set()
        self.commit: Commit | None = None
        self.matched = False  # whether any path of the history matched a glob

    def __call__(self, path: str | None) -> bool:
        if path is None or not matches(path, self.globs):
            return False
        self.matched = True
        assert self.commit is not None
        if self.coverage.covers(path, self.commit):
            return False
        problem = file_name_problem(path)
        if problem is None:
            return True
        if path not in self.unsafe:  # one warning per path and import
            self.unsafe.add(path)
            message = (
                f"{_shown(path)} at {self.commit.sha[:10]}: cannot be written out as a file:"
                f" {problem}"
            )
            self.result.skipped.append((path, message))
            if self.warn is not None:
                self.warn(message)
        return False


def _reader(
    git: Git,
    commit: Commit,
    result: ImportResult,
    warn: Callable[[str], None] | None,
    texts: dict[int, str | UnreadableFile] | None = None,
) -> Callable[[int, Entry], str | None]:
    """``text_of`` for a commit's entries: its blob decoded (taken from ``texts`` if read
    before), or None when it is not text, with a warning."""

    def text_of(index: int, entry: Entry) -> str | None:
        text = texts.get(index) if texts is not None else None
        if text is None:
            try:
                text = blob_text(git, entry, commit)
            except UnreadableFile as error:
                text = error
        if isinstance(text, UnreadableFile):
            result.skipped.append((entry.path, str(text)))
            if warn is not None:
                warn(str(text))
            return None
        return text

    return text_of


def _reading_into(
    texts: dict[int, str | UnreadableFile], git: Git, commit: Commit
) -> Callable[[int, Entry], str | None]:
    """``text_of`` for the planner: reads each text once, keeping it (or why it is not text)."""

    def read(index: int, entry: Entry) -> str | None:
        try:
            texts[index] = blob_text(git, entry, commit)
        except UnreadableFile as error:
            texts[index] = error
            return None
        return texts[index]  # type: ignore[return-value]

    return read


def _import_pipelined(
    history: History,
    git: Git,
    commits: list[Commit],
    globs: list[str],
    split: str,
    pool: Pool,
    target: HistoryTarget,
    wanted: _Wanted,
    progress: Progress | None,
) -> None:
    """Import the commits with their texts prepared in a pool's lanes (see :mod:`.lanes`): a
    planner walks the commits ahead, reading each text once and sorting it into its lane."""
    from .lanes import PlanTarget, run_pipelined

    result = wanted.result
    planner = PlanTarget(history.store, pool.lanes)
    # warnings come when the commit is applied
    quiet = _Wanted(globs, ImportResult(), None, wanted.coverage)
    Chunk = list[tuple[int, Commit, dict[int, str | UnreadableFile]]]

    def planned() -> Iterator[tuple[Chunk, dict]]:
        chunk: Chunk = []
        for number, commit in enumerate(commits, start=1):
            texts: dict[int, str | UnreadableFile] = {}
            quiet.commit = commit
            read = _reading_into(texts, git, commit)
            _apply_commit(planner, commit, number, quiet, read, split, ImportResult())
            chunk.append((number, commit, texts))
            if planner.chunk_full(len(chunk)):
                yield chunk, planner.take()
                chunk = []
        if chunk:
            yield chunk, planner.take()

    def apply(chunk: Chunk, hints: dict) -> None:
        target.hints = hints
        for number, commit, texts in chunk:
            wanted.commit = commit
            text_of = _reader(git, commit, result, wanted.warn, texts)
            _apply_commit(target, commit, number, wanted, text_of, split, result)
            result.commits = number
            if progress is not None:
                progress(number, len(commits))
        target.store.index_new_paragraphs()  # while the workers prepare the next chunks

    run_pipelined(pool, planned(), apply)


def _apply_commit(
    target: Target,
    commit: Commit,
    number: int,
    wanted: Callable[[str | None], bool],
    text_of: Callable[[int, Entry], str | None],
    split: str,
    result: ImportResult,
) -> None:
    """Record commit ``number``: renames first, then deletions, then new and changed files.

    ``text_of(index, entry)`` reads the text of the commit's ``index``-th entry (None, warned
    about: not text); each version is recorded from input position ``(number, index)``.
    """
    note = f"{commit.sha} {commit.subject}".rstrip()

    def record(name: str, text: str | None, key: object, renamed: bool = False) -> None:
        if target.record(name, text, commit.at, note=note, split=split, key=key) is not None:
            result.recorded += 1
        elif not renamed:  # a pure rename is not an unchanged file
            result.unchanged += 1

    writes: list[tuple[int, Entry, bool]] = []
    for index, entry in enumerate(commit.entries):
        renamed = False
        if entry.status in "RC" and entry.old_path is not None:
            if entry.status == "R" and wanted(entry.old_path) and target.live(entry.old_path):
                if wanted(entry.path) and not target.tracked(entry.path):
                    target.rename(entry.old_path, entry.path, commit.at)
                    result.renamed.append((entry.old_path, entry.path))
                    renamed = True
                else:
                    record(entry.old_path, None, None)
            if wanted(entry.path):
                writes.append((index, entry, renamed))
        elif entry.status == "D":
            if wanted(entry.path) and target.live(entry.path):
                record(entry.path, None, None)
        elif wanted(entry.path):
            writes.append((index, entry, False))
    for index, entry, renamed in writes:
        if entry.mode not in ("100644", "100755"):
            # symlinks and submodules are not documents: a file that became one is gone
            if target.live(entry.path):
                record(entry.path, None, None)
            continue
        text = text_of(index, entry)
        if text is not None:
            record(entry.path, text, (number, index), renamed)
