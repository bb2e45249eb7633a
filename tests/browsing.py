"""What every browser test shares: Debian's Chromium driven by Playwright, and the pages to visit.

The ``server`` and ``browser`` fixtures live in conftest.py (one of each per session); a test
file whose name starts with ``test_browser`` is put in the browser tier."""

from __future__ import annotations

from urllib.parse import urlparse

from conftest import Site
from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# the screens every reading test covers: two phones and a desktop, each in both themes
WIDTHS = (320, 360, 1280)
SCHEMES = ("light", "dark")
VIEWS = [(width, scheme) for width in WIDTHS for scheme in SCHEMES]


def visit(browser: Browser, url: str, *, width: int = 1280, scheme: str = "light") -> tuple[Page, list[str], set[str]]:
    """Open a page; return it with its console errors and the hosts it tried to reach."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    return page, errors, hosts


def posts(built_site: Site) -> list[str]:
    """Every post's file name under ``posts/``, checked against the Markdown sources."""
    found = sorted(p.name for p in (built_site.output / "posts").glob("*.html"))
    assert len(found) == len(list((built_site.path / "content" / "posts").glob("*.md")))
    return found


def pages(built_site: Site) -> list[str]:
    """Every HTML page of the site, relative to its root (posts, pages, indexes, 404, search)."""
    return sorted(p.relative_to(built_site.output).as_posix() for p in built_site.output.rglob("*.html"))
