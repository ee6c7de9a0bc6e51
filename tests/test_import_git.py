"""`tracker import-git` on the shapes real repositories have: odd paths, type changes, git-lfs,
globs, where REPO points, and imports of the same repository under other names or globs."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from support import Repo

from tracker import Tracker


def documents(db: Path) -> dict[str, list[str | None]]:
    """Every document's versions: its text, or None for a deletion."""
    with Tracker(db, create=False) as tracker:
        return {
            doc.name: [
                None if v.deleted else tracker.text(doc.name, f"v{v.version}")
                for v in tracker.versions(doc.name)
            ]
            for doc in tracker.documents()
        }


def test_a_backslash_or_spaces_in_a_path_do_not_land_on_another_files_history(run, tmp_path):
    """`a\\b.md` would be stored as `a/b.md`, and ` c.md` as `c.md`: each file is skipped with
    a warning, as a snapshot skips it, rather than writing its text into the other's history."""
    repo = Repo(tmp_path / "repo")
    repo.write("a/b.md", "the real a/b.md\n")
    repo.write("a\\b.md", "a file named with a backslash\n")
    repo.write("c.md", "the real c.md\n")
    repo.write(" c.md", "a file named with a leading space\n")
    repo.commit("Add files")
    repo.write("a\\b.md", "the backslash file, edited\n")
    repo.commit("Edit the backslash file")
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, db=db)
    assert result.exit_code == 0, result.output
    assert documents(db) == {"a/b.md": ["the real a/b.md\n"], "c.md": ["the real c.md\n"]}
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith("warning: ' c.md' at ")
    assert warnings[0].endswith(
        ": cannot be written out as a file: it would be stored as 'c.md': leading or trailing"
        " spaces and backslashes are not kept in names"
    )
    assert warnings[1].startswith("warning: 'a\\\\b.md' at ")
    assert "it would be stored as 'a/b.md'" in warnings[1]


def test_a_file_that_becomes_a_symlink_or_a_submodule_is_recorded_as_deleted(run, tmp_path):
    """Symlinks and submodules are not documents: a file replaced by one is gone (as a snapshot
    records it), rather than kept present with its last text; a file again is a new version."""
    repo = Repo(tmp_path / "repo")
    repo.write("link.md", "a file\n")
    repo.write("module.md", "another file\n")
    repo.write("target.md", "what the link points to\n")
    repo.commit("Add files")
    (repo.path / "link.md").unlink()
    (repo.path / "link.md").symlink_to("target.md")
    repo.commit("link.md becomes a symlink")
    head = repo.git("rev-parse", "HEAD")
    repo.git("rm", "-q", "module.md")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{head},module.md")
    repo.git("commit", "-q", "-m", "module.md becomes a submodule")
    repo.day += 1
    (repo.path / "module.md").mkdir()  # as in a clone that did not fetch the submodule
    (repo.path / "link.md").unlink()
    repo.write("link.md", "a file again\n")
    repo.commit("link.md is a file again")
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, db=db)
    assert result.exit_code == 0, result.output
    assert documents(db) == {
        "link.md": ["a file\n", None, "a file again\n"],
        "module.md": ["another file\n", None],
        "target.md": ["what the link points to\n"],
    }
    with Tracker(db, create=False) as tracker:
        notes = [v.note.split(" ", 1)[1] for v in tracker.versions("module.md")]
    assert notes == ["Add files", "module.md becomes a submodule"]


def lfs_pointer(content: bytes) -> str:
    """The pointer file git-lfs commits in place of a file it stores."""
    oid = hashlib.sha256(content).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n"


def test_git_lfs_pointers_are_skipped_not_imported_as_the_documents_text(run, tmp_path):
    """What the repository holds for a git-lfs file is a pointer to it, not its text: skipped
    with a warning, like a binary file, and a file moved to LFS keeps its last text."""
    repo = Repo(tmp_path / "repo")
    repo.write("handbook.md", "# Handbook\n")
    repo.write("policy.pdf", lfs_pointer(b"%PDF-1.7 the policy"))
    repo.commit("Add the handbook and the policy")
    repo.write("handbook.md", lfs_pointer(b"# Handbook\n\nnow in LFS\n"))
    repo.commit("Move the handbook to LFS")
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, db=db)
    assert result.exit_code == 0, result.output
    assert documents(db) == {"handbook.md": ["# Handbook\n"]}
    warnings = result.stderr.splitlines()
    assert [line.split(" at ")[0] for line in warnings] == [
        "warning: policy.pdf",
        "warning: handbook.md",
    ]
    assert all(
        line.endswith(": a git-lfs pointer (the file is not in the repository), skipped")
        for line in warnings
    )


def test_a_double_star_folder_in_a_glob_also_matches_no_folder(run, tmp_path):
    """`docs/**/*.md` is how git and shells say every .md file under docs: the files right in
    docs/ are part of it (with fnmatch alone, `**/` needed at least one folder)."""
    repo = Repo(tmp_path / "repo")
    for name in ("docs/top.md", "docs/sub/deep/low.md", "docs/notes.txt", "other/x.md", "y.md"):
        repo.write(name, f"{name}\n")
    repo.commit("Add files")
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, "--path", "docs/**/*.md", "--path", "**/y.md", db=db)
    assert result.exit_code == 0, result.output
    assert sorted(documents(db)) == ["docs/sub/deep/low.md", "docs/top.md", "y.md"]


def test_repo_must_be_a_repository_top_with_commits_on_the_branch(run, tmp_path):
    """Each way REPO or --branch can miss is one line saying what to pass instead; a folder
    inside a work tree is refused (it imported the whole repository, its paths from the top)."""
    repo = Repo(tmp_path / "repo")
    repo.write("docs/a.md", "a\n")
    repo.write("b.md", "b\n")
    repo.commit("Add files")
    repo.git("branch", "-m", "main", "master")
    empty = Repo(tmp_path / "empty")
    plain = tmp_path / "plain"
    plain.mkdir()
    db = tmp_path / "t.db"
    expected = {
        (repo.path / "docs",): f"{repo.path / 'docs'}: a folder inside the git repository"
        f" {repo.path}: pass that folder (with --path 'docs/*' for the files under this one)",
        (repo.path,): f"{repo.path}: no branch 'main' (its branches: master; pass --branch)",
        (empty.path,): f"{empty.path}: no commits yet, nothing to import",
        (plain,): f"{plain}: not a git repository",
    }
    for args, message in expected.items():
        result = run("import-git", *args, db=db)
        assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert not db.exists()  # refused into a new database: none left behind
    assert run("import-git", repo.path, "--branch", "master", db=db).exit_code == 0
    assert sorted(documents(db)) == ["b.md", "docs/a.md"]


def test_a_shallow_clone_says_that_its_history_is_cut(run, tmp_path):
    repo = Repo(tmp_path / "repo")
    for number in range(3):
        repo.write("a.md", f"version {number}\n")
        repo.commit(f"Version {number}")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    db = tmp_path / "t.db"
    result = run("import-git", clone, db=db)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: {clone} is a shallow clone: only the history it holds is imported, and"
        " fetching the rest later will not add it (`git fetch --unshallow` first for all of it)\n"
    )
    assert documents(db) == {"a.md": ["version 2\n"]}
    assert run("import-git", repo.path, db=tmp_path / "full.db").stderr == ""


def test_the_same_history_under_another_name_or_folder_is_not_imported_twice(run, tmp_path):
    """A tag, a hash, HEAD, a worktree, `origin/main` in a clone and the repository moved
    elsewhere are all the same line: each import continues where the last stopped."""
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "one\n")
    first = repo.commit("One")
    repo.git("tag", "v1")
    repo.write("a.md", "two\n")
    second = repo.commit("Two")
    db = tmp_path / "t.db"

    def imported(path: Path, *args: str) -> str:
        result = run("import-git", path, *args, db=db)
        assert result.exit_code == 0, result.output
        return result.stdout

    assert imported(repo.path, "--branch", "v1") == "1 commit, 1 new version, 0 unchanged\n"
    assert imported(repo.path) == "1 commit, 1 new version, 0 unchanged\n"
    assert imported(repo.path, "--branch", first) == "0 commits, 0 new versions, 0 unchanged\n"
    assert imported(repo.path, "--branch", second) == "0 commits, 0 new versions, 0 unchanged\n"
    worktree = tmp_path / "worktree"
    repo.git("worktree", "add", "-q", "-b", "side", str(worktree))
    (worktree / "a.md").write_text("three\n")
    repo.git("-C", str(worktree), "commit", "-q", "-am", "Three")
    assert imported(worktree, "--branch", "side") == "1 commit, 1 new version, 0 unchanged\n"
    assert imported(repo.path, "--branch", "HEAD") == "0 commits, 0 new versions, 0 unchanged\n"
    repo.git("merge", "-q", "--ff-only", "side")
    repo.write("a.md", "four\n")
    repo.commit("Four")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.path), str(clone))
    assert imported(clone, "--branch", "origin/main") == "1 commit, 1 new version, 0 unchanged\n"
    moved = tmp_path / "moved"
    repo.path.rename(moved)
    repo.path = moved
    repo.write("a.md", "five\n")
    repo.commit("Five")
    assert imported(moved) == "1 commit, 1 new version, 0 unchanged\n"
    assert documents(db) == {"a.md": ["one\n", "two\n", "three\n", "four\n", "five\n"]}


def test_more_globs_add_the_other_files_history_and_nothing_twice(run, tmp_path):
    """Widening --path imports the newly matched files' whole history; the files already
    imported keep theirs, neither repeated nor replayed (a file renamed into the wider glob's
    part is a new file there, as it was when the narrower import recorded its deletion)."""
    repo = Repo(tmp_path / "repo")
    repo.write("docs/a.md", "a one\n")
    repo.write("notes.md", "notes one\n")
    repo.commit("One")
    repo.write("docs/a.md", "a two\n")
    repo.write("notes.md", "notes two\n")
    repo.commit("Two")
    repo.git("mv", "docs/a.md", "a.md")
    repo.commit("Move a out of docs")
    db = tmp_path / "t.db"
    assert run("import-git", repo.path, "--path", "docs/*", db=db).exit_code == 0
    wider = run("import-git", repo.path, "--path", "docs/*", "--path", "*.md", db=db)
    assert wider.exit_code == 0, wider.output
    assert wider.stdout == "3 commits, 3 new versions, 0 unchanged\n"
    assert documents(db) == {
        "a.md": ["a two\n"],
        "docs/a.md": ["a one\n", "a two\n", None],
        "notes.md": ["notes one\n", "notes two\n"],
    }
    again = run("import-git", repo.path, db=db)  # every file: all of it is there already
    assert again.stdout == "3 commits, 0 new versions, 0 unchanged\n"


def test_another_line_of_the_same_repository_is_refused_not_mixed_in(run, tmp_path):
    """After a force-push, the rewritten branch named by its hash, another branch, or a clone
    of it must not append a second history to the documents of the first: refused, nothing
    written. A history merged back in (its old tip only a second parent) is no exception."""
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "one\n")
    repo.write("b.md", "b\n")
    repo.commit("One")
    repo.write("a.md", "two\n")
    old_tip = repo.commit("Two")
    db = tmp_path / "t.db"
    assert run("import-git", repo.path, db=db).exit_code == 0
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("a.md", "two, rewritten\n")
    new_tip = repo.commit("Two again")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.path), str(clone))
    for path, args in [
        (repo.path, ["--branch", new_tip]),
        (repo.path, ["--branch", new_tip, "--path", "*.md"]),
        (clone, []),
    ]:
        result = run("import-git", path, *args, db=db)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {path}: {args[1] if args else 'main'} does not continue the import of main"
            f"{'' if path == repo.path else f' of {repo.path}/.git'} (up to {old_tip[:10]}:"
            " rewritten since, or another branch) and both take 'a.md': importing it would"
            " mix two histories; import it into a new database\n"
        )
    repo.git("merge", "-q", "-s", "ours", "-m", "Keep the old tip too", old_tip)
    merged = run("import-git", repo.path, db=db)
    assert merged.exit_code == 1
    assert merged.stderr == (
        f"Error: {repo.path}: the last commit imported from main ({old_tip[:10]}) is no longer"
        " on its first-parent line (history rewritten, or moved to a merge of it); import it"
        " into a new database\n"
    )
    assert documents(db) == {"a.md": ["one\n", "two\n"], "b.md": ["b\n"]}
    other = run("import-git", repo.path, "--path", "c/*", db=db)  # nothing in common: fine
    assert other.exit_code == 1 and "no file in the history" in other.stderr


def test_the_users_git_config_does_not_change_what_is_imported(run, tmp_path):
    """`log.showRoot = false` hid the files of the first commit from the log that import-git
    reads, and `i18n.logOutputEncoding` turned the subjects in its notes into another
    encoding: neither may change the import."""
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "a\n")
    repo.write("b.md", "b\n")
    repo.commit("Café policies")
    repo.write("a.md", "a, edited\n")
    repo.commit("Edit a")
    repo.git("config", "log.showRoot", "false")
    repo.git("config", "i18n.logOutputEncoding", "ISO-8859-1")
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, db=db)
    assert result.exit_code == 0, result.output
    assert documents(db) == {"a.md": ["a\n", "a, edited\n"], "b.md": ["b\n"]}
    with Tracker(db, create=False) as tracker:
        assert tracker.versions("b.md")[0].note.split(" ", 1)[1] == "Café policies"


def test_a_version_is_at_its_commits_committer_date_even_when_dates_go_backwards(run, tmp_path):
    """As the README says: the committer date (when the commit landed, after a rebase later
    than the author date), in UTC; versions stay in commit order when dates go backwards."""
    repo = Repo(tmp_path / "repo")
    dates = [
        ("2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00+02:00"),
        ("2020-01-01T00:00:00+00:00", "2024-06-01T00:00:00-07:00"),  # rebased: author older
        ("2024-01-01T09:00:00+00:00", "2024-01-01T09:00:00+00:00"),  # a clock that was off
    ]
    for number, (author, committer) in enumerate(dates):
        repo.write("a.md", f"version {number}\n")
        repo.git("add", "-A")
        env = {**repo.env(), "GIT_AUTHOR_DATE": author, "GIT_COMMITTER_DATE": committer}
        subprocess.run(["git", "commit", "-q", "-m", f"Version {number}"], cwd=repo.path, env=env)
    db = tmp_path / "t.db"
    assert run("import-git", repo.path, db=db).exit_code == 0
    with Tracker(db, create=False) as tracker:
        versions = tracker.versions("a.md")
        assert [v.captured_at for v in versions] == [
            "2024-05-01T10:00:00.000Z",
            "2024-06-01T07:00:00.000Z",
            "2024-01-01T09:00:00.000Z",
        ]
        assert tracker.text("a.md") == "version 2\n"
        assert tracker.text("a.md", "2024-05-15") == "version 0\n"  # the latest in time
