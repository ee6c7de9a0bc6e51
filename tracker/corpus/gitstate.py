"""What earlier imports of a repository already recorded, so that the next one adds only the rest.

A database holds one history per document, so every import of a repository into it must follow
one first-parent line. Each import keeps where it stopped (``import_state``: the repository's
folder, the branch as typed, the globs). The next import, whatever its branch is called (a tag, a
hash, ``origin/main``, a worktree's branch), whatever its globs, and wherever the repository is
now (moved, or another clone: known by its commits), takes each path from where the earlier
imports that matched that path stopped on its line: nothing is recorded twice. An earlier import
whose last commit is not on that line (history rewritten, another branch) matched paths whose
history would be mixed with this line's: the import is refused, before anything is written.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import TrackerError
from ..store import Store
from .gitrepo import Commit, Git


def glob_variants(glob: str) -> list[str]:
    """The fnmatch patterns a ``--path`` glob stands for: ``**/`` matches no folder too, as in
    git and shells (``docs/**/*.md`` takes ``docs/a.md``), so each is tried as ``*/`` and as
    nothing."""
    first, *rest = glob.split("**/")
    variants = [first]
    for part in rest:
        variants = [variant + folder + part for variant in variants for folder in ("*/", "")]
    return variants


def matches(path: str, patterns: Sequence[str]) -> bool:
    """Whether a path matches one of the (expanded) fnmatch patterns."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


@dataclass(frozen=True)
class Earlier:
    """An earlier import of the repository: its branch as typed (and where the repository was,
    when elsewhere), globs (``paths``, as kept) and last commit, and where that commit is on
    this import's line (``upto``: its position, root 0; the whole line when the line's tip is
    on that commit's line; None when it is on neither)."""

    branch: str
    paths: str
    patterns: list[str]
    last: str
    upto: int | None


class Coverage:
    """Which commits of this import's line earlier imports recorded, for which paths."""

    def __init__(self, order: list[str]):
        self.order = order  # the line's commits, root first
        self.line = {sha: position for position, sha in enumerate(order)}
        self.earlier: list[Earlier] = []

    @classmethod
    def read(
        cls, git: Git, store: Store, key: str, tip: str, own: tuple[str, str]
    ) -> tuple[Coverage, str | None]:
        """The coverage of the line of ``tip`` by every earlier import of this repository, which
        is ``key`` or one whose last commit it has (the same repository moved, or a clone of
        it), but this one (``own``: its branch as typed and globs); and where this one stopped
        (None: never imported). A rewritten branch (its last commit no longer on its line) is
        an error."""
        states = store.import_states()
        coverage = cls(git.text("rev-list", "--first-parent", tip).split()[::-1] if states else [])
        last = None
        for repo, branch, paths, commit in states:
            upto = coverage.line.get(commit)
            if repo == key and (branch, paths) == own:
                if upto is None:
                    raise TrackerError(
                        f"{git.repo}: the last commit imported from {branch} ({commit[:10]}) is no"
                        " longer on its first-parent line (history rewritten, or moved to a merge"
                        " of it); import it into a new database"
                    )
                last = commit
                continue
            if upto is None:
                if tip in _line_of(git, commit):
                    upto = len(coverage.order) - 1  # it went further along this line
                elif repo != key and not git.has(commit):
                    continue  # another repository's (one moved or cloned would know it)
            label = branch if repo == key else f"{branch} of {repo}"
            patterns = [variant for glob in json.loads(paths) for variant in glob_variants(glob)]
            coverage.earlier.append(Earlier(label, paths, patterns, commit, upto))
        return coverage, last

    def start(self, last: str | None, globs: str) -> str | None:
        """The commit to import after: this import's own, or the furthest an earlier import
        with the same globs went on this line (everything before it is recorded)."""
        best = self.line[last] if last is not None else -1
        for earlier in self.earlier:
            if earlier.paths == globs and earlier.upto is not None and earlier.upto > best:
                best = earlier.upto
        return self.order[best] if best >= 0 else None

    def covers(self, path: str, commit: Commit) -> bool:
        """Whether an earlier import recorded ``path`` at ``commit`` already."""
        position = self.line.get(commit.sha)
        return any(
            earlier.upto is not None
            and position is not None
            and position <= earlier.upto
            and matches(path, earlier.patterns)
            for earlier in self.earlier
        )

    def check(self, commits: list[Commit], patterns: list[str], repo: str, branch: str) -> None:
        """Refuse to import, into documents that an import of another line recorded, the
        history of this one (``patterns``: this import's paths, in the ``commits`` it would
        apply): it would mix the two."""
        diverged = [earlier for earlier in self.earlier if earlier.upto is None]
        if not diverged:
            return
        for commit in commits:
            for entry in commit.entries:
                for path in (entry.path, entry.old_path):
                    if path is None or not matches(path, patterns) or self.covers(path, commit):
                        continue  # not taken, or taken from this line by an earlier import
                    for earlier in diverged:
                        if matches(path, earlier.patterns):
                            raise TrackerError(
                                f"{repo}: {branch} does not continue the import of"
                                f" {earlier.branch} (up to {earlier.last[:10]}: rewritten since,"
                                f" or another branch) and both take {path!r}: importing it would"
                                " mix two histories; import it into a new database"
                            )


def _line_of(git: Git, commit: str) -> set[str]:
    """The first-parent line of a commit (empty if the repository no longer has it)."""
    done = git.run("rev-list", "--first-parent", commit, check=False)
    return set(done.stdout.decode().split()) if done.returncode == 0 else set()
