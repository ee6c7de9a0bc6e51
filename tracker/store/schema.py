"""The storage format: schema migrations and the compact encodings kept in the versions table.

Migrations run through sqlite-utils, so an older database upgrades in place when opened.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite-utils is imported only when a migration has to run (start-up time)
    import sqlite_utils

MIGRATION_SET = "tracker"
#: The migrations in order; sqlite-utils records each one in _sqlite_migrations once applied.
MIGRATIONS: list = []


def migration(function):
    """Register a schema migration (applied in definition order, once per database)."""
    MIGRATIONS.append(function)
    return function


def pending_migrations(conn: sqlite3.Connection) -> bool:
    """True when the database lacks a migration: checked with plain SQL, without sqlite-utils."""
    exists = conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = '_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return True
    applied = {
        row[0]
        for row in conn.execute(
            "select name from _sqlite_migrations where migration_set = ?", [MIGRATION_SET]
        )
    }
    return any(function.__name__ not in applied for function in MIGRATIONS)


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Bring the schema up to date through sqlite-utils migrations."""
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for function in MIGRATIONS:
        migrations()(function)
    migrations.apply(db)


#: The ``changes`` view: the rows of ``paragraph_changes`` with their document, version and texts.
CHANGES_VIEW = """
select c.id, d.name as document, v.version, v.captured_at, c.op,
       c.old_index, c.new_index, op.text as old_text, np.text as new_text
from paragraph_changes c
join versions v on v.id = c.version_id
join documents d on d.id = v.document_id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
"""


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": int,
            "name": str,
            "split_mode": str,
            "root": str,
            "created_at": str,
            "file_size": int,
            "file_mtime_ns": int,
            "file_checked_ns": int,
        },
        pk="id",
        not_null={"name"},
    )
    db["documents"].create_index(["name"], unique=True)
    db["paragraphs"].create({"id": int, "hash": str, "text": str}, pk="id", not_null={"hash"})
    db["paragraphs"].create_index(["hash"], unique=True)
    db["versions"].create(
        {
            "id": int,
            "document_id": int,
            "version": int,
            "captured_at": str,
            "path": str,
            "sha256": str,
            "bytes": int,
            "paragraphs": int,
            "deleted": int,
            "added": int,
            "removed": int,
            "modified": int,
            "moved": int,
            "note": str,
            "paragraph_ids": str,
            "layout": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "version", "captured_at"},
        defaults={"deleted": 0},
    )
    db["versions"].create_index(["document_id", "version"], unique=True)
    db["versions"].create_index(["captured_at"])
    db["renames"].create(
        {
            "id": int,
            "document_id": int,
            "version": int,
            "from_name": str,
            "to_name": str,
            "renamed_at": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )


@migration
def m002_paragraph_search(db: sqlite_utils.Database) -> None:
    # Paragraphs are insert-only, so triggers keep the full-text index in step with every snapshot.
    db["paragraphs"].enable_fts(["text"], create_triggers=True, tokenize="unicode61")


@migration
def m003_changes(db: sqlite_utils.Database) -> None:
    # One row per changed paragraph of each version (equal paragraphs are not stored), computed
    # once by the diff engine when the version is recorded; the `changes` view adds the texts.
    db["paragraph_changes"].create(
        {
            "id": int,
            "version_id": int,
            "op": str,
            "old_index": int,
            "new_index": int,
            "old_paragraph_id": int,
            "new_paragraph_id": int,
            "inline": str,
        },
        pk="id",
        foreign_keys=[
            ("version_id", "versions", "id"),
            ("old_paragraph_id", "paragraphs", "id"),
            ("new_paragraph_id", "paragraphs", "id"),
        ],
    )
    db["paragraph_changes"].create_index(["version_id"])
    db.create_view(
        "changes",
        """
        select c.id, d.name as document, v.version, v.captured_at, c.op,
               c.old_index, c.new_index, op.text as old_text, np.text as new_text, c.inline
        from paragraph_changes c
        join versions v on v.id = c.version_id
        join documents d on d.id = v.document_id
        left join paragraphs op on op.id = c.old_paragraph_id
        left join paragraphs np on np.id = c.new_paragraph_id
        """,
    )


@migration
def m004_changes_without_inline(db: sqlite_utils.Database) -> None:
    # Word-level diffs are no longer stored: they were a third of the time of an import and a
    # tenth of the database, and they are cheap to redo for the few paragraphs anybody looks at
    # (the Datasette plugin and every diff command compute them when shown).
    db.execute("drop view if exists changes")
    db["paragraph_changes"].transform(drop={"inline"})
    db.create_view("changes", CHANGES_VIEW)


@migration
def m005_index_paragraphs_per_transaction(db: sqlite_utils.Database) -> None:
    # New paragraphs are added to the full-text index by one statement at the end of each write
    # transaction (Store.transaction), not by a trigger per row: much faster, same index.
    db.execute("drop trigger if exists paragraphs_ai")


@migration
def m006_import_state(db: sqlite_utils.Database) -> None:
    # Where each `tracker import-git` of a branch stopped, so that re-running continues after it.
    # Databases that ran import-git before this migration already have the table.
    db["import_state"].create(
        {"repo": str, "branch": str, "paths": str, "last_commit": str, "imported_at": str},
        pk=("repo", "branch", "paths"),
        if_not_exists=True,
    )
