"""Content-addressed store of artifacts, one JSON file per directive key.

The key (:func:`cache_key`) covers everything that shapes an artifact:
- the computation's name, its parameters with defaults filled in, and the seed;
- the **source code** it runs: the module that defines it and every module of the same
  top-level package that module imports, transitively (:func:`code_fingerprint`). We hash
  source rather than ask authors to bump a version number by hand: a forgotten bump would
  serve stale figures, a spurious re-run only costs seconds;
- the bytes of every input file it reads: parameters annotated with
  ``computations.report.InputFiles`` name data, and their resolver lists the files;
- the environment: Python, numpy, scipy, matplotlib versions and the source of the module
  that renders figures to SVG (our "rendering settings").

Why not a library (diskcache, joblib.Memory): both pickle values, so a cache file could run
code when read and cannot be inspected; we need a few dozen JSON documents, each written
atomically (temp file + ``os.replace``) and checked against an embedded SHA-256 on read,
so a truncated or corrupt entry is detected and recomputed, never served.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import platform
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from computations.report import InputFiles

from .directive import Directive, parameter_model

logger = logging.getLogger(__name__)

LIBRARIES = ("numpy", "scipy", "matplotlib")


def cache_key(directive: Directive, function: Callable[..., Any], *, environment: str) -> str:
    """SHA-256 over the directive's canonical form, the code it runs and the environment."""
    digest = hashlib.sha256()
    parts = (
        directive.canonical,
        code_fingerprint(function.__module__),
        input_fingerprint(directive, function),
        environment,
    )
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def input_fingerprint(directive: Directive, function: Callable[..., Any]) -> str:
    """Hash of the bytes of every file the directive's ``InputFiles`` parameters name.

    Raises:
        FileNotFoundError: a named input file does not exist.
    """
    digest = hashlib.sha256()
    for name, field in parameter_model(function).model_fields.items():
        for marker in field.metadata:
            if isinstance(marker, InputFiles):
                for path in sorted(marker.resolve(directive.params[name])):
                    digest.update(f"{name}\0{Path(path).name}\0".encode())
                    digest.update(_file_digest(Path(path)))
    return digest.hexdigest()


@cache
def _file_digest(path: Path) -> bytes:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


@cache
def code_fingerprint(module_name: str) -> str:
    """Hash of a module's source and of the same-package modules it imports, transitively."""
    package = module_name.split(".")[0]
    seen: dict[str, str] = {}
    pending = [module_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # "from module import name" where name is no module
            continue
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        source = Path(spec.origin).read_text(encoding="utf-8")
        seen[name] = source
        pending.extend(n for n in _imported_modules(source, name, spec) if n.split(".")[0] == package)
    digest = hashlib.sha256()
    for name in sorted(seen):
        digest.update(f"{name}\0{seen[name]}\0".encode())
    return digest.hexdigest()


def environment_fingerprint(*, renderer_module: str) -> str:
    """Versions of the interpreter and libraries, plus the SVG renderer's source hash."""
    versions = {lib: importlib.metadata.version(lib) for lib in LIBRARIES}
    versions["python"] = platform.python_version()
    versions["renderer"] = code_fingerprint(renderer_module)
    return json.dumps(versions, sort_keys=True)


def _imported_modules(source: str, name: str, spec: Any) -> list[str]:
    tree = ast.parse(source)
    is_package = spec.submodule_search_locations is not None
    base = name if is_package else name.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")
                root = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{root}.{node.module}" if node.module else root
            else:
                module = node.module or ""
            found.append(module)
            # "from package import submodule" imports a module too.
            found.extend(f"{module}.{alias.name}" for alias in node.names)
    return found


class ArtifactCache:
    """Artifacts stored as ``<root>/<key[:2]>/<key>.json``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Mapping[str, Any] | None:
        """The stored artifact, or None if absent, truncated, corrupt or for another key."""
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            artifact = entry["artifact"]
            intact = entry["key"] == key and entry["sha256"] == _checksum(artifact)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("repro: discarding unreadable cache entry %s (%s)", path, error)
            return None
        if not intact:
            logger.warning("repro: discarding corrupt cache entry %s (checksum mismatch)", path)
            return None
        return artifact

    def put(self, key: str, artifact: Mapping[str, Any]) -> None:
        """Write atomically: readers see the old entry or the whole new one, never a part."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "sha256": _checksum(artifact), "artifact": artifact}
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            json.dump(entry, tmp, ensure_ascii=False, sort_keys=True)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)


def _checksum(artifact: Mapping[str, Any]) -> str:
    canonical = json.dumps(artifact, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
