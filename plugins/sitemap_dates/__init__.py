"""Deterministic ``<lastmod>`` for list pages in pelican-sitemap's sitemap.xml.

pelican-sitemap dates articles and pages by their own ``modified``/``date`` but gives list
pages (index, archives, tags, categories, authors) the time of the build, so two builds of
the same tree would differ. A list page changes when a post does: date it by the newest
post instead.
"""

from __future__ import annotations

from typing import Any

from pelican import signals


def date_list_pages(generator: Any) -> None:
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:  # the sitemap plugin is not installed: nothing to date
        return
    dates = [getattr(a, "modified", None) or a.date for a in (*generator.articles, *generator.translations)]
    if dates:
        sitemap.generator.now = max(dates)


def register() -> None:
    signals.article_generator_finalized.connect(date_list_pages)
