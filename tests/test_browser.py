"""A real browser on `tracker serve`: what a person sees, at 1280x800 and on a 390 px phone.

One server and one Chromium for the whole file; every page checks that no console error and no
dialog happened (an alert() would mean injected code). The screenshots go to $TRACKER_SCREENSHOTS
or to screenshots/ under pytest's basetemp (the folder is printed at the end of the run).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from support import IMG, SCRIPT, build_db, start_server, stop_server

from tracker import Tracker

CHROMIUM = os.environ.get("TRACKER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install -e '.[test]'"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)",
    ),
]

#: A long document: 40 paragraphs, five of them changed far apart in version 2.
LONG = [
    f"Paragraph {k}: some steady text that does not change between the versions." for k in range(40)
]
CHANGED = (3, 11, 19, 27, 35)


def long_versions() -> tuple[str, str]:
    new = list(LONG)
    for k in CHANGED:
        new[k] = LONG[k].replace("steady", "edited")
    return "\n\n".join(LONG) + "\n", "\n\n".join(new) + "\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`tracker serve` on a free port of 127.0.0.1, over a small history, a long document and
    one deleted and restored."""
    path = build_db(tmp_path_factory.mktemp("browser") / "tracker.db")
    first, second = long_versions()
    with Tracker(path) as tracker:
        tracker.record("long.txt", first, at="2024-04-01T00:00:00Z")
        tracker.record("long.txt", second, at="2024-04-02T00:00:00Z")
        # deleted, then back word for word
        tracker.record("back.txt", "Gone for a day.\n", at="2024-04-03T00:00:00Z")
        tracker.record("back.txt", None, at="2024-04-04T00:00:00Z")
        tracker.record("back.txt", "Gone for a day.\n", at="2024-04-05T00:00:00Z")
    process, base = start_server(path)
    yield base
    stop_server(process)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots(request, tmp_path_factory) -> Path:
    folder = Path(
        os.environ.get("TRACKER_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    request.config.tracker_screenshots = folder  # printed in the terminal summary (conftest)
    return folder


def open_page(browser, width: int = 1280, height: int = 800, dark: bool = False):
    """A page that records dialogs and console errors."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme="dark" if dark else "light"
    )
    page = context.new_page()
    page.dialogs, page.errors = [], []

    def on_dialog(dialog) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.fixture
def page(browser):
    page = open_page(browser)
    yield page
    page.context.close()


def assert_clean(page) -> None:
    """No dialog opened, no console error, no element or script made from document text.

    Waits for the page to have loaded completely rather than for some time: by then every
    inline script has run and every image has loaded or failed (firing an ``onerror``), so an
    injected ``alert()`` would have opened its dialog.
    """
    page.wait_for_function("document.readyState === 'complete'")
    assert page.dialogs == []
    assert page.errors == []
    assert page.locator("img[src='x']").count() == 0
    scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent)")
    assert not [s for s in scripts if "alert(1)" in s]


def inside_viewport(page, locator) -> dict:
    """The element's box, after scrolling it into view vertically; fails if it is not inside
    the viewport or if the page had to scroll sideways."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert page.evaluate("window.scrollX") == 0
    assert 0 <= box["x"] and box["x"] + box["width"] <= width, box
    assert 0 <= box["y"] and box["y"] + box["height"] <= height, box
    return box


def test_changes_page_in_a_browser(server, page, screenshots):
    page.goto(f"{server}/tracker/changes")
    assert page.title().startswith("tracker: changes")
    deleted = page.locator("td.col-new_text del", has_text="apples")
    inserted = page.locator("td.col-new_text ins", has_text="pears")
    assert deleted.is_visible() and inserted.is_visible()
    # the plugin's stylesheet is applied: struck-out removals, highlighted additions
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    # hostile text is shown as text, not run
    assert page.get_by_text(SCRIPT).first.is_visible()
    assert page.get_by_text(IMG).first.is_visible()
    # at 1280x800 the highlighted change is on screen, no sideways scrolling
    inside_viewport(page, page.locator("td.col-new_text .tracker-diff").first)
    page.screenshot(path=str(screenshots / "changes-1280.png"))
    assert_clean(page)

    # a version number leads to that version's diff page
    page.locator("td.col-version a", has_text="2").first.click()
    page.wait_for_load_state()
    assert "/-/tracker/diff/tracker/" in page.url
    assert page.locator("h1").inner_text().startswith("Changes to ")
    assert_clean(page)


def test_versions_counts_are_on_screen(server, page, screenshots):
    page.goto(f"{server}/tracker/versions")
    for column in ("added", "removed", "modified", "moved"):
        inside_viewport(page, page.locator(f"td.col-{column}").first)
    row = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
    assert row["height"] < 60, row
    page.screenshot(path=str(screenshots / "versions-1280.png"))
    assert_clean(page)


def test_diff_page_in_a_browser(server, page, screenshots):
    page.goto(f"{server}/-/tracker/diff/tracker/hostile.txt/2")
    assert page.locator("h1").inner_text() == "Changes to hostile.txt"
    assert "1 paragraph added, 1 modified" in page.locator(".stats").inner_text()
    added = page.locator(".tracker-diff .op-insert ins", has_text="onerror")
    assert added.is_visible() and added.inner_text() == IMG
    modified = page.locator(".tracker-diff .op-modify ins")
    assert modified.is_visible() and SCRIPT in modified.inner_text()
    page.screenshot(path=str(screenshots / "diff-hostile.png"), full_page=True)
    assert_clean(page)

    page.get_by_role("link", name="side by side").click()
    page.wait_for_load_state()
    assert page.locator(".sbs .text.new ins").first.is_visible()
    # one word changed in a one-line paragraph: the changed word stays on its line, on both sides
    page.goto(f"{server}/-/tracker/diff/tracker/long.txt/2?layout=side-by-side")
    row = page.locator(".sbs .row.op-modify").first
    for side, mark in (("old", "del"), ("new", "ins")):
        text = row.locator(f".text.{side}").bounding_box()
        word = row.locator(f".text.{side} {mark}").bounding_box()
        assert word["height"] < 1.5 * 20 and word["y"] - text["y"] < 20, (side, text, word)
        assert word["x"] > text["x"] + 50  # after "Paragraph 3: some", not at the line's start
    page.screenshot(path=str(screenshots / "diff-side-by-side.png"))
    page.goto(f"{server}/-/tracker/diff/tracker/hostile.txt/2")
    page.get_by_role("link", name="← previous version").click()
    page.wait_for_load_state()
    assert page.url.endswith("/-/tracker/diff/tracker/hostile.txt/1")
    assert "compared with nothing" in page.locator(".versions").inner_text()
    assert_clean(page)


def test_a_removed_paragraph_numbers_itself_in_the_old_column(server, browser, screenshots):
    """notes/plan.txt v3 removes paragraph 3 ("Closing words."); paragraph 4 becomes 3. Inline,
    the removed one's 3 stands in the old version's column and the next paragraph's 3 in the new
    one's, so they cannot be read as the same place; on a phone, one column, the old 3 struck."""
    url = f"{server}/-/tracker/diff/tracker/notes/plan.txt/3?full=1"
    for width in (1280, 390):
        view = open_page(browser, width=width, height=800)
        try:
            view.goto(url)
            removed = view.locator(".tracker-view .para.op-delete").first
            after = view.locator(".tracker-view .para.op-equal", has_text="irrigation").first
            assert removed.inner_text().count("Closing words.") == 1
            shown = [
                [n for n in row.locator(".num").all() if n.is_visible() and n.inner_text()]
                for row in (removed, after)
            ]
            assert [[n.inner_text() for n in row] for row in shown] == (
                [["3"], ["4", "3"]] if width == 1280 else [["3"], ["3"]]
            )
            old_3, new_3 = shown[0][0].bounding_box(), shown[1][-1].bounding_box()
            if width == 1280:  # two columns: the removed 3 to the left of the new 3
                assert old_3["x"] + old_3["width"] <= new_3["x"], (old_3, new_3)
                assert shown[1][0].bounding_box()["x"] == old_3["x"]  # and under the old 4
            else:
                struck = shown[0][0].evaluate("e => getComputedStyle(e).textDecorationLine")
                assert struck == "line-through"
            view.screenshot(
                path=str(screenshots / f"diff-removed-numbers-{width}.png"), full_page=True
            )
            assert_clean(view)
        finally:
            view.context.close()


def test_from_the_home_page_to_the_diff_of_two_chosen_versions(server, page, screenshots):
    page.goto(f"{server}/")
    page.screenshot(path=str(screenshots / "home-1280.png"))
    page.get_by_role("link", name="notes/plan.txt").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "notes/plan.txt"
    assert page.locator("svg.tracker-timeline circle").count() == 3
    page.screenshot(path=str(screenshots / "document-1280.png"))
    page.get_by_label("from version 1").check()
    page.get_by_label("to version 3").check()
    page.get_by_role("button", name="Compare the chosen versions").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/-/tracker/diff/tracker/notes/plan.txt/1..3")
    assert page.locator(".tracker-view del", has_text="apples").is_visible()
    assert page.locator(".tracker-view ins", has_text="pears").is_visible()
    assert_clean(page)


def test_keys_n_and_p_move_between_changes(server, page, screenshots):
    page.goto(f"{server}/-/tracker/diff/tracker/long.txt/2")
    anchors = [f"#p{k + 1}" for k in CHANGED]
    page.keyboard.press("n")
    page.wait_for_function("location.hash === '#p4'")
    page.keyboard.press("n")
    page.wait_for_function(f"location.hash === '{anchors[1]}'")
    current = page.locator(anchors[1])
    box = inside_viewport(page, current)
    nav = page.locator("#navigator").bounding_box()
    assert box["y"] >= nav["y"] + nav["height"] - 1  # not hidden under the sticky navigator
    assert page.locator("#navigator .position").inner_text() == "change 2 of 5"
    page.keyboard.press("p")
    page.wait_for_function(f"location.hash === '{anchors[0]}'")
    page.screenshot(path=str(screenshots / "diff-navigator.png"))
    # a folded run of unchanged paragraphs opens in place
    fold = page.locator("details.skip").nth(1)
    fold.locator("summary").click()
    assert fold.locator(".op-equal").first.is_visible()
    assert_clean(page)


def test_search_page_in_a_browser(server, page, screenshots):
    """From the home page's box to the search page and its switches: no hit in the latest
    versions, then every version; the words marked, hostile text shown as text; a hit's
    history one click away; the box and the snippets at a readable width."""
    page.goto(f"{server}/")
    page.get_by_role("searchbox").fill("apples")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_load_state()
    assert page.url == f"{server}/-/tracker/tracker/search?q=apples"
    assert page.get_by_role("searchbox").input_value() == "apples"
    assert "No paragraph of the latest versions holds “apples”." in page.inner_text(".tracker-page")
    page.get_by_role("link", name="Search every version ever recorded").click()
    page.wait_for_load_state()
    assert page.get_by_label("every version ever recorded").is_checked()
    hit = page.locator("ol.tracker-hits li").first
    assert "removed in v2" in hit.inner_text()
    mark = hit.locator("mark.tracker-hit")
    assert mark.inner_text() == "apples"
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert_clean(page)

    # a search typed here keeps the choice of versions; hostile text is text
    page.get_by_role("searchbox").fill("alert")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "versions=all" in page.url
    assert page.locator("section.tracker-hit-group h2 a").all_inner_texts() == ["hostile.txt"]
    assert page.get_by_text(SCRIPT).first.is_visible()
    page.screenshot(path=str(screenshots / "search-hostile.png"))
    assert_clean(page)

    page.goto(f"{server}/-/tracker/tracker/search?q=paragraph")
    assert page.locator("section.tracker-hit-group h2 a").all_inner_texts() == [
        "long.txt",
        "notes/plan.txt",
    ]
    assert "42 paragraphs in 2 documents" in page.locator(".tracker-search-summary").inner_text()
    box = inside_viewport(page, page.get_by_role("searchbox"))
    assert box["width"] > 400, box
    snippet = inside_viewport(page, page.locator("ol.tracker-hits .snippet").first)
    assert snippet["width"] > 600, snippet  # the text reads across the page, not in a column
    page.screenshot(path=str(screenshots / "search-1280.png"))
    last = page.locator("ol.tracker-hits li").last
    assert "Intro" not in last.inner_text() and "A new paragraph" in last.inner_text()
    last.get_by_role("link", name="its history").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "The history of paragraph 3"
    assert "irrigation" in page.locator("ol.tracker-trace").inner_text()
    assert_clean(page)


PHONE_PAGES = {
    "home": "/",
    "document": "/-/tracker/doc/tracker/notes/plan.txt",
    "diff": "/-/tracker/diff/tracker/long.txt/2",
    "diff-side-by-side": "/-/tracker/diff/tracker/hostile.txt/1..2?layout=side-by-side",
    "trace": "/-/tracker/trace/tracker/notes/plan.txt?paragraph=2",
    "changes": "/tracker/changes",
    "search": "/-/tracker/tracker/search?q=paragraph&versions=all",
}


def test_nothing_overflows_on_a_phone(server, browser, screenshots):
    phone = open_page(browser, width=390, height=844)
    try:
        for name, path in PHONE_PAGES.items():
            phone.goto(server + path)
            width = phone.evaluate("document.scrollingElement.scrollWidth")
            phone.screenshot(path=str(screenshots / f"phone-{name}.png"))
            assert width <= 390, (name, width)
            assert_clean(phone)
        # side by side becomes one column: the new text under the old, at full width
        phone.goto(server + PHONE_PAGES["diff-side-by-side"])
        new = phone.locator(".sbs .op-modify .text.new").first.bounding_box()
        assert new["width"] > 250, new
        # the search box and the snippets take the phone's width, not a narrow column
        phone.goto(server + PHONE_PAGES["search"])
        box = inside_viewport(phone, phone.get_by_role("searchbox"))
        button = inside_viewport(phone, phone.get_by_role("button", name="Search"))
        assert box["width"] > 200 and button["y"] < box["y"] + box["height"], (box, button)
        snippet = inside_viewport(phone, phone.locator("ol.tracker-hits .snippet").first)
        assert snippet["width"] > 300, snippet
        # the timeline is wider than a phone: it opens on its newest end, the latest version seen
        phone.goto(server + PHONE_PAGES["document"])
        newest = phone.locator(".tracker-timeline circle").last.bounding_box()
        assert 0 <= newest["x"] and newest["x"] + newest["width"] <= 390, newest
    finally:
        phone.context.close()


def test_a_document_that_came_back_says_so_on_a_phone(server, browser, screenshots):
    """The words fit a phone: in the home page's latest changes, in the document page's list,
    and in the diff page's line of versions, none of them pushing the page sideways."""
    phone = open_page(browser, width=390, height=844)
    try:
        phone.goto(f"{server}/")
        latest = phone.locator("li", has_text="back.txt").filter(has_text="v3")
        assert latest.locator(".what").inner_text() == "restored as v1"
        inside_viewport(phone, latest)
        phone.goto(f"{server}/-/tracker/doc/tracker/back.txt")
        row = phone.locator("td.what", has_text="restored as v1")
        inside_viewport(phone, row)
        phone.goto(f"{server}/-/tracker/diff/tracker/back.txt/3")
        versions = phone.locator(".versions")
        assert versions.inner_text().endswith(
            "which brought the document back after its deletion: restored as v1"
        )
        box = inside_viewport(phone, versions)
        assert box["height"] < 5 * 24, box  # wrapped into a few lines, not a word a line
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
        phone.screenshot(path=str(screenshots / "phone-diff-restored.png"), full_page=True)
        assert_clean(phone)
    finally:
        phone.context.close()


def test_dark_mode(server, browser, screenshots):
    dark = open_page(browser, dark=True)
    try:
        dark.goto(f"{server}/-/tracker/diff/tracker/notes/plan.txt/2")
        background = dark.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)"
        modified = dark.locator(".tracker-view .op-modify").first
        assert modified.evaluate("e => getComputedStyle(e).color") != "rgb(31, 35, 40)"
        dark.screenshot(path=str(screenshots / "dark-diff.png"))
        assert_clean(dark)
        dark.goto(f"{server}/-/tracker/tracker/search?q=paragraph")
        mark = dark.locator("mark.tracker-hit").first
        assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(90, 74, 0)"
        assert mark.evaluate("e => getComputedStyle(e).color") != "rgb(31, 35, 40)"
        dark.screenshot(path=str(screenshots / "dark-search.png"))
        assert_clean(dark)
    finally:
        dark.context.close()


def test_high_contrast_keeps_changes_apart(server, browser, screenshots):
    """Forced colours (Windows high contrast) drop the backgrounds that mark changes: added
    words must still differ from unchanged ones, and unchanged paragraphs carry no edge."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = context.new_page()
    try:
        page.goto(f"{server}/-/tracker/diff/tracker/long.txt/2?full=1")
        added = page.locator(".tracker-view .op-modify ins").first
        assert added.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"
        removed = page.locator(".tracker-view .op-modify del").first
        assert removed.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
        edge = "e => getComputedStyle(e).borderLeftColor"
        canvas = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert page.locator(".tracker-view .op-equal").first.evaluate(edge) == canvas
        assert page.locator(".tracker-view .op-modify").first.evaluate(edge) != canvas
        page.screenshot(path=str(screenshots / "forced-colors-diff.png"))
    finally:
        context.close()


def test_a_skip_link_shows_on_the_first_tab_and_leads_past_the_header(server, page, screenshots):
    page.goto(f"{server}/-/tracker/diff/tracker/long.txt/2")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to the content"
    inside_viewport(page, skip)  # hidden until focused, then on screen
    page.screenshot(path=str(screenshots / "skip-link.png"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main') !== null")
    assert page.locator(":focus").inner_text() == "What changed in tracker"
    assert_clean(page)


#: The colours of an element's text and of the first background behind it that is not clear.
COLOURS = """e => {
  let back = e;
  while (back && getComputedStyle(back).backgroundColor === 'rgba(0, 0, 0, 0)')
    back = back.parentElement;
  return [getComputedStyle(e).color, getComputedStyle(back || document.body).backgroundColor];
}"""


def contrast(fore: str, back: str) -> float:
    """WCAG's contrast ratio of two opaque rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(fore), luminance(back)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_text_on_the_diff_page_is_readable(server, browser, dark):
    """At least 4.5:1 for body, muted and link text, the marked words and a minor change's
    grey label (added here: the small history has no minor change), in light and dark."""
    page = open_page(browser, dark=dark)
    try:
        page.goto(f"{server}/-/tracker/diff/tracker/long.txt/2")
        page.evaluate(
            """() => document.querySelector('#diff .tracker-view').insertAdjacentHTML('beforeend',
            '<div class="para op-modify minor" id="probe"><span class="note class">letter case'
            + '</span><span class="text">x</span></div>')"""
        )
        for selector in (
            ".tracker-meta.stats",
            ".tracker-trail a",
            ".tracker-view .op-equal .text",
            ".tracker-view ins",
            ".tracker-view del",
            ".tracker-legend",
            "#probe .note.class",
        ):
            fore, back = page.locator(selector).first.evaluate(COLOURS)
            assert contrast(fore, back) >= 4.5, (selector, fore, back)
    finally:
        page.context.close()


#: For each paragraph of the words page: its labels (visible text, box, font size, visible at
#: all) and the boxes of its words (the text outside the labels, line by line).
WORD_LABELS = """() => [...document.querySelectorAll('.tracker-words p[id^="p"]')].map(p => {
  const box = r => [r.left, r.top, r.right, r.bottom];
  const words = [];
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.ver') || !node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) words.push(box(r));
  }
  const labels = [...p.querySelectorAll('.ver')].map(label => ({
    text: [...label.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.data)
      .join(''),
    box: box(label.getBoundingClientRect()),
    visible: label.checkVisibility({opacityProperty: true, visibilityProperty: true}),
    size: parseFloat(getComputedStyle(label).fontSize),
    said: [...label.querySelectorAll('.sr')].map(sr => box(sr.getBoundingClientRect())),
  }));
  return {labels, words};
})"""


def overlap(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    """Whether two [left, top, right, bottom] boxes share more than ``slack`` px each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


@pytest.mark.parametrize(
    "width,dark", [(1280, False), (1280, True), (390, False), (390, True)], ids=str
)
def test_the_version_of_each_run_of_words_is_shown_without_colour(
    server, browser, screenshots, width, dark
):
    """The words page labels each run with its version: a label a person can see (in the
    viewport, readable, not on top of any word), text a screen reader reads with it, and no
    sideways scroll on a phone; in light and dark."""
    page = open_page(browser, width=width, height=800, dark=dark)
    theme = "dark" if dark else "light"
    try:
        for doc, expected in (
            ("notes/plan.txt", [["v1"], ["v1", "v2", "v1"], ["v1"], ["v2"]]),
            ("hostile.txt", [["v1", "v2", "v1", "v2", "v1"], ["v1"], ["v2"]]),
        ):
            page.goto(f"{server}/-/tracker/words/tracker/{doc}/2")
            paragraphs = page.evaluate(WORD_LABELS)
            assert [[label["text"] for label in p["labels"]] for p in paragraphs] == expected
            for p in paragraphs:
                assert p["words"]
                for label in p["labels"]:
                    left, top, right, bottom = label["box"]
                    assert label["visible"] and label["size"] >= 10, label
                    assert 0 <= left < right <= width and top < bottom, label
                    assert not [w for w in p["words"] if overlap(label["box"], w)], (label, p)
                    for said in label["said"]:  # the words for a screen reader take no room
                        assert said[2] - said[0] <= 1 and said[3] - said[1] <= 1, label
                boxes = [label["box"] for label in p["labels"]]
                assert not [(a, b) for a in boxes for b in boxes if a < b and overlap(a, b)]
            for label in page.locator(".tracker-words .ver").all():
                fore, back = label.evaluate(COLOURS)
                assert contrast(fore, back) >= 4.5, (fore, back)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            name = doc.replace("/", "-")
            page.screenshot(path=str(screenshots / f"words-{name}-{width}-{theme}.png"))
            assert_clean(page)
        # a screen reader reads each label apart from the words around it
        spoken = page.locator("#p1").aria_snapshot()
        assert "many words in it v2 wrote: , and v1 wrote: <script>" in spoken, spoken
    finally:
        page.context.close()


def test_word_labels_keep_their_box_in_high_contrast(server, browser, screenshots):
    """Forced colours drop the shading of the words: the labels stay, boxed in a colour that
    stands out from the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = context.new_page()
    try:
        page.goto(f"{server}/-/tracker/words/tracker/notes/plan.txt/2")
        canvas = page.evaluate("getComputedStyle(document.body).backgroundColor")
        labels = page.locator(".tracker-words .ver")
        assert labels.count() == 6
        for label in labels.all():
            assert label.is_visible()
            border = label.evaluate("e => getComputedStyle(e).borderLeftColor")
            assert (
                border != canvas
                and label.evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)") >= 1
            )
        page.screenshot(path=str(screenshots / "forced-colors-words.png"))
    finally:
        context.close()


#: An element's text colour as drawn: its colour, the product of its own and its ancestors'
#: opacity, and the first background behind it that is not clear.
DRAWN = """e => {
  let opacity = 1, back = e;
  for (let up = e; up; up = up.parentElement) opacity *= parseFloat(getComputedStyle(up).opacity);
  while (back && getComputedStyle(back).backgroundColor === 'rgba(0, 0, 0, 0)')
    back = back.parentElement;
  return [getComputedStyle(e).color, getComputedStyle(back || document.body).backgroundColor,
          opacity];
}"""


def blended(fore: str, back: str, opacity: float) -> str:
    """The opaque rgb() a colour (with its alpha, if any) takes drawn at ``opacity`` on ``back``."""

    def channels(colour: str) -> list[float]:
        return [float(c) for c in colour[colour.index("(") + 1 : -1].split(",")]

    *rgb, alpha = channels(fore) + [1.0] if fore.startswith("rgb(") else channels(fore)
    alpha *= opacity
    under = channels(back)[:3]
    mixed = [round(alpha * f + (1 - alpha) * b) for f, b in zip(rgb, under)]
    return f"rgb({mixed[0]}, {mixed[1]}, {mixed[2]})"


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("layout", ["inline", "side-by-side"])
def test_history_links_are_readable_before_they_are_hovered(server, browser, dark, layout):
    """The small "history" link of each paragraph reads at 4.5:1 against what is behind it at
    all times, on unchanged and changed paragraphs, yet stays quieter than the text."""
    page = open_page(browser, dark=dark)
    try:
        page.goto(f"{server}/-/tracker/diff/tracker/long.txt/2?layout={layout}")
        page.mouse.move(0, 0)  # nothing hovered, nothing focused
        links = page.locator(".tracker-view a.history")
        assert links.count() >= 10
        text = page.locator(".tracker-view .op-equal .text").first
        text_size = text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        for link in links.all():
            if not link.is_visible():
                continue
            fore, back, opacity = link.evaluate(DRAWN)
            seen = blended(fore, back, opacity)
            assert contrast(seen, back) >= 4.5, (fore, back, opacity)
            assert link.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") < text_size
            assert seen != text.evaluate("e => getComputedStyle(e).color")
    finally:
        page.context.close()
