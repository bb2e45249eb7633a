"""Check the input files a directive names before anything hashes or reads them.

A parameter declared ``Annotated[str, InputFiles(resolve, names)]`` (``computations.report``)
takes either one of ``names`` (data shipped with the code, such as a corpus inside an
installed package, which ``resolve`` finds wherever it lives) or a path the author writes.
What a computation reads may be published word for word, so an author's path must:

* be relative, to the folder the build runs in: the project folder that holds ``content/``.
  The worker processes are forked from the build and inherit its working directory, so the
  computation opens the very file checked and hashed here; and the value stays relative in
  the cache key, so two checkouts at different places share keys;
* not contain ``..``;
* lead, after every symlink is followed, to a file inside the site's content folder
  (Pelican's ``PATH``). Resolved paths are compared, since the content folder may itself be
  a symlink (the real-site test links it to the repository's ``content/``).

Each violation, and any exception of a resolver, becomes a :class:`DirectiveError` at the
parameter's line that says what is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from computations.report import InputFiles

from .directive import Directive, DirectiveError, parameter_model

MAX_INPUT_BYTES = 256 * 2**20


class InputError(ValueError):
    """An input value the site refuses; ``str()`` says what is wrong with it."""


def check_inputs(
    directive: Directive, markers: Mapping[str, InputFiles], *, content: Path, base: Path | None = None
) -> None:
    """Refuse any ``InputFiles`` parameter whose files are missing or outside the content folder.

    Args:
        directive: a parsed directive of ``function``.
        markers: the computation's input parameters (:func:`input_parameters`).
        content: the site's content folder (Pelican's ``PATH``).
        base: the folder author paths are relative to; the working directory if None (the
            one the workers inherit).

    Raises:
        DirectiveError: at the parameter's line, naming it and what it may be.
    """
    base = Path.cwd() if base is None else base
    shown = _shown(content, base)
    for name, marker in markers.items():
        value = directive.params[name]
        allowed = ", ".join(marker.names) + ", or " if marker.names else ""
        expected = f"expected {allowed}the relative path of a file under {shown} (e.g. {shown}data/texts.txt)"
        try:
            _check(value, marker, content=content, base=base, shown=shown)
        except InputError as error:
            message = f"parameter '{name}': {error}; {expected}"
        except Exception as error:  # a resolver's own failure must not end the build
            message = f"parameter '{name}': {value!r} cannot be read ({type(error).__name__}: {error}); {expected}"
        else:
            continue
        raise DirectiveError(directive.where(name), message, name=directive.name)


def input_parameters(function: Callable[..., Any]) -> dict[str, InputFiles]:
    """The parameters of ``function`` declared as input files, with their markers."""
    return {
        name: marker
        for name, field in parameter_model(function).model_fields.items()
        for marker in field.metadata
        if isinstance(marker, InputFiles)
    }


def _check(value: Any, marker: InputFiles, *, content: Path, base: Path, shown: str) -> None:
    if value in marker.names:
        files = marker.resolve(value)  # shipped with the code: trusted wherever it lives
    else:
        _author_file(value, content=content, base=base, shown=shown)
        files = marker.resolve(value)
        # A resolver could map the checked path to another file: hold what it returns to the same rule.
        for path in files:
            if not (base / path).resolve().is_relative_to(content.resolve()):
                raise InputError(f"{value!r} resolves to {path}, outside {shown}")
    missing = [str(path) for path in files if not (base / path).is_file()]
    if missing:
        raise InputError(f"{value!r} names missing files: {', '.join(missing)}")
    # Inputs are hashed before any timeout applies (a 30 GB file took a minute): bound them.
    for path in files:
        size = (base / path).stat().st_size
        if size > MAX_INPUT_BYTES:
            mib = 2**20
            raise InputError(
                f"{path} is {size / mib:,.0f} MiB; an input file may have at most {MAX_INPUT_BYTES // mib} MiB"
            )


def _author_file(value: Any, *, content: Path, base: Path, shown: str) -> Path:
    """The checked file of an author's path, or :class:`InputError` saying why it is refused."""
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise InputError(f"{value!r} is not a path")
    path = Path(value)
    if path.is_absolute():
        raise InputError(f"{value!r} is an absolute path")
    if ".." in path.parts:
        raise InputError(f"{value!r} goes up with '..'")
    lexical = Path(os.path.abspath(base / path))
    resolved = (base / path).resolve()
    if not resolved.is_relative_to(content.resolve()):
        if lexical.is_relative_to(os.path.abspath(content)):
            raise InputError(f"{value!r} is a symlink, or inside one, that leads outside {shown}")
        raise InputError(f"{value!r} is not under {shown}")
    if not resolved.is_file():
        raise InputError(f"{value!r} is not a file" if resolved.exists() else f"there is no file {value!r}")
    return resolved


def _shown(content: Path, base: Path) -> str:
    """The content folder as authors write it in a path: ``content/``."""
    return Path(os.path.relpath(os.path.abspath(content), os.path.abspath(base))).as_posix().rstrip("/") + "/"
