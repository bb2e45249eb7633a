"""The built site in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from browsing import posts, visit
from conftest import Site
from playwright.sync_api import Browser, Page, Route


def test_angle_post_shows_figures_and_math_and_loads_nothing_remote(server: str, browser: Browser) -> None:
    page, errors, hosts = visit(browser, f"{server}/posts/angle-between-random-vectors.html")
    assert errors == []
    assert hosts == {urlparse(server).netloc}
    figures = page.locator("figure.repro-figure svg")
    assert figures.count() >= 2
    for i in range(figures.count()):
        box = figures.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100
    maths = page.locator("math")
    assert maths.count() >= 5
    assert page.evaluate("document.querySelector('math') instanceof MathMLElement")
    for i in range(maths.count()):
        box = maths.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0
    assert page.locator("table.repro-table caption").count() >= 1
    page.context.close()


@pytest.mark.parametrize("path", ["/index.html", "/posts/angle-between-random-vectors.html", "/about.html"])
def test_no_horizontal_scroll_on_a_phone(server: str, browser: Browser, path: str) -> None:
    page, errors, _ = visit(browser, server + path, width=360)
    assert errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.context.close()


def test_math_uses_the_shipped_font_and_large_operators_stretch(server: str, browser: Browser) -> None:
    page, errors, _ = visit(browser, f"{server}/posts/angle-between-random-vectors.html")
    faces = page.evaluate(
        "async () => { await document.fonts.ready; return [...document.fonts].map(f => [f.family, f.status]); }"
    )
    assert ["Latin Modern Math", "loaded"] in faces
    family = page.evaluate("getComputedStyle(document.querySelector('math')).fontFamily")
    assert family.startswith('"Latin Modern Math"'), family
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert f"{server}/math/latinmodernmath.woff2" in loaded
    # display-style ∫ and ∑ take the MATH table's large variants (in em; a text font gives
    # a 1.36 em tall ∫ and a 1.0 em wide ∑, Latin Modern Math 2.2 em and 1.44 em)
    sizes = page.evaluate("""() => [...document.querySelectorAll('math[display="block"] mo')]
        .filter(mo => mo.textContent === '∫' || mo.textContent === '∑').map(mo => {
            const box = mo.getBoundingClientRect(), em = parseFloat(getComputedStyle(mo).fontSize);
            return [mo.textContent, box.height / em, box.width / em]; })""")
    assert {op for op, _, _ in sizes} == {"∫", "∑"}, sizes
    assert all(height > 1.8 for op, height, _ in sizes if op == "∫"), sizes
    assert all(width > 1.3 for op, _, width in sizes if op == "∑"), sizes
    assert errors == []
    page.context.close()


def test_search_finds_a_chinese_word_and_is_usable_with_the_keyboard(server: str, browser: Browser) -> None:
    page, errors, hosts = visit(browser, f"{server}/search.html")
    page.keyboard.type("球面")  # the search box has the focus when the page opens
    links = page.locator(".pagefind-ui__result-link")
    links.first.wait_for(timeout=10_000)
    assert "n 维空间中两个随机向量的夹角" in links.all_inner_texts()
    assert "球面" in page.locator(".pagefind-ui__result-excerpt").first.inner_text()
    assert "q=%E7%90%83%E9%9D%A2" in page.url  # the address follows the query
    first = links.first.get_attribute("href")
    for _ in range(20):  # tab from the search box to the first result, then follow it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pagefind-ui__result-link')"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{server}{first}"
    assert errors == [] and hosts == {urlparse(server).netloc}
    page.context.close()


def test_search_covers_figure_alt_text_and_captions(server: str, browser: Browser, built_site: Site) -> None:
    post = (built_site.output / "posts/angle-between-random-vectors.html").read_text(encoding="utf-8")
    alt = " ".join(re.findall(r'<svg[^>]* aria-label="([^"]*)"', post))
    captions = " ".join(re.findall(r"<figcaption>(.*?)</figcaption>", post, re.DOTALL))
    outside = re.sub(r"<figcaption>.*?</figcaption>|<svg.*?</svg>", "", post, flags=re.DOTALL)
    # in this post, 峰值 appears only in a figure's alt text, 阶梯线 only in a caption
    assert "峰值" in alt and "阶梯线" in captions and "峰值" not in outside + captions and "阶梯线" not in outside
    for word in ("峰值", "阶梯线"):
        page, errors, _ = visit(browser, f"{server}/search.html?q={word}")
        links = page.locator(".pagefind-ui__result-link")
        links.first.wait_for(timeout=10_000)
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert "/posts/angle-between-random-vectors.html" in hrefs, (word, hrefs)
        assert errors == []
        page.context.close()


LIGHT_BG, DARK_BG = "rgb(251, 250, 247)", "rgb(22, 24, 28)"  # --bg of theme/static/css/site.css


def background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_toggle_switches_colours_is_remembered_and_works_by_keyboard(server: str, browser: Browser) -> None:
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(f"{server}/index.html")
    toggle = page.get_by_role("button", name="深色模式")
    assert background(page) == LIGHT_BG and toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert background(page) == DARK_BG and toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.goto(f"{server}/posts/angle-between-random-vectors.html")  # the choice is stored
    assert background(page) == DARK_BG
    page.get_by_role("button", name="深色模式").focus()
    page.keyboard.press("Enter")
    assert background(page) == LIGHT_BG
    # back to the system's scheme: nothing stored, no data-theme, and it follows the system again
    assert page.evaluate("localStorage.getItem('theme')") is None
    page.emulate_media(color_scheme="dark")
    assert background(page) == DARK_BG
    context.close()


FIGURE_INK = """() => {
    const svg = document.querySelector('figure.repro-figure svg');
    const text = svg.querySelector('text');  // a tick label (drawn first; compact.py drops unused ids)
    const axis = svg.querySelector('[style*="stroke: var(--figure-fg"]');  // a tick mark
    const paper = svg.querySelector('[style*="fill: var(--figure-bg"]');  // the figure's background
    return [getComputedStyle(text).fill, getComputedStyle(axis).stroke, getComputedStyle(paper).fill];
}"""


@pytest.mark.parametrize(
    ("scheme", "ink", "paper"),
    [("light", "rgb(0, 0, 0)", "rgb(255, 255, 255)"), ("dark", "rgb(226, 226, 222)", "rgb(29, 32, 38)")],
)
def test_figures_take_their_ink_and_paper_from_the_theme(
    server: str, browser: Browser, scheme: str, ink: str, paper: str
) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{server}/posts/angle-between-random-vectors.html")
    assert page.evaluate(FIGURE_INK) == [ink, ink, paper]
    context.close()


def test_without_javascript_the_page_follows_the_system_and_hides_the_toggle(server: str, browser: Browser) -> None:
    context = browser.new_context(color_scheme="dark", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/angle-between-random-vectors.html")
    assert background(page) == DARK_BG
    assert page.locator(".theme-toggle").is_hidden()
    page.emulate_media(media="print")  # print is always black on white
    assert background(page) == "rgb(255, 255, 255)"
    context.close()


def test_every_page_loads_without_console_errors_or_requests_to_other_hosts(
    server: str, browser: Browser, built_site: Site
) -> None:
    paths = sorted(p.relative_to(built_site.output).as_posix() for p in built_site.output.rglob("*.html"))
    assert len(paths) >= 10 and "search.html" in paths and "404.html" in paths
    context = browser.new_context()
    remote: list[str] = []

    def local_only(route: Route) -> None:  # intercept: anything off 127.0.0.1 fails the test
        if urlparse(route.request.url).netloc == urlparse(server).netloc:
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    # (ERR_ABORTED: a request still running when the loop moves on, e.g. Pagefind's worker)
    page.on("requestfailed", lambda r: failed.append(r.url) if r.failure != "net::ERR_ABORTED" else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for path in paths:
        response = page.goto(f"{server}/{path}", wait_until="load")
        assert response is not None and response.ok, path
    assert errors == [] and remote == [] and failed == []
    context.close()


def test_a_missing_page_gets_the_styled_404_page_at_any_depth(server: str, browser: Browser) -> None:
    page = browser.new_page()
    assert page.goto(f"{server}/posts/no/such/page.html").status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    assert background(page) == LIGHT_BG  # the stylesheet loaded from /theme/, not /posts/no/such/theme/
    with page.expect_navigation():
        page.get_by_role("link", name="归档").last.click()
    assert page.url == f"{server}/archives.html"
    page.context.close()


def test_contents_links_and_heading_permalinks_lead_to_their_section(
    server: str, browser: Browser, built_site: Site
) -> None:
    for post in posts(built_site):
        page, errors, _ = visit(browser, f"{server}/posts/{post}")
        links = page.locator(".post-toc a")
        for i in range(links.count()):
            href = links.nth(i).get_attribute("href") or ""
            links.nth(i).click()
            assert page.evaluate("decodeURIComponent(location.hash)") == href, (post, href)
            target = page.locator(f"[id='{href[1:]}']")
            assert target.count() == 1 and target.evaluate("e => /^H[2-6]$/.test(e.tagName)"), (post, href)
            # scrolled into view (the last sections may not reach the top of the window)
            shown = target.evaluate(
                "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
            )
            assert shown, (post, href)
        permalink = page.locator(".post-content :is(h2, h3) > a.headerlink").first
        assert permalink.evaluate("e => getComputedStyle(e).opacity") == "0"  # quiet until wanted
        for _ in range(80):  # reachable by keyboard, and visible when it has the focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('headerlink')"):
                break
        focused = page.evaluate("[document.activeElement.className, getComputedStyle(document.activeElement).opacity]")
        assert focused == ["headerlink", "1"], (post, focused)
        assert errors == []
        page.context.close()


def test_every_check_group_shows_one_verdict_line_and_folds_its_numbers(
    server: str, browser: Browser, built_site: Site
) -> None:
    groups = 0
    for post in posts(built_site):
        page, errors, _ = visit(browser, f"{server}/posts/{post}")
        assert page.locator(".repro-check").count() == page.locator("details.repro-checks .repro-check").count()
        details = page.locator("details.repro-checks")
        for i in range(details.count()):
            group = details.nth(i)
            summary = group.locator("summary").inner_text().strip()
            count = group.locator(".repro-check").count()
            assert summary == f"{count} 项自检全部成立", (post, summary)  # a strict build fails on a failing check
            assert group.locator("summary").is_visible() and group.locator(".repro-check").first.is_hidden()
            group.locator("summary").click()
            assert group.locator(".repro-check").first.is_visible()
        groups += details.count()
        assert errors == []
        page.context.close()
    assert groups > 0
