"""Which databases attached to Datasette are tracker databases (the only ones the plugin touches).

Each database is checked once (:func:`tracker.store.base.is_tracker_database`, read-only); the
answer is kept on the Datasette instance until the set of attached databases changes.
"""

from __future__ import annotations

from ..store.base import is_tracker_database


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
    return is_tracker_database(db.path)
