"""Figure zoom (theme/static/js/zoom.js) on every figure of every post, in Chromium.

A figure opens large in a modal dialog by keyboard (Enter, Space) and by a tap, at least as
wide as the phone's screen; Esc or 关闭 closes it, the focus returns to its button and the
figure is back in the page; the dialog takes the figure panel's colours in dark mode; without
JavaScript nothing of it shows.
"""

from __future__ import annotations

from browsing import posts, visit
from conftest import Site
from playwright.sync_api import Browser, Locator, Page

OPEN = "dialog.repro-zoom-dialog[open]"
# The figure panel's colours: the variables the SVG draws with, and its background.
COLOURS = """box => { const s = getComputedStyle(box);
    return [s.getPropertyValue('--figure-fg').trim(), s.getPropertyValue('--figure-bg').trim(), s.backgroundColor]; }"""


def is_focused(page: Page, element: Locator) -> bool:
    return element.evaluate("node => node === document.activeElement")


def close_and_check(page: Page, figure: Locator, button: Locator, *, how: str) -> None:
    if how == "Escape":
        page.keyboard.press("Escape")
    else:
        page.locator(f"{OPEN} .repro-zoom-close").click()
    page.wait_for_selector("dialog.repro-zoom-dialog", state="detached")
    assert is_focused(page, button), how
    assert figure.locator(".repro-svg svg").count() == 1  # the figure is back in the page
    assert figure.locator(".repro-zoom-placeholder").count() == 0


def test_every_figure_opens_large_by_keyboard_and_closes_back_to_its_button(
    server: str, browser: Browser, built_site: Site
) -> None:
    # At phone width in dark mode (the desktop test below runs light).
    for name in posts(built_site):
        page, errors, _ = visit(browser, f"{server}/posts/{name}", width=360, scheme="dark")
        figures = page.locator("figure.repro-figure")
        assert figures.count() == page.locator("figure.repro-figure .repro-svg svg").count() > 0, name
        for index in range(figures.count()):
            figure = figures.nth(index)
            button = figure.locator("button.repro-zoom")
            panel = figure.locator(".repro-svg").evaluate(COLOURS)
            natural = figure.locator(".repro-svg svg").evaluate("svg => svg.width.baseVal.value")  # drawn size, px
            button.focus()
            page.keyboard.press("Enter" if index % 2 == 0 else " ")
            page.wait_for_selector(OPEN)
            dialog = page.locator(OPEN)
            box = dialog.locator("svg").bounding_box()
            # Wider than the screen: the figure at its drawn size (its text 9-13 px), scrolling sideways.
            assert box is not None and box["width"] >= max(0.9 * 360, natural - 1), (name, index, box, natural)
            # The page's own SVG, moved (no copy, no duplicate ids), in the panel's colours.
            assert figure.locator(".repro-svg svg").count() == 0
            assert dialog.locator(".repro-zoom-body").evaluate(COLOURS) == panel, (name, index)
            assert is_focused(page, dialog.locator(".repro-zoom-close"))
            close_and_check(page, figure, button, how="Escape" if index % 2 == 0 else "close button")
        assert errors == [], (name, errors)
        page.context.close()


def test_a_tap_on_a_figure_opens_it_and_on_a_desktop_it_fits_the_screen(
    server: str, browser: Browser, built_site: Site
) -> None:
    for name in posts(built_site):
        page, errors, _ = visit(browser, f"{server}/posts/{name}", width=1280)
        figure = page.locator("figure.repro-figure").first
        natural = figure.locator("svg").evaluate("svg => svg.width.baseVal.value")  # matplotlib's size, in px
        figure.locator(".repro-svg svg").click()
        page.wait_for_selector(OPEN)
        box = page.locator(f"{OPEN} svg").bounding_box()
        assert box is not None and box["width"] >= natural - 1, (name, box, natural)
        assert box["y"] + box["height"] <= 900 + 1 and box["x"] + box["width"] <= 1280 + 1, (name, box)
        close_and_check(page, figure, figure.locator("button.repro-zoom"), how="Escape")
        assert errors == [], (name, errors)
        page.context.close()


def test_without_javascript_figures_stay_in_the_page_with_their_svg_link(
    server: str, browser: Browser, built_site: Site
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    for name in posts(built_site):
        page.goto(f"{server}/posts/{name}")
        assert page.locator("button.repro-zoom").count() == 0
        figures = page.locator("figure.repro-figure")
        assert figures.count() == page.locator("figure.repro-figure .repro-svg svg").count() > 0
        assert figures.count() == page.locator('figure.repro-figure figcaption a[href$=".svg"]').count()
    context.close()
