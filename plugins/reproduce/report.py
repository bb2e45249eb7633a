"""The build report: what each directive of one build did, as JSON beside the cache.

Pages carry nothing that depends on the run (see ``html.py``), so run times, hosts and
dates live here instead: ``<REPRO_CACHE_PATH>/build-report.json``, rewritten atomically by
every build (draft, strict or failing), one record per directive::

    {"started": "2026-05-01T10:22:03+00:00", "host": "…",
     "totals": {"directives": 3, "cached": 1, "computed": 1, "failed": 1},
     "records": [{"location": "content/posts/x.md:7", "name": "toy.line", "key": "…",
                  "status": "computed", "seconds": 0.07, "outcome": "ok"}, …]}

``status`` is ``cached`` (served from the store), ``computed`` (run by this build),
``redrawn`` (its stored result drawn again because the present stage changed) or
``failed`` (no result: the directive does not parse or its run failed); ``outcome`` is
``ok``, ``check failed: …`` or the error message. ``seconds`` is the computation's own run
time, measured now or stored with a cached result. The log's summary line is printed from
the totals: ``computed`` counts distinct computations (identical directives run once) and
``failed`` every failure of the build by ``file:line``, as the strict build reports them;
``shared`` how many of the cached came from the shared cache. ``problems`` lists warnings
that fail nothing: shared-cache entries refused (torn, unsigned, wrongly signed, altered)
and figures whose SVG was sanitised.

Beside it, ``usage.json`` remembers across builds when each entry was last used and which
entry each ``file:line`` last had, for ``invoke cache list`` and ``invoke cache why``.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import write_json

if TYPE_CHECKING:  # build.py imports this module; the dependency is for type checkers only
    from .build import Build, Slot

logger = logging.getLogger(__name__)
REPORT_FILE = "build-report.json"
USAGE_FILE = "usage.json"
# Failure messages name the directive as DirectiveError writes it; a directive that does
# not parse has no Directive object to ask.
_NAMED = re.compile(r"directive '([^']+)'")


@dataclass(frozen=True)
class Record:
    """One directive of the build."""

    location: str
    name: str | None
    key: str | None
    status: str  # "cached" | "computed" | "failed"
    seconds: float | None
    outcome: str  # "ok", "check failed: …" or the error message


@dataclass(frozen=True)
class Totals:
    directives: int = 0
    cached: int = 0
    computed: int = 0
    failed: int = 0
    redrawn: int = 0  # pages drawn again from a stored result (present code changed)
    shared: int = 0  # of the cached, how many came from the shared cache (shared.py)


@dataclass(frozen=True)
class BuildReport:
    """A whole build: when, where, and one :class:`Record` per directive."""

    started: str
    host: str
    totals: Totals
    records: tuple[Record, ...] = ()
    # Warnings that are not failures: shared-cache entries refused, figures sanitised.
    problems: tuple[str, ...] = ()

    def summary(self) -> str:
        """The log line: counts and the slowest computations run by this build."""
        ran = {r.key: r for r in self.records if r.status == "computed" and r.seconds is not None}
        slowest = sorted(ran.values(), key=lambda r: r.seconds or 0.0, reverse=True)[:3]
        named = ", ".join(f"{r.name} {r.seconds:.1f} s" for r in slowest)
        t = self.totals
        counts = f"{t.directives} directive(s): {t.cached} cached, {t.computed} computed, {t.failed} failed"
        redrawn = f"; {t.redrawn} redrawn from stored results" if t.redrawn else ""
        shared = f"; {t.shared} from the shared cache" if t.shared else ""
        problems = f"; {len(self.problems)} warning(s)" if self.problems else ""
        return f"repro: {counts}{redrawn}{shared}{problems}" + (f"; slowest: {named}" if named else "")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildReport:
        return cls(
            started=data["started"],
            host=data["host"],
            totals=Totals(**data["totals"]),
            records=tuple(Record(**record) for record in data["records"]),
            problems=tuple(data.get("problems", ())),
        )


@dataclass
class Usage:
    """What builds used, accumulated across builds (``usage.json``).

    ``last_used``: entry key → start time of the last build that served or computed it.
    ``last_key``: ``file:line`` → the key the directive there had in the last build that
    had a result for it: "its last entry", which ``why`` compares against.
    """

    last_used: dict[str, str] = field(default_factory=dict)
    last_key: dict[str, str] = field(default_factory=dict)


def describe(build: Build) -> BuildReport:
    """The report of a build whose pages are filled (fill adds failures of its own)."""
    messages: dict[str, list[str]] = defaultdict(list)
    for failure in build.failures:
        messages[str(failure.location)].append(failure.message)
    records = tuple(_record(build, slot, messages[str(slot.location)]) for slot in build.slots)
    totals = Totals(
        directives=len(records),
        cached=sum(1 for r in records if r.status == "cached"),
        computed=len(build.outcomes) - len(build.redrawn),
        failed=len(build.failures),
        redrawn=len(build.redrawn),
        shared=sum(1 for r in records if r.status == "cached" and r.key in build.from_shared),
    )
    return BuildReport(
        started=build.started.isoformat(timespec="seconds"),
        host=socket.gethostname(),
        totals=totals,
        records=records,
        problems=tuple(build.problems),
    )


def _record(build: Build, slot: Slot, messages: list[str]) -> Record:
    outcome = "; ".join(messages) or "ok"
    named = [match.group(1) for match in map(_NAMED.search, messages) if match]
    name = slot.directive.name if slot.directive else next(iter(named), None)
    seconds: float | None = None
    if slot.key is not None and slot.key in build.artifacts:
        if slot.key in build.redrawn:
            status = "redrawn"
        else:
            status = "computed" if slot.key in build.outcomes else "cached"
        seconds = build.artifacts[slot.key]["provenance"]["seconds"]
    else:
        status = "failed"
        if slot.key in build.outcomes:
            seconds = round(build.outcomes[slot.key].seconds, 3)
    return Record(str(slot.location), name, slot.key, status, seconds, outcome)


def save(report: BuildReport, cache_path: Path) -> None:
    """Write the report and fold it into the usage file; a failure to write only warns."""
    try:
        write_json(cache_path / REPORT_FILE, report.to_json(), indent=1)
        usage = load_usage(cache_path)
        for record in report.records:
            if record.key is not None and record.status != "failed":
                usage.last_used[record.key] = report.started
                usage.last_key[record.location] = record.key
        save_usage(usage, cache_path)
    except OSError as error:
        logger.warning("repro: cannot write the build report in %s (%s)", cache_path, error)


def load_report(cache_path: Path) -> BuildReport | None:
    """The last build's report, or None if there is none (or it cannot be read)."""
    try:
        return BuildReport.from_json(json.loads((cache_path / REPORT_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_usage(cache_path: Path) -> Usage:
    try:
        data = json.loads((cache_path / USAGE_FILE).read_text(encoding="utf-8"))
        return Usage(last_used=dict(data["last_used"]), last_key=dict(data["last_key"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Usage()  # lost or never written: the next build starts it again


def save_usage(usage: Usage, cache_path: Path) -> None:
    write_json(cache_path / USAGE_FILE, asdict(usage), indent=1)
