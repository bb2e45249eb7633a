"""The figure palette keeps its promise: every colour it hands out has 3:1 on both panels."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_rgb
from reproduce import svg

from computations import palette

CSS = Path(__file__).resolve().parent.parent / "theme" / "static" / "css" / "site.css"


def on_both_panels(colour: str | tuple[float, ...], *, alpha: float = 1.0) -> list[float]:
    """Contrast of the colour, painted with ``alpha`` over each panel, against that panel."""
    ratios = []
    for panel in palette.PANELS:
        seen = alpha * np.asarray(to_rgb(colour)) + (1 - alpha) * np.asarray(to_rgb(panel))
        ratios.append(palette.contrast(tuple(seen), panel))
    return ratios


def test_contrast_is_wcag_s() -> None:
    assert palette.contrast("black", "white") == pytest.approx(21.0)
    assert palette.contrast("#767676", "white") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert palette.contrast("#777777", "white") < 4.5 < palette.contrast("#767676", "white")
    assert palette.luminance("#808080") == pytest.approx(0.2159, abs=1e-4)


def test_the_panels_are_the_theme_s() -> None:
    css = CSS.read_text(encoding="utf-8")
    declared = re.findall(r"--figure-panel:\s*(#[0-9a-f]{6})", css)
    assert set(declared) == set(palette.PANELS)


def test_the_band_is_where_3_to_1_holds_on_both_panels() -> None:
    low, high = palette.BAND
    # (a hex colour rounds its luminance by up to ~0.002)
    assert min(on_both_panels(palette.with_luminance("#3366cc", low + 0.003))) >= 3.0
    assert min(on_both_panels(palette.with_luminance("#3366cc", high - 0.003))) >= 3.0
    assert min(on_both_panels(palette.with_luminance("#3366cc", low - 0.01))) < 3.0
    assert min(on_both_panels(palette.with_luminance("#3366cc", high + 0.01))) < 3.0


@pytest.mark.parametrize("count", [1, 2, 5, 9])
def test_every_colour_handed_out_has_3_to_1_on_both_panels(count: int) -> None:
    colours = [*palette.CYCLE, *palette.sequence(count), *palette.shade(palette.CYCLE[1], np.linspace(0, 1, count))]
    weak = {c: on_both_panels(c) for c in colours if min(on_both_panels(c)) < 3.0}
    assert weak == {}


def test_the_cycle_keeps_matplotlib_s_hues_and_stays_distinct() -> None:
    assert len(set(palette.CYCLE)) == 10
    # C0 is still the blue, C1 the orange, C2 the green, C3 the red
    r, g, b = zip(*(to_rgb(c) for c in palette.CYCLE[:4]), strict=True)
    assert b[0] > r[0] and r[1] > b[1] and g[2] > r[2] and r[3] > g[3]


def test_faintest_is_the_lowest_opacity_that_keeps_3_to_1() -> None:
    assert all(min(on_both_panels(c, alpha=palette.FAINTEST)) >= 3.0 for c in palette.CYCLE)
    assert any(min(on_both_panels(c, alpha=palette.FAINTEST - 0.05)) < 3.0 for c in palette.CYCLE)


@pytest.mark.parametrize("name", ["Blues", "magma_r", "viridis"])
def test_overlays_keep_3_to_1_on_every_colour_of_a_backdrop(name: str) -> None:
    cmap = palette.backdrop(name)
    colours = [tuple(c[:3]) for c in cmap(np.linspace(0, 1, cmap.N))]
    overlays = (palette.IMAGE_INK, palette.IMAGE_RED, palette.IMAGE_BLUE)
    assert min(palette.contrast(o, c) for o in overlays for c in colours) >= 3.0
    assert cmap.N >= 64  # most of the colormap is left to show values
    full = [tuple(c[:3]) for c in colormaps[name](np.linspace(0, 1, 256))]
    assert min(palette.contrast(palette.IMAGE_INK, c) for c in full) < 3.0  # the cut matters


def test_greys_follow_the_theme_and_data_colours_do_not() -> None:
    drawn = (
        '<path style="stroke: #4c4c4c"/><path style="fill: #000000; stroke: #ffffff"/>'
        f'<path style="stroke: {palette.IMAGE_INK}"/><path style="fill: {palette.CYCLE[0]}"/>'
    )
    themed = svg.theme_colours(drawn)
    assert "stroke: color-mix(in srgb, var(--figure-fg, #000000) 70.2%, var(--figure-bg, #ffffff))" in themed
    assert "fill: var(--figure-fg, #000000); stroke: var(--figure-bg, #ffffff)" in themed
    assert f"stroke: {palette.IMAGE_INK}" in themed and f"fill: {palette.CYCLE[0]}" in themed
    # on the light panel the mix is the grey drawn: 70.2 % black over white is #4c4c4c
    assert round(255 * (1 - 0.702)) == 0x4C


def test_the_renderer_draws_with_the_palette() -> None:
    import matplotlib
    from reproduce.artifact import configure_matplotlib

    configure_matplotlib()
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == list(palette.CYCLE)
    assert matplotlib.rcParams["legend.edgecolor"] == "none"
