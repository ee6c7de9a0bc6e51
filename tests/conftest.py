"""Shared pytest fixtures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

#: How long a test's leftover threads get to finish before the test is failed.
THREAD_LEAK_GRACE = 2.0

#: Thread pools that keep idle workers alive on purpose (concurrent.futures, asyncio's default
#: executor); their threads are not leaks of the test that happened to start them.
_POOL_THREAD_PREFIXES = ("ThreadPoolExecutor-", "asyncio_")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that opts a test out of the thread-leak check."""
    config.addinivalue_line(
        "markers", "allow_thread_leak: do not fail the test if it leaves threads running"
    )


def _must_not_leak(thread: threading.Thread) -> bool:
    """Tell whether a leftover thread counts as a leak: non-daemon, watchdog or tracker threads."""
    if not thread.is_alive() or thread.name.startswith(_POOL_THREAD_PREFIXES):
        return False
    if not thread.daemon or thread.name.startswith("tracker-"):
        return True
    return any(cls.__module__.startswith("watchdog.") for cls in type(thread).__mro__)


@pytest.fixture(autouse=True)
def _no_thread_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves non-daemon, watchdog or tracker threads running after it."""
    before = set(threading.enumerate())
    yield
    if request.node.get_closest_marker("allow_thread_leak"):
        return
    leftover = [t for t in threading.enumerate() if t not in before and _must_not_leak(t)]
    deadline = time.monotonic() + THREAD_LEAK_GRACE
    for thread in leftover:
        thread.join(max(0.0, deadline - time.monotonic()))
    leaked = [t for t in leftover if t.is_alive()]
    if leaked:
        names = ", ".join(f"{t.name} ({type(t).__module__}.{type(t).__qualname__})" for t in leaked)
        pytest.fail(f"test left threads running: {names}", pytrace=False)


# -- shared fixtures: a database path, a folder of documents, the real CLI ------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests in a file marked ``browser`` are slow too: ``-m "not slow"`` leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a test's database goes (not created: the first write creates it)."""
    return tmp_path / "tracker.db"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of documents to snapshot or watch."""
    path = tmp_path / "docs"
    path.mkdir()
    return path


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke the real CLI in process; ``db=`` appends ``--db``. An exception that escapes the
    CLI fails the test with its traceback (a user would have seen one)."""

    def invoke(*args: object, db: object = None, **kwargs: object) -> Result:
        argv = [str(arg) for arg in args] + (["--db", str(db)] if db is not None else [])
        return CliRunner().invoke(cli, argv, catch_exceptions=False, **kwargs)

    return invoke


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say where the browser tests saved their screenshots, to look at them."""
    folder = getattr(config, "tracker_screenshots", None)
    if folder is not None:
        terminalreporter.write_line(f"browser screenshots: {folder}")
