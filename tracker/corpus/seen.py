"""What an import must not add again: the versions stored before it, and the versions it
recorded itself.

A record adds nothing when it is the version stored at its place in the document's history: the
k-th record of the document at that time (k-th among its records, for one without a time) is
the k-th version stored there, with the same checksum. Places, not bare (document, time,
checksum) triples: a document may go back to an earlier text at the same time (two commits in
one second, the second a revert), and that version must be imported too. A record also adds
nothing when its text is the version the database held at that time under that name (a record
that changed nothing when it was first imported must not become a version when the same file
is imported again, after later versions), or when it repeats, further back in time, a version
this import recorded (a line repeated later in the file).
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, timezone

from ..history import History
from ..models import name_at

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def _digest(*parts: str | None, size: int = 16) -> int:
    """``size`` bytes of BLAKE2b of the parts (their ``repr``, so that no two tuples read
    alike), as an integer."""
    data = repr(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=size).digest(), "big")


def _instant(at: str) -> int:
    """Microseconds since 1970 of an ISO 8601 time (as recorded: with its offset, or UTC)."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // _MICROSECOND


class _Timeline:
    """The stored versions under one name: their times and 64-bit checksum digests, in order of
    time (versions at the same time in the order they were recorded), as two compact arrays;
    and the digests in the order they were recorded, when that is another order."""

    __slots__ = ("times", "shas", "recorded")

    def __init__(self) -> None:
        self.times = array("q")
        self.shas = array("Q")
        self.recorded = self.shas

    def add(self, instant: int, sha: int) -> None:
        self.times.append(instant)
        self.shas.append(sha)

    def sort(self) -> None:
        """Put the versions in order of time (a stable sort: ties keep their order)."""
        times = self.times
        if all(times[i] <= times[i + 1] for i in range(len(times) - 1)):
            return
        order = sorted(range(len(times)), key=times.__getitem__)
        self.recorded = self.shas
        self.times = array("q", (times[i] for i in order))
        self.shas = array("Q", (self.shas[i] for i in order))

    def at(self, instant: int) -> int | None:
        """The checksum digest of the version in effect at ``instant`` (None: none yet)."""
        index = bisect_right(self.times, instant)
        return self.shas[index - 1] if index else None

    def is_at(self, instant: int, k: int, sha: int) -> bool:
        """Whether the k-th version stored at exactly ``instant`` has this checksum digest."""
        index = bisect_left(self.times, instant) + k
        return index < len(self.times) and self.times[index] == instant and self.shas[index] == sha

    def is_kth(self, k: int, sha: int) -> bool:
        """Whether the k-th version stored (in the order recorded) has this checksum digest."""
        return k < len(self.recorded) and self.recorded[k] == sha


class Seen:
    """What an import must not add again: each name's stored timeline (16 bytes a version
    stored before the import), and the versions this import recorded, as 128-bit digests.

    A record is looked up once, with :meth:`already`, which also counts it (its place among the
    document's records); a version recorded is told with :meth:`add`. A false match needs a
    64-bit collision of checksums under one name (128-bit for this import's own versions).
    """

    def __init__(self) -> None:
        self._versions: set[int] = set()  # (doc, time, checksum) recorded by this import
        self._latest: dict[int, int] = {}  # doc -> latest time this import recorded it at
        self._timelines: dict[int, _Timeline] = {}
        self._runs: dict[int, tuple[str, int]] = {}  # doc -> last record's time, and its k
        self._counts: dict[int, int] = {}  # doc -> records of it so far

    def add(self, doc: str, at: str, sha256: str | None) -> None:
        """Remember a version of ``doc`` this import recorded at ``at`` (None: a deletion)."""
        self._versions.add(_digest(doc, at, sha256))
        key = _digest(doc)
        instant = _instant(at)
        if instant > self._latest.get(key, instant - 1):
            self._latest[key] = instant

    def add_stored(self, doc: str, at: str, sha256: str | None) -> None:
        """Remember a version stored before the import, under a name it has or had; versions
        of one name come in the order they were recorded. Call :meth:`ready` after the last."""
        timeline = self._timelines.setdefault(_digest(doc), _Timeline())
        timeline.add(_instant(at), _digest(sha256, size=8))

    def ready(self) -> Seen:
        """Sort the timelines once every stored version is in."""
        for timeline in self._timelines.values():
            timeline.sort()
        return self

    def already(self, doc: str, at: str, sha256: str | None, *, timed: bool = True) -> bool:
        """Whether the next record, a version of ``doc`` at ``at`` (the import's time for one
        without a time: ``timed`` False) with this checksum, adds nothing. Call it once for
        every version record, in the file's order: it counts the record's place."""
        key = _digest(doc)
        run = self._runs.get(key)
        k = run[1] + 1 if run is not None and run[0] == at else 0
        self._runs[key] = (at, k)
        n = self._counts.get(key, 0)
        self._counts[key] = n + 1
        timeline = self._timelines.get(key)
        if timeline is not None:
            sha = _digest(sha256, size=8)
            if timeline.is_at(_instant(at), k, sha) if timed else timeline.is_kth(n, sha):
                return True  # the version stored at this place
            if key not in self._latest and self.stored_then(doc, at, sha256):
                return True  # the version in effect then, and this import changed nothing yet
        latest = self._latest.get(key)
        return (
            latest is not None
            and _instant(at) < latest
            and _digest(doc, at, sha256) in self._versions
        )

    def stored_then(self, doc: str, at: str, sha256: str | None) -> bool:
        """Whether the version of ``doc`` in effect at ``at``, among those stored before the
        import, has this checksum (None: is a deletion)."""
        timeline = self._timelines.get(_digest(doc))
        if timeline is None:
            return False
        return timeline.at(_instant(at)) == _digest(sha256, size=8)


def recorded(history: History) -> Seen:
    """The versions already recorded, each under its (document, time) and checksum.

    Each version is known under the document's present name and under its name at the time
    (an export names every version as it was then, renames in between).
    """
    renames = history.store.all_renames()
    seen = Seen()
    for document_id, name, number, at, sha in history.store.recorded_times():
        then = name_at(renames.get(document_id, []), number, name)
        for known in {name, then}:
            seen.add_stored(known, at, sha)
    return seen.ready()
