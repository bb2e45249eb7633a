"""What a build hands to an executor and gets back: plain records, no code.

A job names its computation and carries JSON-ready parameters; a worker (a forked process
of the local pool, or a process on a Dask worker) resolves the names itself. The renderer
(``artifact.py``) reads :class:`Request`; keeping these records apart from the pools means
changing how jobs are run never changes the key of a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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
    """The artifact of a job, or the reason it has none.

    ``where`` names the machine and worker that ran it (shown on the pages of computations
    that measure time, whose numbers depend on it).
    """

    key: str
    artifact: dict[str, Any] | None
    error: str | None
    seconds: float
    where: str = ""
