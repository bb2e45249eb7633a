"""Pelican glue for ``repro`` directives: connect signals, hand the work to ``build``.

Settings (pelicanconf.py), all optional:
``REPRO_STRICT`` (True: any failing directive fails the build; False: draft mode, an error
box replaces it), ``REPRO_CACHE_PATH`` (".repro-cache"), ``REPRO_WORKERS`` (all cores),
``REPRO_TIMEOUT`` (seconds per directive, 300), ``REPRO_IGNORE_CACHE`` (False),
``REPRO_REGISTRY`` (module with a ``COMPUTATIONS`` dict, "computations.registry").
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.log import console

from .build import Build, Settings, has_placeholders
from .markdown_fence import reader_class, superfences_entry
from .publish import promote, staging_path
from .report import describe
from .report import save as save_report

logger = logging.getLogger(__name__)
_state: dict[str, Any] = {}


class BuildFailed(Exception):
    """Raised to make Pelican exit non-zero; the previous output stays untouched."""


def initialize(pelican: Any) -> None:
    s = pelican.settings
    _state["settings"] = Settings(
        strict=bool(s.get("REPRO_STRICT", True)),
        cache_path=Path(s.get("REPRO_CACHE_PATH", ".repro-cache")),
        workers=int(s.get("REPRO_WORKERS") or os.cpu_count() or 1),
        timeout=float(s.get("REPRO_TIMEOUT", 300)),
        ignore_cache=bool(s.get("REPRO_IGNORE_CACHE", False)),
        registry=s.get("REPRO_REGISTRY", "computations.registry"),
    )
    _state["root"] = os.path.dirname(os.path.abspath(s["PATH"]))
    _state["output"] = Path(pelican.output_path)
    pelican.output_path = str(staging_path(Path(pelican.output_path)))
    fences = s["MARKDOWN"].setdefault("extension_configs", {}).setdefault("pymdownx.superfences", {})
    fences.setdefault("custom_fences", []).append(superfences_entry())


def _say(message: str) -> None:
    # Pelican's rich console; no wrapping, so each progress line stays one greppable line.
    console.print(message, soft_wrap=True, highlight=False)


def start_build(pelican: Any) -> None:
    """Each run (autoreload runs many) starts with no directives."""
    _state["build"] = Build(_state["settings"], say=_say)
    _state["pages"] = []


def install_reader(readers: Any) -> None:
    readers.reader_classes["md"] = reader_class(_state["build"], root=_state["root"])


def remember_page(content: Any) -> None:
    if has_placeholders(getattr(content, "_content", "") or ""):
        _state["pages"].append(content)


def compute_and_fill(generators: list[Any]) -> None:
    build: Build = _state["build"]
    build.run()
    output = Path(generators[0].output_path)
    for page in _state["pages"]:
        source = os.path.relpath(page.source_path, _state["root"])
        text = Path(page.source_path).read_text(encoding="utf-8")
        fragment = build.fill(page._content, root="../" * page.url.count("/"), source=source, text=text)
        page._content = fragment.html
        for name, data in fragment.files.items():
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            (output / name).write_text(data, encoding="utf-8")
    build_report = describe(build)
    save_report(build_report, build.settings.cache_path)  # <cache>/build-report.json, for `invoke cache`
    _say(build_report.summary())
    if build.failures:
        report = "\n".join(f"  {failure}" for failure in build.failures)
        if build.settings.strict:
            raise BuildFailed(f"{len(build.failures)} directive(s) failed:\n{report}")
        logger.warning("repro (draft mode, shown as error boxes):\n%s", report)


def publish(pelican: Any) -> None:
    promote(Path(pelican.output_path), _state["output"])


def register() -> None:
    signals.initialized.connect(initialize)
    signals.get_generators.connect(start_build)
    signals.readers_init.connect(install_reader)
    signals.content_object_init.connect(remember_page)
    signals.all_generators_finalized.connect(compute_and_fill)
    signals.finalized.connect(publish)
