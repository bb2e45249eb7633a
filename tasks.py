"""Site tasks (invoke), shaped like pelican-quickstart's: build, rebuild, serve, test, ..."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import task
from pelican import main as pelican_main
from pelican.settings import read_settings

ROOT = Path(__file__).parent
SETTINGS_FILE = str(ROOT / "pelicanconf.py")
SETTINGS = read_settings(SETTINGS_FILE)
DRAFT = "-e REPRO_STRICT=false"
# Draft builds publish here, never into OUTPUT_PATH (plugins/reproduce: draft_path).
DRAFT_OUTPUT = ROOT / (SETTINGS["OUTPUT_PATH"] + "-draft")


def pelican_run(arguments: str, settings: str = SETTINGS_FILE) -> None:
    """Run Pelican in-process; errors are fatal so a failing build exits non-zero."""
    pelican_main(shlex.split(f"-s {settings} --fatal errors {arguments}"))


@task
def build(c):
    """Build the site into output/ in strict mode (any failing directive fails the build)."""
    pelican_run("")


@task(help={"verify": "recompute what is stored (local or shared cache) and fail on any result that differs"})
def rebuild(c, verify=False):
    """Build in strict mode, recomputing every directive (the cache is refreshed; --verify keeps it)."""
    pelican_run('-e REPRO_MODE="verify"' if verify else "-e REPRO_IGNORE_CACHE=true")


@task
def publish(c):
    """Strict build with absolute URLs for the public site (needs SITEURL in the environment)."""
    pelican_run("", settings=str(ROOT / "publishconf.py"))


@task
def clean(c, cache=False):
    """Remove output/ (and, with --cache, the directive cache and the math-font cache)."""
    for name in ("output", "output.staging", "output.previous", "output-draft", "output-draft.staging"):
        shutil.rmtree(ROOT / name, ignore_errors=True)
    if cache:
        shutil.rmtree(ROOT / SETTINGS["REPRO_CACHE_PATH"], ignore_errors=True)
        shutil.rmtree(ROOT / ".texmath-cache", ignore_errors=True)


@task
def serve(c, port=8000):
    """Build in draft mode (failing directives shown as error boxes) into output-draft/ and serve it."""
    pelican_run(DRAFT)
    pelican_run(f"{DRAFT} --listen --bind 127.0.0.1 --port {port} -o {DRAFT_OUTPUT}")


@task
def livereload(c, port=8000):
    """Serve output-draft/ and rebuild it (draft mode) when content, theme, plugins or computations change."""
    from livereload import Server

    def rebuild_draft():
        # A fresh Python process per rebuild: one that built before still holds the old
        # computation modules, and the pool's workers would be forked from them.
        command = [sys.executable, "-m", "pelican", *shlex.split(f"-s {SETTINGS_FILE} --fatal errors {DRAFT}")]
        result = subprocess.run(command, cwd=ROOT, check=False)
        if result.returncode:  # keep serving after a failed build
            print(f"build failed (exit {result.returncode})", file=sys.stderr)

    rebuild_draft()
    server = Server()
    for pattern in ("content/**/*", "theme/**/*", "plugins/**/*.py", "computations/**/*.py", "pelicanconf.py"):
        server.watch(pattern, rebuild_draft)
    server.serve(host="127.0.0.1", port=port, root=str(DRAFT_OUTPUT))


# `at` is a flag, not a second positional: invoke 3 has no optional positional arguments.
@task(help={"command": "list, why or gc", "at": "FILE:LINE of the directive, for why"})
def cache(c, command, at="", dry_run=False):
    """See and manage the directive cache: list, why --at FILE:LINE, gc [--dry-run]."""
    sys.path.insert(0, str(ROOT / "plugins"))  # where Pelican finds the plugin (PLUGIN_PATHS)
    from reproduce.cachetool import main

    options = ["--content", SETTINGS["PATH"], "--cache", SETTINGS["REPRO_CACHE_PATH"]]
    options += ["--registry", SETTINGS.get("REPRO_REGISTRY", "computations.registry"), command]
    arguments = [at] if command == "why" else ["--dry-run"] if dry_run else []
    sys.exit(main(options + arguments))


@task(name="new-computation", help={"name": "TOPIC.NAME, e.g. coins.flips"})
def new_computation(c, name):
    """Scaffold a run stage, a present stage, the registry line and a test for TOPIC.NAME."""
    c.run(f"{sys.executable} {ROOT / 'scripts' / 'new_computation.py'} {shlex.quote(name)}", pty=False)


TIERS = ("fast", "computations", "site", "browser")


@task(help={"tier": f"run one tier only: {', '.join(TIERS)}", "fast": "the fast tier only (same as --tier fast)"})
def test(c, tier="", fast=False):
    """Lint first (seconds), then the test suite: every tier, or the one named."""
    tier = "fast" if fast else tier
    if tier and tier not in TIERS:
        sys.exit(f"unknown tier {tier!r}; expected one of: {', '.join(TIERS)}")
    c.run(f"{sys.executable} -m ruff check .", pty=False)
    c.run(f"{sys.executable} -m ruff format --check .", pty=False)
    c.run(f"{sys.executable} -m pytest" + (f" -m {tier}" if tier else ""), pty=False)


@task(
    help={
        "shared": "instead: a second checkout reading the shared cache (file:// and S3) against a warm build",
        "dask": "instead: cold builds with the local pool vs a Dask LocalCluster(2), and whether pages are identical",
        "scale": "instead: a generated site of 25-200 posts, build time and memory, local and distributed",
    }
)
def bench(c, shared=False, dask=False, scale=False):
    """Print build times: cold (empty cache), warm, and plain Pelican without directives."""
    if shared:  # scripts/bench_shared.py (needs requirements-scale.txt)
        c.run(f"{sys.executable} {ROOT / 'scripts' / 'bench_shared.py'}", pty=False)
        return
    if dask or scale:  # scripts/bench_scale.py (needs requirements-scale.txt)
        options = " --dask" * dask + " --scale" * scale
        c.run(f"{sys.executable} {ROOT / 'scripts' / 'bench_scale.py'}{options}", pty=False)
        return
    c.run(f"{sys.executable} {ROOT / 'scripts' / 'bench.py'}", pty=False)
