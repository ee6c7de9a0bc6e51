"""Times as stored and as typed, and how counts read: hand-checked values on both sides."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracker.errors import TrackerError
from tracker.models import Version
from tracker.render.words import counts_text, plural, short_time
from tracker.times import (
    looks_like_time,
    normalize_time,
    now_iso,
    parse_bound,
    parse_time,
    to_iso,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    "moment,stored",
    [
        (datetime(2026, 11, 24, 18, 2, 11, 123456, UTC), "2026-11-24T18:02:11.123Z"),
        (datetime(2026, 11, 24, 18, 2, 11), "2026-11-24T18:02:11.000Z"),  # naive: UTC
        (
            datetime(2026, 11, 24, 19, 2, 11, tzinfo=timezone(timedelta(hours=1))),
            "2026-11-24T18:02:11.000Z",
        ),  # fmt: skip
    ],
)
def test_to_iso(moment, stored):
    assert to_iso(moment) == stored


def test_now_iso_is_utc_to_the_millisecond():
    before = datetime.now(UTC).replace(microsecond=0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", now_iso())
    assert parse_time(now_iso()) >= before


@pytest.mark.parametrize(
    "text,end_of_day,moment",
    [
        ("2026-11-24", False, datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026-11-24", True, datetime(2026, 11, 24, 23, 59, 59, 999999, UTC)),
        (" 2026-11-24 ", False, datetime(2026, 11, 24, tzinfo=UTC)),
        ("2026-11-24T18:02:11Z", True, datetime(2026, 11, 24, 18, 2, 11, 999999, UTC)),
        ("2026-11-24 18:02", True, datetime(2026, 11, 24, 18, 2, 59, 999999, UTC)),
        ("2026-11-24T18", True, datetime(2026, 11, 24, 18, 59, 59, 999999, UTC)),
        ("2026-11-24T18:02:11.5", True, datetime(2026, 11, 24, 18, 2, 11, 599999, UTC)),
        ("2026-11-24T18:02:11.250Z", True, datetime(2026, 11, 24, 18, 2, 11, 250999, UTC)),
        ("2026-11-24T18:02:11.250001", True, datetime(2026, 11, 24, 18, 2, 11, 250001, UTC)),
        ("2026-11-24T23:32+05:30", True, datetime(2026, 11, 24, 18, 2, 59, 999999, UTC)),
        ("9999-12-31T23:59:59", True, datetime(9999, 12, 31, 23, 59, 59, 999999, UTC)),
        ("2026-11-24T18:02:11z", False, datetime(2026, 11, 24, 18, 2, 11, tzinfo=UTC)),
        ("2026-11-24 18:02", False, datetime(2026, 11, 24, 18, 2, tzinfo=UTC)),
        ("2026-11-24T20:02:11+02:00", False, datetime(2026, 11, 24, 18, 2, 11, tzinfo=UTC)),
    ],
)
def test_parse_time(text, end_of_day, moment):
    parsed = parse_time(text, end_of_day=end_of_day)
    assert parsed == moment and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "2026-13-01",
        "2026-11-24T25:00",
        "",
        "0001-01-01T00:00:00+01:00",  # year 0 in UTC
        "9999-12-31T23:59:59-05:00",  # year 10000 in UTC
    ],
)
def test_parse_time_refuses(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    "text,is_time",
    [
        ("2026-11-24", True),
        ("2026-11-24T18:00", True),
        ("2026-11-24 18:00", True),
        (" 2026-11-24 ", True),
        ("2026-11-24x", False),
        ("2026-11-2", False),
        ("v3", False),
        ("latest~1", False),
        ("x2026-11-24", False),
    ],
)
def test_looks_like_time(text, is_time):
    assert looks_like_time(text) is is_time


def test_normalize_time():
    assert normalize_time("2026-11-24T20:02:11+02:00") == "2026-11-24T18:02:11.000Z"
    assert normalize_time("2026-11-24") == "2026-11-24T00:00:00.000Z"
    assert normalize_time(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000Z"
    assert parse_time(normalize_time(None)) <= datetime.now(UTC)
    with pytest.raises(TrackerError) as info:
        normalize_time("soon")
    assert str(info.value) == "not an ISO 8601 time: 'soon'"


@pytest.mark.parametrize(
    "value,end_of_day,bound",
    [
        ("2026-11-24", False, "2026-11-24T00:00:00.000Z"),
        ("2026-11-24", True, "2026-11-24T23:59:59.999Z"),
        ("2026-11-24T18:02:11Z", False, "2026-11-24T18:02:11.000Z"),
        ("2026-11-24T18:02:11Z", True, "2026-11-24T18:02:11.999Z"),
        ("2026-11-24 18:02", True, "2026-11-24T18:02:59.999Z"),
        ("2026-11-24T18:02:11.123", True, "2026-11-24T18:02:11.123Z"),
        ("2026-11-24T10:02:11-08:00", True, "2026-11-24T18:02:11.999Z"),
        (None, True, None),
        ("", False, None),
        ("   ", True, None),
    ],
)
def test_parse_bound(value, end_of_day, bound):
    assert parse_bound(value, end_of_day=end_of_day) == bound


@pytest.mark.parametrize("value", ["soon", "24/11/2026", "2026-11-31", "0001-01-01T00:00+01:00"])
def test_parse_bound_refuses(value):
    with pytest.raises(TrackerError) as info:
        parse_bound(value, end_of_day=False)
    assert str(info.value) == (
        f"cannot read time {value!r}: use an ISO date (2026-11-24) or date-time"
        " (2026-11-24T18:02:11Z)"
    )


# -- words -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count,words,text",
    [
        (1, ("version",), "1 version"),
        (0, ("version",), "0 versions"),
        (2, ("version",), "2 versions"),
        (1000, ("version",), "1,000 versions"),
        (1, ("match", "matches"), "1 match"),
        (3, ("match", "matches"), "3 matches"),
    ],
)
def test_plural(count, words, text):
    assert plural(count, *words) == text


def test_short_time():
    assert short_time("2026-11-24T18:02:11.123Z") == "2026-11-24 18:02:11"
    assert short_time(None) == "-"
    assert short_time("") == "-"


def version(number=2, deleted=False, **counts) -> Version:
    return Version("d", 1, number, "t", None, 0, counts.pop("paragraphs", 0), deleted, **counts)


@pytest.mark.parametrize(
    "made,text",
    [
        (version(deleted=True, added=1), "deleted"),
        (version(1, paragraphs=16), "new, 16 paragraphs"),
        (version(1, paragraphs=1), "new, 1 paragraph"),
        (version(1, paragraphs=3, removed=2), "+0 -2 ~0"),  # a first version after a deletion
        (version(2, added=1, removed=0, modified=2, moved=1), "+1 -0 ~2 moved 1"),
        (version(2, added=3), "+3 -0 ~0"),  # counts not known: zero, no "moved"
        (version(2, moved=0, added=1, removed=1, modified=1), "+1 -1 ~1"),
    ],
)
def test_counts_text(made, text):
    assert counts_text(made) == text


@pytest.fixture
def tokyo(monkeypatch):
    """The machine's local time zone nine hours from UTC (no summer time), for one test."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_now_iso_does_not_depend_on_the_local_time_zone(tokyo):
    stored = parse_time(now_iso())
    assert abs(stored - datetime.now(UTC)) < timedelta(minutes=10)


def test_naive_times_are_utc_whatever_the_local_time_zone(tokyo):
    assert to_iso(datetime(2026, 11, 24, 18, 2, 11)) == "2026-11-24T18:02:11.000Z"
    assert parse_time("2026-11-24T18:02") == datetime(2026, 11, 24, 18, 2, tzinfo=UTC)
    assert parse_time("2026-11-24T18:02").tzinfo == UTC
    assert normalize_time("2026-11-24 18:02:11") == "2026-11-24T18:02:11.000Z"
    assert parse_time("2026-11-24T20:02:11+02:00").tzinfo == UTC


def _history(path, *times: str) -> Path:
    """A JSONL history of one document, "doc", a version at each of ``times`` (v1, v2, ...)."""
    lines = [
        json.dumps({"doc": "doc", "text": f"text {k}\n", "at": at}) for k, at in enumerate(times, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_time_copied_from_the_log_is_an_upper_bound_that_holds_its_version(run, db, tmp_path):
    """`log` shows times to the second; typed back as --until or --at, such a time takes in the
    version shown with it, whatever its milliseconds (as a bare date takes in its whole day)."""
    history = _history(tmp_path / "h.jsonl", "2024-01-05T00:00:00Z", "2024-01-05T12:00:00.500Z")
    assert run("import", history, db=db).exit_code == 0
    log = run("log", "doc", db=db).output
    assert "v2  2024-01-05 12:00:00  " in log
    for typed in (
        "2024-01-05 12:00:00",
        "2024-01-05T12:00:00Z",
        "2024-01-05T12:00",
        "2024-01-05T04:00:00-08:00",
    ):
        assert run("show", "doc", "--at", typed, db=db).output == "text 2\n", typed
        until = run("timeline", "--until", typed, "--json", db=db).output
        assert [row["version"] for row in json.loads(until)] == [2, 1], typed
    assert run("show", "doc", "--at", "2024-01-05T12:00:00.499Z", db=db).output == "text 1\n"
    assert run("show", "doc", "--at", "2024-01-05T11:59:59", db=db).output == "text 1\n"
    since = run("timeline", "--since", "2024-01-05T12:00:00", "--json", db=db).output
    assert [row["version"] for row in json.loads(since)] == [2]


def test_a_diff_since_a_date_shows_the_changes_made_that_day(run, db, tmp_path):
    """`diff --since D --until D` runs from the text just before D to the text at its end: the
    changes `timeline --since D --until D` lists, no fewer (a date as the new end, or any
    version number, still names the version at or before it)."""
    times = ["2024-01-04T23:59:59.999Z", "2024-01-05T00:00:00Z", "2024-01-05T12:00:00.500Z"]
    times += ["2024-01-05T23:59:59.999Z", "2024-01-06T00:00:00Z"]
    assert run("import", _history(tmp_path / "h.jsonl", *times), db=db).exit_code == 0

    def ends(*args: str) -> tuple[int | None, int]:
        data = json.loads(run("diff", "doc", *args, "--format", "json", db=db).output)
        return (data["from"] or {}).get("version"), data["to"]["version"]

    listed = run("timeline", "--since", "2024-01-05", "--until", "2024-01-05", "--json", db=db)
    assert [row["version"] for row in json.loads(listed.output)] == [4, 3, 2]
    assert ends("--since", "2024-01-05", "--until", "2024-01-05") == (1, 4)
    assert ends("2024-01-05..2024-01-05") == (1, 4)
    assert ends("--since", "2024-01-05") == (1, 5)
    assert ends("--since", "2024-01-05T12:00:00.500Z") == (2, 5)
    assert ends("--since", "2024-01-05T07:00:00.501-05:00") == (3, 5)
    assert ends("2024-01-04..2024-01-04") == (None, 1)  # created that day: from nothing
    assert ends("--since", "v2", "--until", "2024-01-05") == (2, 4)


def test_import_keeps_times_to_the_millisecond_and_export_gives_them_back(run, db, tmp_path):
    """Digits past the millisecond are dropped, not rounded (23:59:59.9999 stays on its day);
    two times that then fall together keep their lines' order; an export imports to itself."""
    times = ["2024-02-29T23:59:59.9999+00:00", "2024-03-01T00:00:00.0009Z"]
    times += ["2024-03-01T00:00:00.0001Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999"]
    assert run("import", _history(tmp_path / "h.jsonl", *times), db=db).exit_code == 0
    exported = run("export", db=db).output
    assert [json.loads(line)["at"] for line in exported.splitlines()] == [
        "2024-02-29T23:59:59.999Z",
        "2024-03-01T00:00:00.000Z",
        "2024-03-01T00:00:00.000Z",
        "0001-01-01T00:00:00.000Z",  # backwards: kept, in the order recorded
        "9999-12-31T23:59:59.999Z",
    ]
    assert run("show", "doc", "--at", "2024-03-01T00:00:00.000Z", db=db).output == "text 3\n"
    again = tmp_path / "again.db"
    (tmp_path / "out.jsonl").write_text(exported, encoding="utf-8")
    assert run("import", tmp_path / "out.jsonl", db=again).exit_code == 0
    assert run("export", db=again).output == exported
