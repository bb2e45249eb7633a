"""This repository's own site, built for real: every post's directives ran and checked out."""

from __future__ import annotations

import json
import re

from conftest import Site

POST = "posts/angle-between-random-vectors.html"


def pages(site: Site) -> dict[str, str]:
    return {str(p.relative_to(site.output)): p.read_text(encoding="utf-8") for p in site.output.rglob("*.html")}


def test_every_directive_ran_and_every_self_check_held(built_site: Site) -> None:
    match = re.search(r"repro: (\d+) directive\(s\): 0 cached, (\d+) computed, 0 failed", built_site.log)
    assert match and match.group(1) == match.group(2) and int(match.group(1)) >= 3, built_site.log
    html = "".join(pages(built_site).values())
    assert 'class="repro-check pass"' in html
    assert 'class="repro-check fail"' not in html and 'class="repro-error"' not in html
    # and none of our own figures needed sanitising (safesvg.py passes them through unchanged)
    report = json.loads((built_site.cache / "build-report.json").read_text(encoding="utf-8"))
    assert report["problems"] == [], report["problems"]


def test_no_directive_or_formula_leaks_as_source_text(built_site: Site) -> None:
    for name, html in pages(built_site).items():
        assert "<code>repro" not in html and "compute:" not in html, name
        assert 'class="arithmatex"' not in html and "\\begin{" not in html, name


def test_angle_post_has_its_figures_tables_and_original_link(built_site: Site) -> None:
    html = pages(built_site)[POST]
    assert html.count('<figure class="repro-figure"') == 2
    assert html.count('<table class="repro-table"') == 2
    caption = re.search(r'<span class="repro-label">表 1</span>(.*?)</caption>', html, re.DOTALL)
    assert caption and "方差" in re.sub(r"<[^>]+>", "", caption.group(1))  # the caption holds MathML
    assert 'href="https://spaces.ac.cn/archives/7076"' in html
    assert html.count("<math") > 20


def test_pages_are_chinese_with_unique_ids_and_no_remote_assets(built_site: Site) -> None:
    for name, html in pages(built_site).items():
        # Pelican lowercases DEFAULT_LANG; BCP 47 tags are case-insensitive (Pagefind reads zh-cn).
        assert '<html lang="zh-cn">' in html.lower(), name
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), name
        remote = re.findall(r'<(?:link|script|img|source|iframe)\b[^>]*(?:src|href)="(?:https?:)?//', html)
        assert remote == [], name


def test_cross_references_in_the_angle_post_point_at_numbered_items(built_site: Site) -> None:
    html = pages(built_site)[POST]
    assert '<figure class="repro-figure" id="fig-density">' in html
    assert '<a class="repro-ref" href="#tab-moments">表 1</a>' in html
    assert "@fig:" not in html and "@tab:" not in html
