"""The storage format: schema migrations and the compact encodings kept in the versions table.

Migrations run through sqlite-utils, so an older database upgrades in place when opened.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
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


#: The ``changes`` view as migration m004 made it (m007 replaces it with :data:`CHANGES_VIEW`).
CHANGES_VIEW_M004 = """
select c.id, d.name as document, v.version, v.captured_at, c.op,
       c.old_index, c.new_index, op.text as old_text, np.text as new_text
from paragraph_changes c
join versions v on v.id = c.version_id
join documents d on d.id = v.document_id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
"""

#: The ``changes`` view: the rows of ``paragraph_changes`` with their document, version and texts,
#: the class of each change and the lineage of the paragraph it changed.
CHANGES_VIEW = """
select c.id, d.name as document, v.version, v.captured_at, c.op, c.class,
       c.old_index, c.new_index, op.text as old_text, np.text as new_text,
       c.lineage, c.split_from, c.merged_into
from paragraph_changes c
join versions v on v.id = c.version_id
join documents d on d.id = v.document_id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
"""

#: The ``paragraph_history`` view: one row per (lineage, version where it changed), with the
#: paragraph's 1-based position in that version (in the version before, for a deletion).
PARAGRAPH_HISTORY_VIEW = """
select c.lineage, d.name as document, v.version, v.captured_at,
       case when c.op = 'insert' and c.split_from is not null then 'split'
            when c.op = 'delete' and c.merged_into is not null then 'merged'
            else c.op end as op,
       coalesce(c.new_index, c.old_index) + 1 as position,
       coalesce(np.text, op.text) as text, c.class
from paragraph_changes c
join versions v on v.id = c.version_id
join documents d on d.id = v.document_id
left join paragraphs op on op.id = c.old_paragraph_id
left join paragraphs np on np.id = c.new_paragraph_id
where c.lineage is not null
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
    db.create_view("changes", CHANGES_VIEW_M004)


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


@migration
def m007_lineage_and_classes(db: sqlite_utils.Database) -> None:
    # Paragraph identity across versions (lineage) and the class of every change, both computed
    # when a version is recorded. Each change row names the lineage of the paragraph it changed;
    # a version lists the lineage of each of its paragraphs (versions.lineages, runs of
    # consecutive ids); the first version's paragraphs get insert rows too, so every lineage has
    # the row that created it. Databases from before are filled in by History.upgrade().
    changes = db["paragraph_changes"]
    for column, kind in (("lineage", int), ("split_from", int), ("merged_into", int)):
        changes.add_column(column, kind)
    changes.add_column("class", str)
    db["versions"].add_column("lineages", str)
    db["versions"].add_column("substantive", int)
    db["lineages"].create(
        {"id": int, "document_id": int, "first_version": int},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["ignore_patterns"].create(
        {"id": int, "pattern": str, "doc_glob": str, "note": str, "created_at": str},
        pk="id",
        not_null={"pattern"},
    )
    # versions still to be filled in (none once upgraded: the check at each open is one probe)
    db.execute(
        "create index idx_versions_without_lineages on versions (document_id)"
        " where lineages is null"
    )
    # a paragraph put back after its deletion continues its lineage: found by its text's id
    db.execute(
        "create index idx_paragraph_changes_deleted on paragraph_changes (old_paragraph_id)"
        " where op = 'delete'"
    )
    db.execute("drop view if exists changes")
    db.create_view("changes", CHANGES_VIEW)
    db.create_view("paragraph_history", PARAGRAPH_HISTORY_VIEW)


@migration
def m008_word_origins(db: sqlite_utils.Database) -> None:
    # Who wrote each word: the version each token of a changed paragraph came from, as runs
    # ([[count, version], ...]) on the change that gave it its text; worked out per document the
    # first time somebody asks (tracker blame --words), then caught up from the state kept here.
    db["paragraph_changes"].add_column("origins", str)
    db["word_origins"].create(
        {"document_id": int, "version": int, "state": str},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )


#: Which versions of a document hold a paragraph, as runs of consecutive versions: the paragraph
#: is in ``first_version`` and every version after it up to ``until_version`` (excluded), the
#: version that no longer has it; ``until_version`` is null while the latest version still has
#: it, and ``copies`` is how many times that version has it. So the open spans are exactly the
#: paragraphs of the latest versions (a deletion closes every span of its document). Kept up to
#: date when each version is recorded, one row per paragraph that comes or goes, so that a
#: search reads the spans of the paragraphs it found instead of every version's paragraph list.
#: No foreign keys: they would cost a lookup per row on every write, and these rows are only
#: ever written next to the versions they describe.
SPANS_TABLE = """
create table paragraph_spans (
  paragraph_id integer not null,
  document_id integer not null,
  first_version integer not null,
  until_version integer,
  copies integer not null default 1,
  primary key (paragraph_id, document_id, first_version)
) without rowid
"""


def paragraph_spans(versions: Iterable[tuple[int, int, str | None]]) -> Iterator[tuple]:
    """The rows of ``paragraph_spans`` for versions given as (document id, version, paragraph
    ids as JSON), ordered by document and version; an unreadable list counts as empty. A closed
    span keeps the copies of the last version that had the paragraph."""
    document = None
    open_spans: dict[int, list[int]] = {}  # paragraph id -> [first version, copies]
    for document_id, number, ids_json in versions:
        if document_id != document:
            for pid, (first, copies) in open_spans.items():
                yield pid, document, first, None, copies
            document, open_spans = document_id, {}
        try:
            ids = json.loads(ids_json or "[]")
        except ValueError:
            ids = []
        counts = (
            Counter(pid for pid in ids if isinstance(pid, int)) if isinstance(ids, list) else {}
        )
        for pid in [pid for pid in open_spans if pid not in counts]:
            first, copies = open_spans.pop(pid)
            yield pid, document_id, first, number, copies
        for pid, copies in counts.items():
            open_spans.setdefault(pid, [number, copies])[1] = copies
    for pid, (first, copies) in open_spans.items():
        yield pid, document, first, None, copies


@migration
def m009_reads_by_index(db: sqlite_utils.Database) -> None:
    # Reads that cost what their answer costs, however long the history: the timeline reads
    # versions and renames newest first by time (versions already have their index), searches
    # find the versions holding a paragraph in paragraph_spans, and a re-scan compares files
    # with the documents table alone. Existing databases get their spans computed here, once,
    # from the versions' paragraph lists.
    db["renames"].create_index(["renamed_at"], if_not_exists=True)
    if db["paragraph_spans"].exists():  # made by a development build under another name
        return
    db.execute(SPANS_TABLE)
    rows = db.execute(
        "select document_id, version, paragraph_ids from versions order by document_id, version"
    )
    # A re-scan trusts a file's size and mtime only while its document is not deleted: a
    # deletion now forgets when the file was read, which this does for the deleted ones
    db.execute(
        "update documents set file_checked_ns = null where id in (select v.document_id"
        " from versions v where v.deleted and v.version ="
        " (select max(m.version) from versions m where m.document_id = v.document_id))"
    )
    db.conn.executemany(
        "insert into paragraph_spans"
        " (paragraph_id, document_id, first_version, until_version, copies)"
        " values (?, ?, ?, ?, ?)",
        paragraph_spans(rows),
    )


def lineage_marks(versions: Iterable[tuple[int, int, int, str | None]]) -> Iterator[tuple]:
    """(mark, row id) for each version, given as (row id, document id, version, lineages) in
    document and version order, whose lineage list repeats the previous version's list: the
    mark names the version whose row holds the list (see store.codec.stored_lineages)."""
    document = base = None
    text: str | None = None
    for row_id, document_id, number, lineages in versions:
        if document_id != document:
            document, base, text = document_id, None, None
        if lineages is None or lineages[:1] != "[" or lineages == "[]":
            continue  # not upgraded, already a mark, or a deletion: the last list stays the base
        if lineages == text:  # the list of ``base``, the version before (or its mark's)
            yield str(base), row_id
        else:
            base, text = number, lineages


@migration
def m010_same_lineages(db: sqlite_utils.Database) -> None:
    # A version whose paragraphs all keep their lineages (only edits in place) stores the
    # number of the version holding the list instead of the list again: the lineage lists of
    # python-peps shrink from 595 KB to under half. Older databases are compacted here, once.
    rows = db.execute(
        "select id, document_id, version, lineages from versions order by document_id, version"
    )
    db.conn.executemany("update versions set lineages = ? where id = ?", list(lineage_marks(rows)))


#: Bytes of new terms FTS5 gathers in memory before it writes them out as an index segment
#: (its default is 1 MB). An import indexes all its new paragraphs in one statement; a larger
#: buffer makes fewer, larger segments and fewer merges: about a fifth less time indexing the
#: churn history's 47 MB of new paragraphs, and the same index.
FTS_BUFFER_BYTES = 16 * 1024 * 1024


@migration
def m011_larger_index_buffer(db: sqlite_utils.Database) -> None:
    # A setting kept in the index's own config table, so it holds for every later connection.
    db.execute(
        "insert into paragraphs_fts (paragraphs_fts, rank) values ('hashsize', ?)",
        [FTS_BUFFER_BYTES],
    )


@migration
def m012_times_cover_versions(db: sqlite_utils.Database) -> None:
    # A search or stats over a time window learns each document's versions in the window
    # (the first, the last, whether all between) from the time index alone, once it also holds
    # the document and the version number: no version row is read for them. It replaces the
    # index on the time alone, which everything that reads by time uses as well.
    db["versions"].create_index(["captured_at", "document_id", "version"], if_not_exists=True)
    db.execute("drop index if exists idx_versions_captured_at")
