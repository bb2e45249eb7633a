"""The Dask worker plugin that puts a worker on its checkout of the project; sent by value.

A worker unpickles this before it can import anything of ours: the build registers this
module with cloudpickle *by value* (its code travels, it uses only the standard library
and ``distributed``), and ``setup`` then puts the worker's checkout first on ``sys.path``
and imports ``reproduce.cluster`` from there. The checkout is the build's own paths (the
same machine, or a shared disk), or ``$REPRO_CHECKOUT`` on the worker (its root, with
``plugins/`` beside the computations) when workers keep their copy elsewhere.

Modules of ours that the worker process already holds are dropped first and imported
again: a long-lived worker must not run the code of an earlier build (its checkout may have
been updated since), and an installed copy of the project (an editable install) must not
shadow the checkout. Jobs still carry the code, library and input fingerprints the build
expects; a worker whose checkout differs is rejected job by job (``cluster.py``).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
from typing import Any

from distributed import WorkerPlugin, get_worker


class Checkout(WorkerPlugin):
    """Registered once per build under ``name``; ``setup`` starts the worker's job pool."""

    def __init__(self, *, name: str, paths: list[str], project: str) -> None:
        self.name = name
        self.paths = paths
        self.project = project
        self.side: Any = None

    def setup(self, worker: Any) -> None:
        if multiprocessing.current_process().daemon:
            raise RuntimeError(
                f"Dask worker {worker.address} is a daemonic process and cannot start the processes that run "
                "jobs: start workers with distributed.worker.daemon: False (DASK_DISTRIBUTED__WORKER__DAEMON=False)"
            )
        root = os.environ.get("REPRO_CHECKOUT")
        paths = [root, os.path.join(root, "plugins")] if root else list(self.paths)
        for path in reversed(paths):
            while path in sys.path:
                sys.path.remove(path)
            sys.path.insert(0, path)
        _forget(paths)
        cluster = importlib.import_module("reproduce.cluster")
        self.side = cluster.WorkerSide(
            name=self.name, project=root or self.project, slots=worker.state.nthreads, address=worker.address
        )

    def teardown(self, worker: Any) -> None:
        if self.side is not None:
            self.side.close()


def run_job(payload: dict[str, Any]) -> dict[str, Any]:
    """The Dask task: hand the job to this worker's pool (``cluster.WorkerSide.run``).

    Sent by value and looked up at call time, so a worker that caches deserialised task
    functions still reaches the module imported for this build.
    """
    plugin = get_worker().plugins[payload["plugin"]]
    return plugin.side.run(payload)


def _forget(paths: list[str]) -> None:
    """Drop from ``sys.modules`` every module of the packages found in ``paths``."""
    tops = set()
    for path in paths:
        try:
            names = os.listdir(path)
        except OSError:
            continue
        tops |= {name.removesuffix(".py") for name in names if name.endswith(".py") or "." not in name}
    for name in [n for n in sys.modules if n.split(".")[0] in tops]:
        del sys.modules[name]
    importlib.invalidate_caches()
