"""How to cite a post, and the article it mirrors: BibTeX entries the theme shows under each post.

Sets ``article.citation`` (a :class:`Citation`) on every article, and the Jinja global
``CANONICAL_SITEURL``: the site's address as configured (absolute when publishing:
``publishconf.py``; "" in development). Pelican's own ``SITEURL`` is made relative per page
when ``RELATIVE_URLS`` is on, which no citation or ``og:url`` may use.

The original's entry is made from the post's header: ``Original_url`` (http or https),
``Original_title`` and, if known, ``Original_date`` (``YYYY-MM-DD``: dates are never typed in
templates). A malformed ``Original_date`` fails the build at its ``file:line``, reported with
the directives' failures (``reproduce``'s shared list). Settings: ``CITATION_ORIGINAL_AUTHOR``
("苏剑林") and ``CITATION_ORIGINAL_SITE`` ("科学空间"), the author and site every original has.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican import signals

from .bibtex import Field, entry

FAILURES = "REPRO_FAILURES"  # the build's shared list of what fails a strict build (see reproduce)
_ARCHIVE_ID = re.compile(r"[^/]+$")


@dataclass(frozen=True)
class Original:
    """The article a post mirrors: its title, address, date (None: unknown) and BibTeX entry."""

    title: str
    url: str
    author: str
    site: str
    date: datetime.date | None
    date_text: str
    bibtex: str


@dataclass(frozen=True)
class Citation:
    """A post's own address (absolute when publishing), its BibTeX entry, and its original's."""

    url: str
    bibtex: str
    original: Original | None


def set_canonical_siteurl(generator: Any) -> None:
    generator.env.globals["CANONICAL_SITEURL"] = generator.settings.get("SITEURL", "")


def cite_articles(generator: Any) -> None:
    problems: list[str] = []
    for article in (*generator.articles, *generator.translations, *generator.drafts):
        try:
            original = original_of(article, generator.settings)
        except ValueError as error:
            problems.append(f"{_where(article, 'original_date')}: {error}")
            original = None
        article.citation = citation_of(article, generator.settings, original=original)
    if problems:
        generator.context.setdefault(FAILURES, []).extend(problems)


def original_of(article: Any, settings: dict[str, Any]) -> Original | None:
    """The original article of a post, or None when its header names no http(s) ``Original_url``.

    Raises:
        ValueError: ``Original_date`` is not a date written ``YYYY-MM-DD``.
    """
    url = str(getattr(article, "original_url", "") or "").strip()
    if not url.startswith(("https://", "http://")):
        return None
    title = str(getattr(article, "original_title", "") or "").strip() or url
    author = settings.get("CITATION_ORIGINAL_AUTHOR", "苏剑林")
    site = settings.get("CITATION_ORIGINAL_SITE", "科学空间")
    written = str(getattr(article, "original_date", "") or "").strip()
    try:
        date = datetime.date.fromisoformat(written) if written else None
    except ValueError:
        raise ValueError(f"Original_date {written[:40]!r} is not a date written YYYY-MM-DD") from None
    fields = [
        Field("title", title, "literal"),
        Field("author", (author,), "names"),
        Field("year", str(date.year) if date else ""),
        Field("date", date.isoformat() if date else ""),
        Field("url", url, "url"),
        Field("organization", site),
        Field("langid", "chinese"),
    ]
    archive = _ARCHIVE_ID.search(url.rstrip("/"))
    key = f"original:{archive.group(0) if archive else 'article'}"
    date_text = date.strftime(settings.get("DEFAULT_DATE_FORMAT", "%Y-%m-%d")) if date else ""
    return Original(title, url, author, site, date, date_text, entry("online", key, fields))


def citation_of(article: Any, settings: dict[str, Any], *, original: Original | None) -> Citation:
    """The post's citation: ``@online`` with title, authors, date, address and what it reproduces."""
    url = f"{settings.get('SITEURL', '')}/{article.url}"
    authors = [str(a) for a in getattr(article, "authors", ())] or [settings.get("AUTHOR", "")]
    note = ""
    if original:
        when = f"，{original.date.year}" if original.date else ""
        note = f"复现{original.author}《{original.title}》（{original.site}{when}）的计算"
    fields = [
        Field("title", str(article.title), "literal"),
        Field("author", tuple(a for a in authors if a), "names"),
        Field("year", str(article.date.year)),
        Field("date", article.date.date().isoformat()),
        Field("url", url, "url"),
        Field("organization", settings.get("SITENAME", "")),
        Field("note", note),
        Field("langid", "chinese"),
    ]
    return Citation(url=url, bibtex=entry("online", f"repro:{article.slug}", fields), original=original)


def _where(article: Any, header: str) -> str:
    """``file:line`` of the header line ``header:`` in the article's source (line 1 if absent)."""
    path = Path(article.source_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.lower().startswith(f"{header}:")), 1)
    root = os.path.dirname(os.path.abspath(article.settings["PATH"]))
    return f"{os.path.relpath(path, root)}:{line}"


def register() -> None:
    signals.generator_init.connect(set_canonical_siteurl)
    signals.article_generator_finalized.connect(cite_articles)
