"""A post's table of contents, made from its finished headings, for the theme to show.

Pelican keeps nothing of Markdown's ``toc`` extension but the ids it writes on headings, so
this reads the ``<h2>``/``<h3>`` of each article's HTML once the other plugins are done with
it (texmath has turned TeX in a heading into MathML, which the contents then repeat) and
sets ``article.toc``: the ``h2`` entries in order, each with its ``h3`` entries as children.
It runs at ``all_generators_finalized``, after ``texmath`` in ``PLUGINS``, before any page is
written. The ids come from ``MARKDOWN``'s ``toc`` settings (a slugify that keeps Chinese).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

# The toc extension writes headings as <hN id="…">text<a class="headerlink" …>#</a></hN>.
_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)


@dataclass(frozen=True)
class Heading:
    """One entry: the heading's id, its inner HTML without the permalink, its subsections."""

    anchor: str
    html: str
    children: list[Heading] = field(default_factory=list)


def headings(html: str) -> list[Heading]:
    """The ``h2`` headings of ``html`` with their ``h3`` children (an ``h3`` before any ``h2`` is a top entry)."""
    top: list[Heading] = []
    for level, anchor, inner in _HEADING.findall(html):
        entry = Heading(anchor, _PERMALINK.sub("", inner).strip())
        if level == "3" and top:
            top[-1].children.append(entry)
        else:
            top.append(entry)
    return top


def attach(generators: list[Any]) -> None:
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            for article in (*generator.articles, *generator.translations, *generator.drafts):
                article.toc = headings(article._content or "")


def register() -> None:
    signals.all_generators_finalized.connect(attach)
