"""A real browser on `tracker serve`: diffs are visible, styled, and hostile text never runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from support import IMG, SCRIPT, build_db, start_server, stop_server

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


@pytest.fixture
def server(tmp_path: Path):
    """`tracker serve` on a free port of 127.0.0.1, over a small history."""
    process, base = start_server(build_db(tmp_path / "tracker.db"))
    yield base
    stop_server(process)


@pytest.fixture
def page():
    """A headless Chromium page that records any dialog (an alert() would mean injected code)."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.dialogs = []

            def on_dialog(dialog) -> None:
                page.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            yield page
        finally:
            browser.close()


def assert_nothing_injected(page) -> None:
    """No dialog opened, no element or script made from document text.

    Waits for the page to have loaded completely rather than for some time: by then every
    inline script has run and every image has loaded or failed (firing an ``onerror``), so an
    injected ``alert()`` would have opened its dialog.
    """
    page.wait_for_function("document.readyState === 'complete'")
    assert page.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent)")
    assert not [s for s in scripts if "alert(1)" in s]


def test_changes_page_in_a_browser(server, page, tmp_path):
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
    assert_nothing_injected(page)
    page.screenshot(path=str(tmp_path / "changes.png"), full_page=True)
    assert (tmp_path / "changes.png").stat().st_size > 10_000

    # a version number leads to that version's diff page
    page.locator("td.col-version a", has_text="2").first.click()
    page.wait_for_load_state()
    assert "/-/tracker/diff/tracker/" in page.url
    assert page.locator("h1").inner_text().startswith("Changes to ")


def test_diff_page_in_a_browser(server, page, tmp_path):
    page.goto(f"{server}/-/tracker/diff/tracker/hostile.txt/2")
    assert page.locator("h1").inner_text() == "Changes to hostile.txt"
    assert "1 added, 0 removed, 1 modified" in page.locator(".stats").inner_text()
    added = page.locator(".tracker-diff .op-insert ins", has_text="onerror")
    assert added.is_visible() and added.inner_text() == IMG
    modified = page.locator(".tracker-diff .op-modify ins")
    assert modified.is_visible() and SCRIPT in modified.inner_text()
    assert_nothing_injected(page)
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)
    assert (tmp_path / "diff.png").stat().st_size > 10_000

    page.get_by_role("link", name="side by side").click()
    page.wait_for_load_state()
    assert page.locator("table.sbs td.new ins").first.is_visible()
    page.get_by_role("link", name="← previous version").click()
    page.wait_for_load_state()
    assert page.url.endswith("/-/tracker/diff/tracker/hostile.txt/1")
    assert "compared with nothing" in page.locator(".versions").inner_text()
    assert_nothing_injected(page)
