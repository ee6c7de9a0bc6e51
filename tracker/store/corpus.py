"""Reads over the whole corpus: the timeline, full-text search, edit pairs, import state."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ..errors import TrackerError
from ..text.snippets import MARKS, OTHER_MARKS, snippet_parts
from .base import translate
from .versions import FOLLOWS_DELETION, VERSION_COLUMNS, VERSION_FROM, version_row
from .window import IN_WINDOW, Window, in_time, window_versions

if TYPE_CHECKING:
    from ..models import Version


def _ids(values: Sequence[int]) -> str:
    """A list of ids as one SQL parameter (read back with ``json_each``)."""
    return json.dumps(list(values))


#: A prefix term of an FTS5 query (``"wor"*``).
_PREFIX = re.compile(r'"\*(?: |$)')


def has_prefix(fts_query: str) -> bool:
    """Whether an FTS5 query holds a prefix term (``"wor"*``): FTS5 then merges the lists of
    every word the prefix matches, for each query (and for each seek) that uses it."""
    return _PREFIX.search(fts_query) is not None


def _given_rows(fts_query: str) -> str:
    """How a query picks given rows of a match: FTS5 seeks each row in the term's list; but it
    merges a prefix's terms anew for every seek, so then one walk of the matches is tested
    against the rows instead (``+`` keeps SQLite from handing the test to FTS5)."""
    return "+f.rowid" if has_prefix(fts_query) else "f.rowid"


class CorpusStore:
    """Corpus-wide reads, and the bookkeeping of imports."""

    # -- the timeline ------------------------------------------------------------------------

    def versions_newest_first(
        self,
        since: str | None = None,
        until: str | None = None,
        document_ids: Sequence[int] | None = None,
        limit: int | None = None,
        *,
        substantive: bool = False,
    ) -> Iterator[Version]:
        """Versions newest first (equal times: in the order recorded), within a time window and
        of some documents only, streamed; with ``limit``, only that many are read; with
        ``substantive``, not those whose every change is minor (a deletion, and a version that
        brought its document back, always count).

        Read through the index on ``captured_at``, from the newest, unless the documents are
        so few that reading all their versions (by the document index) and sorting them is less
        work than walking the whole corpus's newest versions to find ``limit`` of theirs.
        """
        where, params = [], []
        if since:
            where.append("v.captured_at >= ?")
            params.append(since)
        if until:
            where.append("v.captured_at <= ?")
            params.append(until)
        if substantive:
            where.append(f"(coalesce(v.substantive, 1) != 0 or v.deleted or {FOLLOWS_DELETION})")
        if document_ids is not None:
            column = "v.document_id" if self._few(len(document_ids), limit) else "+v.document_id"
            where.append(f"{column} in (select value from json_each(?))")
            params.append(_ids(document_ids))
        clause = ("where " + " and ".join(where)) if where else ""
        rows = self.iterate(
            f"select {VERSION_COLUMNS} {VERSION_FROM} {clause}"
            " order by v.captured_at desc, v.id" + (" limit ?" if limit else ""),
            [*params, *([limit] if limit else [])],
        )
        return map(version_row, rows)

    def _few(self, documents: int, limit: int | None) -> bool:
        """Whether the versions of this many documents are best read by document: when their
        estimated share of all versions, squared, is below ``limit`` / all versions."""
        if limit is None:
            return True
        total_documents, total_versions = self.query(
            "select (select max(id) from documents), (select max(id) from versions)"
        )[0]
        if not total_documents or not total_versions:
            return True
        share = documents / total_documents
        return share * share * total_versions < limit

    def renames_newest_first(
        self, since: str | None = None, until: str | None = None
    ) -> Iterator[tuple[str, str, str]]:
        """(renamed_at, new name, old name) of the renames within a time window, newest first
        (equal times: in the order made), streamed."""
        return self.iterate(
            "select renamed_at, to_name, from_name from renames"
            " where (? is null or renamed_at >= ?) and (? is null or renamed_at <= ?)"
            " order by renamed_at desc, id",
            [since, since, until, until],
        )

    # -- search --------------------------------------------------------------------------------

    def holds_every_version(self, window: Window) -> bool:
        """Whether every version was recorded in a window (two seeks of the index on
        ``captured_at``): a search then need not test its spans against it."""
        first, last = self.query(
            "select (select min(captured_at) from versions),"
            " (select max(captured_at) from versions)"
        )[0]
        since, until = window
        return first is None or (
            (since is None or first >= since) and (until is None or last <= until)
        )

    def _match(
        self, sql: str, fts_query: str, params: Sequence = (), before: Sequence = ()
    ) -> list[tuple]:
        """Rows of a query with an FTS5 query in it (``params`` are the others, in order after
        it; ``before``, those before it); an invalid FTS5 query is a one-line TrackerError."""
        try:
            return self.conn.execute(sql, [*before, fts_query, *params]).fetchall()
        except sqlite3.OperationalError as error:
            raise TrackerError(f"cannot search for {fts_query!r}: {error}") from None
        except sqlite3.Error as error:
            raise translate(error, self.path) from None

    def _matches(
        self, fts_query: str, document_ids: Sequence[int] | None, open_only: bool
    ) -> tuple[str, list]:
        """The FROM and WHERE of the spans of paragraphs matching an FTS5 query (bound first),
        of some documents only, open spans only; and the parameters after the query. (SQLite
        sorts to group its rows by paragraph and document: a count that must stop early uses
        ``distinct`` instead.)"""
        sql = (
            "from paragraphs_fts f join paragraph_spans s on s.paragraph_id = f.rowid"
            " where paragraphs_fts match ?"
        )
        params = []
        if open_only:
            sql += " and s.until_version is null"
        if document_ids is not None:
            # "+": a test on each span found, not a search by document (SQLite would seek
            # every listed document for every matching paragraph)
            sql += " and +s.document_id in (select value from json_each(?))"
            params.append(_ids(document_ids))
        return sql, params

    def _match_rows(
        self, sql: str, fts_query: str, params: Sequence, before: Sequence = ()
    ) -> Iterator[tuple]:
        """Stream the rows of a query with an FTS5 query in it (see :meth:`_match`)."""
        try:
            cursor = self.conn.execute(sql, [*before, fts_query, *params])
        except sqlite3.OperationalError as error:
            raise TrackerError(f"cannot search for {fts_query!r}: {error}") from None
        except sqlite3.Error as error:
            raise translate(error, self.path) from None
        try:
            while rows := cursor.fetchmany(256):
                yield from rows
        except sqlite3.Error as error:
            raise translate(error, self.path) from None

    def latest_matches(
        self, fts_query: str, document_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, list[int]]]:
        """(document id, hits, paragraph ids) of each document whose latest version holds
        paragraphs matching an FTS5 query, by document name, of some documents only. ``hits``
        counts a paragraph the version has twice twice; the ids are each paragraph once."""
        sql, params = self._matches(fts_query, document_ids, open_only=True)
        rows = self._match(
            "select g.document_id, g.hits, g.ids from (select s.document_id,"
            " sum(s.copies) as hits, group_concat(s.paragraph_id) as ids"
            f" {sql} group by s.document_id) g"
            " join documents d on d.id = g.document_id order by d.name",
            fts_query,
            params,
        )
        return [
            (document_id, hits, [int(i) for i in ids.split(",")]) for document_id, hits, ids in rows
        ]

    def count_latest_matches(
        self, fts_query: str, document_ids: Sequence[int] | None, up_to: int | None
    ) -> tuple[int, int, bool]:
        """How many paragraphs of the latest versions match an FTS5 query (one a version holds
        twice counts twice), and in how many documents, of some documents only; counted up to
        about ``up_to`` (None: all), and whether counting stopped there (then both counts are
        floors)."""
        sql, params = self._matches(fts_query, document_ids, open_only=True)
        spans, hits, documents = self._match(
            # newest paragraphs first: most of what the latest versions hold is recent, so a
            # count that stops early walks less of the index
            f"select count(*), coalesce(sum(copies), 0), count(distinct document_id) from"
            f" (select s.copies, s.document_id {sql} order by f.rowid desc limit ?)",
            fts_query,
            [*params, -1 if up_to is None else up_to + 1],
        )[0]
        return hits, documents, up_to is not None and spans > up_to

    def count_span_matches(
        self,
        fts_query: str,
        document_ids: Sequence[int] | None,
        up_to: int | None,
        window: Window | None = None,
    ) -> tuple[int, int, bool]:
        """How many (document, paragraph) pairs there are of a paragraph matching an FTS5 query
        and a document that had it in some version (recorded in ``window``), and how many
        documents, of some documents only; counted up to ``up_to`` pairs (None: all), and
        whether counting stopped there (then both counts are floors)."""
        sql, params = self._matches(fts_query, document_ids, open_only=False)
        cte, before = window_versions(window)
        sql += f" and {IN_WINDOW}" if cte else ""
        pairs, documents = self._match(
            # distinct, not group by: it hands on each new pair as it meets it, so the limit
            # stops the walk of the index early (a group by sorts every pair first)
            f"{cte}select count(*), count(distinct document_id) from"
            f" (select distinct s.paragraph_id, s.document_id {sql} limit ?)",
            fts_query,
            [*params, -1 if up_to is None else up_to + 1],
            before,
        )[0]
        return pairs, documents, up_to is not None and pairs > up_to

    def matching_paragraphs(self, fts_query: str, ids: Sequence[int]) -> set[int]:
        """Which of some paragraphs match an FTS5 query: a few probes of the index, not a walk
        of every paragraph that matches."""
        if not ids:
            return set()
        rows = self._match(
            "select f.rowid from paragraphs_fts f where paragraphs_fts match ?"
            f" and {_given_rows(fts_query)} in (select value from json_each(?))",
            fts_query,
            [_ids(ids)],
        )
        return {row[0] for row in rows}

    def span_matches(
        self,
        fts_query: str,
        document_ids: Sequence[int] | None = None,
        window: Window | None = None,
    ) -> Iterator[tuple[str, int, int, int]]:
        """(document name, document id, paragraph id, first version) of each pair of a
        paragraph matching an FTS5 query and a document that had it (in a version recorded in
        ``window``), of some documents only; by document name and first version (the first of
        all, in the window or not), streamed."""
        sql, params = self._matches(fts_query, document_ids, open_only=False)
        cte, before = window_versions(window)
        pairs = (
            # the pairs a version in the window held, each with its first version of all
            "select s.document_id, s.paragraph_id, (select min(a.first_version)"
            " from paragraph_spans a where a.paragraph_id = s.paragraph_id"
            f" and a.document_id = s.document_id) as first {sql} and {IN_WINDOW}"
            " group by s.paragraph_id, s.document_id"
            if cte
            else "select s.document_id, s.paragraph_id, min(s.first_version) as first"
            f" {sql} group by s.paragraph_id, s.document_id"
        )
        return self._match_rows(
            f"{cte}select d.name, g.document_id, g.paragraph_id, g.first from ({pairs}) g"
            " join documents d on d.id = g.document_id order by d.name, g.first",
            fts_query,
            params,
            before,
        )

    def spans_of(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], list]:
        """(first version, until version) of the spans of some (document id, paragraph id)
        pairs, by pair, in version order."""
        found: dict[tuple[int, int], list] = defaultdict(list)
        if not pairs:
            return found
        rows = self.query(
            "select s.document_id, s.paragraph_id, s.first_version, s.until_version"
            " from json_each(?) j join paragraph_spans s"
            " on s.paragraph_id = json_extract(j.value, '$[1]')"
            " and s.document_id = json_extract(j.value, '$[0]')"
            " order by s.document_id, s.paragraph_id, s.first_version",
            [json.dumps([list(pair) for pair in dict.fromkeys(pairs)])],
        )
        for document_id, pid, first, until in rows:
            found[document_id, pid].append((first, until))
        return found

    def snippets(self, fts_query: str, ids: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        """Paragraph id -> (text, snippet parts) for those of the given paragraphs that match an
        FTS5 query; the parts alternate plain text and hits
        (:func:`tracker.text.snippets.snippet_parts`: exact, whatever the text holds)."""
        if not ids:
            return {}
        rows = self._match(
            "select f.rowid, p.text, snippet(paragraphs_fts, 0, ?2, ?3, '…', 24),"
            " snippet(paragraphs_fts, 0, ?4, ?5, '…', 24)"
            " from paragraphs_fts f join paragraphs p on p.id = f.rowid"
            f" where paragraphs_fts match ?1 and {_given_rows(fts_query)}"
            " in (select value from json_each(?6))",
            fts_query,
            [*MARKS, *OTHER_MARKS, _ids(ids)],
        )
        return {pid: (text, snippet_parts(mine, other)) for pid, text, mine, other in rows}

    def edit_pairs(
        self, document_id: int | None = None, window: Window | None = None
    ) -> Iterator[tuple[int, int, int, int]]:
        """(document id, version, old paragraph id, new paragraph id) of every stored rewrite
        (modify, or a move whose text changed), of one document or all, of the versions
        recorded in ``window`` (None: all), by document, version and the order stored;
        streamed."""
        where, params = ("v.document_id = ?", [document_id]) if document_id else ("1", [])
        where, params = in_time(where, params, window)
        return self.iterate(
            "select v.document_id, v.version, c.old_paragraph_id, c.new_paragraph_id"
            " from versions v join paragraph_changes c on c.version_id = v.id"
            f" where {where} and (c.op = 'modify'"
            " or (c.op = 'move' and c.old_paragraph_id != c.new_paragraph_id))"
            " order by v.document_id, v.version, c.id",
            params,
        )

    def shared_paragraph_holders(self) -> dict[int, list[str]]:
        """Paragraph id -> the names of the documents whose latest versions hold it, for every
        paragraph held so by two documents or more."""
        found: dict[int, list[str]] = defaultdict(list)
        for pid, name in self.iterate(
            "select s.paragraph_id, d.name from paragraph_spans s"
            " join documents d on d.id = s.document_id"
            " where s.until_version is null and s.paragraph_id in (select paragraph_id"
            " from paragraph_spans where until_version is null"
            " group by paragraph_id having count(*) > 1)"
        ):
            found[pid].append(name)
        return dict(found)

    def paragraph_holders(self, ids: Sequence[int]) -> dict[int, list[str]]:
        """Paragraph id -> the names of the documents whose latest versions hold it, for the
        given paragraphs (those no latest version holds are left out)."""
        found: dict[int, list[str]] = defaultdict(list)
        for pid, name in self.iterate(
            "select s.paragraph_id, d.name from json_each(?) j"
            " join paragraph_spans s on s.paragraph_id = j.value"
            " join documents d on d.id = s.document_id where s.until_version is null",
            [_ids(ids)],
        ):
            found[pid].append(name)
        return dict(found)

    def recorded_times(self) -> Iterator[tuple[int, str, int, str, str | None]]:
        """(document id, name, version, captured_at, sha256) of every version, each document's
        in order: what an import checks to add nothing twice."""
        return self.iterate(
            "select d.id, d.name, v.version, v.captured_at, v.sha256 from versions v"
            " join documents d on d.id = v.document_id order by v.document_id, v.version"
        )

    # -- imports -----------------------------------------------------------------------------

    def import_state(self, repo: str, branch: str, paths: str) -> str | None:
        """The last commit imported from a git branch with these path globs, or None."""
        rows = self.query(
            "select last_commit from import_state where repo = ? and branch = ? and paths = ?",
            [repo, branch, paths],
        )
        return rows[0][0] if rows else None

    def import_states(self) -> list[tuple[str, str, str, str]]:
        """(repository, branch, paths, last commit) of every git import, oldest first."""
        return self.query(
            "select repo, branch, paths, last_commit from import_state order by imported_at"
        )

    def set_import_state(self, repo: str, branch: str, paths: str, commit: str, at: str) -> None:
        """Remember the last commit imported (inside the import's transaction)."""
        self.conn.execute(
            "insert or replace into import_state (repo, branch, paths, last_commit, imported_at)"
            " values (?, ?, ?, ?, ?)",
            [repo, branch, paths, commit, at],
        )
