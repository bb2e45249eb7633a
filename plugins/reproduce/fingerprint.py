"""What a directive's result depends on, as named components that make its cache key.

The components (:meth:`Fingerprints.components`) are:
- ``directive``: the computation's name, its parameters with defaults filled in, the seed;
- ``function``: the registry's target (``module:function``), so pointing a name at another
  function of the same module is a different result;
- ``code``: a hash of the source of the computation's module and of every module of the
  same top-level package it imports, transitively. We hash source rather than ask authors
  to bump a version number: a forgotten bump would serve stale figures, a spurious re-run
  only costs seconds;
- ``inputs``: the bytes of every file its ``InputFiles`` parameters name;
- ``libraries``: the version of every installed distribution that this code imports
  (read from its ``import`` statements) and of everything those require, so upgrading scipy
  re-runs the computations that use scipy and no others;
- ``python``: the interpreter version.

These are the run stage's: its result (``computations/results.py``) is cached under them.
The page drawn from a result has components of its own (:meth:`Fingerprints.page`): the
result's digest, the present stage's code and libraries, and the ``renderer`` — the code and
libraries of the module that draws figures to SVG in the worker. Editing a caption, the
renderer or the plugin therefore redraws pages from stored results and recomputes nothing.

The entry of each result stores its components, so ``invoke cache why`` can say which one
changed. A :class:`Fingerprints` memoises file and module hashes for **one build only**: a
second build in the same process (livereload) must see the tree as it is then.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import platform
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from computations.report import InputFiles

from .directive import Directive

Components = dict[str, Any]


def cache_key(components: Mapping[str, Any]) -> str:
    """SHA-256 of the components' canonical JSON."""
    canonical = json.dumps(components, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Fingerprints:
    """Hashes of modules, files and library versions, memoised within one build."""

    def __init__(self, *, renderer_module: str) -> None:
        self._modules: dict[str, dict[str, str]] = {}
        self._read: dict[str, tuple[str, list[str]] | None] = {}  # module → (source hash, its imports)
        self._files: dict[Path, str] = {}
        self._distributions: Mapping[str, list[str]] | None = None
        self._closure: dict[str, dict[str, str]] = {}
        renderer = self.code(renderer_module)
        self.renderer = {"code": _digest_of(renderer), "libraries": self.libraries(renderer)}

    def components(self, directive: Directive, *, target: str, markers: Mapping[str, InputFiles]) -> Components:
        """Everything the directive's result depends on (see the module docstring).

        For a two-stage computation ``target`` is the run stage: its result is cached under
        these components, and the page drawn from it under :meth:`page`'s.

        Raises:
            OSError: an input file named by a parameter cannot be read.
        """
        code = self.code(target.partition(":")[0])
        return {
            "directive": json.loads(directive.canonical),
            "function": target,
            "code": code,
            "inputs": self.inputs(directive, markers),
            "libraries": self.libraries(code),
            "python": platform.python_version(),
        }

    def page(self, *, present: str, result: str) -> Components:
        """What a page drawn from a stored result depends on: the result, the present code.

        Editing a caption or a colour changes only these, so the page is redrawn from the
        stored result and nothing is recomputed.
        """
        code = self.code(present.partition(":")[0])
        return {
            "result": hashlib.sha256(result.encode()).hexdigest(),
            "present": present,
            "code": code,
            "libraries": self.libraries(code) | self.renderer["libraries"],
            "python": platform.python_version(),
            "renderer": self.renderer["code"],
        }

    def code(self, module_name: str) -> dict[str, str]:
        """SHA-256 of the source of a module and of the same-package modules it imports."""
        if module_name not in self._modules:
            self._modules[module_name] = _module_closure(module_name, self._read)
        return self._modules[module_name]

    def imports(self, module_name: str) -> list[str]:
        """The modules ``module_name`` imports (read from its source; [] if it was never hashed)."""
        return list((self._read.get(module_name) or ("", []))[1])

    def inputs(self, directive: Directive, markers: Mapping[str, InputFiles]) -> dict[str, dict[str, str]]:
        """Per input parameter (``markers``, from ``inputs.input_parameters``): file name → SHA-256."""
        found: dict[str, dict[str, str]] = {}
        for name, marker in markers.items():
            paths = sorted(Path(p) for p in marker.resolve(directive.params[name]))
            found[name] = {path.name: self.file(path) for path in paths}
        return found

    def file(self, path: Path) -> str:
        if path not in self._files:
            with path.open("rb") as handle:
                self._files[path] = hashlib.file_digest(handle, "sha256").hexdigest()
        return self._files[path]

    def libraries(self, code: Mapping[str, str]) -> dict[str, str]:
        """Versions of the distributions the modules of ``code`` import, with their requirements."""
        if self._distributions is None:
            self._distributions = importlib.metadata.packages_distributions()
        versions: dict[str, str] = {}
        imported = {name.split(".")[0] for module in code for name in (self._read[module] or ("", []))[1] if name}
        for top in sorted(imported):
            if top in sys.stdlib_module_names:
                continue
            for distribution in self._distributions.get(top, ()):
                versions |= self._requirement_closure(distribution)
        return dict(sorted(versions.items()))

    def _requirement_closure(self, distribution: str) -> dict[str, str]:
        """The distribution's version and those of what it requires (extras left out), transitively."""
        if distribution not in self._closure:
            versions: dict[str, str] = {}
            pending = [distribution]
            while pending:
                name = pending.pop()
                try:
                    meta = importlib.metadata.distribution(name)
                except importlib.metadata.PackageNotFoundError:
                    continue  # an optional requirement that is not installed
                canonical = meta.metadata["Name"].lower().replace("_", "-")
                if canonical in versions:
                    continue
                versions[canonical] = meta.version
                pending.extend(_required(meta.requires or ()))
            self._closure[distribution] = versions
        return self._closure[distribution]


def _required(requirements: Iterable[str]) -> list[str]:
    names = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def _digest_of(code: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(code, sort_keys=True).encode()).hexdigest()


def _module_closure(module_name: str, modules: dict[str, tuple[str, list[str]] | None]) -> dict[str, str]:
    """Hashes of the module and its same-package imports.

    ``modules`` memoises, per module, its source's hash and the modules it imports (None: not
    a source module), so each file is read and parsed once per build.
    """
    package = module_name.split(".")[0]
    seen: dict[str, str] = {}
    pending = [module_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if name not in modules:
            modules[name] = _read_module(name)
        if modules[name] is None:
            continue
        seen[name], imported = modules[name]
        pending.extend(n for n in imported if n.split(".")[0] == package)
    return dict(sorted(seen.items()))


def _read_module(name: str) -> tuple[str, list[str]] | None:
    spec = _find_spec(name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    source = Path(spec.origin).read_bytes()
    return hashlib.sha256(source).hexdigest(), _imported_modules(source.decode("utf-8", errors="replace"), name, spec)


def source_file(name: str) -> Path | None:
    """The ``.py`` file of a module, found without importing it (None: no such source module)."""
    spec = _find_spec(name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _find_spec(name: str) -> Any:
    """The module's spec, found without importing anything (None: no such module).

    ``importlib.util.find_spec("a.b.c")`` imports ``a.b`` to look inside it: hashing a
    closure would then run the computations it hashes (``from a.b import c`` names ``a.b.c``,
    which may be a function). Walk the packages' search paths instead.
    """
    top, *rest = name.split(".")
    try:
        spec = importlib.util.find_spec(top)  # a top-level name has no parent to import
    except (ImportError, ValueError):
        return None
    for index in range(len(rest)):
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec(
            ".".join([top, *rest[: index + 1]]), list(spec.submodule_search_locations)
        )
    return spec


def _imported_modules(source: str, name: str, spec: Any) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # the module fails at import and is reported there; its source is still hashed
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
            # "from . import svg" names a sibling, not the package's __init__ (which, for a
            # plugin, is glue importing everything): follow the sibling only.
            if node.module or not node.level:
                found.append(module)
            # "from package import submodule" imports a module too.
            found.extend(f"{module}.{alias.name}" for alias in node.names)
    return found
