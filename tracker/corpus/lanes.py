"""A parallel import without the engine: the plan, the lanes' work, and the writer's pipeline.

A bulk import's records are read by one process, the writer, which also stores every version in
file order (one transaction, as a serial import does). What is worked out per document (splitting,
hashing, diffing: :func:`~tracker.history.prepare.prepare`) is independent between documents, so
it runs elsewhere, in *lanes*: every document belongs to one lane, and a lane is a chain of tasks,
one per chunk of records, each started from the lane's state after the one before (the last
version's paragraphs of each of its documents). The engine that runs the chains (Dask, in
:mod:`.cluster`) only has to honour that order; this module knows nothing of it.

- :class:`PlanTarget` walks the records ahead of the writer, with the importer's own code, and
  learns which document each text belongs to (renames, deletions, re-additions) and so its lane.
- :func:`prepare_lane` is the task: it prepares each text against the version before it and
  returns :class:`Hint` s (and the lane's new state).
- :func:`run_pipelined` keeps a few chunks in flight and applies each, in order, as its hints come
  back: the importer's code again, against the database, taking a hint only where the version
  before is the very one the worker used (:meth:`Hint.ready`). A plan that guessed
  wrong costs time (the writer prepares that version itself), never a different database.
"""

from __future__ import annotations

import io
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..history.prepare import Prepared, prepare, split_mode
from ..text.encoding import sha256_text

if TYPE_CHECKING:
    from ..models import Document, Version
    from ..store import Store

#: Text (in characters) planned per lane and chunk: a chunk holds about this times the lanes.
CHUNK_CHARS_PER_LANE = 1024 * 1024
#: ... but never more than this in one chunk, nor more records than this.
CHUNK_CHARS_MAX = 64 * 1024 * 1024
CHUNK_RECORDS_MAX = 20_000
#: Chunks in flight: planned and sent, not yet stored. The writer's memory is about this many
#: chunks of text, twice (the records, and the workers' results).
WINDOW = 3

C = TypeVar("C")


class Hint:
    """What a worker worked out for one text: its checksum and, unless it found the text
    unchanged, the version prepared in split ``mode`` against the version ``basis`` ((number,
    sha256) of the document's latest text version then; None for a first version).

    On the wire, the prepared version goes packed: every string in it that is also a paragraph
    of the version before (most of them, in a typical edit) is sent as its index there, since
    the writer has those paragraphs already.
    """

    __slots__ = ("sha256", "mode", "basis", "_prepared", "_previous", "_packed")

    def __init__(
        self,
        sha256: str,
        prepared: Prepared | None = None,
        mode: str | None = None,
        basis: tuple[int, str | None] | None = None,
        previous: Sequence[str] | None = None,
    ):
        self.sha256 = sha256
        self.mode = mode
        self.basis = basis
        self._prepared = prepared
        self._previous = previous
        self._packed: bytes | None = None

    def __reduce__(self) -> tuple:
        if self._packed is None and self._prepared is not None:
            self._packed = _pack(self._prepared, self._previous or ())
        return (_unpacked_hint, (self.sha256, self.mode, self.basis, self._packed))

    def ready(
        self, mode: str, previous: Version | None, paragraphs: Sequence[str] | None
    ) -> Prepared | None:
        """The prepared version if it was prepared against this very mode and previous version
        (whose ``paragraphs`` these are): :data:`tracker.history.writes.Ready`."""
        if mode != self.mode or (self._prepared is None and self._packed is None):
            return None
        basis = None if previous is None else (previous.version, previous.sha256)
        if basis != self.basis:
            return None
        if self._prepared is None:
            assert self._packed is not None
            self._prepared = _unpack(self._packed, paragraphs or ())
        return self._prepared


def _unpacked_hint(
    sha256: str, mode: str | None, basis: tuple | None, packed: bytes | None
) -> Hint:
    hint = Hint(sha256, None, mode, basis)
    hint._packed = packed
    return hint


class _Packer(pickle.Pickler):
    def __init__(self, out: io.BytesIO, previous: Sequence[str]):
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.index = {text: number for number, text in enumerate(previous)}

    def persistent_id(self, obj: object) -> int | None:
        return self.index.get(obj) if type(obj) is str else None  # type: ignore[call-overload]


class _Unpacker(pickle.Unpickler):
    def __init__(self, data: bytes, previous: Sequence[str]):
        super().__init__(io.BytesIO(data))
        self.previous = previous

    def persistent_load(self, pid: int) -> str:
        return self.previous[pid]


def _pack(prepared: Prepared, previous: Sequence[str]) -> bytes:
    """A prepared version pickled, the paragraphs of the version before by their index."""
    out = io.BytesIO()
    _Packer(out, previous).dump(prepared)
    return out.getvalue()


def _unpack(data: bytes, previous: Sequence[str]) -> Prepared:
    return _Unpacker(data, previous).load()


@dataclass(frozen=True)
class DocState:
    """What a lane keeps of one document between its tasks: its latest version and text."""

    mode: str
    number: int  # the latest version's number (a deletion is a version too)
    deleted: bool
    text_number: int  # the latest text version: number, checksum, paragraphs
    text_sha: str | None
    paragraphs: list[str] = field(repr=False)

    @property
    def latest_sha(self) -> str | None:
        return None if self.deleted else self.text_sha


#: What a lane's task returns: the hints by input position, and the lane's state after it.
LaneResult = tuple[dict[object, Hint], dict[int, DocState]]


@dataclass
class Batch:
    """One lane's operations for one chunk, in file order (an opaque object to the engine):

    ``("seed", doc, DocState)``: a document the database held before the import;
    ``("text", doc, key, text)``: a text from input position ``key``;
    ``("delete", doc)``: a deletion. ``doc`` numbers the planner's documents.
    """

    ops: list[tuple] = field(default_factory=list)
    split: str = "auto"  # how a new document is split (``--split``)


def prepare_lane(batch: Batch, before: LaneResult | None) -> LaneResult:
    """Prepare a lane's texts of one chunk, in order, from the lane's state after its previous
    chunk (``before``: that chunk's result, None for the first); return the hints and the new
    state. (Taking the whole result saves the engine a task per chunk to pick the state out.)"""
    docs = dict(before[1]) if before is not None else {}
    hints: dict[object, Hint] = {}
    for op in batch.ops:
        kind, number = op[0], op[1]
        doc = docs.get(number)
        if kind == "seed":
            docs[number] = op[2]
        elif kind == "delete":
            if doc is not None and not doc.deleted:
                docs[number] = replace(doc, number=doc.number + 1, deleted=True)
        else:
            _, _, key, text = op
            sha = sha256_text(text)
            if doc is not None and doc.latest_sha == sha:
                hints[key] = Hint(sha)  # unchanged: nothing to prepare
                continue
            if doc is None:
                mode, previous, basis, version = split_mode(text, batch.split), None, None, 1
            else:
                mode, previous = doc.mode, doc.paragraphs
                basis, version = (doc.text_number, doc.text_sha), doc.number + 1
            prepared = prepare(text, mode, previous, sha256=sha)
            hints[key] = Hint(sha, prepared, mode, basis, previous)
            docs[number] = DocState(mode, version, False, version, sha, prepared.paragraphs)
    return hints, docs


class _Planned:
    """What the planner's record returns: a version it expects (its checksum is not known)."""

    def __init__(self, sha256: object):
        self.sha256 = sha256


#: Stands for the checksum of a planned text in the planner's ``seen``: equal to none.
_PENDING = _Planned(object())
_DELETION = _Planned(None)


class _Document:
    """The planner's view of one document: its number, whether it is deleted, and for one the
    database held before the import, that record (its state goes with its first op)."""

    __slots__ = ("number", "deleted", "stored")

    def __init__(self, number: int, deleted: bool = False, stored: Document | None = None):
        self.number = number
        self.deleted = deleted
        self.stored = stored


class PlanTarget:
    """The planner: an import target that records nothing, but sorts texts into lanes.

    It knows what the database held before the import (looked up by name, the first time a name
    comes up: the writer, behind it, has not touched a name the planner has not seen) and what
    the records it walked did since: names, renames, deletions. Whether a text is unchanged
    depends on checksums, which the lanes work out (see :func:`prepare_lane`).
    """

    def __init__(self, store: Store, lanes: Callable[[], int]):
        self.store = store
        self._lanes = lanes
        self.lane_count = 0
        self.names: dict[str, _Document | None] = {}
        self.renames: set[tuple[str, str, str]] = set()
        self.count = 0
        self.ops: dict[int, list[tuple]] = {}
        self.chars = 0  # text planned into the current chunk
        self.split = "auto"

    def _lookup(self, name: str) -> _Document | None:
        if name not in self.names:
            stored = self.store.document(name)
            self.names[name] = None if stored is None else self._new(stored)
        return self.names[name]

    def _new(self, stored: Document | None = None) -> _Document:
        self.count += 1
        return _Document(self.count, stored is not None and stored.deleted, stored)

    def _emit(self, doc: _Document, op: tuple) -> None:
        if not self.lane_count:
            self.lane_count = max(1, self._lanes())
        ops = self.ops.setdefault(doc.number % self.lane_count, [])
        if doc.stored is not None:  # the first op of a document stored before: its state first
            ops.append(("seed", doc.number, self._stored_state(doc.stored)))
            doc.stored = None
        ops.append(op)

    def _stored_state(self, document: Document) -> DocState:
        """A stored document as it was before the import (the writer has not touched it yet)."""
        text = self.store.latest(document.id, text_only=True)
        assert text is not None and document.latest_version is not None
        return DocState(
            document.split_mode,
            document.latest_version,
            document.deleted,
            text.version,
            text.sha256,
            self.store.paragraph_texts(text.paragraph_ids),
        )

    def take(self) -> dict[int, Batch]:
        """The ops planned since the last call, by lane."""
        ops, self.ops, self.chars = self.ops, {}, 0
        return {lane: Batch(lane_ops, self.split) for lane, lane_ops in ops.items()}

    # -- the import target -------------------------------------------------------------------

    def tracked(self, name: str) -> bool:
        return self._lookup(name) is not None

    def live(self, name: str) -> bool:
        doc = self._lookup(name)
        return doc is not None and not doc.deleted

    def has_rename(self, old: str, new: str, at: str) -> bool:
        return (old, new, at) in self.renames or self.store.has_rename(old, new, at)

    def rename(self, old: str, new: str, at: str) -> None:
        self._lookup(new)
        self.names[new], self.names[old] = self._lookup(old), None
        self.renames.add((old, new, at))

    def checksum(self, key: object, text: str) -> str:
        return sha256_text(text)

    def record(
        self, name: str, text: str | None, at: str, *, note: str | None, split: str, key: object
    ) -> _Planned | None:
        self.split = split
        doc = self._lookup(name)
        if text is None:
            if doc is None or doc.deleted:
                return None
            self._emit(doc, ("delete", doc.number))
            doc.deleted = True
            return _DELETION
        if doc is None:
            doc = self.names[name] = self._new()
        self._emit(doc, ("text", doc.number, key, text))
        doc.deleted = False
        self.chars += len(text)
        return _PENDING

    def chunk_full(self, records: int) -> bool:
        """Whether the chunk being planned (``records`` records so far) is big enough to send."""
        limit = min(CHUNK_CHARS_MAX, CHUNK_CHARS_PER_LANE * max(1, self.lane_count))
        return self.chars >= limit or records >= CHUNK_RECORDS_MAX


class Pool(Protocol):
    """Runs lanes: each lane's batches in the order submitted, each on the lane's state."""

    def lanes(self) -> int:
        """How many lanes to spread documents over."""
        ...

    def submit(self, batches: dict[int, Batch]) -> object:
        """Start one chunk's batches (by lane); return a ticket for :meth:`results`."""
        ...

    def results(self, ticket: object) -> dict[object, Hint]:
        """Wait for a chunk's batches; their hints by input position."""
        ...


def run_pipelined(
    pool: Pool,
    planned: Iterator[tuple[C, dict[int, Batch]]],
    apply: Callable[[C, dict[object, Hint]], None],
    window: int | None = None,
) -> None:
    """Send each planned chunk to the pool as soon as it is planned, and ``apply`` the chunks in
    order as their hints come back, keeping at most ``window`` (:data:`WINDOW`) in flight."""
    window = window or WINDOW
    pending: deque[tuple[C, object]] = deque()
    for chunk, batches in planned:
        pending.append((chunk, pool.submit(batches)))
        if len(pending) >= window:
            done, ticket = pending.popleft()
            apply(done, pool.results(ticket))
    while pending:
        done, ticket = pending.popleft()
        apply(done, pool.results(ticket))
