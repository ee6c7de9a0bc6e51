"""One attribution step, its passes in order: :func:`step`, and :func:`replay` for a history.

This module reads the paragraph diff and carries over what it can at the paragraph level; the
sentence, token and copy levels are in :mod:`.matching`, :mod:`.tokens`, :mod:`.edits` and
:mod:`.copies`, in the order they run (the package docstring tells the whole algorithm).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from .copies import CopySearch
from .edits import diff_leftovers, match_moves
from .matching import SentenceMatch
from .memory import Memory
from .runs import Runs, char_classes, count_range, count_tokens, join_runs, with_ends
from .state import State
from .tokens import Spans, cut_spans


class ChangeLike(Protocol):
    """What :func:`step` reads of a paragraph change (:class:`tracker.text.diff.Change` fits, and
    so does a row of the store's changes table): the old and new paragraph indexes."""

    old: int | None
    new: int | None


def step(
    state: State,
    old_paragraphs: Sequence[str],
    new_paragraphs: Sequence[str],
    version: int,
    changes: Iterable[ChangeLike] | None = None,
) -> tuple[State, list[Runs]]:
    """Attribute ``new_paragraphs`` (version ``version``) given the previous version's state.

    ``old_paragraphs`` are the paragraphs ``state`` was computed for (``State()`` and ``[]``
    for a document's first version). ``changes`` is the paragraph diff of old to new (from
    :func:`~tracker.text.diff.diff_paragraphs`, ``inline=False`` is enough), reused when the
    caller has it; when None it is computed. Only ``old``/``new`` indexes are read, and
    ``equal`` changes may be left out (as the store's changes table does): paragraphs no change
    mentions are paired in order, old with new, and compared by text.

    Returns the new state and the runs of each new paragraph. The inputs are not modified
    (``state`` only hands its transient copy-search index on to the new state). Raises
    ValueError when the state does not match ``old_paragraphs`` or the version does not increase.
    """
    if type(version) is not int or version <= state.version:
        raise ValueError(f"version {version!r} must be an int above the state's {state.version}")
    if len(state.runs) != len(old_paragraphs) or sum(map(len, old_paragraphs)) != state.chars:
        raise ValueError("the state was not computed for these old paragraphs")
    if changes is None:
        if old_paragraphs:
            from ..diff import diff_paragraphs

            changes = diff_paragraphs(old_paragraphs, new_paragraphs, inline=False)
        else:
            changes = [_Insert(j) for j in range(len(new_paragraphs))]
    return _attribute(state, old_paragraphs, new_paragraphs, version, changes)


@dataclass(frozen=True)
class _Insert:
    new: int
    old: None = None


def replay(
    versions: Iterable[tuple[int, Sequence[str]]], state: State | None = None
) -> Iterator[tuple[State, list[Runs]]]:
    """Attribute a history of ``(version, paragraphs)`` in order, yielding each step's result.

    For tests, benchmarks and rebuilding a lost state; a store records one :func:`step` a time.
    """
    state = state or State()
    old: Sequence[str] = []
    for version, paragraphs in versions:
        state, runs = step(state, old, paragraphs, version)
        old = paragraphs
        yield state, runs


def _attribute(
    state: State,
    old: Sequence[str],
    new: Sequence[str],
    version: int,
    changes: Iterable[ChangeLike],
) -> tuple[State, list[Runs]]:
    """The work of one :func:`step`; see the package docstring for the passes."""
    runs = state.runs
    grams = state.take_index()  # the index moves on with the new state (rebuilt if ever needed)
    new_runs, pair, changed_old = _read_changes(old, new, runs, changes)
    memory = Memory(state.memory)
    copies = CopySearch(old, runs, grams)
    found = SentenceMatch(old, runs, pair, memory)
    todo = [j for j, r in enumerate(new_runs) if r is None]  # not carried over
    first_of: dict[str, int] = {}
    twins: list[tuple[int, int]] = []  # a paragraph and an earlier one with the same text
    for j in todo:
        text = new[j]
        twin = first_of.setdefault(text, j)
        if twin != j:
            twins.append((j, twin))
            continue
        if not old and not memory:  # nothing to compare with: all of it is new
            count = count_tokens(text)
            new_runs[j] = [[count, version]] if count else []
            continue
        if text in old:  # a copy of a whole paragraph of the previous version
            new_runs[j] = runs[old.index(text)]
            continue
        k = char_classes(text)
        if not text.strip():  # whitespace only
            new_runs[j] = [[1, version]] if text else []
            continue
        if memory:  # a paragraph put back
            total = count_range(k, 0, len(text))[0]
            lead = 1 if k[0] == "s" else 0
            trail = 1 if k[-1] == "s" else 0
            core = memory.recall(" ".join(text.split()), total - lead - trail)
            if core is not None:
                new_runs[j] = with_ends(core, lead, trail)
                continue
        found.add_new(j, text, k)
    found.add_old(changed_old)
    if found.texts:
        if found.otexts or memory:
            found.match()
        spans = cut_spans(found)
        if spans.new:
            if spans.old:
                diff_leftovers(spans, pair.items())
                match_moves(spans, pair, found.sources)
                diff_leftovers(
                    spans, ((j, i) for j, olds in found.sources.items() for i in sorted(olds))
                )
            if old:
                copies.match(spans.new.values())
        for j in found.texts:
            new_runs[j] = _joined(found, spans, j, version)
    for j, twin in twins:  # the same text gets the same runs within a version
        new_runs[j] = new_runs[twin]
    if changed_old:
        found.remember_removed()
        memory.forget_oldest()
    if copies.grams is not None:
        edited = {j: (t.lo, t.hi) for j, t in found.texts.items() if j in found.trimmed}
        copies.update_index(new, todo, edited)
    new_state = State(
        version=version,
        chars=sum(map(len, new)),
        runs=new_runs,  # type: ignore[arg-type]  # every entry is set by now
        memory=memory.entries,
    )
    new_state.keep_index(copies.grams)
    return new_state, list(new_state.runs)


def _read_changes(
    old: Sequence[str], new: Sequence[str], runs: list[Runs], changes: Iterable[ChangeLike]
) -> tuple[list[Runs | None], dict[int, int], list[int]]:
    """Carry over the runs of the paragraphs that kept their text; pair the edited ones.

    Returns the new paragraphs' runs (None where still to attribute), the pairs (changed new
    paragraph -> its old paragraph) and the old paragraphs not carried over verbatim, sorted.
    """
    new_runs: list[Runs | None] = [None] * len(new)
    pair: dict[int, int] = {}
    changed_old: list[int] = []
    seen_old = bytearray(len(old))
    seen_new = bytearray(len(new))
    ch = None
    try:
        for ch in changes:
            i, j = ch.old, ch.new
            if j is None:
                if i < 0 or seen_old[i]:  # type: ignore[operator,index]
                    raise IndexError
                seen_old[i] = 1  # type: ignore[index]
                changed_old.append(i)  # type: ignore[arg-type]
                continue
            if j < 0 or seen_new[j]:
                raise IndexError
            seen_new[j] = 1
            if i is not None:
                if i < 0 or seen_old[i]:
                    raise IndexError
                seen_old[i] = 1
                if old[i] == new[j]:
                    new_runs[j] = runs[i]  # equal, or moved unedited: runs unchanged
                else:
                    pair[j] = i
                    changed_old.append(i)
    except (IndexError, TypeError):
        raise ValueError(f"bad or repeated paragraph index in change {ch!r}") from None
    if seen_new.count(0):
        # paragraphs the changes leave out (a store keeps no "equal" rows): pair them in
        # order, as the diff aligns equal paragraphs; a pair whose texts differ is an edit
        left_old = [i for i, seen in enumerate(seen_old) if not seen]
        left_new = [j for j, seen in enumerate(seen_new) if not seen]
        for i, j in zip(left_old, left_new):
            seen_old[i] = 1
            if old[i] == new[j]:
                new_runs[j] = runs[i]
            else:
                pair[j] = i
                changed_old.append(i)
    if seen_old.count(0):  # an old paragraph the changes do not mention: deleted
        changed_old.extend(i for i, seen in enumerate(seen_old) if not seen)
    changed_old.sort()
    return new_runs, pair, changed_old


def _joined(found: SentenceMatch, spans: Spans, j: int, version: int) -> Runs:
    """The runs of changed new paragraph j, put together: its shared head, its sentences found
    whole, its span (with the runs cut off its ends), its shared tail."""
    t = found.texts[j]
    sruns = found.sruns[j]
    span = spans.sentences.get(j)
    if span is None:
        parts = sruns
    else:
        k1, k2 = span
        head_cut, tail_cut = spans.cut_runs.get(j, ([], []))
        middle = [head_cut, spans.new[j].runs(version), tail_cut]
        parts = sruns[:k1] + middle + sruns[k2 + 1 :]
    head_runs, tail_runs = found.trimmed.get(j, ([], []))
    joined = join_runs([head_runs, *parts, tail_runs])  # type: ignore[list-item]
    if t.lead:
        joined[0][0] += 1
    return joined
