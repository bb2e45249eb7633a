"""The colours figures draw with, legible on the site's light and dark figure panels alike.

A figure is drawn once and shown on either panel (``--figure-panel`` in the theme's
``site.css``: white, or #1d2026 in dark mode). Black and white follow the theme already (the
engine writes them, and every neutral grey, as mixes of the theme's ink and paper), so a
figure's text, axes and greys are legible on both. A *data* colour stays as drawn, so it
must have WCAG contrast ≥ 3:1 against both panels: its relative luminance must lie in the
band where that holds (0.143–0.300 for these panels). This module gives

- :data:`CYCLE`: matplotlib's ten default colours moved into the middle of that band
  (luminance 0.21, about 4:1 on both panels; tinted or shaded, hue kept), so ``"C0"`` … ``"C9"``
  keep their meaning; the renderer installs it as the colour cycle (:data:`RC_PARAMS`);
- :func:`sequence`: ordered colours for a family of curves (viridis hues, lightness inside
  the band), instead of a colormap whose dark end vanishes on the dark panel;
- for images, which cannot follow the theme: :func:`backdrop` keeps only the light part of
  a colormap, light enough that :data:`IMAGE_INK` and :data:`IMAGE_RED` drawn over it have
  ≥ 3:1 on every pixel; those two colours are deliberately not neutral greys, so the
  engine leaves them as they are in both themes.

Translucent marks lose contrast (they are mixed with the panel), so data marks are drawn
opaque, or nearly so.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from cycler import cycler
from matplotlib import colormaps
from matplotlib.colors import Colormap, ListedColormap, to_hex, to_rgb

# --figure-panel of theme/static/css/site.css in the light and dark themes (a test compares)
PANELS: Final = ("#ffffff", "#1d2026")
MARK_RATIO: Final = 3.0  # WCAG 2.x 1.4.11, non-text contrast
_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])


def luminance(colour: str | tuple[float, ...]) -> float:
    """WCAG 2.x relative luminance of a matplotlib colour (alpha ignored)."""
    rgb = np.asarray(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ _WEIGHTS)


def contrast(first: str | tuple[float, ...], second: str | tuple[float, ...]) -> float:
    """WCAG contrast ratio (1–21) of two opaque colours."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def with_luminance(colour: str | tuple[float, ...], target: float) -> str:
    """The colour tinted with white, or shaded with black, to a relative luminance (hue kept).

    Mixing in sRGB rather than scaling keeps a dark colour's hue from turning neon (viridis'
    purple scaled up to the band becomes magenta; tinted, it stays a muted purple).
    """
    rgb = np.asarray(to_rgb(colour))
    towards = np.ones(3) if luminance(tuple(rgb)) < target else np.zeros(3)
    low, high = 0.0, 1.0
    for _ in range(40):  # luminance moves monotonically along the mix: bisect it
        share = (low + high) / 2
        reached = luminance(tuple(rgb + share * (towards - rgb)))
        if (reached < target) == (towards[0] == 1.0):
            low = share
        else:
            high = share
    return to_hex(rgb + low * (towards - rgb))


def _band() -> tuple[float, float]:
    """Luminances with ≥ 3:1 against every panel: above the dark one's, below the light one's."""
    levels = [luminance(panel) for panel in PANELS]
    return MARK_RATIO * (min(levels) + 0.05) - 0.05, (max(levels) + 0.05) / MARK_RATIO - 0.05


BAND: Final = _band()
# The middle of the band in contrast terms: equal ratios against both panels (about 4:1).
_MIDDLE = float(np.sqrt((BAND[0] + 0.05) * (BAND[1] + 0.05)) - 0.05)

CYCLE: Final = tuple(with_luminance(colour, _MIDDLE) for colour in colormaps["tab10"].colors)


def sequence(count: int) -> list[str]:
    """``count`` ordered colours (viridis hues, lighter along the family), all inside the band."""
    low, high = BAND[0] + 0.02, BAND[1] - 0.03
    return [
        with_luminance(colormaps["viridis"](t), low + (high - low) * t / 0.85) for t in np.linspace(0.0, 0.85, count)
    ]


# Overlays on images (arrows, contours, markers on a heat map): an image keeps its colours in
# both themes, so what is drawn on it must too. Nearly black, a dark red and a dark blue: dark
# enough to leave most of a colormap usable, and not neutral greys, so the theme leaves them.
IMAGE_INK: Final = "#0b1220"
IMAGE_RED: Final = "#7a0f14"
IMAGE_BLUE: Final = "#10307a"


def _faintest() -> float:
    """The lowest opacity (in steps of 0.05) at which every CYCLE colour keeps 3:1 on both panels."""
    for alpha in np.arange(0.05, 1.0, 0.05):
        mixed = [alpha * np.asarray(to_rgb(c)) + (1 - alpha) * np.asarray(to_rgb(p)) for c in CYCLE for p in PANELS]
        if all(contrast(tuple(m), p) >= MARK_RATIO for m, p in zip(mixed, PANELS * len(CYCLE), strict=True)):
            return round(float(alpha), 2)
    return 1.0


# For marks that should let overlaps show (dense clouds, histograms over other marks).
FAINTEST: Final = _faintest()


def backdrop(name: str) -> Colormap:
    """The part of a colormap light enough for every ``IMAGE_*`` colour drawn over it (≥ 3:1).

    The colormap must change monotonically in luminance (Blues, magma, viridis do); the light
    end is kept, whichever end it is.
    """
    darkest = max(luminance(colour) for colour in (IMAGE_INK, IMAGE_RED, IMAGE_BLUE))
    floor = MARK_RATIO * (darkest + 0.05) - 0.05
    samples = colormaps[name](np.linspace(0.0, 1.0, 256))
    kept = [tuple(colour) for colour in samples if luminance(tuple(colour[:3])) >= floor + 0.005]
    return ListedColormap(kept, name=f"{name}_backdrop")


# Installed by the renderer for every figure (plugins/reproduce/artifact.py).
RC_PARAMS: Final = {
    "axes.prop_cycle": cycler(color=list(CYCLE)),
    # a legend is a box of paper without an outline: the default #cccccc edge has 1.6:1
    "legend.edgecolor": "none",
    # grid lines a mid grey (drawn as half ink, half paper: about 4:1 in both themes)
    "grid.color": "0.5",
    "grid.linewidth": 0.5,
    # mplot3d's panes: paper, like a 2-D axes' background
    "axes3d.xaxis.panecolor": "white",
    "axes3d.yaxis.panecolor": "white",
    "axes3d.zaxis.panecolor": "white",
}


def shade(colour: str, brightness: np.ndarray) -> list[str]:
    """The colour shaded for each brightness in 0–1 (dark to light), staying inside the band."""
    low, high = BAND[0] + 0.01, BAND[1] - 0.01
    return [with_luminance(colour, low + (high - low) * float(b)) for b in np.clip(brightness, 0.0, 1.0)]
