"""Every colour every figure paints is legible on what it is drawn on, in both themes (issue 11).

The site's figures are measured as Chromium renders them (``contrast.js``); the checker
itself is shown to turn red on figures drawn the way they were before: viridis' darkest
colour on the dark panel, a translucent scatter, a pale grey line, grey text, overlays on a
heat map darker than they are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from browsing import SCHEMES, posts, visit
from conftest import Site
from contrast import COLLECT, failures
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from playwright.sync_api import Browser
from reproduce import svg
from reproduce.artifact import configure_matplotlib

from computations import palette

PANEL = dict(zip(SCHEMES, palette.PANELS, strict=True))


def rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_colour_of_every_figure_has_contrast_with_what_it_is_drawn_on(
    server: str, browser: Browser, built_site: Site, scheme: str
) -> None:
    problems: list[str] = []
    figures = 0
    for post in posts(built_site):
        page, _, _ = visit(browser, f"{server}/posts/{post}", scheme=scheme)
        for figure in page.query_selector_all("figure.repro-figure"):
            collected = figure.evaluate(COLLECT)
            assert collected["panel"] == rgb(PANEL[scheme]), f"{post} {collected['id']}: not on the {scheme} panel"
            assert any(item["kind"] == "text" for item in collected["items"]), f"{post} {collected['id']}: nothing read"
            problems += [str(failure) for failure in failures(collected, where=post)]
            figures += 1
        page.context.close()
    assert figures >= len(posts(built_site))
    assert not problems, f"{len(problems)} colour(s) below WCAG contrast:\n" + "\n".join(problems[:60])


# --------------------------------------------------------------------------- the checker goes red


def _line(colour: str, **style: object) -> Callable[[Axes], None]:
    return lambda ax: ax.plot([0, 1, 2], [0, 1, 0], color=colour, linewidth=2, **style)


def _scatter(colour: str, alpha: float) -> Callable[[Axes], None]:
    points = np.random.default_rng(0).normal(size=(400, 2))
    return lambda ax: ax.scatter(*points.T, s=30, color=colour, alpha=alpha, linewidths=0, rasterized=True)


def _heat_map(cmap: object, overlay: str) -> Callable[[Axes], None]:
    def draw(ax: Axes) -> None:
        ax.imshow(np.linspace(0, 1, 64).reshape(8, 8), cmap=cmap, interpolation="nearest")
        ax.plot([3.5, 3.5], [0, 7], color=overlay, linewidth=2)  # across every row

    return draw


def _text(colour: str) -> Callable[[Axes], None]:
    return lambda ax: ax.text(0.1, 0.5, "灰色的字", color=colour, fontsize=14)


# (what is drawn, scheme, the colour the checker must name or None for none, kind)
CASES = {
    "viridis' darkest line on the dark panel": (_line("#440154"), "dark", "#440154", "mark"),
    "viridis' darkest line on the light panel": (_line("#440154"), "light", None, "mark"),
    "a palette line on the dark panel": (_line(palette.CYCLE[0]), "dark", None, "mark"),
    "a translucent palette line": (_line(palette.CYCLE[0], alpha=0.5), "light", palette.CYCLE[0], "mark"),
    "a pale grey reference line": (_line("0.75"), "light", "#bfbfbf", "mark"),
    "a mid grey line, as ink and paper mixed, on the dark panel": (_line("0.5"), "dark", None, "mark"),
    "grey text just under 4.5:1": (_text("#777777"), "light", "#777777", "text"),
    "a translucent rasterised scatter": (_scatter(palette.CYCLE[0], 0.5), "dark", palette.CYCLE[0], "layer"),
    "an opaque rasterised scatter": (_scatter(palette.CYCLE[0], 1.0), "dark", None, "layer"),
    "a rasterised scatter in viridis' darkest": (_scatter("#440154", 1.0), "dark", "#440154", "layer"),
    "a dark line across all of viridis": (_heat_map("viridis", palette.IMAGE_INK), "light", palette.IMAGE_INK, "mark"),
    "a dark line across viridis' light part": (
        _heat_map(palette.backdrop("viridis"), palette.IMAGE_INK),
        "dark",
        None,
        "mark",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_checker_names_a_colour_too_faint_for_its_background(
    server: str, browser: Browser, built_site: Site, case: str
) -> None:
    draw, scheme, expected, kind = CASES[case]
    configure_matplotlib()  # the site's fonts and palette, as in the build's workers
    fig = Figure(figsize=(3, 2))
    draw(fig.add_subplot())
    drawn = svg.label(svg.theme_colours(svg.prefix_ids(svg.from_figure(fig), "t-1-1-")), case)
    page, _, _ = visit(browser, f"{server}/posts/{posts(built_site)[0]}", scheme=scheme)
    found = page.evaluate(
        """([svg, collect]) => {
            const figure = document.querySelector('figure.repro-figure');
            figure.querySelector('.repro-svg').innerHTML = svg;
            return eval(collect)(figure);
        }""",
        [drawn, COLLECT],
    )
    page.context.close()
    named = {(tuple(f.colour[:3]), f.kind) for f in failures(found, where=case)}
    if expected is None:
        assert named == set()
    else:  # rasterised colours come back within the rounding of 8-bit pixels
        assert any(
            k == kind and all(abs(x - y) <= 3 for x, y in zip(c, rgb(expected), strict=True)) for c, k in named
        ), named
