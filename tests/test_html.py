"""Artifact → HTML fragments, with hand-written artifacts (no computation runs)."""

from __future__ import annotations

import re

import jinja2
from reproduce.html import THEME_TEMPLATES, PageNumbers, Templates, render_artifact, render_error
from reproduce.svg import prefix_ids

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="p1"><rect/></clipPath></defs>'
    '<g id="axes_1" clip-path="url(#p1)"><use xlink:href="#glyph-a"/></g><path id="glyph-a" d=""/></svg>'
)
PROVENANCE = {"compute": "toy.f", "params": {"n": 3}, "seed": 0, "seconds": 0.5, "versions": {"numpy": "2"}}


def artifact(*kinds: str) -> dict:
    items = {
        "figure": {"kind": "figure", "caption": "图<注>", "alt": "a & b", "svg": SVG, "csv": "x\n1\n"},
        "table": {
            "kind": "table",
            "caption": "表",
            "columns": ["n", "名称"],
            "rows": [["3", "甲"]],
            "numeric": [[True, False]],
            "csv": "n\n3\n",
        },
        "check": {"kind": "check", "claim": "成立吗", "passed": False, "detail": "1 ≠ 2"},
    }
    return {"items": [items[k] for k in kinds], "provenance": PROVENANCE}


def test_ids_are_prefixed_and_references_follow() -> None:
    out = prefix_ids(SVG, "q-")
    assert set(re.findall(r'id="([^"]+)"', out)) == {"q-p1", "q-axes_1", "q-glyph-a"}
    assert "url(#q-p1)" in out and 'href="#q-glyph-a"' in out


def test_figures_and_tables_are_numbered_per_page_with_escaped_captions_and_links() -> None:
    numbers = PageNumbers()
    first = render_artifact(artifact("figure", "table"), key="f" * 64, location="a.md:3", numbers=numbers, root="../")
    second = render_artifact(artifact("figure"), key="e" * 64, location="a.md:9", numbers=numbers, root="../")
    assert '<span class="repro-label">图 1</span> 图&lt;注&gt;' in first.html
    assert '<span class="repro-label">表 1</span>' in first.html
    assert '<span class="repro-label">图 2</span>' in second.html
    assert 'aria-label="a &amp; b"' in first.html
    assert 'href="../repro/ffffffffffffffff/figure-1.csv"' in first.html
    assert set(first.files) == {
        "repro/ffffffffffffffff/figure-1.svg",
        "repro/ffffffffffffffff/figure-1.csv",
        "repro/ffffffffffffffff/table-2.csv",
    }
    assert '<td class="num">3</td><td>甲</td>' in first.html
    assert '<th scope="col" class="num">n</th><th scope="col">名称</th>' in first.html
    ids = re.findall(r'\bid="([^"]+)"', first.html + second.html)
    assert len(ids) == len(set(ids))


def test_checks_show_their_verdict_and_provenance_names_the_run() -> None:
    html = render_artifact(artifact("check"), key="a" * 64, location="a.md:3", numbers=PageNumbers(), root="").html
    verdict = '<li class="repro-check fail"><strong class="repro-verdict">不成立</strong> 成立吗'
    assert f'{verdict} <span class="detail">1 ≠ 2</span>' in html
    assert "<code>toy.f</code>" in html and "<code>a.md:3</code>" in html


def _checks(*passed: bool) -> dict:
    items = [{"kind": "check", "claim": f"断言{i}", "passed": ok, "detail": "0.1 ± 0.2"} for i, ok in enumerate(passed)]
    return {"items": items, "provenance": PROVENANCE}


def _render_checks(*passed: bool) -> str:
    return render_artifact(_checks(*passed), key="a" * 64, location="a.md:3", numbers=PageNumbers(), root="").html


def test_passing_checks_read_as_one_verdict_line_with_the_numbers_folded() -> None:
    html = _render_checks(True, True, True, True)
    group = re.search(
        r'<details class="repro-checks pass">\s*<summary class="repro-checks-summary">(.*?)</summary>', html
    )
    assert group and group.group(1) == "4 项自检全部成立"
    folded = html[group.end() : html.index("</details>", group.end())]
    assert folded.count('<li class="repro-check pass">') == 4 and "0.1 ± 0.2" in folded


def test_a_failing_check_keeps_its_group_open_and_says_how_many_failed() -> None:
    html = _render_checks(True, False, True)
    group = re.search(
        r'<details class="repro-checks fail" open>\s*<summary class="repro-checks-summary">(.*?)</summary>', html
    )
    assert group and group.group(1) == "3 项自检中 1 项不成立"
    assert '<li class="repro-check fail"><strong class="repro-verdict">不成立</strong> 断言1' in html


def test_black_and_white_follow_the_theme_inline_but_not_in_the_svg_file() -> None:
    svg = (
        '<svg><path style="fill: #ffffff"/><g style="fill: #000000; stroke: #000000"/>'
        '<path style="fill: #1f77b4"/></svg>'
    )
    item = {**artifact("figure")["items"][0], "svg": svg}
    fragment = render_artifact(
        {"items": [item], "provenance": PROVENANCE}, key="b" * 64, location="a.md:1", numbers=PageNumbers(), root=""
    )
    assert 'style="fill: var(--figure-bg, #ffffff)"' in fragment.html
    assert 'style="fill: var(--figure-fg, #000000); stroke: var(--figure-fg, #000000)"' in fragment.html
    assert 'style="fill: #1f77b4"' in fragment.html
    assert fragment.files["repro/bbbbbbbbbbbbbbbb/figure-1.svg"] == svg


def test_error_box_escapes_the_message() -> None:
    html = render_error("ValueError: <bad>", location="a.md:3")
    assert html.startswith('<div class="repro-error" role="alert">') and "&lt;bad&gt;" in html


def test_run_time_is_shown_only_for_computations_that_measure_time() -> None:
    # Issue 8.11: the run time differs between two cold builds, so only timing pages show it.
    plain = render_artifact(artifact("check"), key="a" * 64, location="a.md:3", numbers=PageNumbers(), root="").html
    timed = render_artifact(
        artifact("check"), key="a" * 64, location="a.md:3", numbers=PageNumbers(), root="", timed=True
    ).html
    assert "计算耗时" not in plain and "0.50" not in plain
    assert "<dt>计算耗时</dt><dd>0.50 秒</dd>" in timed


def test_a_theme_can_replace_the_markup(tmp_path) -> None:
    # Issue 9: figure, table, check, provenance and error markup are the theme's templates.
    (tmp_path / "repro").mkdir()
    for name in ("figure", "table", "checks", "provenance", "error", "inline_error"):
        source = (THEME_TEMPLATES / "repro" / f"{name}.html").read_text(encoding="utf-8")
        (tmp_path / "repro" / f"{name}.html").write_text(source, encoding="utf-8")
    (tmp_path / "repro" / "checks.html").write_text(
        "<ol class=mine>{% for c in checks %}<li>{{ c.claim|e }}</li>{% endfor %}</ol>", encoding="utf-8"
    )
    templates = Templates(jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path)))
    html = render_artifact(
        artifact("check"), key="a" * 64, location="a.md:3", numbers=PageNumbers(), root="", templates=templates
    ).html
    assert html.startswith("<ol class=mine><li>成立吗</li></ol>")
    assert "repro-checks" not in html and 'class="repro-provenance"' in html
