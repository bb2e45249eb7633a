"""Real Pelican builds of small sites: the engine's contract, end to end."""

from __future__ import annotations

import filecmp
import re

from conftest import Site

POST = """\
Title: 直线
Date: 2026-11-01
Slug: line

一段文字，行内公式 $\\boldsymbol{{x}}\\in\\mathbb{{R}}^n$。

```repro
compute: toy.line
points: {points}
seed: 1
```

结尾的文字。
"""


def computed(log: str) -> tuple[int, int, int]:
    """(cached, computed, failed) from the build's summary line."""
    match = re.search(r"repro: \d+ directive\(s\): (\d+) cached, (\d+) computed, (\d+) failed", log)
    assert match, log
    return tuple(int(n) for n in match.groups())


def test_figure_table_checks_and_math_reach_the_page(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12))
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "line.html").read_text(encoding="utf-8")
    assert page.count('<figure class="repro-figure"') == 1
    assert re.search(
        r'<figure class="repro-figure"[^>]*><div class="repro-svg"><svg role="img" aria-label="散点沿直线分布"', page
    )
    assert '<span class="repro-label">图 1</span> 一条直线' in page
    assert re.search(r'<caption id="[^"]+"><span class="repro-label">表 1</span> 前三个点', page)
    assert 'class="repro-check pass"' in page
    assert "<code>content/posts/line.md:7</code>" in page
    assert "<math" in page and "arithmatex" not in page
    assert "<code>repro" not in page and "compute:" not in page
    figure_csv = re.search(r'href="\.\./(repro/[0-9a-f]{16}/figure-1\.csv)"', page).group(1)
    # UTF-8 with a BOM: spreadsheets then read the Chinese of other tables' headers right.
    assert (site.output / figure_csv).read_bytes().startswith(b"\xef\xbb\xbfx,y\n")
    assert len((site.output / figure_csv).read_text(encoding="utf-8-sig").splitlines()) == 13


def test_second_build_computes_nothing_and_is_byte_identical(site: Site, tmp_path_factory) -> None:
    site.write("posts/line.md", POST.format(points=12))
    assert computed(site.build().log) == (0, 1, 0)
    first = tmp_path_factory.mktemp("first")
    (site.output).rename(first / "output")
    second = site.build()
    assert computed(second.log) == (1, 0, 0)
    assert _identical_trees(first / "output", site.output)


def test_ignoring_the_cache_recomputes_and_refreshes_it(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12))
    assert computed(site.build().log) == (0, 1, 0)
    assert computed(site.build("REPRO_IGNORE_CACHE=true").log) == (0, 1, 0)
    assert computed(site.build().log) == (1, 0, 0)


def test_prose_edits_run_nothing_and_a_directive_edit_runs_only_itself(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12))
    site.write("posts/other.md", POST.format(points=30).replace("Slug: line", "Slug: other"))
    assert computed(site.build().log) == (0, 2, 0)
    site.write("posts/line.md", POST.format(points=12).replace("结尾的文字。", "改过的结尾。"))
    assert computed(site.build().log) == (2, 0, 0)
    site.write("posts/line.md", POST.format(points=13))
    assert computed(site.build().log) == (1, 1, 0)


def test_identical_directives_run_once_and_get_distinct_ids(site: Site) -> None:
    body = POST.format(points=12)
    site.write("posts/line.md", body + "\n" + body.split("\n\n", 2)[2])
    result = site.build()
    assert computed(result.log) == (0, 1, 0)
    page = (site.output / "posts" / "line.html").read_text(encoding="utf-8")
    assert page.count('<figure class="repro-figure"') == 2
    assert '<span class="repro-label">图 2</span>' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_bad_directives_fail_strict_build_with_every_location(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12))
    assert site.build().returncode == 0
    published = (site.output / "posts" / "line.html").read_bytes()
    site.write("posts/bad.md", POST.format(points=1).replace("Slug: line", "Slug: bad"))
    site.write(
        "posts/worse.md", POST.format(points=5).replace("toy.line", "toy.lines").replace("Slug: line", "Slug: w")
    )
    result = site.build()
    assert result.returncode != 0
    assert (
        "content/posts/bad.md:9: directive 'toy.line': parameter 'points': expected greater than or equal to 2"
        in result.log
    )
    assert "content/posts/worse.md:8: directive 'toy.lines': unknown computation; did you mean 'toy.line'" in result.log
    assert "build failed: 2 problem(s)" in result.log and "Traceback" not in result.log
    # The previously published site is untouched.
    assert (site.output / "posts" / "line.html").read_bytes() == published
    assert not (site.output / "posts" / "bad.html").exists()


def test_unknown_parameter_names_the_line_and_the_close_match(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12).replace("seed: 1", "seed: 1\npoint: 3"))
    result = site.build()
    assert result.returncode != 0
    assert (
        "content/posts/line.md:11: directive 'toy.line': unknown parameter 'point' (did you mean 'points'?)"
        in result.log
    )


def test_draft_mode_shows_an_error_box_and_goes_on(site: Site) -> None:
    site.write(
        "posts/line.md", POST.format(points=12).replace("toy.line", "toy.fail").replace("points: 12", "message: 出错了")
    )
    result = site.build("REPRO_STRICT=false")
    assert result.returncode == 0, result.log
    page = (site.draft / "posts" / "line.html").read_text(encoding="utf-8")
    assert '<div class="repro-error" role="alert"><strong>计算失败 · content/posts/line.md:7</strong>' in page
    assert "ValueError: 出错了" in page
    # Issue 8.10: a draft build never writes where a deploy of output/ would ship it from.
    assert not site.output.exists()


def test_timeouts_and_crashes_are_reported_not_hung_and_not_cached(site: Site) -> None:
    site.write(
        "posts/slow.md",
        """\
        Title: 慢
        Date: 2026-11-01

        ```repro
        compute: toy.sleep
        seconds: 60
        timeout: 1
        ```

        ```repro
        compute: toy.crash
        ```

        ```repro
        compute: toy.line
        ```

        ```repro
        compute: toy.segfault
        ```
        """,
    )
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/slow.md:4: directive 'toy.sleep': timed out after 1 s and was killed" in result.log
    died = "the worker process died while computing"
    assert f"content/posts/slow.md:10: directive 'toy.crash': {died}: exit code 3" in result.log
    assert f"content/posts/slow.md:18: directive 'toy.segfault': {died}: segmentation fault (SIGSEGV)" in result.log
    assert computed(result.log) == (0, 4, 3)
    # Only the success was cached: the next build serves it and retries the three failures.
    assert computed(site.build().log) == (1, 3, 3)


def test_failed_self_check_fails_strict_build(site: Site) -> None:
    site.write("posts/check.md", "Title: 检查\nDate: 2026-11-01\n\n```repro\ncompute: toy.broken_check\n```\n")
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/check.md:4: check failed: 一加一等于三 (1 + 1 = 2)" in result.log


def test_figure_without_alt_text_fails_strict_build(site: Site) -> None:
    site.write("posts/alt.md", "Title: 图\nDate: 2026-11-01\n\n```repro\ncompute: toy.no_alt\n```\n")
    result = site.build()
    assert result.returncode != 0
    message = "ValueError: every figure needs a caption and alt text"
    assert f"content/posts/alt.md:4: directive 'toy.no_alt': {message}" in result.log


def test_corrupt_cache_entry_is_recomputed(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12))
    assert site.build().returncode == 0
    (entry,) = site.cache.glob("??/*.json")  # entries, not the build report
    entry.write_text(entry.read_text()[:-40])  # truncated, as by a crash mid-write
    result = site.build()
    assert "discarding unreadable cache entry" in result.log
    assert computed(result.log) == (0, 1, 0)
    (entry,) = site.cache.glob("??/*.json")  # entries, not the build report
    entry.write_text(entry.read_text().replace("一条直线", "两条直线"))  # valid JSON, wrong bytes
    result = site.build()
    assert "checksum mismatch" in result.log
    assert computed(result.log) == (0, 1, 0)


def test_unknown_tex_command_fails_strict_build(site: Site) -> None:
    site.write("posts/math.md", "Title: 公式\nDate: 2026-11-01\n\n第一行\n\n公式 $\\foo{x}$ 不存在。\n")
    result = site.build()
    assert result.returncode != 0
    assert "content/posts/math.md:6" in result.log and "\\foo" in result.log


def test_header_options_are_rejected_not_rendered_as_code(site: Site) -> None:
    site.write("posts/h.md", 'Title: 头\nDate: 2026-11-01\nSlug: h\n\n```repro points="3"\ncompute: toy.line\n```\n')
    result = site.build("REPRO_STRICT=false")
    page = (site.draft / "posts" / "h.html").read_text(encoding="utf-8")
    assert "<code>repro" not in page and 'class="repro-error"' in page
    assert "content/posts/h.md:5" in result.log


def test_exclusive_computations_run_alone_after_the_others(site: Site) -> None:
    site.write(
        "posts/mix.md",
        "Title: 混合\nDate: 2026-11-01\n\n```repro\ncompute: toy.timed\n```\n\n"
        + POST.format(points=12).split("\n\n", 2)[2],
    )
    log = site.build().log
    assert "2 directive(s), 2 to compute on 2 worker(s)" in log
    shared = log.index("repro: [1/1] ok toy.line")
    alone = log.index("repro: [1/1] ok toy.timed")
    assert shared < alone


def test_labels_give_stable_ids_and_cross_references_resolve_to_numbers(site: Site) -> None:
    labelled = POST.format(points=12).replace("seed: 1", "seed: 1\nlabel: line")
    site.write("posts/line.md", labelled.replace("结尾的文字。", "见 @fig:line 与 @tab:line，作者 a@fig:x 不算。"))
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "line.html").read_text(encoding="utf-8")
    assert '<figure class="repro-figure" id="fig-line">' in page
    assert '<table class="repro-table" id="tab-line">' in page
    assert '见 <a class="repro-ref" href="#fig-line">图 1</a> 与 <a class="repro-ref" href="#tab-line">表 1</a>' in page
    assert "a@fig:x" in page
    site.write("posts/line.md", labelled.replace("结尾的文字。", "\n\n见 @fig:lines。"))
    result = site.build()
    assert result.returncode != 0
    expected = "unknown reference '@fig:lines' (labelled on this page: fig-line, tab-line)"
    assert f"content/posts/line.md:16: {expected}" in result.log


def test_publish_settings_need_a_siteurl_and_make_feed_links_absolute(site: Site) -> None:
    site.write("posts/line.md", POST.format(points=12))
    missing = site.build(settings_file="publishconf.py", environment={"SITEURL": ""})
    assert missing.returncode != 0 and "publishconf.py: set SITEURL" in missing.log
    result = site.build(settings_file="publishconf.py", environment={"SITEURL": "https://example.org/"})
    assert result.returncode == 0, result.log
    feed = (site.output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert '<link href="https://example.org/posts/line.html"' in feed


def _identical_trees(left, right) -> bool:
    comparison = filecmp.dircmp(left, right)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_identical_trees(left / d, right / d) for d in comparison.common_dirs)


def test_the_author_may_replace_a_figures_caption_and_alt_text(site: Site) -> None:
    # Issue 9: the prose is the author's; the override changes no cache key.
    site.write("posts/line.md", POST.format(points=12))
    assert computed(site.build().log) == (0, 1, 0)
    own = POST.format(points=12).replace("seed: 1", "seed: 1\ncaption: 作者写的图注\nalt: [作者写的替代文字]")
    site.write("posts/line.md", own)
    result = site.build()
    assert computed(result.log) == (1, 0, 0), result.log
    page = (site.output / "posts" / "line.html").read_text(encoding="utf-8")
    assert '<span class="repro-label">图 1</span> 作者写的图注' in page and "一条直线" not in page
    assert 'aria-label="作者写的替代文字"' in page and "散点沿直线分布" not in page
    site.write("posts/line.md", own.replace("alt: [作者写的替代文字]", "alt: [一, 二]"))
    result = site.build()
    assert result.returncode != 0
    message = "directive 'toy.line': parameter 'alt': gives 2 text(s) but the computation draws 1 figure(s)"
    assert f"content/posts/line.md:12: {message}" in result.log, result.log


VALUES = """\
Title: 数值
Date: 2026-11-01
Slug: values

这条线有 @val:line.points，末点 $y_{{\\text{{end}}}} = @val:line.last$，整体@val:line.verdict。{extra}

```repro
compute: toy.line
points: 12
seed: 1
label: line
```
"""


def test_the_prose_quotes_computed_values_in_text_and_formulas(site: Site) -> None:
    # Issue 10: a number in the prose is the build's, named by label and value.
    site.write("posts/values.md", VALUES.format(extra=""))
    result = site.build()
    assert result.returncode == 0, result.log
    page = (site.output / "posts" / "values.html").read_text(encoding="utf-8")
    assert '这条线有 <span class="repro-value">12 个</span>' in page
    last = re.search(r"<dt>导出的数值</dt><dd>.*?<code>last</code> = (-?[0-9.]+)", page).group(1)
    assert re.search(rf"<mn>{re.escape(last)}</mn>", page), "the value inside the formula is rendered as math"
    assert 'class="repro-value">上升</span>' in page or 'class="repro-value">下降</span>' in page
    assert "@val:" not in page


def test_an_unknown_value_fails_at_its_line_and_a_failed_directive_adds_nothing(site: Site) -> None:
    site.write(
        "posts/values.md", VALUES.format(extra="另有 @val:line.nothing。\n\n再说 @val:line.nothing 和 @fig:no。")
    )
    result = site.build()
    assert result.returncode != 0
    # Each occurrence at its own line, once.
    for line in (5, 7):
        expected = f"content/posts/values.md:{line}: unknown value '@val:line.nothing'"
        assert result.log.count(expected) == 1, result.log
    assert result.log.count("content/posts/values.md:7: unknown reference '@fig:no'") == 1, result.log
    site.write("posts/values.md", VALUES.format(extra="").replace("points: 12", "points: 12\nslope: x"))
    result = site.build("REPRO_STRICT=false")
    assert "build failed" not in result.log and result.log.count("values.md:") == 1, result.log
    page = (site.draft / "posts" / "values.html").read_text(encoding="utf-8")
    assert page.count('<span class="repro-error-message">its directive failed') == 2  # points, verdict
