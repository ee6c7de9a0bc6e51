"""Which databases attached to Datasette are tracker databases (the only ones the plugin touches).

Each database is checked once, through its own read-only :mod:`sqlite3` connection; the answer is
kept on the Datasette instance until the set of attached databases changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

#: Tables whose presence marks a database as a tracker database.
TRACKER_TABLES = frozenset({"documents", "versions", "paragraphs", "paragraph_changes"})


def is_tracker_schema(table_names: Iterable[str]) -> bool:
    """Tell whether a database has the tracker tables (so the plugin decorates it)."""
    return TRACKER_TABLES <= set(table_names)


def tracker_databases(datasette) -> list[str]:
    """Names of the attached databases that have the tracker tables (checked once each)."""
    attached = tuple(datasette.databases)
    cached = datasette.__dict__.get("_tracker_databases")
    if cached is not None and cached[0] == attached:
        return cached[1]
    known: dict[str, bool] = cached[2] if cached else {}
    for name in attached:
        if name not in known:
            known[name] = _has_tracker_tables(datasette.databases[name])
    names = [name for name in attached if known[name]]
    datasette.__dict__["_tracker_databases"] = (attached, names, known)
    return names


def _has_tracker_tables(db) -> bool:
    if db.is_memory or not db.path:
        return False
    try:
        conn = sqlite3.connect(Path(db.path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute("select name from sqlite_master")]
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return is_tracker_schema(names)
