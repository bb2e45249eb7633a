"""Issue 13.1: an inline SVG can neither run nor load anything, and our own figures pass unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from reproduce import artifact, svg
from reproduce.safesvg import UnsafeSVGError, sanitise

OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
HOSTILE = {
    "script": ("<script>alert(1)</script>", "element <script>"),
    "foreign object": ("<foreignObject><p>x</p></foreignObject>", "element <foreignObject>"),
    "handler": ('<g onload="alert(1)"><path d="M 0 0"/></g>', "attribute onload on <g>"),
    "handler, other case": ('<rect onMouseOver="alert(1)"/>', "attribute onMouseOver on <rect>"),
    "external image": ('<image xlink:href="https://evil.example/a.png"/>', "link 'https://evil.example/a.png'"),
    "external use": ('<use href="other.svg#x"/>', "link 'other.svg#x' on <use>"),
    "html in data": ('<image href="data:text/html;base64,PHNjcmlwdD4="/>', "link 'data:text/html"),
    "link": ('<a href="javascript:alert(1)"><text>x</text></a>', "link <a> to 'javascript:alert(1)'"),
    "animation": ('<set attributeName="href" to="javascript:alert(1)"/>', "element <set>"),
    "css url": ('<g style="fill: url(https://evil.example/x)"/>', "style 'fill: url(https://evil.example/x)'"),
    "css import": ('<style>@import "https://evil.example/x.css";</style>', "CSS in <style>"),
    "css escape": ('<g style="fill: u\\72l(https://evil.example/)"/>', "style"),
    "css function": ('<g style="fill: image-set(&quot;https://evil.example/x&quot; 1x)"/>', "style"),
    "attribute url": ('<path fill="url(https://evil.example/x)" d="M 0 0"/>', "attribute fill="),
    "namespace": ('<g xmlns:xlink="http://evil.example/ns"/>', "namespace xmlns:xlink"),
    "comment html ends early": ("<!--><script>alert(1)</script>-->", "a comment HTML reads differently"),
    "cdata": ("<text><![CDATA[x]]></text>", "CDATA section"),
    "processing instruction": ('<?xml-stylesheet href="https://evil.example/x.css"?>', "processing instruction"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_what_could_run_or_load_is_removed_and_named(name: str) -> None:
    hostile, named = HOSTILE[name]
    cleaned = sanitise(f'{OPEN}<text x="1" y="2">留下</text>{hostile}</svg>')
    assert any(named in removed for removed in cleaned.removed), cleaned.removed
    for word in ("<script", "foreignObject", "onload", "onMouseOver", "evil.example", "javascript", "data:text"):
        assert word not in cleaned.svg
    assert '<text x="1" y="2">留下</text>' in cleaned.svg
    assert sanitise(cleaned.svg) == type(cleaned)(cleaned.svg)  # what it writes passes unchanged


def test_a_link_goes_and_what_it_wrapped_stays() -> None:
    cleaned = sanitise(f'{OPEN}<a xlink:href="https://evil.example/" target="_blank"><path d="M 0 0"/></a></svg>')
    assert cleaned.svg == f'{OPEN}<path d="M 0 0"/></svg>'


def test_allowed_references_and_text_that_looks_like_markup_stay() -> None:
    allowed = (
        f'{OPEN}<defs><clipPath id="c"><rect width="1" height="1"/></clipPath></defs>'
        '<use xlink:href="#m" x="1" style="fill: var(--figure-fg, #000000)"/><g clip-path="url(#c)"/>'
        '<image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
        "<!-- $\\mathdefault{10^{-1}}$ --><text>&lt;script&gt;</text></svg>"
    )
    assert sanitise(allowed).svg == allowed and not sanitise(allowed).removed


@pytest.mark.parametrize(
    "document",
    [
        '<!DOCTYPE svg [<!ENTITY x "<script>alert(1)</script>">]><svg>&x;</svg>',
        "<svg><g></svg>",
        "<svg>&colon;</svg>",  # an entity HTML knows and XML does not
    ],
)
def test_what_cannot_be_checked_is_refused(document: str) -> None:
    with pytest.raises(UnsafeSVGError):
        sanitise(document)


def test_our_own_figures_pass_byte_for_byte() -> None:
    # The kinds of drawing the site's posts use: lines, rasterised scatter (a data:image/webp),
    # hatches, log axes (mathtext comments), Chinese text, legends and clip paths.
    artifact.configure_matplotlib()
    figure = Figure(figsize=(6, 4))
    left, right = figure.subplots(1, 2)
    points = np.random.default_rng(0).normal(size=(2, 500))
    left.scatter(*points, s=2, rasterized=True, label="散点")
    left.plot([0, 1], [0, 1], "--", label="直线")
    left.legend()
    left.set_title("标题 $x^2$")
    right.bar([1, 2, 3], [1, 10, 100], hatch="//")
    right.set_yscale("log")
    right.fill_between([1, 2, 3], [1, 2, 3], alpha=0.3)
    drawn = svg.from_figure(figure)
    assert "data:image/webp;base64," in drawn and "<!--" in drawn and "clipPath" in drawn
    assert sanitise(drawn).svg == drawn and sanitise(drawn).removed == ()
