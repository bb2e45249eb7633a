"""Where a build's jobs run: the local process pool (default) or a Dask cluster.

``REPRO_EXECUTOR`` (a setting, or the environment variable of that name) chooses:

``pool`` (or empty)
    Forked worker processes on this machine (``runner.LocalPool``), ``REPRO_WORKERS`` of them.
``local:N``
    A Dask ``LocalCluster`` of N worker processes that the build starts and stops: the
    distributed path on one machine (for tests and measurements).
``dask://HOST:PORT`` (or ``tcp://``, ``tls://``)
    An existing Dask scheduler; its workers must run this project's checkout (``cluster.py``).

Both kinds of executor have the same shape: ``describe()``, ``run(jobs, on_done=, alone=)``
returning each job's :class:`~reproduce.jobs.Outcome`, and ``close()``. Dask is imported
only when a build asks for it, so a site built on one machine does not need it installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .fingerprint import Fingerprints
from .jobs import Job, Outcome
from .runner import LocalPool, OnDone, stopping

_LOCAL_CLUSTER = re.compile(r"local:([1-9][0-9]{0,2})")
_ADDRESS = re.compile(r"(dask|tcp|tls)://[^\s/]+:[0-9]+")


class ExecutorError(Exception):
    """The executor cannot be used at all (a bad spec, an unreachable scheduler, a bad worker)."""


@dataclass(frozen=True)
class ExecutorSpec:
    """A parsed ``REPRO_EXECUTOR``: ``kind`` is ``pool``, ``local`` (N workers) or ``dask`` (an address)."""

    kind: str = "pool"
    workers: int = 0
    address: str = ""

    def __str__(self) -> str:
        return {"pool": "pool", "local": f"local:{self.workers}", "dask": self.address}[self.kind]


def parse_executor(text: str) -> ExecutorSpec:
    """Read a ``REPRO_EXECUTOR`` value.

    Raises:
        ExecutorError: not one of the forms the module docstring lists.
    """
    text = text.strip()
    if text in ("", "pool"):
        return ExecutorSpec("pool")
    if match := _LOCAL_CLUSTER.fullmatch(text):
        return ExecutorSpec("local", workers=int(match.group(1)))
    if _ADDRESS.fullmatch(text):
        return ExecutorSpec("dask", address=text.replace("dask://", "tcp://", 1))
    raise ExecutorError(
        f"REPRO_EXECUTOR: expected 'pool', 'local:N' (N workers, 1-999) or 'dask://HOST:PORT', got {text!r}"
    )


class Executor(Protocol):
    def describe(self) -> str: ...

    def run(self, jobs: Sequence[Job], *, on_done: OnDone, alone: bool = False) -> dict[str, Outcome]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Context:
    """What an executor needs from the build.

    ``execute`` runs a request in a local worker; ``records`` is where local workers note
    their pids; ``registry`` (a module name), ``renderer`` (a module name) and
    ``fingerprints`` let Dask workers look computations up themselves and the build check
    that they run the same code, libraries and inputs; ``packages`` are the top-level
    packages a worker imports (the registry's, the computations', the plugin's).
    """

    workers: int
    execute: Callable[[Any], dict[str, Any]]
    records: Path
    registry: str
    renderer: str
    fingerprints: Fingerprints
    packages: tuple[str, ...]


@contextmanager
def open_executor(spec: ExecutorSpec, context: Context) -> Iterator[Executor]:
    """The executor ``spec`` names, closed (a cluster it started stopped) on leaving."""
    if spec.kind == "pool":
        executor: Executor = LocalPool(workers=context.workers, execute=context.execute, records=context.records)
    else:
        try:
            from . import cluster
        except ImportError as error:  # the optional dependency (requirements-scale.txt)
            raise ExecutorError(
                f"REPRO_EXECUTOR={spec}: Dask is not installed ({error}); pip install -r requirements-scale.txt"
            ) from None
        with stopping(lambda: None):  # Ctrl-C while a cluster starts: exit 130, as later (Dask closes it at exit)
            executor = cluster.DaskExecutor.start(spec, context)
    try:
        yield executor
    finally:
        executor.close()
