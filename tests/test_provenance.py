"""Word-level provenance: hand-made cases, a property test, and accuracy against known truth.

The accuracy test generates edit histories in which every word is written once ("w000123"), so
the version that introduced each word is known exactly, and checks that at least 99% of the words
of every version are attributed to it.
"""

from __future__ import annotations

import copy
import json
import random
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.text.diff import diff_paragraphs
from tracker.text.paragraphs import join, split
from tracker.text.provenance import (
    MEMORY_LIMIT,
    MIN_COPY_WORDS,
    State,
    check_runs,
    count_tokens,
    origins_to_runs,
    replay,
    runs_to_origins,
    runs_to_tokens,
    spans,
    step,
    tokenize,
    tokens_to_runs,
)


def attribute(versions: list[list[str]]) -> list[list[list[tuple[str, int]]]]:
    """Token origins of every paragraph of every version (versions numbered from 1)."""
    out = []
    for paragraphs, (_, runs) in zip(versions, replay(enumerate(versions, start=1))):
        out.append([runs_to_tokens(p, r) for p, r in zip(paragraphs, runs)])
    return out


def word_origins(tokens: list[tuple[str, int]]) -> dict[str, int]:
    return {t: v for t, v in tokens if re.fullmatch(r"\w+", t)}


# --------------------------------------------------------------------------- tokens and runs


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "Hello, world!",
        "  indented\n\tcode();  ",
        "état d'âme — ok",
        "a\r\nb",
        "x_y 3.14",
    ],
)
def test_tokenize_joins_back(text):
    assert "".join(tokenize(text)) == text


def test_tokens_are_words_whitespace_or_single_marks():
    assert tokenize("Don't  stop.\n") == ["Don", "'", "t", "  ", "stop", ".", "\n"]


@given(st.text() | st.text(alphabet=st.sampled_from(list("ab_1 .,\t\n\x1f\x00é—")), max_size=40))
def test_count_tokens_matches_tokenize(text):
    assert count_tokens(text) == len(tokenize(text))


def test_runs_roundtrip():
    tokens = [("a", 1), (" ", 1), ("b", 3), (".", 3)]
    runs = tokens_to_runs(tokens)
    assert runs == [[2, 1], [2, 3]]
    assert runs_to_tokens("a b.", runs) == tokens
    assert runs_to_origins(runs) == [1, 1, 3, 3]
    assert origins_to_runs([1, 1, 3, 3]) == runs
    assert spans("a b.", runs) == [("a ", 1), ("b.", 3)]


@pytest.mark.parametrize(
    "runs",
    [
        [[3, 1]],  # too few tokens
        [[5, 1]],  # too many
        [[2, 1], [2, 1]],  # not compact
        [[0, 1], [4, 1]],
        [[4, 0]],
        [[4]],
        [(4, 1)],
        [[4.0, 1]],
        "[[4,1]]",
    ],
)
def test_runs_that_do_not_fit_the_text_are_errors(runs):
    with pytest.raises(ValueError):
        runs_to_tokens("a b.", runs)


def test_check_runs_accepts_empty_paragraph():
    check_runs([], 0)
    assert runs_to_tokens("", []) == []


# --------------------------------------------------------------------------- hand-made cases

P1 = "Alpha beta gamma delta. Epsilon zeta eta theta."
P2 = "Iota kappa lambda mu. Nu xi omicron pi."
P3 = "Rho sigma tau upsilon. Phi chi psi omega."


def test_first_version_is_all_its_own():
    [v1] = attribute([[P1, P2]])
    assert {v for para in v1 for _, v in para} == {1}


def test_paragraph_deleted_then_restored_keeps_its_original_version():
    versions = [
        [P1, P2],
        [P1, P2, P3],
        [P1, P3],  # v3: P2 deleted
        [P1, P3, "Something else entirely here."],
        [P1, P2, P3, "Something else entirely here."],  # v5: P2 put back word for word
    ]
    last = attribute(versions)[-1]
    assert {v for _, v in last[1]} == {1}
    assert {v for _, v in last[2]} == {2}
    assert {v for _, v in last[3]} == {4}


def test_paragraph_restored_with_other_whitespace_is_still_restored():
    wrapped = "Iota kappa lambda mu.\nNu xi omicron pi."
    last = attribute([[P1, P2], [P1], [P1, wrapped]])[-1]
    assert {v for _, v in last[1]} == {1}


def test_sentence_removed_then_put_back():
    versions = [
        [P1],
        ["Alpha beta gamma delta."],
        ["Alpha beta gamma delta. Fresh words arrive."],
        ["Alpha beta gamma delta. Epsilon zeta eta theta. Fresh words arrive."],
    ]
    origins = word_origins(attribute(versions)[-1][0])
    assert origins == {
        "Alpha": 1,
        "beta": 1,
        "gamma": 1,
        "delta": 1,
        "Epsilon": 1,
        "zeta": 1,
        "eta": 1,
        "theta": 1,
        "Fresh": 3,
        "words": 3,
        "arrive": 3,
    }


def test_revert_of_an_edit_restores_the_original_words():
    edited = "Alpha beta VANDAL delta. Epsilon zeta eta theta."
    last = attribute([[P1, P2], [P1.replace("gamma", "VANDAL"), P2], [P1, P2]])[-1]
    assert edited != P1
    assert {v for _, v in last[0]} == {1}


def test_paragraph_moved_and_edited():
    moved = "Iota kappa lambda NEW mu. Nu xi omicron pi."
    last = attribute([[P1, P2, P3], [moved, P1, P3]])[-1]
    origins = word_origins(last[0])
    assert origins.pop("NEW") == 2
    assert set(origins.values()) == {1}
    assert {v for _, v in last[1]} == {1}


def test_paragraph_split_and_merged():
    split_versions = [[P1, P2], ["Alpha beta gamma delta.", "Epsilon zeta eta theta.", P2]]
    last = attribute(split_versions)[-1]
    assert {v for para in last for _, v in para} == {1}
    merged_versions = [[P1, P2], [P1 + " " + P2]]
    assert {v for _, v in attribute(merged_versions)[-1][0]} == {1}


def test_split_in_the_middle_of_a_sentence():
    versions = [[P1], ["Alpha beta gamma", "delta. Epsilon zeta eta theta."]]
    last = attribute(versions)[-1]
    assert {v for para in last for t, v in para if t.strip()} == {1}


def test_copy_keeps_origin_of_its_source_only_when_long_enough():
    versions = [
        [P1, P2],
        [P1, P2 + " Then Alpha beta gamma delta again."],  # a 4-word run: copied
        [P1, P2 + " Then Alpha beta gamma delta again. And theta too."],  # 1 word: written
    ]
    v2, v3 = attribute(versions)[1:]
    origins = word_origins(v2[1])
    assert [origins[w] for w in ("Then", "Alpha", "beta", "gamma", "delta", "again")] == [
        2,
        1,
        1,
        1,
        1,
        2,
    ]
    assert word_origins(v3[1])["too"] == 3
    assert word_origins(v3[1])["theta"] == 3
    assert MIN_COPY_WORDS == 4


def test_three_words_are_not_a_copy():
    versions = [[P1], [P1, "Now Alpha beta gamma."]]
    assert set(word_origins(attribute(versions)[-1][1]).values()) == {2}


def test_whitespace_follows_the_word_before_it():
    last = attribute([["one two"], ["one two three"], ["  zero one two three"]])[-1][0]
    assert last == [
        ("  ", 3),
        ("zero", 3),
        (" ", 3),
        ("one", 1),
        (" ", 1),
        ("two", 1),
        (" ", 1),
        ("three", 2),
    ]


def test_rewrapping_changes_nobody_s_words():
    wrapped = textwrap.fill(P1 + " " + P2, 20)
    last = attribute([[P1 + " " + P2], [wrapped]])[-1][0]
    assert {v for _, v in last} == {1}


def test_paragraphs_without_words():
    versions = [["* * *", "----"], ["----", "* * *", "* * *"], ["::"]]
    out = attribute(versions)
    assert [{v for _, v in p} for p in out[1]] == [{1}, {1}, {1}]
    assert {v for _, v in out[2][0]} == {3}


def test_equal_paragraphs_share_their_runs_unchanged():
    state, runs1 = step(State(), [], [P1, P2], 1)
    state, runs2 = step(state, [P1, P2], [P2, "new one", P1], 2)
    assert runs2[0] is runs1[1] and runs2[2] is runs1[0]


def test_step_rejects_a_state_for_other_paragraphs():
    state, _ = step(State(), [], [P1], 1)
    with pytest.raises(ValueError):
        step(state, [P2 + "x"], [P1], 2)
    with pytest.raises(ValueError):
        step(state, [P1], [P1], 1)  # versions must increase
    with pytest.raises(ValueError):
        step(state, [P1], [P1, P1], 2, changes=diff_paragraphs([P1, P1], [P1, P1]))


def test_changes_passed_in_give_the_same_result():
    old, new = [P1, P2, P3], [P3, P1.replace("beta", "BETA"), "fresh text here"]
    state, _ = step(State(), [], old, 1)
    with_changes = step(state, old, new, 2, changes=diff_paragraphs(old, new, inline=False))
    assert with_changes == step(state, old, new, 2)


def test_changes_without_equal_rows_give_the_same_result():
    """A store keeps only the changed paragraphs; the equal ones are paired back in order."""
    history = History(random.Random(5)).run(30)
    state_full = state_part = State()
    old: list[str] = []
    for number, paragraphs in enumerate(history, start=1):
        changes = diff_paragraphs(old, paragraphs, inline=False) if old else []
        if not old:
            changes = None
        state_full, full = step(state_full, old, paragraphs, number, changes)
        stored = [c for c in changes or [] if c.op != "equal"] if old else None
        state_part, part = step(state_part, old, paragraphs, number, stored)
        assert part == full
        old = paragraphs


def test_state_json_roundtrip_continues_identically():
    versions = [[P1, P2], [P2, P3], [P1, P3], [P3]]
    direct = [runs for _, runs in replay(enumerate(versions, start=1))]
    state, old, via_json = State(), [], []
    for number, paragraphs in enumerate(versions, start=1):
        state, runs = step(state, old, paragraphs, number)
        via_json.append(runs)
        state = State.from_json(json.loads(json.dumps(state.to_json())))
        old = paragraphs
    assert via_json == direct
    data = state.to_json()
    assert set(data) == {"format", "version", "chars", "runs", "memory"}
    assert data["version"] == 4 and data["chars"] == len(P3)
    with pytest.raises(ValueError):
        State.from_json({**data, "format": 99})
    with pytest.raises(ValueError):
        State.from_json({**data, "memory": [["k", [[0, 1]]]]})


def test_memory_is_bounded(monkeypatch):
    from tracker.text.provenance import memory  # where the limit is read

    monkeypatch.setattr(memory, "MEMORY_LIMIT", 10)
    versions = [[f"Word{k} alpha{k} beta{k}. Gamma{k} delta{k}."] for k in range(30)]
    states = [s for s, _ in replay(enumerate(versions, start=1))]
    assert max(len(s.memory) for s in states) == 10
    assert MEMORY_LIMIT >= 1000


# --------------------------------------------------------------------------- property test

WORDS = st.sampled_from(["a", "b", "the", "of", "x1", "Zed", "été", "_", "42"])
MARKS = st.sampled_from([".", ",", "!", "?", "-", "*", "="])
SPACES = st.sampled_from([" ", " ", "  ", "\n", "\t", "\n- "])
PIECES = st.one_of(WORDS, WORDS, MARKS, SPACES)
PARAGRAPHS = st.lists(PIECES, max_size=25).map("".join) | st.text(max_size=30)


@st.composite
def histories(draw):
    versions = [draw(st.lists(PARAGRAPHS, max_size=6))]
    for _ in range(draw(st.integers(1, 6))):
        paras = list(versions[-1])
        for _ in range(draw(st.integers(1, 3))):
            op = draw(st.sampled_from(["insert", "delete", "edit", "copy", "split", "merge"]))
            k = draw(st.integers(0, max(0, len(paras) - 1)))
            if op == "insert" or not paras:
                paras.insert(k, draw(PARAGRAPHS))
            elif op == "delete":
                del paras[k]
            elif op == "edit":
                text = paras[k]
                cut = draw(st.integers(0, len(text)))
                paras[k] = text[:cut] + draw(PARAGRAPHS) + text[cut:]
            elif op == "copy":
                paras.insert(draw(st.integers(0, len(paras))), paras[k])
            elif op == "split":
                cut = draw(st.integers(0, len(paras[k])))
                paras[k : k + 1] = [paras[k][:cut], paras[k][cut:]]
            elif op == "merge" and k + 1 < len(paras):
                paras[k : k + 2] = [paras[k] + " " + paras[k + 1]]
        if draw(st.booleans()) and len(versions) >= 2:
            paras = list(versions[draw(st.integers(0, len(versions) - 1))])  # a revert
        versions.append(paras)
    return versions


@settings(max_examples=200, deadline=None)
@given(histories())
def test_tokens_always_rebuild_every_version(versions):
    state = State()
    old: list[str] = []
    for number, paragraphs in enumerate(versions, start=1):
        state, runs = step(state, old, paragraphs, number)
        assert len(runs) == len(paragraphs)
        same_text: dict[str, list] = {}
        for text, r in zip(paragraphs, runs):
            assert same_text.setdefault(text, r) == r  # one text, one attribution per version
            check_runs(r, len(tokenize(text)))
            tokens = runs_to_tokens(text, r)
            assert "".join(t for t, _ in tokens) == text
            assert [t for t, _ in tokens] == tokenize(text)
            assert all(1 <= v <= number for _, v in tokens)
        assert State.from_json(json.loads(json.dumps(state.to_json()))) == state
        old = paragraphs


# --------------------------------------------------------------------------- known truth


#: Words every text repeats: they make token diffs align by coincidence, as in real text.
COMMON = ["the", "the", "of", "and", "a", "to", "is", "in", ",", ",", ",", "that", "it"]


@dataclass
class Para:
    kind: str  # "prose", "list" or "heading"
    items: list[list[str]]  # sentences, list items, or the heading's words
    width: int = 0  # prose wrapped at this width, 0: one line

    def render(self) -> str:
        if self.kind == "heading":
            title = " ".join(self.items[0])
            return title + "\n" + "=" * len(title)
        if self.kind == "list":
            return "\n".join("- " + " ".join(item) for item in self.items).replace(" ,", ",")
        text = " ".join(" ".join(s) + "." for s in self.items).replace(" ,", ",")
        return textwrap.fill(text, self.width) if self.width else text


@dataclass
class History:
    """A random edit history whose every word is unique, so its true origin is known."""

    rng: random.Random
    version: int = 1
    origin: dict[str, int] = field(default_factory=dict)
    doc: list[Para] = field(default_factory=list)
    snapshots: list[list[Para]] = field(default_factory=list)
    removed: list[tuple[int, str, object]] = field(default_factory=list)  # (version, kind, what)
    counts: Counter = field(default_factory=Counter)
    touched: set[int] = field(default_factory=set)  # ids of paragraphs edited this version
    done: bool = False  # no more edits this version

    def words(self, lo: int, hi: int) -> list[str]:
        """New unique words, with common words and commas between them (not scored)."""
        out = []
        for _ in range(self.rng.randint(lo, hi)):
            if out and self.rng.random() < 0.35:
                out.append(self.rng.choice(COMMON))
            word = f"w{len(self.origin):06d}"
            self.origin[word] = self.version
            out.append(word)
        return out

    def new_paragraph(self) -> Para:
        kind = self.rng.choices(["prose", "list", "heading"], [6, 2, 1])[0]
        if kind == "heading":
            return Para("heading", [self.words(1, 4)])
        items = [self.words(3, 14) for _ in range(self.rng.randint(1, 5))]
        width = self.rng.choice([0, 0, 60, 72]) if kind == "prose" else 0
        return Para(kind, items, width)

    def texts(self) -> list[str]:
        return [p.render() for p in self.doc]

    def pick(self, kinds=("prose", "list"), fresh=False, min_items=1) -> Para | None:
        paras = [
            p
            for p in self.doc
            if p.kind in kinds
            and len(p.items) >= min_items
            and not (fresh and id(p) in self.touched)
        ]
        return self.rng.choice(paras) if paras else None

    # ---------------------------------------------------------------- edits

    def edit_sentence(self) -> bool:
        p = self.pick()
        if p is None:
            return False
        s = self.rng.choice(p.items)
        how = self.rng.choice(["insert", "delete", "replace"])
        k = self.rng.randrange(len(s) + 1)
        if how == "insert" or len(s) < 4:
            s[k:k] = self.words(1, 3)
        elif how == "delete":
            k = min(k, len(s) - 2)
            del s[k : k + self.rng.randint(1, 2)]
        else:
            k = min(k, len(s) - 2)
            s[k : k + self.rng.randint(1, 2)] = self.words(1, 3)
        self.touched.add(id(p))
        return True

    def add_sentence(self) -> bool:
        p = self.pick()
        if p is None:
            return False
        p.items.insert(self.rng.randrange(len(p.items) + 1), self.words(3, 12))
        self.touched.add(id(p))
        return True

    def delete_sentence(self) -> bool:
        p = self.pick(min_items=2)
        if p is None:
            return False
        s = p.items.pop(self.rng.randrange(len(p.items)))
        self.removed.append((self.version, "sentence", (p.kind, s)))
        self.touched.add(id(p))
        return True

    def add_paragraph(self) -> bool:
        p = self.new_paragraph()
        self.doc.insert(self.rng.randrange(len(self.doc) + 1), p)
        self.touched.add(id(p))
        return True

    def delete_paragraph(self) -> bool:
        if len(self.doc) < 4:
            return False
        p = self.doc.pop(self.rng.randrange(len(self.doc)))
        self.removed.append((self.version, "paragraph", p))
        return True

    def move_paragraph(self) -> bool:
        if len(self.doc) < 3:
            return False
        p = self.doc.pop(self.rng.randrange(len(self.doc)))
        self.doc.insert(self.rng.randrange(len(self.doc) + 1), p)
        if p.kind != "heading" and self.rng.random() < 0.5:  # moved and edited
            s = self.rng.choice(p.items)
            s.insert(self.rng.randrange(len(s) + 1), self.words(1, 2)[0])
            self.touched.add(id(p))
        return True

    def split_paragraph(self) -> bool:
        p = self.pick(kinds=("prose",), min_items=2)
        if p is None:
            return False
        k = self.rng.randrange(1, len(p.items))
        first, second = p.items[:k], p.items[k:]
        long = [n for n, s in enumerate(first) if len(s) >= 6]
        if long and self.rng.random() < 0.3:  # in the middle of a sentence
            n = long[-1]
            cut = self.rng.randrange(3, len(first[n]) - 2)
            first, second = first[:n] + [first[n][:cut]], [first[n][cut:]] + first[n + 1 :] + second
        at = self.doc.index(p)
        self.doc[at : at + 1] = [Para("prose", first, p.width), Para("prose", second, p.width)]
        self.touched.update({id(self.doc[at]), id(self.doc[at + 1])})
        return True

    def merge_paragraphs(self) -> bool:
        pairs = [
            k
            for k in range(len(self.doc) - 1)
            if self.doc[k].kind == self.doc[k + 1].kind == "prose"
        ]
        if not pairs:
            return False
        k = self.rng.choice(pairs)
        merged = Para("prose", self.doc[k].items + self.doc[k + 1].items, self.doc[k].width)
        self.doc[k : k + 2] = [merged]
        self.touched.add(id(merged))
        return True

    def restore(self) -> bool:
        ready = [r for r in self.removed if 2 <= self.version - r[0] <= 10]
        if not ready:
            return False
        entry = self.rng.choice(ready)
        self.removed.remove(entry)
        _, kind, what = entry
        if kind == "paragraph":
            self.doc.insert(self.rng.randrange(len(self.doc) + 1), copy.deepcopy(what))
            self.counts["restore paragraph"] += 1
            return True
        para_kind, sentence = what
        p = self.pick(kinds=(para_kind,))
        if p is None:
            return False
        p.items.insert(self.rng.randrange(len(p.items) + 1), list(sentence))
        self.touched.add(id(p))
        self.counts["restore sentence"] += 1
        return True

    def revert(self) -> bool:
        """Put back the whole document as it was 2-10 versions ago."""
        back = self.rng.randint(2, 10)
        if back >= self.version:
            return False
        self.doc = copy.deepcopy(self.snapshots[self.version - 1 - back])
        return True

    def copy_words(self) -> bool:
        source = self.pick(kinds=("prose", "list"), fresh=True)
        target = self.pick()
        if source is None or target is None or source is target:
            return False
        long = [s for s in source.items if sum(w in self.origin for w in s) >= 5]
        if not long:
            return False
        s = self.rng.choice(long)
        at_words = [k for k, w in enumerate(s) if w in self.origin]
        n = self.rng.randint(5, len(at_words))  # words in the run, common words not counted
        k = self.rng.randrange(len(at_words) - n + 1)
        run = s[at_words[k] : at_words[k + n - 1] + 1]
        self.done = True  # no other edit this version may cut the copied run short
        if self.rng.random() < 0.5:  # inside a sentence
            t = self.rng.choice(target.items)
            at = self.rng.randrange(len(t) + 1)
            t[at:at] = run
        else:  # as a sentence of its own, maybe with a new word or two
            target.items.insert(
                self.rng.randrange(len(target.items) + 1),
                run + (self.words(1, 2) if self.rng.random() < 0.5 else []),
            )
        self.touched.add(id(target))
        return True

    def rewrap(self) -> bool:
        p = self.pick(kinds=("prose",))
        if p is None:
            return False
        p.width = self.rng.choice([w for w in (0, 40, 60, 72) if w != p.width])
        return True

    EDITS = {
        "edit sentence": (edit_sentence, 10),
        "add sentence": (add_sentence, 4),
        "delete sentence": (delete_sentence, 3),
        "add paragraph": (add_paragraph, 3),
        "delete paragraph": (delete_paragraph, 2),
        "move paragraph": (move_paragraph, 2),
        "split paragraph": (split_paragraph, 2),
        "merge paragraphs": (merge_paragraphs, 2),
        "restore": (restore, 4),
        "revert": (revert, 1),
        "copy words": (copy_words, 3),
        "rewrap": (rewrap, 1),
    }

    def run(self, versions: int) -> list[list[str]]:
        self.doc = [self.new_paragraph() for _ in range(self.rng.randint(6, 14))]
        out = [self.texts()]
        self.snapshots.append(copy.deepcopy(self.doc))
        names = list(self.EDITS)
        weights = [self.EDITS[n][1] for n in names]
        while len(out) < versions:
            self.version += 1
            self.touched = set()
            self.done = False
            for _ in range(self.rng.choice([1, 1, 1, 2, 2, 3])):
                name = self.rng.choices(names, weights)[0]
                if self.EDITS[name][0](self):
                    self.counts[name] += 1
                if self.done:
                    break
            texts = self.texts()
            if texts == out[-1]:
                self.version -= 1  # nothing changed: not a version
                continue
            out.append(texts)
            self.snapshots.append(copy.deepcopy(self.doc))
        return out


SEEDS = [1, 2, 3, 4, 5, 6]
VERSIONS_PER_SEED = 60


def test_accuracy_against_known_truth():
    right = total = 0
    right_last = total_last = 0
    counts: Counter = Counter()
    worst = 1.0
    for seed in SEEDS:
        history = History(random.Random(seed))
        versions = history.run(VERSIONS_PER_SEED)
        counts += history.counts
        ok = n = 0
        for number, paragraphs in enumerate(attribute(versions), start=1):
            for tokens in paragraphs:
                for word, version in word_origins(tokens).items():
                    if word not in history.origin:
                        continue  # a common word: its first writer is not known
                    good = history.origin[word] == version
                    ok += good
                    n += 1
                    if number == len(versions):
                        right_last += good
                        total_last += 1
        worst = min(worst, ok / n)
        right += ok
        total += n
    accuracy = right / total
    print(
        f"\nprovenance accuracy: {accuracy:.4%} of {total} words over "
        f"{len(SEEDS) * VERSIONS_PER_SEED} versions ({len(SEEDS)} seeds; worst seed "
        f"{worst:.4%}); last versions {right_last / total_last:.4%} of {total_last} words"
    )
    print("edits made:", dict(sorted(counts.items())))
    for name in History.EDITS:
        assert counts[name] >= 10, f"the generator made only {counts[name]} {name!r} edits"
    assert counts["restore paragraph"] >= 10 and counts["restore sentence"] >= 10
    assert accuracy >= 0.99


def test_generator_versions_split_back_into_their_paragraphs():
    history = History(random.Random(7))
    for paragraphs in history.run(20):
        text = join(paragraphs, [""] + ["\n\n"] * (len(paragraphs) - 1) + ["\n"])
        assert split(text, "blank").paragraphs == paragraphs


def test_state_saved_and_loaded_at_every_version_gives_the_same_runs():
    """The transient copy-search index is rebuilt after loading; results must not change."""
    versions = History(random.Random(11)).run(40)
    kept = [runs for _, runs in replay(enumerate(versions, start=1))]
    state, old, loaded = State(), [], []
    for number, paragraphs in enumerate(versions, start=1):
        state, runs = step(state, old, paragraphs, number)
        loaded.append(runs)
        state = State.from_json(json.loads(json.dumps(state.to_json())))
        old = paragraphs
    assert loaded == kept
