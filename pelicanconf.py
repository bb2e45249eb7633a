"""Pelican settings of the site (development and CI); publishconf.py extends them."""

import os

from pymdownx.slugs import slugify

AUTHOR = "科学空间复现组"
SITENAME = "科学空间 · 复现"
SITESUBTITLE = "在构建时重新计算苏剑林 2019 年文章中的结果"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
# "zh-CN" (not "zh" or "zh_CN"): no docutils warning, and Pagefind segments Chinese only
# when <html lang> is a proper BCP 47 tag (shared/ENVIRONMENT.md §2, §7).
DEFAULT_LANG = "zh-CN"
THEME = "theme"

ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
ARTICLE_URL = "posts/{slug}.html"
ARTICLE_SAVE_AS = "posts/{slug}.html"
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
# Stale pages of deleted posts must not survive; our plugin builds into a staging folder,
# so this empties that folder, never the published one.
DELETE_OUTPUT_DIRECTORY = True
# Pelican's content cache is keyed on the source file only and would serve pages whose
# directives changed code underneath; the plugin has its own content-addressed cache.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
# The default 50-word summary walks the whole HTML of each post, inline SVGs included,
# which grows quadratically (shared/ENVIRONMENT.md §2, pitfall 5).
SUMMARY_MAX_PARAGRAPHS = 1
DEFAULT_PAGINATION = 10
RELATIVE_URLS = True

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PLUGIN_PATHS = ["plugins"]
# Order matters: receivers of a signal run in PLUGINS order, and reproduce's `finalized`
# receiver publishes output.staging as output/. Everything that writes into the built site
# at `finalized` must come before it: the sitemap, and search (Pagefind indexes the staged
# site, so the index is published with it, or not at all when indexing fails).
# toc reads the headings once texmath has rendered their math, so it comes after texmath.
PLUGINS = [
    "pelican.plugins.sitemap",
    "sitemap_dates",
    "search",
    "reproduce",
    "texmath",
    "toc",
    "citation",
    "related",
]
# Not indexed: the headings' "#" permalinks (they ended every search result's section title).
SEARCH_EXCLUDE_SELECTORS = [".headerlink"]

# pelican-sitemap: articles, pages and list pages; hidden pages (404) are left out. List
# pages have no date of their own: plugins/sitemap_dates gives them the newest article's,
# so two builds of the same tree stay byte-identical. <loc> is absolute once SITEURL is.
SITEMAP = {
    "format": "xml",
    "priorities": {"articles": 0.8, "pages": 0.5, "indexes": 0.3},
    "changefreqs": {"articles": "monthly", "pages": "monthly", "indexes": "weekly"},
    # source/: the computations' code listings (plugins/reproduce/sources.py), linked from each
    # post's provenance notes; they support the posts and are not content of their own.
    "exclude": [r"^search\.html$", r"^source/"],
}

# Markdown "extra" would load fenced_code, which fights SuperFences: list what we use.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.abbr": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.def_list": {},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.md_in_html": {},
        "markdown.extensions.tables": {},
        "markdown.extensions.meta": {},
        # Markdown's own slugify drops every Chinese character, leaving ids like "_1"; this one
        # keeps them, so a heading's id (and its permalink) is made of its text.
        "markdown.extensions.toc": {
            "permalink": "#",
            "permalink_title": "本节的链接",
            "slugify": slugify(case="lower"),
        },
        "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight"},
        "pymdownx.superfences": {},
        # Protects $..$, $$..$$ and \begin{..} from Markdown; texmath renders them.
        "pymdownx.arithmatex": {"generic": True},
    },
    "output_format": "html5",
}

# Our plugin (plugins/reproduce): strict by default; `invoke serve` switches to draft.
REPRO_STRICT = True
REPRO_CACHE_PATH = ".repro-cache"
REPRO_TIMEOUT = 300
# Read from the environment so CI and authors choose without editing this file (README,
# "Shared cache"): "build", "frozen" (compute nothing) or "verify" (recompute and compare).
REPRO_MODE = os.environ.get("REPRO_MODE", "build")
# A second, shared cache at an fsspec URL (file:///…, s3://…); only writers (CI) set
# REPRO_SHARED_CACHE_WRITE=1. Its secret, REPRO_SHARED_CACHE_KEY, is read by the plugin
# from the environment and never written here.
REPRO_SHARED_CACHE = os.environ.get("REPRO_SHARED_CACHE", "")
REPRO_SHARED_CACHE_WRITE = os.environ.get("REPRO_SHARED_CACHE_WRITE", "")
TEXMATH_ASSETS = "math"

# Every value a template prints is escaped unless marked safe: a post's Title or Original_url
# is text, not markup (`Title: <script>` was written raw into <h1>). Only the HTML Pelican
# made from Markdown (content, summary) is marked |safe in the theme.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True}

DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"
DISPLAY_CATEGORIES_ON_MENU = False
