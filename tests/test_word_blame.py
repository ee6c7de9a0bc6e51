"""Who wrote each word, as users get it: `tracker blame --words`, Tracker.word_blame, the web page.

The attribution rules and their accuracy against known truth are tested on the pure module
(test_provenance.py); here, that the database gives the same answer as replaying the history,
keeps it, catches up, and that every output rebuilds the text exactly and escapes it.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from datasette.app import Datasette
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import record_edits

from tracker import Tracker
from tracker.text.paragraphs import split
from tracker.text.provenance import replay, runs_to_tokens

P1 = "The end of the US-Russia detente was announced on a quiet Tuesday morning."
P2 = "As Washington escalates its war, peace appears as elusive as ever before."
P3 = "Thanks for reading, and write to me if you have questions about it."


def doc(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def record_all(db: Path, texts: list[str | None], name: str = "a.txt") -> None:
    with Tracker(db) as tracker:
        for day, text in enumerate(texts, start=1):
            tracker.record(name, text, at=f"2024-01-{day:02d}T00:00:00Z")


def origins(db: Path, at: str = "latest") -> list[list[tuple[str, int]]]:
    with Tracker(db) as tracker:
        return tracker.word_blame("a.txt", at).paragraphs


def words_of(tokens: list[tuple[str, int]]) -> dict[str, int]:
    return {text: version for text, version in tokens if text.strip()}


def test_a_paragraph_deleted_in_v3_and_restored_in_v5_keeps_v1(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    edited = P2.replace("its war", "its economic war")
    record_all(db, [doc(P1, P2, P3), doc(P1, edited, P3), doc(P1, P3), doc(P3), doc(P1, P3)])
    blame = origins(db)
    assert set(words_of(blame[0]).values()) == {1}  # put back word for word: still v1
    with Tracker(db) as tracker:
        assert tracker.blame("a.txt")[0].origin.version == 5  # paragraph blame: put back in v5


def test_edits_inside_a_sentence_keep_the_words_around_them(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    edited = P2.replace("its war", "its economic war")
    record_all(db, [doc(P1, P2), doc(P1, edited), doc(edited, P1)])  # then moved
    found = words_of(origins(db)[0])
    assert found["economic"] == 2
    assert {w: v for w, v in found.items() if w != "economic"} == dict.fromkeys(
        (w for w in found if w != "economic"), 1
    )
    assert set(words_of(origins(db, "v1")[1]).values()) == {1}


def test_a_punctuation_mark_is_attributed_on_its_own(tmp_path: Path) -> None:
    """As README says: a changed mark is the new version's, the word before it is not; the
    space after a mark goes with the mark."""
    db = tmp_path / "t.db"
    record_all(
        db,
        [
            doc("We keep it for a year. Nobody sees it."),
            doc("We keep it for a year! Nobody sees it."),
        ],
    )
    tokens = origins(db)[0]
    assert tokens[tokens.index(("year", 1)) + 1 : tokens.index(("Nobody", 1))] == [
        ("!", 2),
        (" ", 2),
    ]


def test_cli_outputs_rebuild_the_text(run, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    record_all(db, [doc(P1, P2), doc(P1.replace("quiet", "rainy"), P2)])
    data = json.loads(run("blame", "a.txt", "--words", "--json", db=db).stdout)
    assert data["doc"] == "a.txt" and data["version"] == 2
    texts = ["".join(text for text, _ in p["tokens"]) for p in data["paragraphs"]]
    assert texts == [P1.replace("quiet", "rainy"), P2]
    assert [p["index"] for p in data["paragraphs"]] == [0, 1]
    plain = run("blame", "a.txt", "--words", "--color", "never", db=db).stdout.splitlines()
    assert plain[:2] == [
        "[1] The end of the US-Russia detente was announced on a rainy Tuesday morning.",
        '    v1: "The end of the US-Russia detente was announced on a" v2: "rainy"'
        ' v1: "Tuesday morning."',
    ]
    colored = run("blame", "a.txt", "--words", "--color", "always", db=db).stdout
    assert colored.startswith("oldest \x1b[48;5;") and "v2" in colored.splitlines()[0]
    assert run("blame", "a.txt", "--format", "html", db=db).exit_code == 2


def test_an_empty_version_prints_nothing_as_paragraph_blame_does(run, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    record_all(db, [doc(P1), ""])
    assert run("blame", "a.txt", db=db).stdout == ""
    for color in ("never", "always"):
        assert run("blame", "a.txt", "--words", "--color", color, db=db).stdout == ""


def test_it_is_worked_out_once_and_caught_up_later(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    record_all(db, [doc(P1, P2), doc(P1, P2, P3)])
    origins(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version from word_origins").fetchall() == [(2,)]
        kept = conn.execute("select count(*) from paragraph_changes where origins is not null")
        assert kept.fetchone() == (3,)  # the v1 inserts and the v2 insert
    with Tracker(db) as tracker:
        tracker.record("a.txt", doc(P1, P3), at="2024-02-01")
        assert tracker.store.word_state(1)[0] == 2  # recording does not attribute
    assert words_of(origins(db)[1]) == dict.fromkeys(words_of(origins(db)[1]), 2)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version from word_origins").fetchall() == [(3,)]


class WordsPage(HTMLParser):
    """The words page read as a person does: each paragraph a list of runs with the label a
    sighted reader sees, what a screen reader says for it, and the words; and the legend."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.paragraphs: list[list[dict]] = []
        self.legend: list[dict] = []
        self.key: list[dict] = []  # the colours, when versions share them
        self.folded: dict | None = None  # the <details> the legend is in, if it is
        self.open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        assert not any(name.startswith("on") for name in attrs)
        classes = (attrs.get("class") or "").split()
        inside = [c for _, names in self.open for c in names]
        if tag == "p" and (attrs.get("id") or "").startswith("p"):
            self.paragraphs.append([])
        elif "run" in classes and self.paragraphs:
            run = {"classes": classes, "title": attrs.get("title"), "label": ""}
            self.paragraphs[-1].append({**run, "spoken": "", "text": ""})
        elif tag == "details":
            self.folded = attrs
        elif tag == "li" and "key" in inside:
            self.key.append({"range": "", "times": [], "text": ""})
        elif "key" in inside or "key" in classes:
            if "swatch" in classes:
                self.key[-1]["classes"] = classes
            elif tag == "time":
                self.key[-1]["times"].append(attrs.get("datetime"))
        elif tag == "li" and "legend" in inside:
            self.legend.append({"name": "", "date": ""})
        elif "swatch" in classes and self.legend:
            self.legend[-1]["classes"] = classes
        elif tag == "a" and self.legend and "legend" in inside:
            self.legend[-1]["href"] = attrs.get("href")
        elif tag == "time" and self.legend and "legend" in inside:
            self.legend[-1]["datetime"] = attrs.get("datetime")
        self.open.append((tag, classes))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        inside = [c for _, names in self.open for c in names]
        tags = [tag for tag, _ in self.open]
        if "run" in inside:
            run = self.paragraphs[-1][-1]
            if "ver" in inside:
                run["spoken"] += data
            key = None if "sr" in inside else "label" if "ver" in inside else "text"
            if key:
                run[key] += data
        elif "key" in inside:
            self.key[-1]["text"] += data
            if "range" in inside:
                self.key[-1]["range"] += data
        elif "legend" in inside and self.legend and data.strip():
            self.legend[-1]["date" if "time" in tags else "name"] += data


async def words_page(db: Path, path: str) -> tuple[str, WordsPage]:
    ds = Datasette([str(db)])
    await ds.invoke_startup()
    page = await ds.client.get(path)
    assert page.status_code == 200
    parsed = WordsPage()
    parsed.feed(page.text)
    return page.text, parsed


@pytest.mark.asyncio
async def test_the_web_page_escapes_and_shades_every_word(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    hostile = 'Hello <script>alert(1)</script> and <img src=x onerror="alert(2)"> here.'
    record_all(db, [doc(P1, hostile), doc(P1, hostile.replace("here", "there"))])
    html, parsed = await words_page(db, "/-/tracker/words/tracker/a.txt/2")
    assert "img" not in parsed.tags and parsed.tags.count("script") == html.count("<script")
    assert "alert(1)" not in "".join(
        s for s in html.split("<script")[1:] if "alert" in s.split("</script>")[0]
    )
    titles = [run["title"] for runs in parsed.paragraphs for run in runs]
    assert "v1, 2024-01-01" in titles and "v2, 2024-01-02" in titles
    texts = ["".join(run["text"] for run in runs) for runs in parsed.paragraphs]
    assert texts == [P1, hostile.replace("here", "there")]
    diff = await ds_get(db, "/-/tracker/diff/tracker/a.txt/2")
    assert 'href="/-/tracker/words/tracker/a.txt/2"' in diff


async def ds_get(db: Path, path: str) -> str:
    ds = Datasette([str(db)])
    await ds.invoke_startup()
    return (await ds.client.get(path)).text


@pytest.mark.asyncio
async def test_each_run_of_words_is_labelled_with_its_version(tmp_path: Path) -> None:
    """Not by colour and hover alone: every run starts with a visible label naming its version
    (and words for a screen reader), a run of the same version is not labelled again, and the
    legend pairs each version's colour with its label, its date and its diff page."""
    db = tmp_path / "tracker.db"
    rainy = P1.replace("quiet", "rainy")
    economic = P2.replace("its war", "its economic war")
    record_all(db, [doc(P1, P2), doc(rainy, P2), doc(rainy, economic, P3)])
    _, parsed = await words_page(db, "/-/tracker/words/tracker/a.txt/3")
    runs = [[(run["label"], run["text"]) for run in runs] for runs in parsed.paragraphs]
    assert runs == [
        [
            ("v1", "The end of the US-Russia detente was announced on a "),
            ("v2", "rainy "),
            ("v1", "Tuesday morning."),
        ],
        [
            ("v1", "As Washington escalates its "),
            ("v3", "economic "),
            ("v1", "war, peace appears as elusive as ever before."),
        ],
        [("v3", P3)],
    ]
    every = [run for runs in parsed.paragraphs for run in runs]
    assert all(run["spoken"].split() == [run["label"], "wrote:"] for run in every)
    assert all(run["spoken"].startswith(" ") for run in every)
    assert all(run["title"].startswith(run["label"] + ", 2024-01-0") for run in every)
    # the colour of each version in the text is the colour the legend gives it
    colour = {run["label"]: [c for c in run["classes"] if c.startswith("age")] for run in every}
    assert [item["name"] for item in parsed.legend] == ["v1", "v2", "v3"]
    for number, item in enumerate(parsed.legend, start=1):
        assert [c for c in item["classes"] if c.startswith("age")] == colour[item["name"]]
        assert item["href"] == f"/-/tracker/diff/tracker/a.txt/{number}"
        assert item["date"] == f"{number} Jan 2024"
        assert item["datetime"] == f"2024-01-0{number}T00:00:00.000Z"
    assert len({tuple(c) for c in colour.values()}) == 3


@pytest.mark.asyncio
async def test_a_long_history_gets_a_key_of_its_colours_and_a_folded_list(tmp_path: Path) -> None:
    """60 versions, of which v2-v20 lost their words to later ones: the legend names only the
    41 versions a reader sees labelled, in order, folded away under a key of at most 8 colours,
    each naming its versions, their dates and their share of the words, in the colour the
    text gives them."""
    db = tmp_path / "tracker.db"
    record_edits(db, "a.txt", paragraphs=40, versions=60)
    _, parsed = await words_page(db, "/-/tracker/words/tracker/a.txt/60")
    shown = [1, *range(21, 61)]
    every = [run for runs in parsed.paragraphs for run in runs]
    assert sorted({int(run["label"][1:]) for run in every}) == shown
    assert [item["name"] for item in parsed.legend] == [f"v{n}" for n in shown]
    assert parsed.folded is not None and "open" not in parsed.folded
    colour = {run["label"]: [c for c in run["classes"] if c.startswith("age")] for run in every}
    for item in parsed.legend:  # the folded list still pairs each version with its colour
        assert [c for c in item["classes"] if c.startswith("age")] == colour[item["name"]]
    assert 2 <= len(parsed.key) <= 8
    covered, shares = [], []
    for band in parsed.key:
        low, _, high = band["range"].partition("\N{EN DASH}")
        inside = [n for n in shown if int(low[1:]) <= n <= int((high or low)[1:])]
        assert inside and inside[0] == int(low[1:]) and inside[-1] == int((high or low)[1:])
        covered += inside
        ages = {tuple(colour[f"v{n}"]) for n in inside}
        assert ages == {tuple(c for c in band["classes"] if c.startswith("age"))}
        day = date(2020, 1, 1) + timedelta(days=inside[0] - 1)
        assert band["times"][0].startswith(day.isoformat())
        shares.append(int(band["text"].split("(")[1].split("%")[0]))
    assert covered == shown  # each version once, oldest first
    assert len({tuple(band["classes"]) for band in parsed.key}) == len(parsed.key)
    assert 96 <= sum(shares) <= 104 and shares[0] > 50  # v1 wrote most of it


@pytest.mark.asyncio
async def test_the_web_works_a_version_out_once_and_again_when_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Datasette reads the database read-only, so the attribution cannot be kept in it: a page
    visited again is not worked out again (it took seconds on a long history), but one whose
    document got a new version is, and shows it."""
    import tracker.history.words as words

    replays = []

    def counted(*args):
        replays.append(args[-1])
        yield from attribute(*args)

    attribute = words._attribute
    monkeypatch.setattr(words, "_attribute", counted)
    db = tmp_path / "tracker.db"
    record_all(db, [doc(P1, P2), doc(P1.replace("quiet", "rainy"), P2)])
    ds = Datasette([str(db)])
    await ds.invoke_startup()
    for _ in range(3):
        page = await ds.client.get("/-/tracker/words/tracker/a.txt/latest")
        assert page.status_code == 200 and "rainy" in page.text
    assert replays == [2]
    await ds.client.get("/-/tracker/words/tracker/a.txt/1")
    assert replays == [2, 1]
    with Tracker(db) as tracker:
        tracker.record("a.txt", doc(P1.replace("quiet", "windy"), P2), at="2024-01-03")
    page = await ds.client.get("/-/tracker/words/tracker/a.txt/latest")
    assert "windy" in page.text and "rainy" not in page.text
    assert replays == [2, 1, 3]


def test_the_cli_page_of_a_long_history_has_the_same_legend(run, tmp_path: Path) -> None:
    """`tracker blame --words --format html` shares the page's legend: the key of colours, and
    the versions (without links, the page stands alone) folded under it."""
    db = tmp_path / "tracker.db"
    record_edits(db, "a.txt", paragraphs=40, versions=60)
    parsed = WordsPage()
    parsed.feed(run("blame", "a.txt", "--words", "--format", "html", db=db).stdout)
    names = [item["name"].strip() for item in parsed.legend]
    assert names == ["v1"] + [f"v{n}" for n in range(21, 61)]
    assert not any("href" in item for item in parsed.legend)
    assert parsed.folded is not None and 2 <= len(parsed.key) <= 8


@given(st.lists(st.tuples(st.sampled_from(["a", "bc", " ", "  ", ". "]), st.integers(1, 3))))
def test_reading_runs_keep_the_text_and_never_start_with_a_blank(tokens) -> None:
    from tracker.render.blame import reading_runs

    runs = reading_runs(tokens)
    assert "".join(text for text, _ in runs) == "".join(text for text, _ in tokens)
    assert all(text.strip() for text, _ in runs[1:])
    assert all(a[1] != b[1] for a, b in zip(runs, runs[1:]))


WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()


@st.composite
def histories(draw) -> list[str]:
    """Texts of successive versions: random word edits, inserts, deletes and restorations."""
    counter = iter(range(10_000))

    def sentence() -> str:
        words = [draw(st.sampled_from(WORDS)) for _ in range(draw(st.integers(2, 8)))]
        return " ".join(words) + f" w{next(counter)}."

    paragraphs = [sentence() for _ in range(draw(st.integers(1, 4)))]
    texts = [doc(*paragraphs)]
    gone: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["edit", "insert", "delete", "restore", "append"]))
        if kind == "insert" or not paragraphs:
            paragraphs.insert(draw(st.integers(0, len(paragraphs))), sentence())
        elif kind == "edit":
            i = draw(st.integers(0, len(paragraphs) - 1))
            words = paragraphs[i].split()
            words.insert(draw(st.integers(0, len(words))), f"n{next(counter)}")
            paragraphs[i] = " ".join(words)
        elif kind == "append":
            i = draw(st.integers(0, len(paragraphs) - 1))
            paragraphs[i] += " " + sentence()
        elif kind == "delete" and len(paragraphs) > 1:
            gone.append(paragraphs.pop(draw(st.integers(0, len(paragraphs) - 1))))
        elif kind == "restore" and gone:
            paragraphs.insert(draw(st.integers(0, len(paragraphs))), gone.pop())
        text = doc(*paragraphs)
        if text != texts[-1]:
            texts.append(text)
    return texts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_the_database_gives_what_replaying_the_history_gives(texts: list[str]) -> None:
    """Worked out from the stored changes (at once, or caught up version by version), the words'
    origins are those of replaying the texts, and the tokens join into the exact text."""
    paragraphs = [split(text, "blank").paragraphs for text in texts]
    expected = [runs for _, runs in replay(enumerate(paragraphs, start=1))]
    with tempfile.TemporaryDirectory() as folder:
        whole, stepwise = Path(folder) / "whole.db", Path(folder) / "step.db"
        record_all(whole, texts)
        with Tracker(stepwise) as tracker:
            for day, text in enumerate(texts, start=1):
                tracker.record("a.txt", text, at=f"2024-01-{day:02d}T00:00:00Z")
                tracker.word_blame("a.txt")  # caught up after every version
        for db in (whole, stepwise):
            with Tracker(db) as tracker:
                for number, (runs, paras) in enumerate(zip(expected, paragraphs), start=1):
                    found = tracker.word_blame("a.txt", f"v{number}").paragraphs
                    assert found == [runs_to_tokens(p, r) for p, r in zip(paras, runs)]
                    assert ["".join(t for t, _ in tokens) for tokens in found] == paras
