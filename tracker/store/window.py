"""Time windows in the SQL of corpus reads: the versions recorded from one time to another.

A window is a pair of stored times (:func:`tracker.times.parse_bound`), either end None for
open; ``search --all-versions`` and ``stats`` take one as ``--since``/``--until``.
"""

from __future__ import annotations

#: A time window as stored times, (start, end), either None for open: versions recorded in it.
Window = tuple[str | None, str | None]


def window_versions(window: Window | None) -> tuple[str, list]:
    """The ``with`` clause of ``bounds`` (the window) and ``win``: each document's first and
    last version recorded in the window, read once by the index on ``captured_at``, and whether
    every version between them was (``whole``); and its parameters. Nothing for no window."""
    since, until = window or (None, None)
    if since is None and until is None:
        return "", []
    tests = ["captured_at >= ?"] * (since is not None) + ["captured_at <= ?"] * (until is not None)
    return (
        "with bounds(since, until) as (select ?, ?),"
        " win(document_id, low, high, whole) as materialized (select document_id, min(version),"
        " max(version), count(*) = max(version) - min(version) + 1"
        # "+": read by time, not every version in document order
        f" from versions where {' and '.join(tests)} group by +document_id) ",
        [since, until, *(bound for bound in (since, until) if bound is not None)],
    )


#: Whether a span ``s`` holds a version recorded in the window (see :func:`window_versions`):
#: one probe of ``win``; only where the window holds some of a document's versions and not
#: those between (times that go backwards), a look at the versions of the span.
IN_WINDOW = (
    "exists (select 1 from win w where w.document_id = s.document_id"
    " and w.high >= s.first_version and (s.until_version is null or w.low < s.until_version)"
    " and (w.whole or exists (select 1 from versions v, bounds b"
    " where v.document_id = s.document_id and v.version >= s.first_version"
    " and (s.until_version is null or v.version < s.until_version)"
    " and (b.since is null or v.captured_at >= b.since)"
    " and (b.until is null or v.captured_at <= b.until))))"
)


def in_time(where: str, params: list, window: Window | None) -> tuple[str, list]:
    """A WHERE condition on versions ``v`` and its parameters, kept to those recorded in
    ``window`` (None, or an open end: no test)."""
    since, until = window or (None, None)
    tests = [where] + ["v.captured_at >= ?"] * (since is not None)
    tests += ["v.captured_at <= ?"] * (until is not None)
    return " and ".join(tests), [*params, *(b for b in (since, until) if b is not None)]
