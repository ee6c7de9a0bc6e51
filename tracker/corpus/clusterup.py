"""Bringing a Dask cluster up for :mod:`.cluster`: a local one's processes (which must ignore
Ctrl-C, and are forked from a server that imported Dask once), or an existing one's scheduler
(its address checked, a refused connection caught at once, the handshake bounded); and Dask's
logging kept quiet meanwhile (its failures reach the user as one line each).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import TrackerError

#: How long the first, plain TCP connection to a scheduler may take (seconds). It only catches
#: what fails at once (nothing listening, an unknown host), which Dask itself retries until its
#: connect timeout; a slow network is left to Dask.
PROBE_TIMEOUT = 5.0
#: Dask's own port for a scheduler, when an address gives none.
DEFAULT_SCHEDULER_PORT = 8786
#: Whether this system can fork processes from a server process (not on Windows).
FORK_SERVER = "forkserver" in multiprocessing.get_all_start_methods()
#: A local cluster's settings: its processes share the machine with the writer, so no
#: statistical profiler in the workers, and the scheduler's system monitor seldom; the workers
#: are forked from one process that imported Dask once, where the system can.
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.multiprocessing-method": "forkserver" if FORK_SERVER else "spawn",
}


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT in this process for a moment: a process started meanwhile ignores it for
    good. Ctrl-C is the importing process's to handle; the terminal sends it to the whole
    process group, and a worker would print a traceback."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start_fork_server() -> None:
    """Start the server the local cluster's processes are forked from (Dask's own choice of
    method, :data:`LOCAL_CONFIG`), importing Dask there once; a server already running stays."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["distributed"])
    forkserver.ensure_running()


def wait_for_children(count: int, starter: threading.Thread, timeout: float = 30.0) -> None:
    """Wait until ``count`` child processes are started (or ``starter`` gave up)."""
    deadline = time.monotonic() + timeout
    while len(multiprocessing.active_children()) < count and starter.is_alive():
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)


def quiet_dask_logging() -> list[tuple[logging.Logger, int]]:
    """Silence Dask's own loggers in this process (errors are reported in one line, by us), and
    asyncio's, which reports the tasks of a gather that Ctrl-C interrupted; return their
    levels, to restore."""
    loggers = [logging.getLogger(name) for name in ("distributed", "dask", "asyncio")]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    return levels


def probe(address: str) -> None:
    """Fail at once if a TCP connection to the scheduler at ``address`` is refused or its host
    is unknown: Dask itself retries those until its connect timeout (30 s by default)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location, DEFAULT_SCHEDULER_PORT)
        if not host:
            raise ValueError("no host")
    except ValueError as error:
        raise TrackerError(f"not a Dask scheduler address: {address!r} ({error})") from None
    if scheme not in ("tcp", "tls"):
        return  # another transport: Dask's to judge
    try:
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT).close()
    except TimeoutError:
        return  # slow, not refused: Dask's connect timeout decides
    except OSError as error:
        raise TrackerError(
            f"cannot reach the Dask scheduler at {address}: {one_line(error)}"
        ) from None


def connect_timeout() -> float:
    """Dask's connect timeout, in seconds (``distributed.comm.timeouts.connect``)."""
    import dask
    import distributed  # noqa: F401  (its import adds its defaults to Dask's config)
    from dask.utils import parse_timedelta

    return parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")


def one_line(error: BaseException) -> str:
    """``Type: message``, on one line."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
