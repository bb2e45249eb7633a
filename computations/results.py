"""The run stage's vocabulary: results that serialise losslessly, apart from their pages.

A registered computation has two stages (see ``computations/registry.py``):

* **run** — the expensive part: a function with keyword-only, typed parameters (the
  directive's schema) and, if it draws random numbers, ``rng: numpy.random.Generator``. It
  returns a *result*: a frozen dataclass of numbers, strings, tuples, dicts, nested
  dataclasses and NumPy arrays (annotated :data:`Array`). Run modules import neither
  matplotlib nor :mod:`computations.report`, and hold no Chinese text;
* **present** — figures, tables, checks and captions drawn from that result alone:
  ``present(result) -> Report``.

The site caches results under a key made from the run stage's code, inputs, parameters and
libraries, and the drawn pages under the result's digest plus the present stage's code, so
editing a caption re-draws from the stored result instead of re-running the experiment.

Serialisation is pydantic's (already the site's validator): the run function's return
annotation is the schema, floats are written in shortest round-trip form, NaN and infinities
as JSON constants, and arrays as their dtype, shape and raw bytes (base64). Decoding what was
encoded gives back equal values, which :func:`encode` verifies on every result.
"""

from __future__ import annotations

import base64
import typing
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

import numpy as np
import pydantic
import pydantic_core
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema


def _array_to_json(array: np.ndarray) -> dict[str, Any]:
    array = np.ascontiguousarray(array)
    if array.dtype.hasobject:
        raise TypeError("object arrays cannot be stored; use a tuple or a dataclass")
    return {"dtype": array.dtype.str, "shape": list(array.shape), "base64": base64.b64encode(array.tobytes()).decode()}


def _array_from_json(value: Any) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    data = base64.b64decode(value["base64"])
    array = np.frombuffer(data, dtype=np.dtype(value["dtype"])).reshape(value["shape"]).copy()
    array.flags.writeable = False  # results are frozen; a present stage must not edit one
    return array


#: A NumPy array field of a result, stored bit for bit (dtype, shape, bytes).
Array = Annotated[
    np.ndarray,
    PlainValidator(_array_from_json),
    PlainSerializer(_array_to_json),
    WithJsonSchema({"type": "object", "description": "NumPy array: dtype, shape, base64 bytes"}),
]


class ResultError(TypeError):
    """A run stage returned something that does not serialise losslessly as its declared type."""


def result_type(run: Callable[..., Any]) -> Any:
    """The declared return type of a run function (its result's schema)."""
    hints = typing.get_type_hints(run, include_extras=True)
    if "return" not in hints:
        raise ResultError(f"{run.__qualname__}: declare the result type as the return annotation")
    return hints["return"]


@cache
def _adapter(kind: Any) -> pydantic.TypeAdapter[Any]:
    # A one-element tuple around the result: pydantic takes a config only for a container,
    # and the config is what writes NaN and infinities as JSON constants instead of null.
    return pydantic.TypeAdapter(tuple[kind], config=pydantic.ConfigDict(ser_json_inf_nan="constants"))


def encode(result: Any, *, kind: Any) -> str:
    """JSON text of a result, checked to decode to the same JSON (lossless).

    Raises:
        ResultError: the result is not an instance of ``kind`` or does not survive the trip.
    """
    if isinstance(kind, type) and not isinstance(result, kind):
        raise ResultError(f"the run stage returned {type(result).__name__}, expected {kind.__name__}")
    adapter = _adapter(kind)
    try:
        text = adapter.dump_json((result,)).decode()
        again = adapter.dump_json(adapter.validate_json(text)).decode()
    except (pydantic.ValidationError, pydantic_core.PydanticSerializationError, TypeError, ValueError) as error:
        raise ResultError(f"the result does not serialise as {kind}: {error}") from None
    if again != text:
        raise ResultError(f"the result of type {kind} changes when stored and read back")
    return text


def decode(text: str, *, kind: Any) -> Any:
    """The result stored as ``text`` (by :func:`encode`), as an instance of ``kind``."""
    return _adapter(kind).validate_json(text)[0]
