"""The registry of computations: stable names bound to their stages' ``"module:function"``.

A registry module (``computations.registry`` by default, ``REPRO_REGISTRY``) holds a dict
``COMPUTATIONS`` of names to ``(run, present)`` pairs of target strings (the two stages,
``computations/results.py``) and a set ``EXCLUSIVE`` of names that measure wall time:
they run alone, and only their pages show run times (so only their pages may differ between
two builds of the same tree). Targets are strings, not functions, so that reading the registry imports no
computation: a module is imported when a directive of the build first needs it. A module
that does not import (a syntax error while an author edits it) therefore fails only the
directives that use it, with the module's ``file:line``, and the rest of the site builds.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any


class ComputationImportError(Exception):
    """A computation's module cannot be imported. ``str()`` names its ``file:line``."""


class StaleProcessError(Exception):
    """A module the plugin itself holds changed on disk since this process imported it."""


def _source_digest(module: object) -> str | None:
    path = getattr(module, "__file__", None)
    try:
        with open(path or "", "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


# Modules imported before any build: the plugin's own imports, e.g. computations.report, whose
# classes it checks results against; they cannot be imported again. Every other module of the
# computations' packages is imported again by a build that finds its source (or another's in
# its package) changed: livereload and Pelican's autoreload build many times in one process,
# and must run the code as it is now. _SEEN: each module's source digest when a build met it.
_PRELOADED: frozenset[str] = frozenset(sys.modules)
_SEEN: dict[str, str | None] = {}


class Registry(Mapping[str, Callable[..., Any]]):
    """Names → functions, importing each target's module on first use (once per build).

    One ``Registry`` serves one build: modules imported here are the ones in
    ``sys.modules``, and a process must not run a second build after their source changed
    (``staleness.py`` guards that).
    """

    def __init__(self, module: str) -> None:
        _forget({module.split(".")[0]})
        registry = importlib.import_module(module)
        _remember(module.split(".")[0])
        self.module = module
        # name → the run stage's target, and name → the present stage's.
        self.targets: dict[str, str] = {}
        self.presents: dict[str, str] = {}
        self.exclusive: frozenset[str] = frozenset(getattr(registry, "EXCLUSIVE", ()))
        self._functions: dict[str, Callable[..., Any]] = {}
        for name, entry in registry.COMPUTATIONS.items():
            stages = tuple(entry) if isinstance(entry, tuple | list) else ()
            if len(stages) != 2 or not all(isinstance(s, str) and s.count(":") == 1 for s in stages):
                expected = "('module:run', 'module:present')"
                raise TypeError(f"{module}: COMPUTATIONS[{name!r}] must be {expected}, got {entry!r}")
            self.targets[name], self.presents[name] = stages
        stages = [*self.targets.values(), *self.presents.values()]
        _forget({target.partition(":")[0].split(".")[0] for target in stages} - {module.split(".")[0]})

    def __getitem__(self, name: str) -> Callable[..., Any]:
        if name not in self._functions:
            self._functions[name] = resolve(self.targets[name])
        return self._functions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.targets

    def __iter__(self) -> Iterator[str]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)


def _forget(packages: set[str]) -> None:
    """Drop the packages' modules from ``sys.modules`` if any of their sources changed.

    Sources are compared with what they were when an earlier build of this process (or the
    plugin's own import) met them. If one module of a package changed, every module of it
    is imported again from disk, so that modules importing the edited one see it too.

    Raises:
        StaleProcessError: one the plugin imported itself has changed; it cannot be reloaded.
    """
    for package in packages:
        names = [n for n in sys.modules if n.split(".")[0] == package]
        digests = {name: _source_digest(sys.modules[name]) for name in names}
        changed = [name for name in names if _SEEN.setdefault(name, digests[name]) != digests[name]]
        held = [name for name in changed if name in _PRELOADED]
        if held:
            where = os.path.relpath(sys.modules[held[0]].__file__ or held[0])
            raise StaleProcessError(
                f"{where} changed since this process imported it, and the plugin holds its classes: "
                "rebuild in a fresh process (invoke build / invoke livereload start one per build)"
            )
        for name in names if changed else ():
            if name in _PRELOADED:
                continue
            module = sys.modules.pop(name)
            _SEEN.pop(name, None)
            # Bytecode is trusted on the source's mtime (whole seconds) and size: an edit within
            # the same second that keeps the size would run the old code. Import from source.
            with contextlib.suppress(OSError, TypeError):
                os.remove(getattr(module, "__cached__", None))


def _remember(package: str) -> None:
    """Record the sources of the package's modules just imported, for :func:`_forget` to compare."""
    for name in [n for n in sys.modules if n.split(".")[0] == package and n not in _SEEN]:
        _SEEN[name] = _source_digest(sys.modules[name])


def resolve(target: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` and return the function.

    Raises:
        ComputationImportError: the module does not import or lacks the function; the
            message names the file and line where Python stopped.
    """
    module_name, _, qualname = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any error at import time: SyntaxError, ImportError, NameError, …
        raise ComputationImportError(f"{_where(error)}: cannot import {module_name}: {_describe(error)}") from None
    _remember(module_name.split(".")[0])
    function: Any = module
    try:
        for part in qualname.split("."):
            function = getattr(function, part)
    except AttributeError:
        where = os.path.relpath(module.__file__ or module_name)
        raise ComputationImportError(f"{where}: {module_name} has no function {qualname!r}") from None
    return function


def _where(error: BaseException) -> str:
    """``file:line`` where the import stopped, relative to the working directory."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{os.path.relpath(error.filename)}:{error.lineno or 1}"
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "importlib" not in frame.filename] or frames
    if not ours:
        return "(unknown location)"
    return f"{os.path.relpath(ours[-1].filename)}:{ours[-1].lineno}"


def _describe(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"{type(error).__name__}: {error.msg}"
    return f"{type(error).__name__}: {error}"
