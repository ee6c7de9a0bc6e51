"""What an import must not add again: the versions it recorded, and those stored before it.

A record adds nothing when its very version (document, time, checksum) was recorded, or when
its text is the version the database already held at that time under that name: a record that
changed nothing the first time it was imported (its text was the latest then) must not become a
version when the same file is imported again, after later versions.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_right
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
    time (versions at the same time in the order they were recorded), as two compact arrays."""

    __slots__ = ("times", "shas")

    def __init__(self) -> None:
        self.times = array("q")
        self.shas = array("Q")

    def add(self, instant: int, sha: int) -> None:
        self.times.append(instant)
        self.shas.append(sha)

    def sort(self) -> None:
        """Put the versions in order of time (a stable sort: ties keep their order)."""
        times = self.times
        if all(times[i] <= times[i + 1] for i in range(len(times) - 1)):
            return
        order = sorted(range(len(times)), key=times.__getitem__)
        self.times = array("q", (times[i] for i in order))
        self.shas = array("Q", (self.shas[i] for i in order))

    def at(self, instant: int) -> int | None:
        """The checksum digest of the version in effect at ``instant`` (None: none yet)."""
        index = bisect_right(self.times, instant)
        return self.shas[index - 1] if index else None


class Seen:
    """The versions an import must not add again: (document, time) pairs and the checksum of
    each version recorded there, kept as 128-bit digests; and, for the versions stored before
    the import, each name's timeline.

    An import remembers every version it records (a record may repeat one later in the file),
    and a re-import every version already stored: as strings in sets that took about 630 bytes
    a version (733 MB for 10^6 versions); as two digests, about a quarter of that, and 16 bytes
    more a stored version for its timeline. A false match needs a 128-bit collision (64-bit for
    a timeline's checksum).
    """

    def __init__(self) -> None:
        self._places: set[int] = set()
        self._versions: set[int] = set()
        self._timelines: dict[int, _Timeline] = {}

    def add(self, doc: str, at: str, sha256: str | None) -> None:
        """Remember a version of ``doc`` recorded at ``at`` (``sha256`` None: a deletion)."""
        self._places.add(_digest(doc, at))
        self._versions.add(_digest(doc, at, sha256))

    def add_stored(self, doc: str, at: str, sha256: str | None) -> None:
        """Remember a version stored before the import, under a name it has or had; versions
        of one name come in the order they were recorded. Call :meth:`ready` after the last."""
        self.add(doc, at, sha256)
        timeline = self._timelines.setdefault(_digest(doc), _Timeline())
        timeline.add(_instant(at), _digest(sha256, size=8))

    def ready(self) -> Seen:
        """Sort the timelines once every stored version is in."""
        for timeline in self._timelines.values():
            timeline.sort()
        return self

    def has_place(self, doc: str, at: str) -> bool:
        """Whether any version of ``doc`` was recorded at ``at`` (no checksum needed to ask)."""
        return _digest(doc, at) in self._places

    def has(self, doc: str, at: str, sha256: str | None) -> bool:
        """Whether this very version was recorded."""
        return _digest(doc, at, sha256) in self._versions

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
