"""Parallel imports on a Dask cluster: ``tracker import FILE --workers N`` (and ``import-git``);
and an ordered map for other bulk work (``tracker upgrade``, ``reclassify`` and ``ignore add``
and ``remove`` with ``--workers N``: :meth:`DaskPool.imap`).

Only this module and :mod:`.clusterup` (starting a local cluster, reaching a scheduler) import
Dask (``pip install 'tracker[dask]'``), and only a parallel run imports them: a serial import
never loads Dask.

How the work is split (the engine-free half is :mod:`.lanes`):

- **One writer.** The importing process reads the file (or the git log and blobs), validates it,
  plans it, and stores every version itself, in file order, in one transaction: the database is
  the one a serial import makes (same versions, checksums, counts and paragraph ids), and an
  error or Ctrl-C rolls all of it back.
- **Lanes.** The per-document work (splitting, hashing, diffing, and whatever else
  :func:`~tracker.history.prepare.prepare` grows) runs on the workers. Every document belongs
  to one lane (documents are numbered as the planner meets them; lane = number mod lanes, with
  :data:`LANES_PER_THREAD` lanes per worker thread), so one lane sees all of a document's
  versions, in order.
- **State travels with the lane, not with the writer.** The file is read in chunks (about
  :data:`~.lanes.CHUNK_CHARS_PER_LANE` of text per lane). Each chunk gives one task per lane,
  which takes the lane's state from its previous task (a Dask future: a dict of each document's
  latest paragraphs, split mode and checksums) and returns its results and the next state. So a
  document's last paragraph list never crosses to the writer and back between chunks: Dask runs
  the next task where that state already is, and moves it only when it rebalances. Documents
  the database held before the import start from their stored paragraphs, which the planner
  sends with their first text.
- **What crosses the wire.** Out: the chunk's texts, by lane, scattered to the workers as data
  (and a stored document's paragraphs, once). Back: for each text its sha256, split mode, the
  version it was diffed against, and the prepared version, packed: a string that is also a
  paragraph of the version before goes as its index there (the writer has those), which
  shrinks the results of python-peps from 42 MB to 6 MB.
- **Order and memory.** At most :data:`~.lanes.WINDOW` chunks are in flight; the writer stores
  chunk k (the importer's own code, taking a worker's result only if it was prepared against the
  very version the database has before it) while the workers prepare chunks k+1, k+2, ...

Failures: a scheduler that cannot be reached (refused or unknown at once, by a plain TCP
connection tried first; else after Dask's ``distributed.comm.timeouts.connect``, 30 s by
default), a worker's exception or a lost worker each become a one-line TrackerError, and
the import's transaction is rolled back. The workers of a local cluster ignore SIGINT: Ctrl-C
stops the writer, which rolls back, cancels the tasks and shuts the local cluster down.

How far it scales (figures from bench/bench_dask.py, in CPU time per core, on a 2-vCPU
machine; python-peps, and a churn history of 45 KB versions that each rewrite 14 long
paragraphs):

- On the 2-vCPU machine itself ``--workers 2`` gains little: Dask's runtime (starting, the
  scheduler in the writer's process, moving texts and results) costs about 2 s of CPU on the
  churn history, whose serial import takes under 6, and writer and workers share the two
  cores. Measured on 2026-12-01: 1.03-1.11x on the churn history, 0.92-1.06x on python-peps
  (on a busy shared machine 0.7-0.9x, since the kernel gives the importing session one share
  of the machine however many processes it runs). What follows is what matters.
- The prepare step costs 0.64 ms of CPU per version on python-peps and 2.1 ms on the churn
  history (bench run of 2026-12-01, 08:57).
- One writer stores about 1,330 versions per second of CPU on python-peps and 410 on the
  churn history (when the results are ready; reading and checking the file included: a file
  of up to 64 MB of text is parsed once, a larger one twice, to check it and to import it).
- So the writer keeps only p x w worker cores busy: 0.64 ms x 1,330/s = 0.85 cores, 2.1 ms x
  410/s = 0.85 cores. 10^8 versions on 16 machines of 8 cores: the workers could prepare
  about 200,000 (peps-like) or 61,000 (churn-like) versions a second, but one writer stores
  1,330 or 410: about 21 hours, or 68 hours, whatever the cluster's size. Past one worker
  core, the single writer is the limit.
- Then: one database per shard of documents, each with its own writer and a few workers,
  served together by one Datasette (``datasette shard-*.db``). A shard must hold whole
  documents, renames included: a cheap first pass over the names (no texts) assigns each
  chain of renames to a shard, then every shard imports its records. 16 machines each running
  two shard writers (a core each, and their own disks) and six worker cores: 32 writers store
  about 43,000 (peps-like) or 13,000 (churn-like) versions a second, which their 96 worker
  cores can prepare (27 of them busy, either way): 10^8 versions in about 40 minutes, or 2
  hours.
- Memory of the writer grows with the history as a serial import's does: the (document, time)
  of every version imported before and now, to skip re-imported records (here twice: the
  planner keeps its own), and the names it has met. The workers keep the latest paragraphs of
  every document of their lanes: the latest corpus, spread over the cluster.
"""

from __future__ import annotations

import importlib.util
import logging
import operator
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import TrackerError
from .clusterup import (
    FORK_SERVER,
    LOCAL_CONFIG,
    PROBE_TIMEOUT,
    connect_timeout,
    one_line,
    probe,
    quiet_dask_logging,
    sigint_ignored,
    start_fork_server,
    wait_for_children,
)
from .lanes import Batch, Hint, prepare_lane

#: The one line a parallel import prints when Dask is missing.
MISSING_DASK = "--workers needs Dask, which is not installed: pip install 'tracker[dask]'"
#: Lanes per worker thread: enough for Dask to even out documents of unequal size.
LANES_PER_THREAD = 2
#: Pieces of work out at a time per worker thread in :meth:`DaskPool.imap`: one running, one
#: waiting, one on its way.
IN_FLIGHT_PER_THREAD = 3
#: How long to wait for the workers of an existing cluster to join (seconds).
WORKERS_TIMEOUT = 60.0


class DaskPool:
    """The lanes of a parallel import on a Dask cluster: a local one of ``workers`` processes,
    or the existing one at ``scheduler`` (and then at least ``workers`` of its workers).

    The cluster is started (or connected to) in the background, while the import reads and
    checks its file; the first call that needs it waits for it.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        try:  # whether it is installed; it is imported in the background, with the cluster
            found = importlib.util.find_spec("distributed") is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules, say
            found = False
        if not found:
            raise TrackerError(MISSING_DASK)
        self.workers = workers
        self.scheduler = scheduler
        self._token = uuid.uuid4().hex[:12]
        self._count = 0
        self._last: dict[int, Any] = {}  # lane -> future of its last result (and state)
        self._client: Any = None
        self._cluster: Any = None
        self._lanes = 0
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._started = False  # whether the start thread is done (guarded by _lock)
        self._abandoned = False  # whether close() left the start thread to clean up after itself
        self._answered = threading.Event()  # set once connecting is over, either way
        self._logging = quiet_dask_logging()
        self._thread = threading.Thread(target=self._start, name="tracker-dask-start", daemon=True)
        if scheduler is None and threading.current_thread() is threading.main_thread():
            # the local workers ignore SIGINT for their whole life: they inherit it
            if FORK_SERVER:
                # from the server they are forked from, started now: the cluster then starts
                # in the background without this process ignoring Ctrl-C meanwhile
                with sigint_ignored():
                    start_fork_server()
                self._thread.start()
            else:  # from this process, when each is spawned
                with sigint_ignored():
                    self._thread.start()
                    wait_for_children(workers or 1, self._thread)
        else:
            self._thread.start()

    def _start(self) -> None:
        try:
            self._connect()
        except BaseException as error:  # handed to the thread that needs the cluster
            self._error = error
        self._answered.set()
        with self._lock:
            self._started = True
            abandoned = self._abandoned
        if abandoned:  # nobody waits for this cluster any more
            self._shut_down()

    def _connect(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            with dask.config.set(LOCAL_CONFIG):
                self._cluster = LocalCluster(
                    n_workers=self.workers or 1,
                    threads_per_worker=1,
                    processes=True,
                    memory_limit=0,  # no memory monitor polling each worker: they hold little
                    dashboard_address=None,
                    # no dashboard, but the scheduler still serves its health checks over HTTP,
                    # by default on 8787: on a free port of this machine instead, so that a
                    # dashboard or another cluster there neither collides nor prints a warning
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.CRITICAL,
                )
            # the workers are on this machine: send texts to them and take results from them
            # directly, not through the scheduler (which runs in this process too)
            self._client = Client(self._cluster, direct_to_workers=True)
        else:
            probe(self.scheduler)
            try:
                self._client = Client(self.scheduler)
            except (OSError, TimeoutError) as error:
                raise TrackerError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {one_line(error)}"
                ) from None
            except Exception as error:  # something answered, but not as a scheduler does
                raise TrackerError(
                    f"no Dask scheduler answers at {self.scheduler} ({one_line(error)})"
                ) from None
            self._answered.set()
            try:
                self._client.wait_for_workers(self.workers or 1, timeout=WORKERS_TIMEOUT)
            except TimeoutError:
                wanted = self.workers or 1
                raise TrackerError(
                    f"the Dask scheduler at {self.scheduler} has fewer than {wanted} workers"
                    f" after {WORKERS_TIMEOUT:g} s"
                ) from None
        threads = sum(self._client.nthreads().values())
        self._lanes = LANES_PER_THREAD * max(1, threads)

    def _ready(self) -> Any:
        """The client, once the cluster is up (the error it met, if it could not start)."""
        if self.scheduler is not None:
            # Dask waits for a scheduler's handshake without a limit: a server that takes the
            # connection and says nothing would hang the command
            limit = connect_timeout() + PROBE_TIMEOUT
            if not self._answered.wait(limit):
                raise TrackerError(
                    f"no Dask scheduler answers at {self.scheduler} after {limit:g} s"
                )
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            if isinstance(error, TrackerError):
                raise error
            raise TrackerError(f"cannot start the Dask cluster: {one_line(error)}") from None
        return self._client

    def lanes(self) -> int:
        """How many lanes documents are spread over: a few per worker thread."""
        self._ready()
        return self._lanes

    def submit(self, batches: dict[int, Batch]) -> list[Any]:
        """Start one chunk: a task per lane, after the lane's previous one, on its state."""
        client = self._ready()
        self._count += 1
        futures = []
        if not batches:  # a chunk of records known before: nothing to prepare, nothing to send
            return futures
        try:
            # the texts go to the workers as data, not inside the tasks: the scheduler then
            # neither unpacks nor repacks them
            lanes = list(batches)
            sent = client.scatter([batches[lane] for lane in lanes], hash=False)
            for lane, batch in zip(lanes, sent):
                name = f"tracker-{self._token}-{self._count}-{lane}"
                before = self._last.get(lane)
                done = client.submit(prepare_lane, batch, before, key=f"{name}-prepare")
                futures.append(client.submit(operator.getitem, done, 0, key=f"{name}-hints"))
                self._last[lane] = done
        except Exception as error:
            raise TrackerError(f"the Dask cluster failed: {one_line(error)}") from None
        return futures

    def results(self, ticket: object) -> dict[object, Hint]:
        """Wait for one chunk's tasks; their hints by input position."""
        client = self._ready()
        try:
            parts = client.gather(ticket)
        except Exception as error:
            raise TrackerError(f"a Dask worker failed: {one_line(error)}") from None
        hints: dict[object, Hint] = {}
        for part in parts:
            hints.update(part)
        return hints

    def imap(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``function(item)`` for each item, run on the workers, the results in order: the
        built-in ``map`` of a cluster. At most :data:`IN_FLIGHT_PER_THREAD` items per worker
        thread are out at a time, so the inputs are read as the results come back."""
        client = self._ready()
        window = IN_FLIGHT_PER_THREAD * max(1, self._lanes // LANES_PER_THREAD)
        futures: deque[Any] = deque()
        try:
            for item in items:
                try:  # data, straight to a worker, not through the scheduler
                    [data] = client.scatter([item], hash=False)
                    futures.append(client.submit(function, data, pure=False))
                except Exception as error:
                    raise TrackerError(f"the Dask cluster failed: {one_line(error)}") from None
                if len(futures) >= window:
                    yield self._result(futures.popleft())
            while futures:
                yield self._result(futures.popleft())
        finally:
            for future in futures:
                future.cancel()

    @staticmethod
    def _result(future: Any) -> Any:
        try:
            return future.result()
        except Exception as error:
            raise TrackerError(f"a Dask worker failed: {one_line(error)}") from None

    def close(self) -> None:
        """Cancel what is still running, disconnect, and stop a local cluster.

        A connection to an existing scheduler that is still being made (which can take Dask's
        whole connect timeout) is not waited for: the thread making it closes it when done.
        """
        self._last.clear()
        if self.scheduler is not None:
            with self._lock:
                if not self._started:
                    self._abandoned = True
                    return
        self._thread.join()
        self._shut_down()

    def _shut_down(self) -> None:
        try:
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            self._client = self._cluster = None
            for logger, level in self._logging:
                logger.setLevel(level)

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            self.close()
            return
        # the work is done (an import has committed): a Ctrl-C while the cluster stops must not
        # turn it into a failure, so the stop goes on
        with sigint_ignored():
            self.close()
