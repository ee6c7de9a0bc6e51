"""Times as tracker stores and reads them: ISO 8601 UTC, to the millisecond.

One parser (:func:`parse_time`) for every time a user types or a file holds (a date, a date-time,
with ``Z``, an offset or none), and one format (:func:`to_iso`) for what is stored, so that stored
times sort as text.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from .errors import TrackerError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]")
#: The clock part of a date-time (after its 11 characters of date and ``T``): hour, minutes,
#: seconds and fraction, each but the hour optional.
_CLOCK = re.compile(r"\d{2}(:?\d{2})?(:?\d{2})?(?:[.,](\d+))?")


def now_iso() -> str:
    """The current time as ISO 8601 UTC, to the millisecond (``2026-11-24T18:02:11.123Z``)."""
    return to_iso(datetime.now(timezone.utc))


def to_iso(moment: datetime) -> str:
    """Format a datetime as ISO 8601 UTC; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str, *, end_of_day: bool = False) -> datetime:
    """Parse an ISO 8601 date or date-time as an aware UTC datetime; raise ValueError if not one.

    ``Z`` or an offset are honoured and a naive time means UTC. A bare date means the start of
    that day; with ``end_of_day`` (for the upper end of a range) a value means the last
    microsecond of the last unit it writes: ``2026-11-24`` its whole day, ``2026-11-24T18:02``
    its whole minute, ``18:02:11`` its whole second, as times are shown to the second.
    """
    text = value.strip()
    if _DATE.match(text):
        day = datetime.fromisoformat(text).date()
        return datetime.combine(day, time.max if end_of_day else time.min, timezone.utc)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
        return moment + (_last_unit(text) - _MICROSECOND) if end_of_day else moment
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise ValueError(f"{value!r} is outside the years 1-9999 in UTC") from None


_MICROSECOND = timedelta(microseconds=1)


def _last_unit(text: str) -> timedelta:
    """The smallest unit a date-time writes (an hour, a minute, a second, a fraction of one)."""
    clock = _CLOCK.match(text, 11)
    if clock is None:
        return _MICROSECOND
    minutes, seconds, fraction = clock.groups()
    if fraction is not None:
        return timedelta(microseconds=10 ** max(0, 6 - len(fraction)))
    if seconds is not None:
        return timedelta(seconds=1)
    return timedelta(minutes=1) if minutes is not None else timedelta(hours=1)


def looks_like_time(text: str) -> bool:
    """Tell whether a version reference is meant as a date (``2026-11-24``, ``2026-11-24T...``)."""
    text = text.strip()
    return bool(_DATE.match(text) or _DATE_TIME.match(text))


def normalize_time(value: str | datetime | None) -> str:
    """Turn a user-given time (or None for now) into the stored ISO 8601 UTC form."""
    if value is None:
        return now_iso()
    if isinstance(value, datetime):
        return to_iso(value)
    try:
        return to_iso(parse_time(value))
    except ValueError:
        raise TrackerError(f"not an ISO 8601 time: {value!r}") from None


def read_bound(value: str, *, end_of_day: bool) -> str:
    """One end of a time range as a stored timestamp; ValueError saying what is accepted if
    ``value`` is not a date or date-time (a bare date is its start, or with ``end_of_day`` its
    end). The command line checks its options with this as it reads them (a usage error)."""
    try:
        if not looks_like_time(value):
            raise ValueError(value)
        return to_iso(parse_time(value, end_of_day=end_of_day))
    except ValueError:
        raise ValueError(
            f"cannot read time {value!r}: use an ISO date (2026-11-24) or date-time"
            " (2026-11-24T18:02:11Z)"
        ) from None


def parse_bound(value: str | None, *, end_of_day: bool) -> str | None:
    """One end of a time range as a stored timestamp (None for none): :func:`read_bound`, its
    error a :class:`TrackerError`."""
    if value is None or not value.strip():
        return None
    try:
        return read_bound(value, end_of_day=end_of_day)
    except ValueError as error:
        raise TrackerError(str(error)) from None


def parse_window(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """A ``--since``/``--until`` range as stored times (either None: open); a TrackerError for
    one that ends before it starts (a typo would otherwise find nothing)."""
    low, high = parse_bound(since, end_of_day=False), parse_bound(until, end_of_day=True)
    if low is not None and high is not None and low > high:
        raise TrackerError(f"--until {until!r} is before --since {since!r}")
    return low, high


def sql_bound(value: str | None, end: int) -> str | None:
    """One end of a range typed into a canned query, as a stored time for SQL to compare with
    (``tracker_time_bound(:until, 1)``): :func:`read_bound`, ``end`` true for the upper end;
    None (matching nothing) when it cannot be read, and for none."""
    try:
        return read_bound(value, end_of_day=bool(end)) if value else None
    except ValueError:
        return None
