"""Run the directives that missed the cache in a pool of worker processes.

We use pebble's ``ProcessPool`` rather than ``concurrent.futures``: it kills a worker whose
task overruns its timeout and replaces a worker that dies (segfault, ``os._exit``) with a
``ProcessExpired`` error for that task only, so one bad directive never hangs the build.
Its workers are not daemonic, so a computation may start processes of its own (the
word-counting article does). Workers are forked: they inherit the imported libraries and
the matplotlib configuration instead of importing them again.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from dataclasses import dataclass
from typing import Any

import pebble


@dataclass(frozen=True)
class Request:
    """What a worker needs to run one directive; picklable and JSON-friendly.

    ``target`` is the run stage and ``present`` the present stage. ``result`` is a stored
    result of the run stage: given, only the present stage runs. ``threads`` caps BLAS
    threads: with one worker per core, BLAS pools of their own would oversubscribe the cores
    (measured: permutation loops 10–25× slower on 2 cores).
    """

    target: str
    name: str
    params: Mapping[str, Any]
    seed: int
    present: str
    threads: int = 1
    result: str | None = None


@dataclass(frozen=True)
class Job:
    """One distinct computation to run; ``label`` names it in progress lines.

    ``components`` are what its key was made from, stored with the result.
    """

    key: str
    request: Request
    timeout: float
    label: str
    components: Any = None


@dataclass(frozen=True)
class Outcome:
    """The artifact of a job, or the reason it has none."""

    key: str
    artifact: dict[str, Any] | None
    error: str | None
    seconds: float


def run_jobs(
    jobs: Sequence[Job],
    *,
    execute: Callable[[Any], dict[str, Any]],
    workers: int,
    on_done: Callable[[Job, Outcome, int, int], None],
) -> dict[str, Outcome]:
    """Run every job, at most ``workers`` at a time; ``on_done(job, outcome, done, total)``."""
    outcomes: dict[str, Outcome] = {}
    if not jobs:
        return outcomes
    started: dict[str, float] = {}
    context = multiprocessing.get_context("fork")
    with pebble.ProcessPool(max_workers=max(1, min(workers, len(jobs))), context=context) as pool:
        futures = {}
        for job in jobs:
            started[job.key] = time.perf_counter()
            futures[pool.schedule(execute, args=(job.request,), timeout=job.timeout)] = job
        for done, future in enumerate(as_completed(futures), start=1):
            job = futures[future]
            outcome = _outcome(job, future, time.perf_counter() - started[job.key])
            outcomes[job.key] = outcome
            on_done(job, outcome, done, len(jobs))
    return outcomes


def _outcome(job: Job, future: Any, seconds: float) -> Outcome:
    try:
        artifact = future.result()
    except FutureTimeout:
        error = f"timed out after {job.timeout:g} s and was killed (raise 'timeout' if it needs longer)"
    except pebble.ProcessExpired as expired:
        error = f"the worker process died (exit code {expired.exitcode}) while computing"
    except Exception as exc:  # the computation's own error, with its remote traceback
        trace = getattr(exc, "traceback", "") or ""
        tail = "\n".join(trace.strip().splitlines()[-6:])
        error = f"{type(exc).__name__}: {exc}" + (f"\n{tail}" if tail else "")
    else:
        return Outcome(job.key, artifact, None, seconds)
    return Outcome(job.key, None, error, seconds)
