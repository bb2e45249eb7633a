"""Pelican glue for ``repro`` directives: connect signals, hand the work to ``build``.

Settings (pelicanconf.py), all optional:
``REPRO_STRICT`` (True: any failing directive fails the build; False: draft mode, an error
box replaces it and the site goes to ``<output>-draft/``, never to ``output/``),
``REPRO_CACHE_PATH`` (".repro-cache"), ``REPRO_WORKERS`` (all cores),
``REPRO_TIMEOUT`` (seconds per directive, 300), ``REPRO_IGNORE_CACHE`` (False),
``REPRO_REGISTRY`` (module with a ``COMPUTATIONS`` dict, "computations.registry"),
``REPRO_UNTRUSTED_POSTS`` (False; True sanitises every post's own HTML, ``untrusted.py``),
``REPRO_MODE`` ("build"; "frozen" computes nothing and fails on what is not stored, "verify"
recomputes what is stored and fails on results that differ), ``REPRO_SHARED_CACHE`` (an
fsspec URL, ""), ``REPRO_SHARED_CACHE_WRITE`` (False). The shared cache's secret is read
from the environment only (``REPRO_SHARED_CACHE_KEY``), never from a settings file.
``REPRO_EXECUTOR`` (where jobs run: "pool", "local:N" or "dask://host:port"; the environment
variable of that name when the setting is absent; ``executor.py``).

Other plugins report what must fail a strict build by appending ``"file:line: message"``
strings to ``context[FAILURES]`` (Pelican's context is shared by every generator); the
``finalized`` receiver prints them all in one summary and exits non-zero without publishing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO, Any

from pelican import signals
from pelican.generators import Generator
from pelican.log import console

from .build import Build, Settings, has_placeholders
from .cache import CacheError
from .executor import ExecutorError, parse_executor
from .feed import link_figures
from .html import Templates
from .markdown_fence import reader_class, superfences_entry
from .publish import promote, recover, staging_path, take_lock
from .report import describe
from .report import save as save_report
from .runner import Interrupted, reap_leftovers
from .shared import KEY_VARIABLE, SharedCacheError
from .sources import SourceChangedError
from .untrusted import sanitise

logger = logging.getLogger(__name__)
FAILURES = "REPRO_FAILURES"
MODES = ("build", "frozen", "verify")
SOURCES = "REPRO_SOURCE_PAGES"  # the source pages to write (sources.py), in Pelican's shared context


def _say(message: str) -> None:
    # Pelican's rich console; no wrapping, so each progress line stays one greppable line.
    console.print(message, soft_wrap=True, highlight=False)


class Plugin:
    """The plugin's state for one Pelican run; its bound methods are the signal receivers.

    ``start_build`` resets everything per build: Pelican's autoreload builds many times in
    one process, and nothing of one build may leak into the next.
    """

    def __init__(self) -> None:
        self.settings = Settings()
        self.root = "."
        self.output = Path("output")
        self.build: Build | None = None
        self.pages: list[Any] = []
        self.context: dict[str, Any] = {}
        self.lock: IO[str] | None = None
        self.untrusted = False

    def initialize(self, pelican: Any) -> None:
        s = pelican.settings
        mode = s.get("REPRO_MODE") or "build"
        if mode not in MODES:
            _say(f"repro: REPRO_MODE is {mode!r}; expected one of: {', '.join(MODES)}")
            raise SystemExit(1)
        try:
            executor = parse_executor(str(s.get("REPRO_EXECUTOR", os.environ.get("REPRO_EXECUTOR", ""))))
        except ExecutorError as error:
            _say(f"repro: {error}")
            raise SystemExit(1) from None
        self.settings = Settings(
            strict=bool(s.get("REPRO_STRICT", True)),
            cache_path=Path(s.get("REPRO_CACHE_PATH", ".repro-cache")),
            workers=int(s.get("REPRO_WORKERS") or os.cpu_count() or 1),
            timeout=float(s.get("REPRO_TIMEOUT", 300)),
            ignore_cache=bool(s.get("REPRO_IGNORE_CACHE", False)),
            cache_read_only=bool(s.get("REPRO_CACHE_READ_ONLY", False)),
            verify=mode == "verify",
            registry=s.get("REPRO_REGISTRY", "computations.registry"),
            content_path=Path(s["PATH"]),
            frozen=mode == "frozen",
            shared_cache=s.get("REPRO_SHARED_CACHE") or "",
            shared_cache_write=_flag(s.get("REPRO_SHARED_CACHE_WRITE", False)),
            shared_cache_key=os.environ.get(KEY_VARIABLE, ""),
            executor=executor,
        )
        self.root = os.path.dirname(os.path.abspath(s["PATH"]))
        self.untrusted = bool(s.get("REPRO_UNTRUSTED_POSTS", False))
        self.output = draft_path(Path(pelican.output_path), strict=self.settings.strict)
        if self.lock is None:  # held until the process ends (autoreload builds again under it)
            self.lock = take_lock(self.output, say=_say)
        recover(self.output, cache=self.settings.cache_path, say=_say)
        pelican.output_path = str(staging_path(self.output))
        fences = s["MARKDOWN"].setdefault("extension_configs", {}).setdefault("pymdownx.superfences", {})
        fences.setdefault("custom_fences", []).append(superfences_entry())

    def start_build(self, pelican: Any) -> None:
        try:
            self.build = Build(self.settings, say=_say)
        except CacheError as error:  # one clear message before any work, not a failure at the end
            _say(f"repro: {error}; set REPRO_CACHE_PATH to a folder")
            raise SystemExit(1) from None
        except SharedCacheError as error:
            _say(f"repro: {error}")
            raise SystemExit(1) from None
        for leftover in reap_leftovers(self.build.records):
            _say(f"repro: killed what an earlier build left running: {leftover}")
        self.pages = []
        self.context = {}

    def install_reader(self, readers: Any) -> None:
        readers.reader_classes["md"] = reader_class(self.build, root=self.root)

    def remember_page(self, content: Any) -> None:
        if self.untrusted and getattr(content, "_content", None):
            content._content = sanitise(content._content)
        if has_placeholders(getattr(content, "_content", "") or ""):
            self.pages.append(content)

    def compute_and_fill(self, generators: list[Any]) -> None:
        assert self.build is not None
        build = self.build
        try:
            build.run()
        except Interrupted as interrupted:
            # Every worker and its children are stopped; finished results are in the cache.
            _say(f"repro: interrupted; stopped every computation; {self.output}/ was left as it was")
            raise SystemExit(interrupted.code) from None
        except ExecutorError as error:  # one clear message, no traceback; output/ untouched
            _say(f"repro: {error}; {self.output}/ was left as it was")
            raise SystemExit(1) from None
        output = Path(generators[0].output_path)
        templates = Templates(generators[0].env)  # the theme's repro/*.html
        for page in self.pages:
            source = os.path.relpath(page.source_path, self.root)
            text = Path(page.source_path).read_text(encoding="utf-8")
            fragment = build.fill(
                page._content, root="../" * page.url.count("/"), source=source, text=text, templates=templates
            )
            page._content = fragment.html
            for name, data in fragment.files.items():
                (output / name).parent.mkdir(parents=True, exist_ok=True)
                (output / name).write_text(data, encoding="utf-8")
        self.context = generators[0].context
        try:  # before the report: what the shared cache refused here is in it
            self.context[SOURCES] = build.source_pages()
        except SourceChangedError as error:  # its page would show other code than what ran
            self.context[SOURCES] = []
            self.context.setdefault(FAILURES, []).append(str(error))
        build_report = describe(build)
        if build.cache.writable:
            save_report(build_report, build.settings.cache_path)  # <cache>/build-report.json, for `invoke cache`
        _say(build_report.summary())
        if build.settings.strict:
            self.context.setdefault(FAILURES, []).extend(str(failure) for failure in build.failures)
        elif build.failures:
            report = "\n".join(f"  {failure}" for failure in build.failures)
            logger.warning("repro (draft mode, shown as error boxes):\n%s", report)

    def publish(self, pelican: Any) -> None:
        """Publish the staged site, or, if anything failed, say everything at once and exit 1."""
        failures = self.context.get(FAILURES, [])
        if failures:
            lines = "\n".join(f"  {failure}" for failure in failures)
            _say(f"build failed: {len(failures)} problem(s); {self.output}/ was left as it was:\n{lines}")
            # SystemExit, not an exception: Pelican would log an exception again as a traceback.
            raise SystemExit(1)
        promote(Path(pelican.output_path), self.output)
        if not self.settings.strict:
            _say(f"draft build published to {self.output}/ (never to the strict build's folder)")


def _flag(value: Any) -> bool:
    """A setting that may come from the environment as text ("1", "true", "yes")."""
    return value.strip().lower() in ("1", "true", "yes", "on") if isinstance(value, str) else bool(value)


class SourcePages(Generator):
    """Writes the computations' source pages (``source/<module>.html``) listed by ``compute_and_fill``."""

    def generate_output(self, writer: Any) -> None:
        template = self.get_template("source")
        for page in self.context.get(SOURCES, []):
            relative = self.settings["RELATIVE_URLS"]
            writer.write_file(page.url, template, self.context, relative_urls=relative, source=page)


def source_generator(pelican: Any) -> type[Generator]:
    return SourcePages


def draft_path(output: Path, *, strict: bool) -> Path:
    """Draft builds (error boxes in pages) go to ``<output>-draft``, so no deploy ships one."""
    return output if strict else output.with_name(output.name + "-draft")


# One instance per process: blinker holds receivers weakly, and connecting the same bound
# methods again (Pelican registers plugins once per run) is a no-op rather than a duplicate.
_plugin = Plugin()


def register() -> None:
    signals.initialized.connect(_plugin.initialize)
    signals.get_generators.connect(_plugin.start_build)
    signals.get_generators.connect(source_generator)
    signals.readers_init.connect(_plugin.install_reader)
    signals.content_object_init.connect(_plugin.remember_page)
    signals.all_generators_finalized.connect(_plugin.compute_and_fill)
    signals.finalized.connect(_plugin.publish)
    signals.feed_generated.connect(link_figures)
