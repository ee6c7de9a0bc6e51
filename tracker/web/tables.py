"""How Datasette describes the tables of a tracker database: descriptions, columns, facets, sort.

Plain data, copied into each database's metadata by
:func:`tracker.web.metadata.database_metadata` (which adds the links that need its name).
"""

from __future__ import annotations

#: Tables whose pages show their columns in the plugin's order, internal ones left out (see
#: :mod:`tracker.web.columns`); their descriptions link to every column.
ORDERED = ("documents", "versions", "changes")

#: Datasette table metadata by table (``changes`` is the view of stored paragraph changes).
TABLES: dict[str, dict] = {
    "documents": {
        "description": "Every tracked document, named by its path relative to the snapshotted "
        "folder. Its versions are in the versions table; the name links to its page (its versions "
        "on a timeline, to compare).",
        "label_column": "name",
        "sort": "name",
        "facets": ["split_mode"],
        "columns": {
            "name": "Path relative to the snapshotted folder (the document's identity)",
            "split_mode": "How the text is cut into paragraphs: blank (blank-line blocks) "
            "or line (one per line)",
            "root": "Folder the document was last snapshotted from",
            "created_at": "When its first version was recorded (UTC)",
            "file_size": "Size of the file at the last scan (bytes)",
            "file_mtime_ns": "Modification time of the file at the last scan (ns since epoch)",
            "file_checked_ns": "When the file was last scanned (ns since epoch)",
        },
    },
    "versions": {
        "description": "One row per recorded version of a document (a deletion is a version "
        "too), newest first. The version number links to the rendered diff against the "
        "version before.",
        "sort_desc": "captured_at",
        "facets": ["document_id", {"date": "captured_at"}, "deleted"],
        "columns": {
            "document_id": "The document",
            "version": "Version number, from 1 (links to the diff against the previous version)",
            "captured_at": "When this version was recorded (UTC, ISO 8601)",
            "path": "Path of the file when the version was recorded",
            "sha256": "SHA-256 of the exact text (empty for a deletion)",
            "bytes": "Size of the text in bytes (UTF-8)",
            "paragraphs": "Number of paragraphs",
            "deleted": "1 if this version records the document's deletion",
            "added": "Paragraphs added since the previous version",
            "removed": "Paragraphs removed since the previous version",
            "modified": "Paragraphs edited in place since the previous version",
            "moved": "Paragraphs moved (possibly edited) since the previous version",
            "note": "Free-text note given when recording",
            "paragraph_ids": "The version's paragraphs, in order (ids into paragraphs)",
            "layout": "Separators between paragraphs (to rebuild the exact text)",
        },
    },
    "paragraphs": {
        "description": "Every distinct paragraph text ever recorded, stored once however many "
        "versions contain it. The search box searches all of them (so text from old versions "
        "is found too); the provenance query tells which versions contain one.",
        "columns": {
            "id": "Paragraph id (versions list these in paragraph_ids)",
            "hash": "First 16 hex digits of the SHA-256 of the text",
            "text": "The paragraph text",
        },
    },
    "paragraph_changes": {
        "description": "Raw storage of the changes view: one row per changed paragraph of a "
        "version, with paragraph ids. Browse the changes view instead.",
        "hidden": True,
    },
    "lineages": {
        "description": "Raw storage: one row per paragraph identity (lineage); the "
        "paragraph_history view reads it.",
        "hidden": True,
    },
    "import_state": {"description": "Where each git import stopped.", "hidden": True},
    "ignore_patterns": {"hidden": True},
    "renames": {
        "description": "Documents renamed while keeping their history (from_name to to_name, "
        "recorded after the given version).",
    },
    "changes": {
        "description": "One row per changed paragraph of every version, newest first: the "
        "operation (insert, delete, modify, move), the 0-based paragraph positions in the old "
        "and new version, and both texts; the new text is shown as the word diff (removed words "
        "struck out, added ones highlighted; long unchanged stretches folded), the old text "
        "folded beside it. Version numbers link to the full diff.",
        "sort_desc": "captured_at",
        "facets": ["document", "op", "class", {"date": "captured_at"}],
        "columns": {
            "id": "Change id",
            "document": "Document name",
            "version": "The version that made the change (links to its diff)",
            "captured_at": "When that version was recorded (UTC)",
            "op": "insert, delete, modify (edited in place) or move (maybe edited too)",
            "class": "What kind of change: substantive, or a minor one (whitespace, volatile, "
            "punctuation, case, numbers, moved)",
            "lineage": "The paragraph's identity across versions (see paragraph_history)",
            "split_from": "An insert split off this old paragraph (0-based)",
            "merged_into": "A delete merged into this new paragraph (0-based)",
            "old_index": "Position in the previous version (0-based; empty for insert)",
            "new_index": "Position in this version (0-based; empty for delete)",
            "old_text": "Text before (empty for insert), folded: the diff shows it already",
            "new_text": "Text after, shown as the change: removed words struck out, added ones "
            "highlighted (a deleted paragraph is shown struck out)",
        },
    },
    "_sqlite_migrations": {"hidden": True},
}
