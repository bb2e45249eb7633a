"""Settings for publishing: pelicanconf.py plus absolute URLs (feeds and sitemap need them).

Run ``SITEURL=https://example.org invoke publish``.
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL:
    raise SystemExit("publishconf.py: set SITEURL, e.g. SITEURL=https://example.org invoke publish")
RELATIVE_URLS = False
