"""``tracker watch --exec``: what each run of the command gets, and the thread that runs them.

Each recorded version or deletion runs the command once through the shell, with
``TRACKER_*`` variables saying what happened to which document (:func:`exec_env`) and the diff
as one JSON object on its stdin (:func:`exec_stdin`). :class:`CommandRunner` runs the commands
one at a time on its own thread, ``tracker-exec``, fed by a bounded queue, so a slow or failing
command never holds up recording.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import TrackerError
from ..history import History
from ..models import Version
from ..render.json import diff_json

__all__ = ["CommandRunner", "exec_env", "exec_stdin"]


def exec_env(kind: str, version: Version, db_path: Path, root: Path) -> dict[str, str]:
    """``TRACKER_*`` variables for an --exec command: what happened to which document."""
    return {
        "TRACKER_EVENT": kind,
        "TRACKER_DOC": version.doc,
        "TRACKER_VERSION": str(version.version),
        "TRACKER_CAPTURED_AT": version.captured_at,
        "TRACKER_ADDED": str(version.added or 0),
        "TRACKER_REMOVED": str(version.removed or 0),
        "TRACKER_MODIFIED": str(version.modified or 0),
        "TRACKER_MOVED": str(version.moved or 0),
        "TRACKER_SUBSTANTIVE": str(version.substantive or 0),
        "TRACKER_DB": str(db_path.resolve()),
        "TRACKER_ROOT": str(root),
        "TRACKER_FILE": str(root / version.doc),
    }


def exec_stdin(history: History, version: Version) -> bytes:
    """The diff that made ``version``, as one line of JSON (``{"doc", "error"}`` if it fails)."""
    try:
        diff = history.diff(version.doc, until=f"v{version.version}")
        data = diff_json(
            diff.doc,
            diff.old.as_dict() if diff.old is not None else None,
            diff.new.as_dict(),
            diff.changes,
        )
    except TrackerError as error:
        data = {"doc": version.doc, "error": str(error)}
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class _Job:
    env: dict[str, str]
    stdin: bytes
    label: str


class CommandRunner:
    """Run a shell command per recorded version on its own thread, never blocking the caller.

    Jobs wait in a queue of at most ``max_queue``; when it is full a job is dropped with a
    warning. A command running longer than ``timeout`` seconds is killed (its whole process
    group). Its stdout goes to our stderr so it cannot garble ``--json`` output. Failures are
    reported through ``on_warning`` and nothing else happens.
    """

    def __init__(
        self,
        command: str,
        on_warning: Callable[[str], None],
        *,
        timeout: float = 60.0,
        max_queue: int = 100,
        shutdown_grace: float = 5.0,
    ) -> None:
        self.command = command
        self.timeout = timeout
        self.shutdown_grace = shutdown_grace
        self._on_warning = on_warning
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._deadline: float | None = None  # set by stop(): finish by then or give up
        self._dropped = 0  # jobs refused since the queue was last empty
        self._count_lock = threading.Lock()

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tracker-exec", daemon=True)
            self._thread.start()

    def submit(self, env: dict[str, str], stdin: bytes, label: str) -> bool:
        """Queue one run; False if the queue is full (one warning per overflow, not per drop)."""
        try:
            self._queue.put_nowait(_Job(env, stdin, label))
            return True
        except queue.Full:
            with self._count_lock:
                self._dropped += 1
                first = self._dropped == 1
            if first:
                self._on_warning(
                    f"--exec: {self._queue.maxsize} commands already waiting; not running it"
                    f" for {label} nor for further versions until some are done"
                )
            return False

    def stop(self) -> None:
        """Let queued commands finish within shutdown_grace seconds, then join the thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        deadline = time.monotonic() + self.shutdown_grace
        if self._deadline is None or deadline < self._deadline:  # not if cut short already
            self._deadline = deadline
        while True:  # the sentinel must get in even if the queue is full
            try:
                self._queue.put(None, timeout=0.05)
                break
            except queue.Full:
                if not thread.is_alive():
                    break
        thread.join()

    def cut_short(self) -> None:
        """Give up queued and running commands now rather than after the shutdown grace.

        Safe in a signal handler: it only sets the deadline that stop() and the runs check.
        """
        self._deadline = time.monotonic()

    def _run(self) -> None:
        """Worker loop: run jobs in order until the sentinel."""
        abandoned = 0  # jobs left when the shutdown grace ran out
        while True:
            job = self._queue.get()
            if job is None:
                break
            timeout = self.timeout
            if self._deadline is not None:
                timeout = min(timeout, self._deadline - time.monotonic())
                if timeout <= 0:
                    abandoned += 1
                    continue
            try:
                self._run_one(job, timeout)
            except Exception as error:  # never let one job end the thread
                self._on_warning(f"--exec failed for {job.label}: {error}")
            if self._queue.empty():
                self._report_dropped()
        self._report_dropped()
        if abandoned:
            self._on_warning(f"--exec: stopping; did not run for {abandoned} more versions")

    def _report_dropped(self) -> None:
        """Say how many runs were refused while the queue was full, once it has room again."""
        with self._count_lock:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            self._on_warning(f"--exec: did not run for {dropped} versions (queue full)")

    def _run_one(self, job: _Job, timeout: float) -> None:
        """Run the command once with the job's environment and stdin."""
        process = subprocess.Popen(
            self.command,
            shell=True,
            stdin=subprocess.PIPE,
            stdout=2,
            env={**os.environ, **job.env},
            start_new_session=True,  # its own process group: killed as a whole, no Ctrl-C
        )
        end = time.monotonic() + timeout
        stdin: bytes | None = job.stdin
        while True:
            # in slices, so that a stop() while the command runs gives it the grace period left
            # rather than its whole timeout
            limit = end if self._deadline is None else min(end, self._deadline)
            try:
                process.communicate(stdin, timeout=max(0.0, min(limit - time.monotonic(), 0.1)))
                break
            except subprocess.TimeoutExpired:
                stdin = None  # sent already: communicate() goes on with the rest
                if time.monotonic() < limit:
                    continue
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            process.communicate()
            if limit < end:  # cut short by stop(): the watcher is stopping
                self._on_warning(f"--exec still running for {job.label} at stop; killed it")
            else:
                self._on_warning(f"--exec took over {timeout:g} s for {job.label}; killed it")
            return
        if process.returncode:
            self._on_warning(f"--exec exited with status {process.returncode} for {job.label}")
