"""Run jobs in killable worker processes: the local process pool, and the pool a Dask worker uses.

We use pebble's ``ProcessPool`` rather than ``concurrent.futures``: it kills a worker whose
task overruns its timeout and replaces a worker that dies (segfault, ``os._exit``) with a
``ProcessExpired`` error for that task only, so one bad directive never hangs the build.
Its workers are not daemonic, so a computation may start processes of its own (the
word-counting article does). Workers are forked: they inherit the imported libraries and
the matplotlib configuration instead of importing them again.

:class:`JobPool` is that pool with its bookkeeping; :class:`LocalPool` is the build's default
executor (one ``JobPool`` per run on this machine), and ``cluster.py`` runs a ``JobPool`` in
each Dask worker, so a job times out, crashes and is reported the same way on both.

Each worker leads a process group of its own, and records its pid (and the job it runs) in
a book folder, ``<tmp>/repro-workers-<cache>/<build pid>/`` for the local pool
(:func:`worker_records`). That is what lets nothing outlive the build:

* a job that times out or dies takes its whole group with it (a computation's own child
  processes too, which pebble alone would leave running);
* Ctrl-C or SIGTERM stops every worker and its children within a second or two and exits
  130 or 143, with every result that had finished already in the cache;
* a build killed outright (SIGKILL) leaves its records behind, and the next build kills
  and reports what is left of it (:func:`reap_leftovers`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import pebble

from .jobs import Job, Outcome

# A progress callback: (job, outcome, jobs done so far, jobs in this run).
OnDone = Callable[[Job, Outcome, int, int], None]


class Interrupted(BaseException):
    """The build was asked to stop (SIGINT or SIGTERM); ``code`` is its exit status."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(code)


class JobPool:
    """A pebble pool whose workers lead process groups and note their pids in ``book``.

    ``project`` is the folder the workers run in (its ``content/`` is linked into each job's
    scratch folder); None: the current one.
    """

    def __init__(self, *, workers: int, book: Path, project: str | None = None) -> None:
        book.mkdir(parents=True, exist_ok=True)
        self.book = book
        self.pool = pebble.ProcessPool(
            max_workers=max(1, workers),
            context=multiprocessing.get_context("fork"),
            initializer=_lead_group,
            initargs=(book, project),
        )

    def submit(self, execute: Callable[[Any], dict[str, Any]], job: Job, request: Any = None) -> Future[Any]:
        """Start ``execute(request)`` (the job's own request if None) under the job's timeout."""
        arguments = (execute, job.request if request is None else request, job.key, self.book)
        return self.pool.schedule(_tracked, args=arguments, timeout=job.timeout)

    def settle(self, job: Job, future: Future[Any], seconds: float) -> Outcome:
        """The outcome of a finished future, with the end of the job's output if it failed."""
        outcome = _outcome(job, future, seconds)
        if outcome.error is not None:
            outcome = dataclasses.replace(outcome, error=outcome.error + _output_tail(self.book, job.key))
        (self.book / f"{job.key}.out").unlink(missing_ok=True)
        if isinstance(future.exception(), FutureTimeout | pebble.ProcessExpired):
            _kill_groups(self.book, only=job.key)  # its worker was killed or died: so are its children
        return outcome

    def close(self) -> None:
        """Wait for the workers to finish, then kill whatever a finished computation left running."""
        self.pool.close()
        self.pool.join()
        _kill_groups(self.book)
        shutil.rmtree(self.book, ignore_errors=True)

    def stop(self) -> None:
        """Stop at once: every worker and the processes it started."""
        self.pool.stop()
        _kill_groups(self.book)
        self.pool.join(timeout=5)
        shutil.rmtree(self.book, ignore_errors=True)


class LocalPool:
    """The default executor: forked worker processes on this machine, a fresh pool per run.

    ``execute`` runs one request in a worker (``artifact.execute``); ``records`` is the folder
    where workers note their pids (:func:`worker_records`).
    """

    def __init__(self, *, workers: int, execute: Callable[[Any], dict[str, Any]], records: Path) -> None:
        self.workers = workers
        self.execute = execute
        self.records = records
        self.where = f"{socket.gethostname()}, local process pool"

    def describe(self) -> str:
        return f"{self.workers} worker(s)"

    def run(self, jobs: Sequence[Job], *, on_done: OnDone, alone: bool = False) -> dict[str, Outcome]:
        """Run every job, at most ``workers`` at a time (one if ``alone``); ``on_done`` as each ends.

        Raises:
            Interrupted: SIGINT or SIGTERM arrived; every worker group has been killed.
        """
        outcomes: dict[str, Outcome] = {}
        if not jobs:
            return outcomes
        pool = JobPool(workers=min(1 if alone else self.workers, len(jobs)), book=self.records / str(os.getpid()))
        with stopping(pool.stop):
            started: dict[str, float] = {}
            futures = {}
            for job in jobs:
                started[job.key] = time.perf_counter()
                futures[pool.submit(self.execute, job)] = job
            for done, future in enumerate(as_completed(futures), start=1):
                job = futures[future]
                outcome = pool.settle(job, future, time.perf_counter() - started[job.key])
                outcomes[job.key] = dataclasses.replace(outcome, where=self.where)
                on_done(job, outcomes[job.key], done, len(jobs))
            pool.close()
        return outcomes

    def close(self) -> None:
        """Nothing outlives a run of the local pool."""


@contextlib.contextmanager
def stopping(stop: Callable[[], None]) -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into :class:`Interrupted` (130, 143), calling ``stop`` first."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except KeyboardInterrupt:
        stop()
        raise Interrupted(130) from None
    except Interrupted:
        stop()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker_records(cache: Path) -> Path:
    """Where the workers of builds using ``cache`` note their pids: a folder of the system's
    temporary space named after the cache (which may be read-only), the same for every build."""
    name = hashlib.sha256(str(cache.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"repro-workers-{name}"


def reap_leftovers(records: Path) -> list[str]:
    """Kill what builds that died without cleaning up left running; say what it was."""
    found = []
    for book in sorted(records.glob("*")) if records.is_dir() else []:
        if book.name.isdigit() and _alive(int(book.name)):
            continue  # a build that is still running (another process)
        killed = _kill_groups(book)
        if killed:
            found.append(f"build pid {book.name} (killed?) left worker process group(s) {', '.join(killed)}")
        shutil.rmtree(book, ignore_errors=True)
    return found


def _lead_group(book: Path, project: str | None) -> None:
    """Worker initializer: lead a process group (so it can be killed whole) and say so."""
    os.setpgrp()
    if project is not None:
        os.chdir(project)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build stops its workers itself
    (book / str(os.getpid())).write_text("", encoding="utf-8")


def _tracked(execute: Callable[[Any], dict[str, Any]], request: Any, key: str, book: Path) -> dict[str, Any]:
    """Run one job in a worker: in a scratch folder, its output captured, its group noted.

    The scratch folder holds only a link to the site's ``content/`` (where inputs live), so a
    computation's stray files land there and vanish. Its stdout and stderr (and its child
    processes') go to ``<book>/<key>.out`` instead of the build's log; a failure quotes the end.
    """
    (book / str(os.getpid())).write_text(key, encoding="utf-8")
    project = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="repro-job-") as scratch, _captured(book / f"{key}.out"):
        os.symlink(os.path.join(project, "content"), os.path.join(scratch, "content"))
        os.chdir(scratch)
        try:
            return execute(request)
        finally:
            os.chdir(project)


@contextlib.contextmanager
def _captured(path: Path) -> Iterator[None]:
    """Send file descriptors 1 and 2 (so child processes too) to ``path`` for the duration."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with path.open("wb") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def _output_tail(book: Path, key: str, *, limit: int = 2000) -> str:
    """The end of what a job printed (bounded: a computation printed 40 MB once)."""
    try:
        with (book / f"{key}.out").open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            text = handle.read().decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
    return f"\nits output ended with:\n{text}" if text else ""


def _terminate(signum: int, frame: Any) -> None:
    raise Interrupted(128 + signum)


def _kill_groups(book: Path, *, only: str | None = None) -> list[str]:
    """SIGKILL the process group of every recorded worker (of the job ``only``); the pids killed."""
    killed = []
    for record in [path for path in book.glob("*") if path.name.isdigit()]:
        try:
            if only is not None and record.read_text(encoding="utf-8") != only:
                continue
            if only is not None:
                record.unlink()  # that worker is gone; its pid must not be killed again later
            os.killpg(int(record.name), signal.SIGKILL)
        except (OSError, ValueError):  # gone already, or not ours to kill
            continue
        killed.append(record.name)
    return killed


def _death(code: int | None) -> str:
    """Why a worker died, in words: a signal's name (and the likely cause) or its exit code."""
    if code is None or code >= 0:
        return f"exit code {code}"
    number = -code
    causes = {
        signal.SIGSEGV: "segmentation fault",
        signal.SIGKILL: "killed (out of memory?)",
        signal.SIGABRT: "aborted",
        signal.SIGBUS: "bus error",
        signal.SIGFPE: "floating-point exception",
    }
    name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else f"signal {number}"
    return f"{causes.get(number, 'killed by a signal')} ({name})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _outcome(job: Job, future: Any, seconds: float) -> Outcome:
    try:
        artifact = future.result()
    except FutureTimeout:
        error = f"timed out after {job.timeout:g} s and was killed (raise 'timeout' if it needs longer)"
    except pebble.ProcessExpired as expired:
        error = f"the worker process died while computing: {_death(expired.exitcode)}"
    except Exception as exc:  # the computation's own error, with its remote traceback
        trace = getattr(exc, "traceback", "") or ""
        tail = "\n".join(trace.strip().splitlines()[-6:])
        error = f"{type(exc).__name__}: {exc}" + (f"\n{tail}" if tail else "")
    else:
        return Outcome(job.key, artifact, None, seconds)
    return Outcome(job.key, None, error, seconds)
