"""Who wrote each word: every token of a version attributed to the version that introduced it.

The rules are WikiWho's (:mod:`tracker.text.provenance`). The attribution of a document is worked
out the first time somebody asks, by replaying its versions from the changes stored when each was
recorded (no re-diffing), and kept: the runs of each changed paragraph on its change row, and the
state to resume from in ``word_origins``. Later asks only catch up on the versions recorded since.
Recording stays as fast as before; only documents somebody blames pay, once.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import refs
from ..models import Version, WordBlame
from .trace import lineages_of

if TYPE_CHECKING:
    from .reads import Reads

#: What the attribution step reads of a stored change: its old and new paragraph indexes.
_Pair = namedtuple("_Pair", "old new")

#: Changes that give a paragraph its text (an unedited move keeps its words' origins).
_TEXT_OPS = ("insert", "modify")

#: The runs worked out on a read-only database (the web's), which cannot keep them: the last
#: few, in memory, by the database, document and every version up to the one asked (number and
#: checksum), so that a page visited again is not worked out again, and one changed since is.
_WORKED_OUT: OrderedDict[tuple, list] = OrderedDict()
_WORKED_OUT_SIZE = 32
_WORKED_OUT_LOCK = threading.Lock()


def word_blame(history: Reads, doc: str, at: str | int = "latest") -> WordBlame:
    """The text of a version of ``doc`` with every token attributed to the version that first
    introduced it; joining a paragraph's tokens gives its exact text."""
    document = history.document(doc)
    versions = history.store.versions(document.id)
    target = refs.resolve_version(at, versions, document.name)
    if target.deleted:
        raise refs.deletion_has_no_text(target, versions, document.name)
    texts = history.paragraphs(target)
    saved = history.store.word_state(document.id)
    if history.store.read_only and (saved is None or saved[0] < target.version):
        runs = _worked_out(history, document.id, versions, target.version)
    else:
        if not history.store.read_only:
            catch_up(history, document.id, versions)
        lineages = lineages_of(target)
        stored = history.store.lineage_origins(document.id, target.version, lineages)
        runs = [json.loads(stored[lineage]) for lineage in lineages]
    from ..text.provenance import runs_to_tokens

    return WordBlame(
        doc=document.name,
        version=target,
        paragraphs=[runs_to_tokens(text, r) for text, r in zip(texts, runs)],
        versions=versions,
    )


def _worked_out(history: Reads, document_id: int, versions: list[Version], upto: int) -> list:
    """The runs of version ``upto`` on a read-only database: worked out up to it (nothing can
    be kept in the database), or as worked out by an earlier ask."""
    key = (
        str(history.store.path),
        document_id,
        tuple((v.version, v.sha256) for v in versions if v.version <= upto),
    )
    with _WORKED_OUT_LOCK:
        runs = _WORKED_OUT.get(key)
        if runs is not None:
            _WORKED_OUT.move_to_end(key)
            return runs
    *_, (_, _, runs, _) = _attribute(history, document_id, versions, upto)
    with _WORKED_OUT_LOCK:
        _WORKED_OUT[key] = runs
        while len(_WORKED_OUT) > _WORKED_OUT_SIZE:
            _WORKED_OUT.popitem(last=False)
    return runs


def catch_up(history: Reads, document_id: int, versions: list[Version]) -> int:
    """Attribute the document's versions not attributed yet and store their runs; return how
    many versions that took (0 when it is up to date)."""
    store = history.store
    latest_text = max((v.version for v in versions if not v.deleted), default=0)
    saved = store.word_state(document_id)
    if saved is not None and saved[0] >= latest_text:
        return 0
    done = 0
    last = None
    updates: list[tuple[str, int]] = []
    with store.transaction():
        for version, state, runs, rows in _attribute(history, document_id, versions, latest_text):
            for change_id, op, _, new, edited in rows:
                if new is not None and (op in _TEXT_OPS or edited):
                    updates.append((json.dumps(runs[new], separators=(",", ":")), change_id))
            last = (version.version, state)
            done += 1
        assert last is not None
        store.set_origins(updates)
        store.save_word_state(
            document_id, last[0], json.dumps(last[1].to_json(), separators=(",", ":"))
        )
    return done


def _attribute(
    history: Reads, document_id: int, versions: list[Version], upto: int
) -> Iterator[tuple[Version, object, list, list[tuple]]]:
    """Attribute the text versions after the stored state, up to version ``upto``; yield each
    version with the state after it, the runs of its paragraphs and its stored change rows."""
    from ..text.provenance import State, step

    store = history.store
    saved = store.word_state(document_id)
    state = State.from_json(json.loads(saved[1])) if saved else State()
    start = saved[0] if saved and saved[0] <= upto else 0
    if not start:
        state = State()
    by_number = {v.version: v for v in versions}
    old = history.paragraphs(by_number[start]) if start else []
    rows: dict[int, list[tuple]] = {}
    for number, change_id, op, old_index, new_index, edited in store.changes_after(
        document_id, start
    ):
        if number <= upto:
            rows.setdefault(number, []).append((change_id, op, old_index, new_index, edited))
    for version in versions:
        if version.deleted or version.version <= start or version.version > upto:
            continue
        new = history.paragraphs(version)
        found = rows.get(version.version, [])
        pairs = [_Pair(old_index, new_index) for _, _, old_index, new_index, _ in found]
        state, runs = step(state, old, new, version.version, pairs)
        yield version, state, runs, found
        old = new
