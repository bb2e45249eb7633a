"""Run a build's jobs on a Dask cluster, as the local pool would, and check each worker's environment.

The build (client side, :class:`DaskExecutor`) registers a :class:`~reproduce.checkout.Checkout`
plugin on the cluster for the duration of the run, then submits one task per job. A job is
data: the registry's module name, the computation's name, its JSON parameters, its seed,
its thread budget and timeout, and the fingerprints the build expects. No function of a
computation is pickled: the worker looks the name up in its own registry.

On each worker (:class:`WorkerSide`) the job runs in a persistent ``runner.JobPool`` of
forked processes (one per worker thread), because Dask cannot kill a running task
(dask/distributed#391): a timeout kills the job's process group, a crash kills only a pool
process, and the messages are the local pool's, word for word. Inside that process the
worker first computes the job's fingerprints from its own checkout — the code of the run
and present stages and the renderer, the versions of the libraries they import, the bytes
of the input files, the Python version (``fingerprint.Fingerprints``, as the build does) —
and runs the computation only if they equal the build's. The build compares them again
itself: a result from a worker whose environment differs is rejected with the worker's
name and the differing component, and is never cached.

Computations that measure wall time (``EXCLUSIVE``) run after all others, one at a time,
on one worker (the first by address) with every core of its machine, and their pages name
the machine and worker. Dask's own resources would not keep other tasks off that worker;
running them as a separate step does.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent import futures
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import distributed

from . import checkout
from .directive import Directive, Location
from .executor import Context, ExecutorError, ExecutorSpec
from .fingerprint import Components, Fingerprints
from .inputs import input_parameters
from .jobs import Job, Outcome, Request
from .registry import Registry
from .runner import JobPool, OnDone, stopping

# Worker processes must be able to start the pool's processes (SCALE-OUT.md: Dask workers
# are daemonic by default, and daemonic processes may not have children).
WORKER_CONFIG = {"distributed.worker.daemon": False}
# Where Dask workers' pools note their pids, per worker process and build (runner's books).
BOOKS = Path(tempfile.gettempdir()) / "repro-dask-workers"
# Hashing a job's code, libraries and inputs on a worker: seconds at most, even for large inputs.
FINGERPRINT_SECONDS = 300.0
_MEMO: dict[str, Fingerprints] = {}
STOPPED = "stopped: the build was interrupted"


class DaskExecutor:
    """Jobs as Dask tasks on a scheduler (an existing one, or a LocalCluster it started)."""

    def __init__(self, client: distributed.Client, context: Context, *, cluster: Any = None) -> None:
        self.client = client
        self.context = context
        self.cluster = cluster
        self.address = client.scheduler.address
        self.plugin = f"repro-{uuid.uuid4().hex[:12]}"
        self.futures: list[distributed.Future] = []
        self.expected: dict[str, Components] = {}  # job key → the environment the build expects

    @classmethod
    def start(cls, spec: ExecutorSpec, context: Context) -> DaskExecutor:
        """Connect (starting a LocalCluster for ``local:N``) and set the workers up for this build.

        Raises:
            ExecutorError: the scheduler cannot be reached, has no workers, or a worker
                cannot take jobs (a daemonic worker, a checkout that does not import).
        """
        cluster = None
        _plain_loggers()
        try:
            with dask.config.set(WORKER_CONFIG):
                if spec.kind == "local":
                    cluster = distributed.LocalCluster(
                        n_workers=spec.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # HTTP on a free port, not 8787
                        memory_limit=0,  # jobs run in the pool's processes, which Dask does not see
                    )
                # Gives up after distributed.comm.timeouts.connect (30 s; DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
                client = distributed.Client(cluster or spec.address)
        except (OSError, TimeoutError) as error:
            raise ExecutorError(f"REPRO_EXECUTOR={spec}: cannot reach the Dask scheduler: {error}") from None
        _plain_loggers()  # those of the modules the cluster imported since
        executor = cls(client, context, cluster=cluster)
        try:
            client.wait_for_workers(1, timeout=dask.config.get("distributed.comm.timeouts.connect"))
            cloudpickle.register_pickle_by_value(checkout)  # the plugin's code travels (checkout.py)
            client.register_plugin(
                checkout.Checkout(name=executor.plugin, paths=checkout_paths(context.packages), project=os.getcwd()),
                name=executor.plugin,
            )
        except Exception as error:  # whatever a worker's setup raised: one clear message, nothing half-done
            executor.close()
            raise ExecutorError(f"REPRO_EXECUTOR={spec}: the Dask workers cannot take jobs: {error}") from None
        return executor

    def describe(self) -> str:
        workers = len(self.client.scheduler_info()["workers"])
        return f"the Dask cluster at {self.address} ({workers} worker(s))"

    def run(self, jobs: Sequence[Job], *, on_done: OnDone, alone: bool = False) -> dict[str, Outcome]:
        """Run the jobs as tasks; ``alone``: one after another on one worker, nothing else running.

        Raises:
            Interrupted: SIGINT or SIGTERM arrived; every job of this build was stopped.
        """
        outcomes: dict[str, Outcome] = {}
        with stopping(self._stop):
            if alone:
                (worker, *_) = sorted(self.client.scheduler_info()["workers"])
                for done, job in enumerate(jobs, start=1):
                    future = self._submit(job, alone=True, workers=[worker], allow_other_workers=False)
                    outcomes[job.key] = self.outcome(job, future)
                    on_done(job, outcomes[job.key], done, len(jobs))
                return outcomes
            futures = {self._submit(job): job for job in jobs}
            for done, future in enumerate(distributed.as_completed(futures), start=1):
                job = futures[future]
                outcomes[job.key] = self.outcome(job, future)
                on_done(job, outcomes[job.key], done, len(jobs))
        return outcomes

    def _submit(self, job: Job, *, alone: bool = False, **where: Any) -> distributed.Future:
        request = job.request
        page = self.context.fingerprints.page(present=request.present, result="")
        self.expected[job.key] = environment(job.components, page, present=request.present)
        payload = {
            "plugin": self.plugin,
            "registry": self.context.registry,
            "renderer": self.context.renderer,
            "key": job.key,
            "label": job.label,
            "timeout": job.timeout,
            "name": request.name,
            "params": dict(request.params),
            "seed": request.seed,
            "threads": request.threads,
            "result": request.result,
            "alone": alone,
            "expected": self.expected[job.key],
        }
        key = f"repro-{request.name}-{job.key[:12]}-{uuid.uuid4().hex[:6]}"
        future = self.client.submit(checkout.run_job, payload, key=key, pure=False, retries=0, **where)
        self.futures.append(future)
        return future

    def outcome(self, job: Job, future: distributed.Future) -> Outcome:
        """The worker's outcome; rejected unless the environment it reports is the build's.

        Compared here, not only on the worker: what a worker sends is never trusted to say so itself.
        """
        try:
            reply = future.result()
        except Exception as error:  # the Dask worker itself died or lost the task (not our pool's process)
            return Outcome(job.key, None, f"the Dask worker running it failed: {type(error).__name__}: {error}", 0.0)
        outcome = Outcome(job.key, reply["artifact"], reply["error"], reply["seconds"], where=reply["where"])
        expected, found = self.expected[job.key], reply["found"]
        if found != expected and (found is not None or outcome.artifact is not None):
            message = (
                f"rejected: {reply['where']} does not run the build's environment "
                f"({differences(expected, found or {})}); its result was not used or cached "
                "(workers need the build's checkout, Python and libraries)"
            )
            return dataclasses.replace(outcome, artifact=None, error=message)
        return outcome

    def _stop(self) -> None:
        """Cancel what is queued; unregistering the plugin kills the pools' running jobs."""
        self.client.cancel(self.futures, force=True)
        self.close()

    def close(self) -> None:
        if self.client.status == "running":
            try:
                self.client.unregister_worker_plugin(self.plugin)
            except Exception:  # not registered (setup failed) or the cluster is gone: nothing to undo
                pass
            self.client.close()
        if self.cluster is not None:
            # Stopping worker processes takes seconds (measured 2.6-3.9 s for two): let it
            # overlap the writing of the pages. Not a daemon thread: the interpreter waits for
            # it before it exits, so no worker outlives the build.
            # A generous timeout: on a loaded machine a worker takes over the default 4 s to exit.
            closing = threading.Thread(target=self.cluster.close, kwargs={"timeout": 60}, name="repro-cluster-close")
            closing.start()
            self.cluster = None


def _plain_loggers() -> None:
    """Dask's loggers in the build: warnings and errors shown, and never raised.

    Pelican's ``--fatal errors`` makes every logger created after it raise on an ERROR record;
    the scheduler and nannies of a LocalCluster log errors for events they handle themselves
    (a worker lost), and an exception raised inside their event loop would break them.
    Failures reach the build through each job's outcome instead. INFO lines stay out of the log.
    """
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.split(".")[0] in ("distributed", "dask", "tornado") and isinstance(logger, logging.Logger):
            logger.__class__ = logging.Logger
    logging.getLogger("distributed").setLevel(logging.WARNING)


def checkout_paths(packages: Sequence[str]) -> list[str]:
    """The folders of this process's ``sys.path`` that hold these top-level packages (or modules)."""
    paths: list[str] = []
    for top in packages:
        spec = importlib.util.find_spec(top)  # a top-level name: nothing is imported
        if spec is None or (spec.origin is None and not spec.submodule_search_locations):
            continue
        if spec.submodule_search_locations:
            path = str(Path(next(iter(spec.submodule_search_locations))).parent)
        else:
            path = str(Path(spec.origin).parent)
        if path not in paths:
            paths.append(path)
    return paths


def environment(run: Mapping[str, Any], page: Mapping[str, Any], *, present: str) -> Components:
    """What must be the same where a job runs and where the build runs (the key's components).

    ``run`` and ``page`` are ``Fingerprints.components`` and ``Fingerprints.page``; the
    directive itself (name, parameters, seed) and the result travel with the job.
    """
    return {
        "function": run["function"],
        "code": run["code"],
        "inputs": run["inputs"],
        "libraries": run["libraries"],
        "python": run["python"],
        "present": present,
        "present code": page["code"],
        "page libraries": page["libraries"],
        "renderer": page["renderer"],
    }


def differences(expected: Mapping[str, Any], found: Mapping[str, Any]) -> str:
    """The components that differ, with the entries that do: ``code: a.b (build 1a2b…, worker 3c4d…)``."""
    parts = []
    for component in expected:
        ours, theirs = expected[component], found.get(component)
        if ours == theirs:
            continue
        if isinstance(ours, dict) and isinstance(theirs, dict):
            names = sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))
            shown = [f"{name} (build {_short(ours.get(name))}, worker {_short(theirs.get(name))})" for name in names]
            parts.append(f"{component}: {', '.join(shown[:3])}" + (" …" if len(shown) > 3 else ""))
        else:
            parts.append(f"{component}: build {_short(ours)}, worker {_short(theirs)}")
    return "; ".join(parts)


def _short(value: Any) -> str:
    if value is None:
        return "none"
    text = value if isinstance(value, str) else repr(value)
    return text[:12] + "…" if len(text) == 64 else text[:80]


class WorkerSide:
    """One Dask worker's share of a build: a pool of forked processes that run its jobs."""

    def __init__(self, *, name: str, project: str, slots: int, address: str) -> None:
        from . import artifact

        # Fonts and rcParams once, before forking: the pool's processes inherit them
        # (registering the CJK font in each job made 8 small jobs 3.7x slower, SCALE-OUT.md).
        artifact.configure_matplotlib()
        self.execute = artifact.execute
        _reap()
        self.where = f"{socket.gethostname()}, Dask worker {address}"
        self.pool = JobPool(workers=slots, book=BOOKS / str(os.getpid()) / name, project=project)
        self.closed = threading.Event()

    def run(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Run one job (blocking this worker thread); the outcome as plain data.

        The worker's fingerprints come first, as a task of their own: the job's timeout
        covers its computation only, as in the local pool.
        """
        reply = {"artifact": None, "found": None, "error": None, "seconds": 0.0, "where": self.where}
        probe = Job(payload["key"], Request("", payload["name"], {}, 0, ""), FINGERPRINT_SECONDS, payload["label"])
        outcome = self._settle(probe, self.pool.submit(fingerprint, probe, request=payload))
        if outcome is None:
            return {**reply, "error": STOPPED}
        if outcome.error is not None:
            return {**reply, "error": f"{self.where} cannot fingerprint the job: {outcome.error}"}
        reply["found"] = outcome.artifact["found"]
        if reply["found"] != payload["expected"]:
            return reply  # the build rejects it: no need to compute
        job = Job(payload["key"], Request(**outcome.artifact["request"]), payload["timeout"], payload["label"])
        started = time.perf_counter()
        outcome = self._settle(job, self.pool.submit(self.execute, job))
        if outcome is None:
            return {**reply, "error": STOPPED}
        return {**reply, "artifact": outcome.artifact, "error": outcome.error, "seconds": time.perf_counter() - started}

    def _settle(self, job: Job, future: Future[Any]) -> Outcome | None:
        """The job's outcome once it ends; None if the build stopped this worker's pool first.

        A stopped pebble pool leaves the futures of running jobs unresolved: waiting on one
        would keep this Dask worker thread, and every later task of the worker, blocked.
        """
        while not futures.wait([future], timeout=0.5).done:
            if self.closed.is_set():
                return None
        return None if self.closed.is_set() else self.pool.settle(job, future, 0.0)

    def close(self) -> None:
        self.closed.set()
        self.pool.stop()


def fingerprint(payload: Mapping[str, Any]) -> dict[str, Any]:
    """In a pool process: this checkout's fingerprints for the job, and the request it would run.

    The worker's own registry names the stages; a name it lacks is a differing ``function``.
    """
    registry = Registry(payload["registry"])
    name = payload["name"]
    if name not in registry:
        return {"found": {"function": None}, "request": None}
    target, present = registry.targets[name], registry.presents[name]
    threads = (os.cpu_count() or 1) if payload["alone"] else payload["threads"]
    request = Request(target, name, payload["params"], payload["seed"], present, threads, payload["result"])
    # One memo per build: the pool's processes live as long as the build's plugin.
    if payload["plugin"] not in _MEMO:
        _MEMO[payload["plugin"]] = Fingerprints(renderer_module=payload["renderer"])
    fingerprints = _MEMO[payload["plugin"]]
    directive = Directive(
        name=name, params=request.params, seed=request.seed, timeout=payload["timeout"], location=Location("", 0)
    )
    run = fingerprints.components(directive, target=target, markers=input_parameters(registry[name]))
    found = environment(run, fingerprints.page(present=present, result=""), present=present)
    return {"found": found, "request": dataclasses.asdict(request)}


def _reap() -> None:
    """Kill what the pools of Dask worker processes that died left running (their books remain)."""
    from .runner import _alive, _kill_groups

    for worker in BOOKS.glob("*") if BOOKS.is_dir() else []:
        if worker.name.isdigit() and not _alive(int(worker.name)):
            for book in worker.glob("*"):
                _kill_groups(book)
            shutil.rmtree(worker, ignore_errors=True)
