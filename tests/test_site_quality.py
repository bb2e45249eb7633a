"""The published site as a whole: sitemap, 404 page, search index, math font, HTML validity
and links. Browser checks of the same build live in test_browser.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conftest import Site

POST = "posts/angle-between-random-vectors.html"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_posts_and_pages_but_not_the_404_page(built_site: Site) -> None:
    tree = ET.parse(built_site.output / "sitemap.xml")
    locs = [loc.text or "" for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]
    assert f"/{POST}" in locs and "/about.html" in locs and "/" in locs
    assert not any("404" in loc or "search" in loc for loc in locs), locs
    lastmod = {
        url.findtext("s:loc", "", SITEMAP_NS): url.findtext("s:lastmod", "", SITEMAP_NS)
        for url in tree.findall("s:url", SITEMAP_NS)
    }
    newest_post = max(v for k, v in lastmod.items() if k.startswith("/posts/"))
    # list pages take the newest post's date, not the build time (deterministic output)
    assert lastmod["/"] == lastmod["/archives.html"] == newest_post == max(lastmod.values())


def test_404_page_links_resolve_from_any_depth(built_site: Site) -> None:
    html = (built_site.output / "404.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in html
    hrefs = re.findall(r'(?:href|src)="([^"#][^"]*)"', html)
    local = [h for h in hrefs if not h.startswith(("http://", "https://", "data:"))]
    assert local and all(h.startswith("/") for h in local), local
    assert 'href="/theme/css/site.css"' in html
