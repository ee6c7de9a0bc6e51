"""`tracker import-git` on the shapes real repositories have: odd paths, type changes, git-lfs,
globs, where REPO points, and imports of the same repository under other names or globs."""

from __future__ import annotations

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
