"""Nothing stale, nothing silent (issue 8): real builds where a page could have been wrong."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, Site

TOPIC = '''\
from dataclasses import dataclass
from typing import Annotated

from annotated_types import Interval

from computations.report import Report, Table

from . import helper


@dataclass(frozen=True)
class Value:
    number: int


def value(*, scale: Annotated[int, Interval(ge=1)] = 1) -> Value:
    """One number that the test can change in code or parameters."""
    return Value(helper.BASE * scale)


def show(run: Value) -> Report:
    return Report(items=(Table(caption="数值", columns=("值",), rows=((run.number,),)),))
'''
POST = """\
Title: 数值
Date: 2026-11-01
Slug: value

```repro
compute: my.value
scale: {scale}
```
"""


def _package(site: Site, *, base: int) -> Path:
    """A computations package of the site's own: ``mycomp.registry`` → ``mycomp.topic:value``."""
    package = site.path / "mycomp"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "registry.py").write_text('COMPUTATIONS = {"my.value": ("mycomp.topic:value", "mycomp.topic:show")}\n')
    (package / "topic.py").write_text(TOPIC)
    (package / "helper.py").write_text(f"BASE = {base}\n")
    return package


def _environment(site: Site) -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(site.path), str(ROOT), str(TESTS)])}


def _shown_value(page: Path) -> str:
    return re.search(r'<td class="num">(\d+)</td>', page.read_text(encoding="utf-8")).group(1)


def test_second_build_in_one_process_runs_the_edited_code_and_new_parameters(site: Site) -> None:
    # Issue 8.1: livereload and Pelican's autoreload build again in the same process.
    _package(site, base=7)
    site.write("posts/value.md", POST.format(scale=1))
    arguments = [
        str(site.path / "content"),
        "-s",
        str(ROOT / "pelicanconf.py"),
        "-o",
        str(site.output),
        "--fatal",
        "errors",
        "-e",
        f'THEME="{ROOT / "theme"}"',
        f'PLUGIN_PATHS=["{ROOT / "plugins"}"]',
        'REPRO_REGISTRY="mycomp.registry"',
        f'REPRO_CACHE_PATH="{site.cache}"',
    ]
    script = textwrap.dedent(f"""\
        import pathlib, time
        from pelican import main
        arguments = {arguments!r}
        main(arguments)
        print("PAGE", pathlib.Path({str(site.output / "posts" / "value.html")!r}).read_text().count("<td"))
        pathlib.Path("mycomp/helper.py").write_text("BASE = 9\\n")   # same size, same second
        main(arguments)
        pathlib.Path({str(site.path / "content" / "posts" / "value.md")!r}).write_text({POST.format(scale=3)!r})
        main(arguments)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=site.path,
        env={**os.environ, **_environment(site), "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    summaries = re.findall(r"repro: 1 directive\(s\): (\d) cached, (\d) computed, 0 failed", log)
    assert summaries == [("0", "1"), ("0", "1"), ("0", "1")], log
    assert _shown_value(site.output / "posts" / "value.html") == "27"  # BASE 9 × scale 3


def test_exceptions_of_every_kind_become_failures_at_their_line(site: Site) -> None:
    # Issue 8.4: whatever raises while a directive's key is made, strict fails and no page shows code.
    kinds = ["CatalogueError", "Exception", "KeyError", "ZeroDivisionError", "RecursionError", "TypeError"]
    body = "\n".join(f"```repro\ncompute: toy.raising\nkind: {kind}\n```\n" for kind in kinds)
    body += "\n```repro\ncompute: toy.positional\n```\n"  # raises while its signature is read
    site.write("posts/raise.md", f"Title: 异常\nDate: 2026-11-01\nSlug: raise\n\n{body}")
    strict = site.build()
    assert strict.returncode != 0 and "Traceback" not in strict.log
    assert f"build failed: {len(kinds) + 1} problem(s)" in strict.log
    for index, kind in enumerate(kinds):
        line = 5 + 5 * index + 2  # the parameter's line
        where = f"content/posts/raise.md:{line}: directive 'toy.raising': parameter 'kind'"
        assert f"{where}: '{kind}' cannot be read ({kind}: " in strict.log, strict.log
    line = 5 + 5 * len(kinds)
    assert f"content/posts/raise.md:{line}: directive 'toy.positional': TypeError: " in strict.log, strict.log
    draft = site.build("REPRO_STRICT=false")
    assert draft.returncode == 0, draft.log
    for page in site.draft.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<code>repro" not in html and "compute:" not in html and "toy.raising\n" not in html, page
    page = (site.draft / "posts" / "raise.html").read_text(encoding="utf-8")
    assert page.count('class="repro-error"') == len(kinds) + 1


BROKEN = "def broken():\n    return (\n"  # a syntax error at line 2-3 (unclosed bracket)


def test_a_syntax_error_in_one_module_fails_only_its_directives(site: Site) -> None:
    # Issue 8.6: strict names the module and line once per directive, no traceback; draft builds the rest.
    package = _package(site, base=7)
    (package / "broken.py").write_text("import numpy as np\n\n" + BROKEN)
    (package / "registry.py").write_text(
        'COMPUTATIONS = {"my.value": ("mycomp.topic:value", "mycomp.topic:show"),'
        ' "my.broken": ("mycomp.broken:broken", "mycomp.topic:show")}\n'
    )
    site.write("posts/value.md", POST.format(scale=2))
    site.write("posts/broken.md", "Title: 坏\nDate: 2026-11-01\nSlug: broken\n\n```repro\ncompute: my.broken\n```\n")
    strict = site.build(registry="mycomp.registry", environment=_environment(site))
    assert strict.returncode != 0 and "Traceback" not in strict.log
    assert re.search(
        r"content/posts/broken\.md:5: directive 'my\.broken': mycomp/broken\.py:\d: cannot import", strict.log
    )
    assert "SyntaxError" in strict.log and "build failed: 1 problem(s)" in strict.log
    draft = site.build("REPRO_STRICT=false", registry="mycomp.registry", environment=_environment(site))
    assert draft.returncode == 0, draft.log
    assert _shown_value(site.draft / "posts" / "value.html") == "14"
    broken = (site.draft / "posts" / "broken.html").read_text(encoding="utf-8")
    assert 'class="repro-error"' in broken and "mycomp/broken.py:" in broken


@pytest.mark.parametrize("mode", ["strict", "draft"])
def test_one_summary_lists_every_problem_and_counts_each_once(site: Site, mode: str) -> None:
    # Issue 8.9: directive, check and TeX problems in one run; references to a failed directive add nothing.
    site.write(
        "posts/all.md",
        """\
        Title: 全部
        Date: 2026-11-01
        Slug: all

        见 @fig:gone 与 @tab:gone，以及公式 $\\nosuchcommand{x}$。

        ```repro
        compute: toy.fail
        label: gone
        ```

        ```repro
        compute: toy.broken_check
        ```
        """,
    )
    result = site.build(*(["REPRO_STRICT=false"] if mode == "draft" else []))
    assert "Traceback" not in result.log
    assert re.search(r"\[\d/2\] CHECK FAILED toy\.broken_check", result.log), result.log
    assert not re.search(r"\[\d/2\] ok toy\.broken_check", result.log)
    if mode == "strict":
        assert result.returncode == 1
        assert result.log.count("build failed:") == 1 and "build failed: 3 problem(s)" in result.log
        assert "content/posts/all.md:7: directive 'toy.fail'" in result.log
        assert "content/posts/all.md:12: check failed" in result.log
        assert "content/posts/all.md:5" in result.log and "nosuchcommand" in result.log
        assert not site.output.exists()
    else:
        assert result.returncode == 0
        page = (site.draft / "posts" / "all.html").read_text(encoding="utf-8")
        # Inline errors say why on the page itself, not only in a tooltip.
        assert page.count('<span class="repro-error-message">') == 3
        assert "its directive failed" in page and "nosuchcommand" in page
