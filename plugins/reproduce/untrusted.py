"""Posts from others: the HTML Markdown made of a post, sanitised before anything is added to it.

Off by default (``REPRO_UNTRUSTED_POSTS``): Pelican's trust model is that authors may write
raw HTML. A site that accepts posts from others turns it on; then every post's HTML goes
through nh3 (the Rust ammonia sanitiser: an allowlist of tags and attributes, no scripts,
no event handlers, no ``javascript:`` URLs) right after Markdown, before the build puts its
figures and MathML in, so what the build adds is never stripped and what an author adds
never runs. Kept: what Markdown and our extensions produce (classes for highlighting and
formulas, heading ids, the directive placeholders).
"""

from __future__ import annotations

import nh3

_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "div": {"data-repro-slot"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}


def sanitise(html: str) -> str:
    """The post's HTML with nothing that could run or load from elsewhere."""
    return nh3.clean(html, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"}, link_rel=None)
