"""Related posts: for each post, the other posts that share a tag with it, for the theme to list.

Sets ``article.related``, a list of :class:`Related` (the other post and the tags they share),
most shared tags first, then newest first; empty when no post shares a tag. Computed once per
build from the published articles (drafts are never listed). Setting: ``RELATED_POSTS_MAX`` (5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pelican import signals


@dataclass(frozen=True)
class Related:
    """Another post and the tags it shares with this one (in this post's tag order)."""

    article: Any
    tags: tuple[str, ...]


def related(article: Any, articles: Sequence[Any], *, limit: int) -> list[Related]:
    """The posts of ``articles`` sharing a tag with ``article``: most shared tags, then newest, first."""
    own = [str(tag) for tag in getattr(article, "tags", ())]
    found = []
    for other in articles:
        if other is article:
            continue
        theirs = {str(tag) for tag in getattr(other, "tags", ())}
        shared = tuple(tag for tag in own if tag in theirs)
        if shared:
            found.append(Related(other, shared))
    found.sort(key=lambda r: (-len(r.tags), -r.article.date.timestamp(), str(r.article.title)))
    return found[:limit]


def attach(generator: Any) -> None:
    limit = int(generator.settings.get("RELATED_POSTS_MAX", 5))
    for article in (*generator.articles, *generator.translations, *generator.drafts):
        article.related = related(article, generator.articles, limit=limit)


def register() -> None:
    signals.article_generator_finalized.connect(attach)
