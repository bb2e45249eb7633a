"""Parse and validate one ``repro`` directive: the author's manual.

A post asks for a computation with a fenced block whose language is ``repro`` and whose
body is a YAML mapping::

    ```repro
    compute: angles.density
    dims: [2, 3, 10, 100]
    samples: 20000
    seed: 7
    ```

Keys every directive understands:

``compute`` (required)
    The registered name of the computation (see ``computations/registry.py``). An unknown
    name is an error that suggests the closest registered names.
``seed`` (integer >= 0, default 0)
    Seeds the ``numpy.random.Generator`` handed to the computation. Same seed, same output.
``timeout`` (seconds, 1–3600, default the ``REPRO_TIMEOUT`` setting)
    A run that takes longer is killed and reported as a failure.
``label`` (lowercase letters, digits and hyphens; optional)
    Names the directive's figures ``fig-<label>``, ``fig-<label>-2``, … and tables
    ``tab-<label>``, … The prose refers to them as ``@fig:<label>`` or ``@tab:<label>``,
    which the build replaces by a link reading "图 3" or "表 1" (numbered within the post).
    An unknown reference is an error. Labels do not enter the cache key.
``caption`` and ``alt`` (a text, or a list of texts; optional)
    The author's caption and alt text for the directive's figures, replacing the
    computation's: a text for a directive that draws one figure, a list with one entry per
    figure otherwise (``~`` keeps that figure's own). The prose is the author's; these do not
    enter the cache key, and a count that does not match the figures is an error.

The body is read as YAML 1.2 (core schema), the way a person means it: ``2.5e5`` and ``1e3``
are numbers (fine for an integer parameter when integral; ``2.5`` is an error saying it has a
fractional part), only ``true`` and ``false`` are booleans (``yes`` is text, and a boolean is
never taken as the number 1), a date stays text. An integer with a leading zero such as
``010`` is refused, because YAML 1.1 tools read it as octal 8: write ``10`` or ``0o10``.

Every other key is a parameter of the computation. Parameters are declared by the
computation's typed signature (types, defaults and ranges via ``typing.Annotated``);
unknown keys and values of the wrong type or out of range are errors naming the file,
line, directive and parameter. Defaults fill what the post leaves out, so the cache key
sees the same parameters whether a default is written out or not.

How it runs: the Markdown side records each directive and leaves a placeholder; once the
whole site is read, the plugin runs every directive whose result is not cached in a
process pool, then puts the figures, tables and checks into the pages (``build.py``).
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pydantic

from .body import Body, BodyError, read_body

COMMON_KEYS = ("compute", "seed", "timeout", "label", "caption", "alt")
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")  # as @fig:/@tab: read it: no trailing hyphen
MAX_TIMEOUT = 3600
MAX_MESSAGE = 600


@dataclass(frozen=True)
class Location:
    """Where a directive sits: a path relative to the project and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Directive:
    """A validated request to run one registered computation.

    ``params`` holds every parameter of the computation, defaults included, as
    JSON-compatible values in the order the signature declares them. ``lines`` gives the
    file line of each key the body writes out, for errors found after parsing.
    """

    name: str
    params: Mapping[str, Any]
    seed: int
    timeout: float
    location: Location
    label: str | None = None
    # The author's captions and alt texts for the directive's figures, in order (None in a
    # place: the computation's own). Presentation only: they do not enter the cache key.
    captions: tuple[str | None, ...] | None = None
    alts: tuple[str | None, ...] | None = None
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, key: str) -> Location:
        """The line of ``key`` in the file, or the fence's line if the body leaves it to its default."""
        return Location(self.location.path, self.lines.get(key, self.location.line))

    @property
    def canonical(self) -> str:
        """The parameters as canonical JSON: what the cache key and the provenance show."""
        return json.dumps(
            {"compute": self.name, "params": dict(self.params), "seed": self.seed},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )


class DirectiveError(Exception):
    """A directive that cannot run as written. ``str()`` is the message for the author."""

    def __init__(self, location: Location, message: str, *, name: str | None = None) -> None:
        self.location = location
        self.name = name
        where = f"{location}: " + (f"directive '{name}': " if name else "directive: ")
        if len(message) > MAX_MESSAGE:  # a huge value echoed in full would flood the log
            message = message[: MAX_MESSAGE // 2] + " … " + message[-MAX_MESSAGE // 2 :]
        super().__init__(where + message)


class DirectiveErrors(DirectiveError):
    """Several problems of one directive, reported together; ``str()`` is the first."""

    def __init__(self, errors: list[DirectiveError]) -> None:
        self.errors = errors
        first = errors[0]
        Exception.__init__(self, str(first))
        self.location, self.name = first.location, first.name


def parse_directive(
    text: str,
    *,
    location: Location,
    registry: Mapping[str, Callable[..., Any]],
    default_timeout: float,
    known: Mapping[str, Any] | None = None,
) -> Directive:
    """Parse a fence body into a :class:`Directive`, or raise :class:`DirectiveError`.

    Args:
        text: the fence body (YAML mapping).
        location: where the fence opens; body line k is reported as ``location.line + k``.
        registry: computation names bound to functions.
        default_timeout: seconds allowed when the directive sets no ``timeout``.
        known: the parameters this very body was validated to by the same code before (the
            build's memo): then the computation is not imported to read its signature.
    """
    try:
        read = read_body(text)
    except BodyError as error:
        raise DirectiveError(Location(location.path, location.line + (error.line or 0)), str(error)) from None
    body, lines = read.values, read.lines
    body.update(dict.fromkeys(read.problems))  # present, so 'compute' and unknown keys are checked first

    def at(key: str) -> Location:
        return Location(location.path, location.line + lines.get(key, 1))

    name = _computation_name(read, registry, location)

    seed = body.pop("seed", 0)
    if isinstance(seed, float) and seed.is_integer():  # "seed: 1e3" means 1000
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DirectiveError(at("seed"), f"parameter 'seed': expected an integer >= 0, got {seed!r}", name=name)
    timeout = body.pop("timeout", default_timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= MAX_TIMEOUT:
        raise DirectiveError(
            at("timeout"),
            f"parameter 'timeout': expected seconds between 1 and {MAX_TIMEOUT}, got {timeout!r}",
            name=name,
        )

    label = body.pop("label", None)
    written = "label" in lines  # "label: ~" or "label: null" is a mistake, not "no label"
    if (written or label is not None) and not (isinstance(label, str) and LABEL.fullmatch(label)):
        raise DirectiveError(
            at("label"), f"parameter 'label': expected lowercase letters, digits and hyphens, got {label!r}", name=name
        )

    captions = _texts(body.pop("caption", None), key="caption", at=at, name=name)
    alts = _texts(body.pop("alt", None), key="alt", at=at, name=name)
    if known is not None:
        params = dict(known)
    else:
        params = _parameters(registry[name], body, read, at=at, location=location, name=name)
    return Directive(
        name=name,
        params=params,
        seed=seed,
        timeout=float(timeout),
        location=location,
        label=label,
        lines={key: location.line + line for key, line in lines.items()},
        captions=captions,
        alts=alts,
    )


def _parameters(
    function: Callable[..., Any],
    body: dict[str, Any],
    read: Any,
    *,
    at: Callable[[str], Location],
    location: Location,
    name: str,
) -> dict[str, Any]:
    """The computation's parameters from the body's remaining keys, checked against its signature."""
    model = parameter_model(function)
    problems: list[DirectiveError] = []
    for key in (key for key in body if key not in model.model_fields):
        allowed = ", ".join([*COMMON_KEYS, *model.model_fields])
        close = difflib.get_close_matches(key, list(model.model_fields), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(
            DirectiveError(at(key), f"unknown parameter '{key}'{hint}; expected one of: {allowed}", name=name)
        )
    problems += [_problem(read, key, location, name) for key in read.problems]
    known = {key: value for key, value in body.items() if key in model.model_fields and key not in read.problems}
    try:
        params = _validate(model, known, at=at, name=name)
    except DirectiveErrors as invalid:
        problems += invalid.errors
    if problems:  # every problem of the directive at once, not one per rebuild
        raise DirectiveErrors(sorted(problems, key=lambda e: e.location.line))
    return params


def _texts(value: Any, *, key: str, at: Callable[[str], Location], name: str) -> tuple[str | None, ...] | None:
    """A ``caption``/``alt`` value as one entry per figure, or None when not given."""
    if value is None:
        return None
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list) or not entries or not all(e is None or isinstance(e, str) for e in entries):
        expected = "a text, or a list with one text per figure (~ keeps the computation's)"
        raise DirectiveError(at(key), f"parameter '{key}': expected {expected}, got {value!r}", name=name)
    if any(e is not None and not e.strip() for e in entries):
        raise DirectiveError(at(key), f"parameter '{key}': a figure's {key} cannot be empty", name=name)
    return tuple(entries)


@cache
def parameter_model(function: Callable[..., Any]) -> type[pydantic.BaseModel]:
    """A pydantic model of the computation's keyword-only parameters (``rng`` excluded).

    The signature is the single declaration of a computation's parameters: types, defaults
    and ``Annotated`` ranges. Pydantic reads them, so we write no validator of our own.
    """
    import inspect

    hints = typing.get_type_hints(function, include_extras=True)
    fields: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == "rng":
            continue
        if parameter.name in COMMON_KEYS:
            raise TypeError(f"{function.__qualname__}: parameter '{parameter.name}' is a key every directive has")
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY or parameter.default is inspect.Parameter.empty:
            raise TypeError(
                f"{function.__qualname__}: parameter '{parameter.name}' must be keyword-only with a default"
            )
        fields[parameter.name] = (hints[parameter.name], parameter.default)
    config = pydantic.ConfigDict(extra="forbid", strict=False, arbitrary_types_allowed=False)
    return pydantic.create_model(f"{function.__qualname__}_params", __config__=config, **fields)


def _computation_name(read: Body, registry: Mapping[str, Callable[..., Any]], location: Location) -> str:
    """Pop ``compute`` from the body: a registered name, or the error that says which names exist."""
    if "compute" in read.problems:
        raise _problem(read, "compute", location, None)
    name = read.values.pop("compute", None)
    if "compute" in read.lines and not (isinstance(name, str) and name):
        where = Location(location.path, location.line + read.lines["compute"])
        raise DirectiveError(where, f"key 'compute': expected the name of a registered computation, got {name!r}")
    if not isinstance(name, str) or not name:
        raise DirectiveError(location, "missing key 'compute': expected the name of a registered computation")
    if name not in registry:
        close = difflib.get_close_matches(name, list(registry), n=3, cutoff=0.75)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        known = ", ".join(sorted(registry))
        where = Location(location.path, location.line + read.lines["compute"])
        raise DirectiveError(where, f"unknown computation{hint} (registered: {known})", name=name)
    return name


def _problem(read: Body, key: str, location: Location, name: str | None) -> DirectiveError:
    problem = read.problems[key]
    where = Location(location.path, location.line + (problem.line or read.lines[key]))
    return DirectiveError(where, f"parameter '{key}': {problem}", name=name)


def _validate(
    model: type[pydantic.BaseModel], body: dict[str, Any], *, at: Callable[[str], Location], name: str
) -> dict[str, Any]:
    """The parameters with defaults filled in, as JSON values, or the first problem as a DirectiveError."""
    try:
        params = model.model_validate(body).model_dump(mode="json")
    except pydantic.ValidationError as error:
        problems = []
        for problem in error.errors():
            key = str(problem["loc"][0]) if problem["loc"] else ""
            path = ".".join(str(part) for part in problem["loc"])
            got = problem.get("input")
            message = f"parameter '{path}': expected {_expectation(problem)}, got {got!r}{_hint(problem)}"
            problems.append(DirectiveError(at(key), message, name=name))
        raise DirectiveErrors(problems) from None
    for key, value in body.items():
        where = _boolean_as_number(value, params[key], (key,))
        if where is not None:
            # Pydantic's lax mode turns true into 1 and 1.0; nobody writes true to mean one.
            path = ".".join(str(part) for part in where)
            raise DirectiveErrors(
                [DirectiveError(at(key), f"parameter '{path}': expected a number, got a boolean", name=name)]
            )
    return params


def _boolean_as_number(given: Any, validated: Any, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Where a boolean of the body became a number in the validated parameters, if anywhere."""
    if isinstance(given, bool):
        return path if not isinstance(validated, bool) and isinstance(validated, int | float) else None
    if isinstance(given, dict) and isinstance(validated, dict):
        pairs = [(given[k], validated.get(k), (*path, k)) for k in given]
    elif isinstance(given, list) and isinstance(validated, list) and len(given) == len(validated):
        pairs = [(g, v, (*path, i)) for i, (g, v) in enumerate(zip(given, validated, strict=True))]
    else:
        return None
    return next((found for g, v, p in pairs if (found := _boolean_as_number(g, v, p)) is not None), None)


# Words YAML 1.1 read as booleans and YAML 1.2 reads as text (true and false are booleans in both).
_YAML_1_1_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


def _expectation(error: Any) -> str:
    if error["type"] == "int_from_float":
        return "an integer"
    message = error["msg"][0].lower() + error["msg"][1:]
    return _as_expectation(message)


def _hint(error: Any) -> str:
    """Why the value was read as it was, when that is not what its author likely meant."""
    got = error.get("input")
    if error["type"] == "int_from_float":
        return ", which has a fractional part"
    if isinstance(got, str) and got.lower() in _YAML_1_1_BOOLEANS:
        return f" (directives are YAML 1.2, where {got!r} is text, not a boolean; only true and false are)"
    return ""


def _as_expectation(message: str) -> str:
    # Pydantic phrases most errors as "input should be ...": keep the "..." part. Sequence
    # parameters are tuples in Python (immutable defaults) but lists in YAML: say "list".
    for prefix in ("input should be ", "value should be "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
            break
    return message.replace("a valid tuple", "a list")
