"""A real browser on the words page of a document with a long history: 100 versions, each of
which still owns a word of the text, at 1280 px and on a 390 px phone, light and dark.

The legend must not push the text off the first screens: a key of the colours, and the list of
every version folded away under it (the small histories are in test_browser.py); and a fold,
once opened, stays open while the reader clicks elsewhere.
"""

from __future__ import annotations

import pytest
import test_browser
from support import record_edits, start_server, stop_server
from test_browser import COLOURS, assert_clean, contrast, open_page

# Chromium, its pages and where the screenshots go, as in test_browser.py
pytestmark = test_browser.pytestmark
browser = test_browser.browser
page = test_browser.page
screenshots = test_browser.screenshots

VERSIONS = 100


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`tracker serve` over one document of 100 versions, every one of them still in the text."""
    path = tmp_path_factory.mktemp("browser-words") / "tracker.db"
    record_edits(path, "long-history.txt", paragraphs=VERSIONS, versions=VERSIONS)
    process, base = start_server(path)
    yield base
    stop_server(process)


#: The boxes of the legend's parts: the heading, the key of colours, the folded list's summary,
#: and the first paragraph of the text.
LEGEND_BOXES = """() => Object.fromEntries(['.legend-head', '.key', '.legend-all summary', '#p1']
  .map(s => { const r = document.querySelector('.tracker-words ' + s).getBoundingClientRect();
              return [s, [r.left, r.top, r.right, r.bottom]]; }))"""


@pytest.mark.parametrize(
    "width,dark", [(1280, False), (1280, True), (390, False), (390, True)], ids=str
)
def test_a_hundred_versions_keep_the_legend_short(server, browser, screenshots, width, dark):
    """With 100 versions in the text the legend stays a few lines high (the text starts on the
    first screen at 1280 px), its colours readable; opened, the list of every version fits the
    width, each version with its colour and its diff page."""
    page = open_page(browser, width=width, height=800, dark=dark)
    theme = "dark" if dark else "light"
    try:
        page.goto(f"{server}/-/tracker/words/tracker/long-history.txt/{VERSIONS}")
        boxes = page.evaluate(LEGEND_BOXES)
        legend = boxes[".legend-all summary"][3] - boxes[".legend-head"][1]
        assert legend <= (160 if width == 1280 else 340), boxes
        if width == 1280:
            assert boxes["#p1"][3] <= 800, boxes
        for box in boxes.values():
            assert 0 <= box[0] < box[2] <= width, boxes
        assert page.locator(".tracker-words .legend-all .legend li").first.is_hidden()
        bands = page.locator(".tracker-words .key li")
        assert 2 <= bands.count() <= 8
        for band in [*bands.all(), page.locator(".tracker-words .legend-all summary")]:
            fore, back = band.evaluate(COLOURS)
            assert contrast(fore, back) >= 4.5, (fore, back)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        page.screenshot(path=str(screenshots / f"words-100-{width}-{theme}.png"))

        page.locator(".tracker-words .legend-all summary").click()
        items = page.locator(".tracker-words .legend-all .legend li")
        assert items.count() == VERSIONS
        assert items.nth(VERSIONS - 1).inner_text().split()[0] == f"v{VERSIONS}"
        for item in (items.first, items.nth(VERSIONS - 1)):
            item.scroll_into_view_if_needed()
            assert item.is_visible()
            box = item.bounding_box()
            assert 0 <= box["x"] and box["x"] + box["width"] <= width, box
        link = items.nth(VERSIONS - 1).locator("a")
        assert link.get_attribute("href").endswith(f"/long-history.txt/{VERSIONS}")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        page.screenshot(path=str(screenshots / f"words-100-{width}-{theme}-open.png"))
        assert_clean(page)
    finally:
        page.context.close()


def test_the_key_keeps_its_colours_in_high_contrast(server, browser, screenshots):
    """Forced colours: the key's swatches keep their own colours, each boxed so that it shows
    against the page, and the folded list still opens from its summary."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = context.new_page()
    try:
        page.goto(f"{server}/-/tracker/words/tracker/long-history.txt/{VERSIONS}")
        swatches = page.locator(".tracker-words .key .swatch")
        fills = [s.evaluate("e => getComputedStyle(e).backgroundColor") for s in swatches.all()]
        assert len(set(fills)) == len(fills) >= 2
        for swatch in swatches.all():
            assert swatch.is_visible()
            assert swatch.evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)") >= 1
        page.locator(".tracker-words .legend-all summary").click()
        assert page.locator(".tracker-words .legend-all .legend li").first.is_visible()
        page.screenshot(path=str(screenshots / "forced-colors-words-100.png"))
    finally:
        context.close()


def test_a_fold_stays_open_while_the_reader_clicks_elsewhere(server, page):
    """Datasette closes every open <details> at a click outside it, meant for its menus: the
    folds of the text (the list of versions, a diff's unchanged paragraphs) stay open when the
    reader clicks into the text, while Datasette's menu still closes."""
    page.goto(f"{server}/-/tracker/words/tracker/long-history.txt/{VERSIONS}")
    folded = page.locator(".tracker-words .legend-all")
    folded.locator("summary").click()
    page.locator("#p3").click()
    assert folded.evaluate("e => e.open")
    page.goto(f"{server}/-/tracker/diff/tracker/long-history.txt/{VERSIONS}")
    unchanged = page.locator(".tracker-view details").first
    unchanged.locator("summary").click()
    page.locator("h1").click()
    assert unchanged.evaluate("e => e.open")
    menu = page.locator("details.nav-menu")
    menu.locator("summary").click()
    assert menu.evaluate("e => e.open")
    page.locator("h1").click()
    assert not menu.evaluate("e => e.open")
    assert_clean(page)
