"""A compacted figure (plugins/reproduce/compact.py) draws the same pixels in Chromium as
matplotlib's SVG with the same rounded numbers."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image
from playwright.sync_api import Browser
from reproduce.artifact import configure_matplotlib
from reproduce.compact import compact, round_numbers

SCALE = 2  # device pixels per CSS pixel, as on a phone
# Lossless images, dropped ids, spaces and no-op rotations draw the same pixels. The one level
# allowed is the decoders': Chromium premultiplies a translucent pixel's colour by its alpha,
# and the PNG and WebP paths round that product apart by at most one level. (Rounded numbers
# move edges by at most 0.005 pt, which tests/test_compact.py checks number by number: the
# rasteriser's antialiasing works in coverage steps, so a pixel comparison cannot bound them.)
MAX_LEVELS = 1


def _figure() -> Figure:
    configure_matplotlib()  # the site's settings: text as <text>, the CJK font
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    t = np.linspace(0, 1, 200)
    ax.imshow(np.outer(t, t), extent=(0, 1, -1, 1), aspect="auto", interpolation="bilinear", cmap="magma_r")
    ax.plot(t, np.sin(7 * t), marker="o", markevery=10, color="C3", label=r"$\sin 7t$")
    ax.scatter(t, np.cos(5 * t), s=6, alpha=0.5, rasterized=True)
    ax.quiver(t[::20], 0 * t[::20], np.cos(t[::20]), np.sin(t[::20]), rasterized=True)
    ax.set_title(r"标题 $\sigma^2\nabla\log p_\sigma$")
    ax.legend()
    return fig


def _draw(browser: Browser, svg: str) -> np.ndarray:
    context = browser.new_context(viewport={"width": 420, "height": 320}, device_scale_factor=SCALE)
    page = context.new_page()
    page.set_content(f'<body style="margin:0;background:#fff">{svg}</body>')
    shot = page.locator("svg").screenshot()
    context.close()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)


def test_a_compacted_figure_draws_the_same_pixels(browser: Browser) -> None:
    buffer = io.StringIO()
    _figure().savefig(buffer, format="svg")
    raw = buffer.getvalue()[buffer.getvalue().index("<svg") :]
    small = compact(raw)
    assert len(small) < 0.6 * len(raw)
    before, after = _draw(browser, round_numbers(raw)), _draw(browser, small)
    assert before.shape == after.shape
    difference = np.abs(before - after)
    print(f"{len(raw)} -> {len(small)} bytes; largest difference {difference.max()}, mean {difference.mean():.4f}")
    assert difference.max() <= MAX_LEVELS
