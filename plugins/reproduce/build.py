"""One site build's directives: collect them, run what the cache lacks, fill the pages.

Phases, in order (the Pelican glue in ``__init__`` calls them):
1. ``add`` while Markdown is read: record each directive, leave a placeholder element;
2. ``run`` once every file is read: parse and key every directive (``resolve``), look up
   each distinct key in the local cache, then in the shared one (``shared.py``), run the
   misses in parallel (identical directives run once; ``REPRO_MODE=frozen`` runs none and
   fails them), store the successes in both;
3. ``fill`` for each page: replace placeholders with figures, tables and checks, or with an
   error box (draft mode);
4. ``summary`` and ``failures``: what the build did and what went wrong, by ``file:line``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from computations.report import InputFiles

from .cache import ArtifactCache, Entry, ParamsMemo, cache_is_writable
from .directive import Directive, DirectiveError, Location, parse_directive
from .executor import Context, ExecutorSpec, open_executor
from .fingerprint import Components, Fingerprints, cache_key, source_file
from .html import (
    AuthorTextError,
    Fragment,
    PageNumbers,
    Templates,
    render_artifact,
    render_error,
    render_inline_error,
    theme_templates,
    with_author_texts,
)
from .inputs import check_inputs, input_parameters
from .jobs import Job, Outcome, Request
from .mathtext import readable_numbers, tex_numbers
from .registry import ComputationImportError, Registry, resolve
from .report import describe
from .runner import worker_records
from .shared import KEY_VARIABLE, SharedCache
from .sources import CodeLink, SourcePage, code_link, listing_key, source_pages

# The module that runs computations and draws SVG in the workers: its code and libraries are
# part of every page key, and it is imported only when something must run.
RENDERER = f"{__package__}.artifact"
# An inline figure this large makes its page slow to load (a 3,461-point scatter was 423 KB).
FIGURE_WARN_BYTES = 1024 * 1024
_PLACEHOLDER = re.compile(r'<div data-repro-slot="(\d+)"></div>')
# "@fig:label" or "@tab:label" in the prose; not inside a Latin word or an e-mail address (a
# Chinese character may stand right before it: Chinese has no spaces between words).
_REFERENCE = re.compile(r"(?<![A-Za-z0-9_.@])@(fig|tab):([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])")
# "@val:label.name": a value a labelled directive exports; in the prose or inside a formula.
_VALUE = re.compile(r"(?<![A-Za-z0-9_.@])@val:([a-z0-9][a-z0-9-]*)\.([a-z][a-z0-9_]*)")
# Formulas as arithmatex leaves them for texmath: a value inside one becomes bare text.
_MATH = re.compile(r'<(span|div) class="arithmatex"[^>]*>.*?</\1>', re.DOTALL)
_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.DOTALL)
# Read loosely from a directive body that may not parse, to name it in messages.
_NAME = re.compile(r"^compute:\s*([\w.]+)\s*$", re.MULTILINE)
_LABEL = re.compile(r"^label:\s*([a-z0-9-]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Settings:
    """The plugin's settings (``REPRO_*`` in pelicanconf.py), frozen for the whole build."""

    strict: bool = True
    cache_path: Path = Path(".repro-cache")
    workers: int = 2
    timeout: float = 300.0
    ignore_cache: bool = False
    verify: bool = False  # recompute what is cached and report results that differ (invoke rebuild --verify)
    cache_read_only: bool = False  # read a shared cache, store nothing (also when it cannot be written)
    registry: str = "computations.registry"
    content_path: Path = Path("content")  # input files named by directives must lie inside
    frozen: bool = False  # REPRO_MODE=frozen: compute nothing; a directive without a stored result fails
    shared_cache: str = ""  # fsspec URL of the shared cache (shared.py), "" for none
    shared_cache_write: bool = False  # store what this build computes there too (CI)
    shared_cache_key: str = field(default="", repr=False)  # the HMAC secret, from the environment
    executor: ExecutorSpec = field(default_factory=ExecutorSpec)  # where jobs run (REPRO_EXECUTOR, executor.py)


@dataclass
class Slot:
    """One directive occurrence on a page."""

    location: Location
    directive: Directive | None = None
    key: str | None = None
    components: Components | None = None
    error: str | None = None
    label: str | None = None  # as written, even when the directive does not parse
    text: str | None = None  # the body, until Build.resolve parses it
    memo: str | None = None  # key of its validated parameters (cache.ParamsMemo)


@dataclass(frozen=True)
class Failure:
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Build:
    """The directives of one site build and their artifacts."""

    def __init__(
        self,
        settings: Settings,
        *,
        say: Callable[[str], None] = print,
        execute: Callable[[Any], dict[str, Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.say = say
        self.registry = Registry(settings.registry)
        # Computations that measure wall time run alone, after the others (registry.EXCLUSIVE).
        self.exclusive = self.registry.exclusive
        writable = not settings.cache_read_only and cache_is_writable(settings.cache_path)
        if not writable:
            say(f"repro: the cache {settings.cache_path} is read-only here: results are used, none stored")
        self.cache = ArtifactCache(settings.cache_path, writable=writable)
        self.shared = _shared_cache(settings, say)
        self.records = worker_records(settings.cache_path)
        self.memo = ParamsMemo(settings.cache_path / "params", writable=writable)
        self.fingerprints = Fingerprints(renderer_module=RENDERER)
        self.execute = execute
        self.slots: list[Slot] = []
        self.artifacts: dict[str, Mapping[str, Any]] = {}
        self.failures: list[Failure] = []
        # For the build report (report.py): when the build began, and what each run gave.
        self.started = datetime.now(UTC)
        self.outcomes: dict[str, Outcome] = {}
        # Keys whose stored result was redrawn (present stage only) → the stored run time.
        # key → the stored run's provenance facts a redraw keeps: its run time and where it ran
        self.redrawn: dict[str, dict[str, Any]] = {}
        # verify mode: keys recomputed to compare → (a directive's location, the stored result).
        self.verifying: dict[str, tuple[Location, str]] = {}
        # The shared cache: keys served from it, and why entries were refused (for the report).
        self.from_shared: set[str] = set()
        self.prefetched = False
        self.problems: list[str] = []
        # frozen mode: keys that would have run → why they fail instead.
        self.refused: dict[str, str] = {}

    def add(self, text: str, *, location: Location) -> str:
        """Record a directive found while reading; return its placeholder HTML.

        The body is parsed later, by :meth:`resolve`, all directives together: parsing needs
        each body's validated parameters, which a fresh checkout reads from the shared cache,
        and one batch of reads costs what one read does.
        """
        label = _LABEL.search(text)
        return self._placeholder(Slot(location=location, label=label and label.group(1), text=text))

    def resolve(self) -> None:
        """Parse every directive recorded since the last call and key it; never raises.

        Whatever goes wrong becomes a failure at the directive's ``file:line``, shown in its
        error box.
        """
        pending = [slot for slot in self.slots if slot.text is not None]
        memos = [self._memo_key(_name_in(slot.text), slot.text, quiet=True) for slot in pending]
        if self.shared is not None:  # what the local memo lacks, in one batch
            self.shared.prefetch({m for m in memos if m and self.memo.get(m) is None}, folder="params/")
        for slot, memo in zip(pending, memos, strict=True):
            text, slot.text = slot.text, None
            self._parse(slot, text, memo)

    def _parse(self, slot: Slot, text: str, memo: str | None) -> None:
        """Parse and key one body; ``memo``: its parameters' key, if it could be made quietly."""
        location = slot.location
        name = _name_in(text)
        try:
            # Made again only when it could not be: this time its error is the directive's failure.
            memo = slot.memo = memo or self._memo_key(name, text)
            known = self._known_params(memo, location) if memo else None
            slot.directive = parse_directive(
                text,
                location=location,
                registry=self.registry,
                default_timeout=self.settings.timeout,
                known=known and known["params"],
            )
            name, slot.label = slot.directive.name, slot.directive.label
            markers = _markers(known["inputs"]) if known else input_parameters(self.registry[name])
            check_inputs(slot.directive, markers, content=self.settings.content_path)
            slot.components = self.fingerprints.components(
                slot.directive, target=self.registry.targets[name], markers=markers
            )
            slot.key = cache_key(slot.components)
            if memo and not known:
                self._remember(memo, slot.directive, markers)
            return
        except DirectiveError as error:
            errors = getattr(error, "errors", [error])  # DirectiveErrors: all of them at once
            for other in errors[1:]:
                self._fail(other.location, str(other).removeprefix(f"{other.location}: "))
            box = "\n".join(str(e) for e in errors[1:])
            location, message = error.location, str(error).removeprefix(f"{error.location}: ")
        except ComputationImportError as error:
            message, box = f"directive '{name}': {error}", ""
        except OSError as error:  # an input file named by a parameter cannot be read
            message, box = f"directive '{name}': input data: {error}", ""
        except Exception as error:  # a computation's validator or resolver, a bug of ours: still file:line
            message, box = f"directive '{name}': {type(error).__name__}: {error}", ""
        slot.directive = slot.key = slot.components = None
        self._fail(location, message)
        slot.location, slot.error = location, f"{location}: {message}" + (f"\n{box}" if box else "")

    def _memo_key(self, name: str | None, text: str, *, quiet: bool = False) -> str | None:
        """Key of a body's validated parameters: its text and its run stage's code (None: unknown name).

        ``quiet``: None when the code cannot be read either (:meth:`_parse` then says why).
        """
        if name not in self.registry:
            return None
        target = self.registry.targets[name]
        try:
            code = self.fingerprints.code(target.partition(":")[0])
        except Exception:
            if quiet:
                return None
            raise
        return cache_key({"function": target, "code": code, "body": text})

    def _remember(self, memo: str, directive: Directive, markers: Mapping[str, InputFiles]) -> None:
        inputs = {name: {"resolve": _target_of(m.resolve), "names": list(m.names)} for name, m in markers.items()}
        if all(entry["resolve"] for entry in inputs.values()):  # a resolver a later build can import
            record = {"params": dict(directive.params), "inputs": inputs}
            self.memo.put(memo, record)
            if self.shared is not None:
                self._store_shared(directive.label or str(directive.location), self.shared.put_params, memo, record)

    def _known_params(self, memo: str, location: Location) -> Mapping[str, Any] | None:
        """A body's validated parameters from the local memo, else from the shared cache."""
        known = self.memo.get(memo)
        if self.shared is None:
            return known
        if known is not None:  # a writer shares what it validated before the shared cache existed
            self._store_shared(str(location), self.shared.put_params, memo, known)
            return known
        known, problem = self.shared.get_params(memo)
        if problem is not None:
            self._problem(f"{location}: shared parameters {memo} refused: {problem}; validating again")
        if known is not None:
            self.memo.put(memo, known, durable=False)
        return known

    def reject(self, location: Location, message: str) -> str:
        """Record a directive that cannot run; return the placeholder of its error box."""
        self._fail(location, message)
        return self._placeholder(Slot(location=location, error=f"{location}: {message}"))

    def _placeholder(self, slot: Slot) -> str:
        self.slots.append(slot)
        return f'<div data-repro-slot="{len(self.slots) - 1}"></div>'

    def run(self) -> None:
        """Serve cached artifacts and compute the rest, each distinct key once."""
        self.resolve()
        jobs: dict[str, Job] = {}
        for slot in self.slots:
            if slot.key is None or slot.key in self.artifacts or slot.key in jobs:
                continue
            job = self._serve_or_plan(slot)
            if job is not None:
                jobs[slot.key] = job
        usable = [s for s in self.slots if s.key is not None]
        shared = [job for job in jobs.values() if job.request.name not in self.exclusive]
        alone = [job for job in jobs.values() if job.request.name in self.exclusive]
        before = _snapshot(self.settings.content_path) if jobs else {}
        outcomes: dict[str, Outcome] = {}
        if jobs:
            with open_executor(self.settings.executor, self._context()) as executor:
                self.say(f"repro: {len(self.slots)} directive(s), {len(jobs)} to compute on {executor.describe()}")
                outcomes = executor.run(shared, on_done=self._progress)
                outcomes |= executor.run(alone, on_done=self._progress, alone=True)
        self._check_untouched(before, [job.label for job in jobs.values()])
        self.outcomes = outcomes
        for slot in usable:
            if slot.key not in self.artifacts:
                slot.error = self.refused[slot.key] if slot.key in self.refused else outcomes[slot.key].error
                self._fail(slot.location, f"directive '{slot.directive.name}': {slot.error}")
            else:
                for check in self.artifacts[slot.key]["items"]:
                    if check["kind"] == "check" and not check["passed"]:
                        self._fail(slot.location, f"check failed: {check['claim']} ({check['detail']})")

    def _context(self) -> Context:
        """What an executor needs; the local pool's workers are forked from this process."""
        if self.settings.executor.kind == "pool" and self.execute is None:
            # Imported only now: a build served from the cache never loads matplotlib.
            from . import artifact

            artifact.configure_matplotlib()  # once here, inherited by the forked workers
            self.execute = artifact.execute
        targets = [*self.registry.targets.values(), *self.registry.presents.values()]
        packages = {self.settings.registry.split(".")[0], __package__, *(t.split(".")[0] for t in targets)}
        return Context(
            workers=self.settings.workers,
            execute=self.execute,
            records=self.records,
            registry=self.settings.registry,
            renderer=RENDERER,
            fingerprints=self.fingerprints,
            packages=tuple(sorted(packages)),
        )

    def _check_untouched(self, before: Mapping[str, tuple[int, int]], ran: list[str]) -> None:
        """A computation may not change the site's content (one broke six builds that way)."""
        if not before:
            return
        after = _snapshot(self.settings.content_path)
        changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
        for path in changed:
            self._fail(Location(path, 1), f"changed while computations ran (one of: {', '.join(ran)})")

    def _serve_or_plan(self, slot: Slot) -> Job | None:
        """Serve the slot's artifact from the cache (None), or the job that makes it."""
        directive = slot.directive
        assert directive is not None and slot.key is not None
        if slot.key in self.refused:
            return None
        entry = None if self.settings.ignore_cache else self._lookup(slot)
        if self.settings.verify and entry is not None and entry.result is not None:
            # Recompute and compare with what the cache froze (computations that measure time
            # differ by nature: they are recomputed but not compared).
            if directive.name not in self.exclusive:
                self.verifying[slot.key] = (directive.location, entry.result)
            entry = None
        current = entry is not None and entry.page is not None
        if current and entry.page == self.page_key(directive.name, entry.result):
            if _renders(entry.artifact):
                self.artifacts[slot.key] = entry.artifact
                return None
            self.say(f"repro: warning: {directive.location}: its cached result cannot be drawn; recomputing")
            entry = None
        # A stored result whose page is out of date (its present code changed) is redrawn.
        stored = entry.result if entry is not None and entry.result is not None else None
        if self.settings.frozen:  # compute nothing, draw nothing: say what is missing, by key
            why = "its stored result's page is out of date (present code changed)" if stored else "no stored result"
            self.refused[slot.key] = f"REPRO_MODE=frozen computes nothing: {why}, key {slot.key}"
            return None
        if stored is not None:
            facts = entry.artifact["provenance"]
            self.redrawn[slot.key] = {fact: facts[fact] for fact in ("seconds", "where") if fact in facts}
        label = f"{directive.name} ({directive.location})"
        return Job(slot.key, self._request(directive, result=stored), directive.timeout, label, slot.components)

    def _lookup(self, slot: Slot) -> Entry | None:
        """The slot's entry from the local cache, else from the shared one (copied into the local)."""
        entry = self.cache.get(slot.key)
        if self.shared is None:
            return entry
        if not self.prefetched:  # every key the local cache lacks, in one batch
            self.prefetched = True
            self.shared.prefetch({s.key for s in self.slots if s.key and not self.cache.path(s.key).is_file()})
        if entry is not None:  # a writer (CI) with a warm local cache fills an empty shared one
            self._store_shared(
                str(slot.location), self.shared.put, slot.key, entry, components=self.cache.components(slot.key)
            )
            return entry
        fetched = self.shared.get(slot.key)
        if fetched.problem is not None:
            self._problem(f"{slot.location}: shared cache entry {slot.key} refused: {fetched.problem}; recomputing")
        if fetched.entry is not None:
            self.from_shared.add(slot.key)
            # No fsync: a copy torn by a crash fails its checksum and is fetched again.
            self.cache.put(slot.key, fetched.entry, components=fetched.components, durable=False)
        return fetched.entry

    def _problem(self, problem: str) -> None:
        """A warning that fails nothing, in the log and the build report."""
        self.problems.append(problem)
        self.say(f"repro: warning: {problem}")

    def _store_shared(self, label: str, put: Callable[..., bool], key: str, *args: Any, **kwargs: Any) -> None:
        if self.shared is None or not self.shared.writable:
            return
        try:
            put(key, *args, **kwargs)
        except Exception as error:  # any backend's error: the build goes on; the next one may store it
            self._problem(f"{label}: not stored in the shared cache: {type(error).__name__}: {error}")

    def _progress(self, job: Job, outcome: Outcome, done: int, total: int) -> None:
        """Store a finished result at once (an interrupted build keeps it) and say how it went."""
        self._settle(job, outcome)
        # The computation's own run time; the wall time since scheduling includes queueing.
        seconds = outcome.artifact["provenance"]["seconds"] if outcome.artifact else outcome.seconds
        if outcome.error is not None:
            status = "FAILED"
        elif any(item["kind"] == "check" and not item["passed"] for item in outcome.artifact["items"]):
            status = "CHECK FAILED"
        else:
            status = "ok"
        how = "redrawn from the stored result" if job.key in self.redrawn else f"{seconds:.1f} s"
        self.say(f"repro: [{done}/{total}] {status} {job.label} ({how})")

    def page_key(self, name: str, result: str | None) -> str | None:
        """Key of the page drawn from ``result`` by the present stage as it is now."""
        if result is None:  # an entry without a stored result (an older format) is recomputed
            return None
        return cache_key(self.fingerprints.page(present=self.registry.presents[name], result=result))

    def _request(self, directive: Directive, *, result: str | None = None) -> Request:
        """What a worker needs; exclusive computations get every core's BLAS threads."""
        cores = os.cpu_count() or 1
        threads = cores if directive.name in self.exclusive else max(1, cores // self.settings.workers)
        target = self.registry.targets[directive.name]
        present = self.registry.presents[directive.name]
        return Request(target, directive.name, directive.params, directive.seed, present, threads, result)

    def code_links(self, name: str) -> list[CodeLink]:
        """Where the run and present functions of computation ``name`` start, on the source pages."""
        stages = (("run", self.registry.targets[name]), ("present", self.registry.presents[name]))
        found = (code_link(stage, target, locate=source_file) for stage, target in stages)
        return [link for link in found if link is not None]

    def source_pages(self) -> list[SourcePage]:
        """A page per module that the results shown on the site depend on (``sources.py``).

        Raises:
            SourceChangedError: a module's file changed since the build hashed it.
        """
        used = {slot.directive.name for slot in self.slots if slot.directive and slot.key in self.artifacts}
        closures = self._closures(used)
        root = self.settings.content_path.resolve().parent
        memo = self.cache.root / "sources" if self.cache.writable else None
        shared = _SharedListings(self) if self.shared is not None else None
        return source_pages(
            closures, locate=source_file, imports=self.fingerprints.imports, root=root, memo=memo, shared=shared
        )

    def listing_keys(self) -> set[str]:
        """Keys of the listings of every registered computation's modules as they are now (cache gc)."""
        closures = self._closures(self.registry.targets)
        return {listing_key(digest) for closure in closures.values() for digest in closure.values()}

    def _closures(self, names: Iterable[str]) -> dict[str, Mapping[str, str]]:
        """Run and present module of each computation → its code closure ({module: digest})."""
        stages = {t.partition(":")[0] for n in names for t in (self.registry.targets[n], self.registry.presents[n])}
        return {module: self.fingerprints.code(module) for module in sorted(stages)}

    def fill(self, html: str, *, root: str, source: str, text: str, templates: Templates | None = None) -> Fragment:
        """Replace the placeholders and ``@fig:``/``@tab:`` references of one page.

        Args:
            html: the page's HTML with placeholders.
            root: relative URL from the page to the site root.
            source: the page's source path, and ``text`` its content, to locate bad references.
            templates: the theme's markup (Pelican's environment); our theme's when None.
        """
        templates = templates or theme_templates()
        numbers = PageNumbers()
        where = _Occurrences(source, text)
        files: dict[str, str] = {}
        labels: set[str] = set()
        failed: set[str] = set()  # labels of failed directives: already reported, with their refs

        def replace(match: re.Match[str]) -> str:
            slot = self.slots[int(match.group(1))]
            if slot.label and slot.label in labels:
                self._fail(slot.location, f"label '{slot.label}' is used twice on this page")
            labels.add(slot.label)
            if slot.key is None or slot.key not in self.artifacts:
                failed.add(slot.label)
                return render_error(slot.error or "not computed", location=str(slot.location), templates=templates)
            directive = slot.directive
            try:
                shown = with_author_texts(self.artifacts[slot.key], captions=directive.captions, alts=directive.alts)
            except AuthorTextError as error:
                where = directive.where(error.key)
                self._fail(where, f"directive '{directive.name}': {error}")
                failed.add(slot.label)
                return render_error(f"{where}: {error}", location=str(slot.location), templates=templates)
            try:
                fragment = render_artifact(
                    shown,
                    key=slot.key,
                    location=str(slot.location),
                    numbers=numbers,
                    root=root,
                    label=slot.label,
                    timed=slot.directive.name in self.exclusive,
                    code=self.code_links(slot.directive.name),
                    templates=templates,
                )
            except Exception as error:  # an artifact that cannot be drawn: a failure, never a traceback
                problem = f"{type(error).__name__}: {error}"
                message = f"directive '{slot.directive.name}': cannot render its result: {problem}"
                self._fail(slot.location, message)
                failed.add(slot.label)
                return render_error(message, location=str(slot.location), templates=templates)
            if fragment.removed:  # markup a page must not get: from a cache entry or a computation
                self._problem(f"{slot.location}: figure SVG sanitised, removed: {'; '.join(fragment.removed)}")
            files.update(fragment.files)
            return fragment.html

        html = _PLACEHOLDER.sub(replace, html)

        def cross_reference(match: re.Match[str]) -> str:
            anchor = f"{match.group(1)}-{match.group(2)}"
            if match.group(2) in failed and anchor not in numbers.anchors:
                return render_inline_error(
                    match.group(0), "its directive failed (see the box below)", templates=templates
                )
            if anchor not in numbers.anchors:
                known = ", ".join(sorted(numbers.anchors)) or "none"
                message = f"unknown reference '{match.group(0)}' (labelled on this page: {known})"
                self._fail(where.next(match.group(0)), message)
                return render_inline_error(match.group(0), message, templates=templates)
            return f'<a class="repro-ref" href="#{anchor}">{numbers.anchors[anchor]}</a>'

        # A reference shown as code (`@fig:x` in a code span or block) is an example, not a reference.
        html = _outside_code(html, lambda prose: _REFERENCE.sub(cross_reference, prose))
        html = _outside_code(html, lambda prose: self._quote_values(prose, numbers, failed, where, templates))
        return Fragment(html=html, files=files)

    def _quote_values(
        self, html: str, numbers: PageNumbers, failed: set[str | None], where: _Occurrences, templates: Templates
    ) -> str:
        """Put each ``@val:label.name`` of the page in place: the value's text, or an error."""

        def quote(match: re.Match[str], *, in_math: bool) -> str:
            token, key = match.group(0), f"{match.group(1)}.{match.group(2)}"
            if key in numbers.values:
                value = numbers.values[key]
                if in_math:
                    return escape(tex_numbers(value))
                return f'<span class="repro-value">{escape(readable_numbers(value))}</span>'
            if match.group(1) in failed:
                message = "its directive failed (see its box)"
            else:
                known = ", ".join(sorted(numbers.values)) or "none"
                message = f"unknown value '{token}' (values on this page: {known})"
                self._fail(where.next(token), message)
            # Inside a formula markup would break the TeX: a visible placeholder instead.
            return "?" if in_math else render_inline_error(token, message, templates=templates)

        out, at = [], 0
        for formula in _MATH.finditer(html):
            out.append(_VALUE.sub(lambda m: quote(m, in_math=False), html[at : formula.start()]))
            out.append(_VALUE.sub(lambda m: quote(m, in_math=True), formula.group(0)))
            at = formula.end()
        out.append(_VALUE.sub(lambda m: quote(m, in_math=False), html[at:]))
        return "".join(out)

    def summary(self) -> str:
        """One line for the log: counts and the slowest computations (from the build report)."""
        return describe(self).summary()

    def _settle(self, job: Job, outcome: Outcome) -> None:
        if outcome.artifact is None:
            return  # a failure is reported per slot and never cached
        drawn = dict(outcome.artifact)
        result = drawn.pop("result", None) or job.request.result
        if job.key in self.verifying:
            location, stored = self.verifying[job.key]
            if result != stored:
                self._fail(location, f"verify: {_first_difference(stored, result)}")
            self.artifacts[job.key] = drawn
            return  # a verify build reports; the cache keeps what was published
        if job.key in self.redrawn:  # the run time and place are the stored run's, not the redraw's
            drawn["provenance"] = {**drawn["provenance"], **self.redrawn[job.key]}
        elif job.request.name in self.exclusive and outcome.where:  # its timings depend on the machine
            drawn["provenance"] = {**drawn["provenance"], "where": outcome.where}
        self.artifacts[job.key] = drawn
        for number, item in enumerate((i for i in drawn["items"] if i["kind"] == "figure"), start=1):
            if len(item["svg"]) > FIGURE_WARN_BYTES:  # every byte is inline in the page
                size = len(item["svg"]) // 1024
                self.say(f"repro: warning: {job.label}: figure {number} is {size} KiB of SVG (rasterized=True?)")
        entry = Entry(drawn, result, self.page_key(job.request.name, result))
        self.cache.put(job.key, entry, components=job.components)
        if self.shared is not None:
            self._store_shared(job.label, self.shared.put, job.key, entry, components=job.components)

    def _fail(self, location: Location, message: str) -> None:
        self.failures.append(Failure(location, message))


class _SharedListings:
    """The shared cache as ``sources.source_pages`` uses it, with refusals and failures reported."""

    def __init__(self, build: Build) -> None:
        assert build.shared is not None
        self.build, self.shared, self.writable = build, build.shared, build.shared.writable

    def fetch(self, keys: Collection[str]) -> Mapping[str, str]:
        found, refused = self.shared.get_listings(keys)
        for key, problem in refused.items():
            self.build._problem(f"shared source listing {key} refused: {problem}; highlighting again")
        return found

    def store(self, key: str, html: str) -> None:
        self.build._store_shared(f"source listing {key}", self.shared.put_listing, key, html)


class _Occurrences:
    """Where each ``@fig:``/``@val:`` token of a page's source is, occurrence after occurrence.

    A page's HTML keeps the order of its source, so the n-th time a token is met in the HTML
    is its n-th occurrence in the source: three bad references on three lines are three lines.
    """

    def __init__(self, source: str, text: str) -> None:
        self.source, self.text = source, text
        self.after: dict[str, int] = {}

    def next(self, token: str) -> Location:
        pattern = re.compile(rf"(?<![A-Za-z0-9_.@]){re.escape(token)}(?![A-Za-z0-9_-])")
        found = pattern.search(self.text, self.after.get(token, 0))
        if found is None:  # not in the source as written (e.g. made by a directive): its first line
            found = pattern.search(self.text)
        position = found.start() if found else 0
        self.after[token] = position + len(token)
        return Location(self.source, self.text.count("\n", 0, position) + 1)


def _name_in(text: str) -> str | None:
    """The computation a body names, read loosely (it may not parse)."""
    return (match := _NAME.search(text)) and match.group(1)


def _shared_cache(settings: Settings, say: Callable[[str], None]) -> SharedCache | None:
    """The shared layer the settings name, or None (none named, or no secret to check it with)."""
    if not settings.shared_cache:
        return None
    if not settings.shared_cache_key:
        say(
            f"repro: warning: REPRO_SHARED_CACHE is set but {KEY_VARIABLE} is not: its entries cannot be "
            "verified, so none is read (unsigned content is never used) and none is written"
        )
        return None
    writable = settings.shared_cache_write and not settings.verify
    return SharedCache(settings.shared_cache, secret=settings.shared_cache_key.encode(), writable=writable)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: modification time and size, by path."""
    found = {}
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                status = path.stat()
                found[os.path.relpath(path)] = (status.st_mtime_ns, status.st_size)
    return found


def _first_difference(stored: str, now: str) -> str:
    """What changed between the stored result (JSON) and the recomputed one: the first few fields."""
    try:
        changes = list(_changes(json.loads(stored), json.loads(now), ""))
    except ValueError:
        changes = []
    if changes:
        more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
        what = "; ".join(f"{path or 'result'}: {old} → {new}" for path, old, new in changes[:3]) + more
    else:
        at = next((i for i, (a, b) in enumerate(zip(stored, now, strict=False)) if a != b), min(len(stored), len(now)))
        what = f"at character {at}, cached …{stored[max(0, at - 30) : at + 30]}… now …{now[max(0, at - 30) : at + 30]}…"
    return f"the result differs from the cached one with the same key (a nondeterministic computation?): {what}"


def _changes(old: Any, new: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(field path, old, new) for each leaf that differs; results are stored as a 1-tuple, hence [0]."""
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        for name in old:
            yield from _changes(old[name], new[name], f"{path}.{name}" if path else name)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _changes(a, b, path if (path, index) == ("", 0) and len(old) == 1 else f"{path}[{index}]")
    elif old != new:
        yield path, _brief(old), _brief(new)


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def _renders(artifact: Mapping[str, Any]) -> bool:
    """Whether a stored artifact can be drawn (one from an older, laxer version may not)."""
    try:
        render_artifact(artifact, key="0" * 64, location="", numbers=PageNumbers(), root="")
    except Exception:  # whatever makes it undrawable, the answer is: compute it again
        return False
    return True


def _outside_code(html: str, substitute: Callable[[str], str]) -> str:
    """Apply ``substitute`` to the HTML outside ``<pre>`` and ``<code>`` elements."""
    out, at = [], 0
    for code in _CODE.finditer(html):
        out += [substitute(html[at : code.start()]), code.group(0)]
        at = code.end()
    return "".join([*out, substitute(html[at:])])


def _target_of(function: Callable[..., Any]) -> str | None:
    """``module:qualname`` of a module-level function, None for a lambda or a local one."""
    qualname = getattr(function, "__qualname__", "<")
    return None if "<" in qualname else f"{function.__module__}:{qualname}"


def _markers(inputs: Mapping[str, Any]) -> dict[str, InputFiles]:
    """The input parameters recorded in the memo, with their resolvers imported."""
    return {name: InputFiles(resolve(entry["resolve"]), tuple(entry["names"])) for name, entry in inputs.items()}


def has_placeholders(html: str) -> bool:
    return any(pattern.search(html) is not None for pattern in (_PLACEHOLDER, _REFERENCE, _VALUE))
