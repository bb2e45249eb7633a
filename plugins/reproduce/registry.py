"""The registry of computations: stable names bound to ``"module:function"`` targets.

A registry module (``computations.registry`` by default, ``REPRO_REGISTRY``) holds a dict
``COMPUTATIONS`` of names to target strings and a set ``EXCLUSIVE`` of names that measure
wall time: they run alone, and only their pages show run times (so only their pages may
differ between two builds of the same tree). Targets are strings, not functions, so that reading the registry imports no
computation: a module is imported when a directive of the build first needs it. A module
that does not import (a syntax error while an author edits it) therefore fails only the
directives that use it, with the module's ``file:line``, and the rest of the site builds.
"""

from __future__ import annotations

import importlib
import os
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any


class ComputationImportError(Exception):
    """A computation's module cannot be imported. ``str()`` names its ``file:line``."""


class Registry(Mapping[str, Callable[..., Any]]):
    """Names → functions, importing each target's module on first use (once per build).

    One ``Registry`` serves one build: modules imported here are the ones in
    ``sys.modules``, and a process must not run a second build after their source changed
    (``staleness.py`` guards that).
    """

    def __init__(self, module: str) -> None:
        registry = importlib.import_module(module)
        self.module = module
        self.targets: Mapping[str, str] = dict(registry.COMPUTATIONS)
        self.exclusive: frozenset[str] = frozenset(getattr(registry, "EXCLUSIVE", ()))
        self._functions: dict[str, Callable[..., Any]] = {}
        for name, target in self.targets.items():
            if not isinstance(target, str) or target.count(":") != 1:
                raise TypeError(f"{module}: COMPUTATIONS[{name!r}] must be 'module:function', got {target!r}")

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

    def module_of(self, name: str) -> str:
        return self.targets[name].partition(":")[0]


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
