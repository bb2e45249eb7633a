"""Figures in the Atom feed: a link to each figure's SVG file instead of the inline SVG.

Feed readers strip inline SVG (and the site's feed was 3.9 MB of it), so an entry keeps the
figure's alt text as a link to the figure's own SVG file, next to its caption.
"""

from __future__ import annotations

import re
from typing import Any

# The theme's figure markup (templates/repro/figure.html): the inline SVG carries the alt text
# as its aria-label (svg.label) and the caption links the SVG file.
_INLINE_FIGURE = re.compile(
    r'<div class="repro-svg"><svg\b[^>]*?\baria-label="([^"]*)".*?</svg>\s*</div>'
    r'(<figcaption>.*?<a href="([^"]*\.svg)">)',
    re.DOTALL,
)


def figures_as_links(html: str) -> str:
    """``html`` with every inline figure replaced by a link to its SVG file, labelled by its alt text."""
    return _INLINE_FIGURE.sub(r'<p class="repro-svg"><a href="\3">\1</a></p>\2', html)


def link_figures(context: Any, feed: Any) -> None:
    """Receiver of Pelican's ``feed_generated``: rewrite each entry before the feed is written."""
    for item in feed.items:
        for key in ("content", "description"):
            if item.get(key):
                item[key] = figures_as_links(item[key])
