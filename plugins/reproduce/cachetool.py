"""``invoke cache``: see and manage the directive cache without building the site.

``list``
    Every entry: key, size, last use (``usage.json``, written by builds), the computation,
    and which directives of the site (``file:line``) use it now.
``why FILE:LINE``
    Whether the directive at that line (its fence, or any line inside it) will be served from
    the cache or recomputed, and if recomputed which components of its key changed since its
    last entry: the entry the same ``file:line`` had in the last build, else the most recently
    used entry of the same computation. Components are named as ``fingerprint.py`` makes them:
    a parameter, the function target, the code of a module, an input file, a library
    version, Python, the renderer.
``gc [--dry-run]``
    Remove entries no directive of the site uses, and temporary files of interrupted writes.
    Run it when no build is running (a build's unfinished write is such a file).

The site is read as a build reads it: every ``repro`` fence of the content's Markdown files
goes through ``Build.add`` (``parse_directive`` + ``Fingerprints.components``), so the keys
are the ones a build would look up. Nothing is computed, but a directive's computation module
is imported (its signature is the parameter schema). Run it from the project's folder:
input files are resolved from there, as in a build::

    python -m reproduce.cachetool [--content content] [--cache .repro-cache]
        [--registry computations.registry] list | why FILE:LINE | gc [--dry-run]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import Build, Settings
from .cache import ArtifactCache
from .directive import Location
from .fingerprint import Components
from .report import Usage, load_usage, save_usage

_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*repro\b(.*)$")
_NAME = re.compile(r"^compute:\s*([\w.]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Use:
    """One directive of the site as it is now; ``key`` is None when it cannot run."""

    location: Location  # the opening fence, as a build reports it
    last_line: int  # the closing fence
    name: str | None
    key: str | None
    components: Components | None
    error: str | None
    redrawn: bool = False  # its result is stored, but its page would be drawn again
    memo: str | None = None  # key of its validated parameters (cache.ParamsMemo)


def site_build(*, registry: str, cache: Path) -> Build:
    """A build of the site that computes nothing: what ``read_site`` and ``current_listings`` ask."""
    return Build(Settings(cache_path=cache, registry=registry), say=lambda _: None)


def read_site(content: Path, *, build: Build) -> list[Use]:
    """Every ``repro`` directive of the Markdown files under ``content``, keyed as ``build`` keys it."""
    root = _root(content)
    found = []
    for path in sorted(content.rglob("*.md")):
        relative = os.path.relpath(os.path.abspath(path), root)
        for line, last_line, header, body in _fences(path.read_text(encoding="utf-8-sig")):
            location = Location(relative, line)
            if header:  # the build rejects header options too (markdown_fence.format_fence)
                build.reject(location, "directive: put parameters in the fence body, not in the header")
            else:
                build.add(body, location=location)
            found.append((location, last_line, body))
    build.resolve()
    uses = []
    for (location, last_line, body), slot in zip(found, build.slots, strict=True):
        name = slot.directive.name if slot.directive else (m := _NAME.search(body)) and m.group(1)
        entry = build.cache.get(slot.key) if slot.key else None
        redrawn = entry is not None and entry.page != build.page_key(slot.directive.name, entry.result)
        uses.append(Use(location, last_line, name or None, slot.key, slot.components, slot.error, redrawn, slot.memo))
    return uses


def current_listings(build: Build) -> set[str] | None:
    """Keys of the source listings the site's code has now; None when some module cannot be read."""
    try:
        return build.listing_keys()
    except Exception:  # a module mid-edit: keep every listing rather than guess
        return None


def _root(content: Path) -> Path:
    """Locations are relative to the folder holding the content, as in a build (no symlinks resolved)."""
    return Path(os.path.abspath(content)).parent


def _fences(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(opening line, closing line, header options, dedented body) of each ``repro`` fence."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opened = _OPEN.match(lines[index])
        index += 1
        if not opened:
            continue
        fence, start = opened.group(1), index
        closing = re.compile(rf"[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
        while index < len(lines) and not closing.fullmatch(lines[index]):
            index += 1
        yield start, index + 1, opened.group(2).strip(), textwrap.dedent("\n".join(lines[start:index]))
        index += 1


# ---- list ------------------------------------------------------------------------------


def list_entries(cache: ArtifactCache, uses: Sequence[Use], usage: Usage) -> list[str]:
    """One line per entry: key, size, last use, computation, the directives using it."""
    users: dict[str, list[str]] = defaultdict(list)
    for use in uses:
        if use.key is not None:
            users[use.key].append(str(use.location))
    lines = [f"{'entry':16}  {'size':>9}  {'last used':25}  {'computation':28}  used by"]
    total = 0
    for key in cache.keys():
        size = cache.path(key).stat().st_size
        total += size
        who = ", ".join(users.get(key, ())) or "nothing (gc removes it)"
        last = usage.last_used.get(key, "not recorded")
        lines.append(f"{key[:16]}  {_size(size):>9}  {last:25}  {_name_of(cache, key):28}  {who}")
    missing = sum(1 for use in uses if use.key is not None and not cache.path(use.key).exists())
    count = len(lines) - 1
    lines.append(f"{count} entr{'y' if count == 1 else 'ies'}, {_size(total)}; {missing} directive(s) not cached")
    return lines


# ---- why -------------------------------------------------------------------------------


def explain(where: str, *, uses: Sequence[Use], cache: ArtifactCache, usage: Usage, root: Path) -> list[str]:
    """Why the directive at ``FILE:LINE`` will be served or recomputed.

    Raises:
        LookupError: no directive at that line (the message lists the file's directives).
    """
    use = find_use(where, uses, root=root)
    head = f"{use.location} {use.name or '(no computation named)'}"
    if use.key is None:
        return [f"{head}: cannot run as written, a build reports: {use.error}"]
    if cache.get(use.key) is not None:
        last = usage.last_used.get(use.key, "not recorded")
        if use.redrawn:
            why = "the present stage's code, its libraries or the renderer changed; nothing is recomputed"
            return [f"{head}: its result is served from the cache (entry {use.key[:16]}), its page redrawn: {why}"]
        return [f"{head}: served from the cache (entry {use.key[:16]}, last used {last})"]
    if cache.path(use.key).exists():
        return [f"{head}: recomputed: its entry {use.key[:16]} is unreadable or corrupt"]
    lines = [f"{head}: recomputed (key {use.key[:16]} is not in the cache)"]
    previous = previous_entry(use, cache, usage)
    if previous is None:
        return [*lines, "  no earlier entry of this location or computation to compare with"]
    key, reason = previous
    changes = differences(cache.components(key) or {}, use.components or {})
    return [*lines, f"  compared with entry {key[:16]} ({reason}), what changed:", *(f"  - {c}" for c in changes)]


def find_use(where: str, uses: Sequence[Use], *, root: Path) -> Use:
    """The directive whose fence spans ``FILE:LINE`` (FILE relative to the project or absolute)."""
    file, _, line = where.rpartition(":")
    if not file or not line.isdigit():
        raise LookupError(f"expected FILE:LINE, got {where!r}")
    relative = os.path.relpath(os.path.abspath(file), root)
    in_file = [use for use in uses if use.location.path == relative]
    for use in in_file:
        if use.location.line <= int(line) <= use.last_line:
            return use
    known = ", ".join(f"{use.location.line}" for use in in_file) or "none"
    raise LookupError(f"no repro directive at {relative}:{line} (directives of that file open at lines: {known})")


def previous_entry(use: Use, cache: ArtifactCache, usage: Usage) -> tuple[str, str] | None:
    """Its last entry: the one this ``file:line`` had, else the latest of the same computation."""
    key = usage.last_key.get(str(use.location))
    if key is not None and cache.components(key) is not None:
        return key, f"the last one built for {use.location}"
    same = [k for k in cache.keys() if _name_of(cache, k) == use.name]
    if not same:
        return None
    latest = max(same, key=lambda k: (usage.last_used.get(k, ""), cache.path(k).stat().st_mtime))
    return latest, f"the most recently used entry of {use.name}"


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The components that differ, in words (``fingerprint.Fingerprints.components``)."""
    found: list[str] = []
    for component, describe in _DESCRIBE.items():
        if old.get(component) != new.get(component):
            found.extend(describe(old.get(component), new.get(component)))
    return found or ["no component differs (the entry was stored under another key format)"]


def _directive(old: Any, new: Any) -> list[str]:
    old, new = old or {}, new or {}
    found = []
    if old.get("compute") != new.get("compute"):
        found.append(f"computation: {old.get('compute')} → {new.get('compute')}")
    if old.get("seed") != new.get("seed"):
        found.append(f"parameter 'seed': {old.get('seed')} → {new.get('seed')}")
    before, after = old.get("params", {}), new.get("params", {})
    for name in sorted(set(before) | set(after)):
        if before.get(name, ...) != after.get(name, ...):
            found.append(f"parameter '{name}': {_value(before, name)} → {_value(after, name)}")
    return found


def _code(old: Any, new: Any) -> list[str]:
    return _compare(old or {}, new or {}, "code of module {} changed", "module {} is now imported", "module {} gone")


def _inputs(old: Any, new: Any) -> list[str]:
    old, new = old or {}, new or {}
    found = []
    for parameter in sorted(set(old) | set(new)):
        found += _compare(
            old.get(parameter, {}),
            new.get(parameter, {}),
            f"input file {{}} (parameter '{parameter}') changed",
            f"input file {{}} (parameter '{parameter}') added",
            f"input file {{}} (parameter '{parameter}') no longer read",
        )
    return found


def _libraries(old: Any, new: Any) -> list[str]:
    old, new = old or {}, new or {}
    found = [f"library {n} {old[n]} → {new[n]}" for n in sorted(set(old) & set(new)) if old[n] != new[n]]
    found += [f"library {n} {new[n]} now used" for n in sorted(set(new) - set(old))]
    return found + [f"library {n} {old[n]} no longer used" for n in sorted(set(old) - set(new))]


def _compare(old: Mapping[str, Any], new: Mapping[str, Any], changed: str, added: str, removed: str) -> list[str]:
    found = [changed.format(n) for n in sorted(set(old) & set(new)) if old[n] != new[n]]
    found += [added.format(n) for n in sorted(set(new) - set(old))]
    return found + [removed.format(n) for n in sorted(set(old) - set(new))]


def _value(params: Mapping[str, Any], name: str) -> str:
    return repr(params[name]) if name in params else "(absent)"


_DESCRIBE: dict[str, Callable[[Any, Any], list[str]]] = {
    "directive": _directive,
    "function": lambda old, new: [f"function target: {old} → {new}"],
    "code": _code,
    "inputs": _inputs,
    "libraries": _libraries,
    "python": lambda old, new: [f"python {old} → {new}"],
    "renderer": lambda old, new: ["renderer code changed (plugins/reproduce/artifact.py)"],
}


# ---- gc --------------------------------------------------------------------------------


def collect_garbage(
    cache: ArtifactCache,
    uses: Sequence[Use],
    usage: Usage,
    *,
    listings: set[str] | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Remove entries no directive uses, leftover ``.tmp`` files, parameter records no directive
    uses and listings of code as it no longer is (``listings``: the current ones, None to keep
    all); say what and how much.

    Entries of a computation that some directive names but cannot key now (a module with a
    syntax error mid-edit, a bad parameter) are kept: that directive may come back as it was.
    So are all parameter records while any directive cannot be read.
    """
    used = {use.key for use in uses if use.key is not None}
    unreadable = {use.name for use in uses if use.key is None and use.name}
    verb = "would remove" if dry_run else "removed"
    lines, freed = [], 0
    for key in cache.keys():
        name = _name_of(cache, key)
        if key in used:
            continue
        if name in unreadable:
            lines.append(f"kept {key[:16]} {name}: a directive of {name} cannot be read now")
            continue
        freed += _remove(cache.path(key), dry_run=dry_run)
        lines.append(f"{verb} {key[:16]} {name}")
        usage.last_used.pop(key, None)
    for path in cache.leftovers():
        freed += _remove(path, dry_run=dry_run)
        lines.append(f"{verb} {path.relative_to(cache.root)} (unfinished write)")
    memos = {use.memo for use in uses if use.memo}
    stale = {
        "parameter record(s) no directive uses": [] if unreadable else _unused(cache.root / "params", ".json", memos),
        "source listing(s) of code as it no longer is": _unused(cache.root / "sources", ".html", listings),
    }
    for what, paths in stale.items():
        if paths:
            freed += sum(_remove(path, dry_run=dry_run) for path in paths)
            lines.append(f"{verb} {len(paths)} {what}")
    if not dry_run:
        usage.last_key = {where: key for where, key in usage.last_key.items() if cache.path(key).exists()}
        save_usage(usage, cache.root)
        for folder in cache.root.glob("??"):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    lines.append(f"{'would free' if dry_run else 'freed'} {_size(freed)} ({freed} bytes)")
    return lines


def _unused(folder: Path, suffix: str, used: set[str] | None) -> list[Path]:
    return [] if used is None else sorted(p for p in folder.glob(f"*{suffix}") if p.stem not in used)


def _remove(path: Path, *, dry_run: bool) -> int:
    size = path.stat().st_size
    if not dry_run:
        path.unlink()
    return size


def _name_of(cache: ArtifactCache, key: str) -> str:
    directive = (cache.components(key) or {}).get("directive") or {}
    return str(directive.get("compute", "?"))


def _size(size: float) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


# ---- command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="invoke cache", description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=Path("content"), help="the site's content folder")
    parser.add_argument("--cache", type=Path, default=Path(".repro-cache"), help="REPRO_CACHE_PATH")
    parser.add_argument("--registry", default="computations.registry", help="REPRO_REGISTRY")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="entries, sizes, last use, directives using them")
    commands.add_parser("why", help="served or recomputed, and what changed").add_argument("where", help="FILE:LINE")
    commands.add_parser("gc", help="remove unused entries").add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    cache, usage = ArtifactCache(args.cache), load_usage(args.cache)
    build = site_build(registry=args.registry, cache=args.cache)
    uses = read_site(args.content, build=build)
    if args.command == "list":
        lines = list_entries(cache, uses, usage)
    elif args.command == "gc":
        listings = current_listings(build)
        lines = collect_garbage(cache, uses, usage, listings=listings, dry_run=args.dry_run)
    else:
        try:
            lines = explain(args.where, uses=uses, cache=cache, usage=usage, root=_root(args.content))
        except LookupError as error:
            print(error, file=sys.stderr)
            return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
