"""The contract every registered computation keeps with the site (one test for all of them).

The plugin validates directives against a computation's signature, so each must have
keyword-only parameters with defaults that pass their own declared types and ranges, a
typed ``rng`` if it draws random numbers, an Args section that documents every parameter,
and either a ``Report`` return or a frozen result that its present stage turns into one.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

import numpy as np
import pydantic
import pytest
from reproduce.directive import parameter_model
from reproduce.registry import Registry, resolve

from computations.report import Report

REGISTRY = Registry("computations.registry")
COMPUTATIONS, EXCLUSIVE = REGISTRY.targets, REGISTRY.exclusive


@pytest.mark.parametrize("name", sorted(COMPUTATIONS))
def test_signature_is_a_valid_parameter_declaration(name: str) -> None:
    function = REGISTRY[name]
    hints = typing.get_type_hints(function, include_extras=True)
    parameters = inspect.signature(function).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    if "rng" in parameters:  # only a run that draws random numbers declares a generator
        assert hints["rng"] is np.random.Generator
        assert parameters["rng"].default is inspect.Parameter.empty
    if REGISTRY.presents[name] is None:
        assert hints["return"] is Report
    else:  # two stages: a frozen result, drawn by a present stage that takes exactly it
        result = hints["return"]
        assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen
        present = resolve(REGISTRY.presents[name])
        present_hints = typing.get_type_hints(present)
        (only,) = inspect.signature(present).parameters.values()
        assert present_hints[only.name] is result and present_hints["return"] is Report
    args_section = (inspect.getdoc(function) or "").split("Args:")[1]
    for parameter_name, parameter in parameters.items():
        assert f"{parameter_name}:" in args_section
        if parameter_name == "rng":
            continue
        assert parameter.default is not inspect.Parameter.empty
        adapter = pydantic.TypeAdapter(hints[parameter_name])
        assert adapter.validate_python(parameter.default) == parameter.default
    parameter_model(function)  # the plugin accepts it (no reserved names, all keyword-only)


def test_names_are_topic_dotted_and_exclusive_ones_exist() -> None:
    assert all(name.count(".") == 1 and name == name.lower() for name in COMPUTATIONS)
    assert set(EXCLUSIVE) <= set(COMPUTATIONS)
