"""`tracker import-git` on the shapes real repositories have: odd paths, type changes, git-lfs,
globs, where REPO points, and imports of the same repository under other names or globs."""

from __future__ import annotations

import hashlib
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
    assert documents(db) == {}
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
