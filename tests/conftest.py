"""Shared fixtures: real Pelican builds of small sites in temporary folders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


@dataclass
class Site:
    """A throwaway site using the project's settings, theme and plugins."""

    path: Path

    @property
    def output(self) -> Path:
        return self.path / "output"

    @property
    def draft(self) -> Path:
        """Where draft builds (``REPRO_STRICT=false``) publish: never ``output``."""
        return self.path / "output-draft"

    @property
    def cache(self) -> Path:
        return self.path / "cache"

    def write(self, relative: str, text: str) -> Path:
        target = self.path / "content" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return target

    def build(
        self,
        *settings: str,
        registry: str = "fake_computations",
        settings_file: str = "pelicanconf.py",
        environment: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run the real ``pelican`` command; ``settings`` are extra ``KEY=JSON`` overrides."""
        overrides = [
            f'THEME="{ROOT / "theme"}"',
            f'PLUGIN_PATHS=["{ROOT / "plugins"}"]',
            f'REPRO_REGISTRY="{registry}"',
            f'REPRO_CACHE_PATH="{self.cache}"',
            *settings,
        ]
        command = [sys.executable, "-m", "pelican", str(self.path / "content"), "-s", str(ROOT / settings_file)]
        command += ["-o", str(self.output), "--fatal", "errors", "--log-handler", "plain", "-e", *overrides]
        # The project first; a PYTHONPATH the tests were started with stays after it.
        path = [str(ROOT), str(TESTS), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "COLUMNS": "400"}
        env.update(environment or {})
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.path, env=env, timeout=600)
        result.log = result.stdout + result.stderr  # type: ignore[attr-defined]
        return result


# Test tiers (``invoke test --tier NAME``), marked from what a test uses so a new test file
# needs no marker of its own: ``browser`` (Chromium over the built site), ``site`` (real
# Pelican builds), ``computations`` (a topic's mathematics and pages), the rest ``fast``
# (units and the plugin with hand-written inputs).
BROWSER_FILES = {"test_site_quality.py"}  # and every test_browser*.py
COMPUTATION_FILES = {f"test_{path.name}.py" for path in (ROOT / "computations").iterdir() if path.is_dir()}
COMPUTATION_FILES |= {"test_corpora.py", "test_registry.py", "test_boundary.py"}


def tier(item: pytest.Item) -> str:
    name = item.path.name
    if name in BROWSER_FILES or name.startswith("test_browser"):
        return "browser"
    if {"site", "built_site"} & set(getattr(item, "fixturenames", ())):
        return "site"
    return "computations" if name in COMPUTATION_FILES else "fast"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier(item))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """This repository's own content, built once (cold cache) with the real registry."""
    site = Site(tmp_path_factory.mktemp("real-site"))
    (site.path / "content").symlink_to(ROOT / "content")
    result = site.build(registry="computations.registry")
    assert result.returncode == 0, result.log
    site.log = result.log  # type: ignore[attr-defined]
    return site


@pytest.fixture(scope="session")
def server(built_site: Site) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1."""
    from serving import serve

    with serve(built_site.output) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session (pages get their own contexts)."""
    from browsing import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()
