"""Directive parsing and validation against a tiny registry (no numpy runs here)."""

from __future__ import annotations

from typing import Annotated

import pytest
from annotated_types import Interval
from reproduce.directive import Directive, DirectiveError, Location, parse_directive


def histogram(
    *,
    dims: list[Annotated[int, Interval(ge=2, le=10_000)]] = [2, 3],  # noqa: B006 - defaults are data
    samples: Annotated[int, Interval(ge=100, le=1_000_000)] = 1000,
    title: str = "x",
    rng: object,
) -> None:
    """A stand-in computation: only its signature matters here."""


REGISTRY = {"angles.histogram": histogram, "angles.moments": histogram, "hsic.test": histogram}
AT = Location("content/posts/a.md", 10)


def parse(text: str) -> Directive:
    return parse_directive(text, location=AT, registry=REGISTRY, default_timeout=60)


def error_of(text: str) -> str:
    with pytest.raises(DirectiveError) as caught:
        parse(text)
    return str(caught.value)


def test_defaults_fill_in_and_common_keys_are_split_off() -> None:
    directive = parse("compute: angles.histogram\nsamples: 500\nseed: 4\ntimeout: 9\n")
    assert directive.name == "angles.histogram"
    assert dict(directive.params) == {"dims": [2, 3], "samples": 500, "title": "x"}
    assert (directive.seed, directive.timeout, directive.location) == (4, 9.0, AT)


def test_label_is_kept_but_not_part_of_the_canonical_form() -> None:
    labelled = parse("compute: angles.histogram\nlabel: density-2\n")
    assert labelled.label == "density-2"
    assert labelled.canonical == parse("compute: angles.histogram\n").canonical


def test_writing_a_default_out_gives_the_same_canonical_form() -> None:
    assert (
        parse("compute: angles.histogram\n").canonical == parse("compute: angles.histogram\nsamples: 1000\n").canonical
    )
    assert parse("compute: angles.histogram\nseed: 1\n").canonical != parse("compute: angles.histogram\n").canonical


def test_unknown_computation_suggests_close_names() -> None:
    message = error_of("compute: angles.histogam\n")
    assert message.startswith("content/posts/a.md:11: directive 'angles.histogam': unknown computation; did you mean")
    assert "'angles.histogram'" in message and "registered: angles.histogram, angles.moments, hsic.test" in message


def test_unknown_parameter_is_named_with_its_line_and_the_allowed_keys() -> None:
    message = error_of("compute: angles.histogram\nsamples: 500\nsample: 3\n")
    assert message == (
        "content/posts/a.md:13: directive 'angles.histogram': unknown parameter 'sample' (did you mean 'samples'?); "
        "expected one of: compute, seed, timeout, label, dims, samples, title"
    )


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("samples: 5", 12, "parameter 'samples': expected greater than or equal to 100, got 5"),
        ("samples: many", 12, "parameter 'samples': expected a valid integer"),
        ("dims: [2, 1]", 12, "parameter 'dims.1': expected greater than or equal to 2, got 1"),
        ("dims: 3", 12, "parameter 'dims': expected a valid list, got 3"),
        ("seed: -1", 12, "parameter 'seed': expected an integer >= 0, got -1"),
        ("timeout: 0", 12, "parameter 'timeout': expected seconds between 1 and 3600, got 0"),
        ("label: Fig_1", 12, "parameter 'label': expected lowercase letters, digits and hyphens, got 'Fig_1'"),
    ],
)
def test_ill_typed_values_name_parameter_line_and_expectation(body: str, line: int, fragment: str) -> None:
    message = error_of(f"compute: angles.histogram\n{body}\n")
    assert message.startswith(f"content/posts/a.md:{line}: directive 'angles.histogram': ")
    assert fragment in message


def test_missing_compute_and_bad_yaml_are_explained() -> None:
    assert "missing key 'compute'" in error_of("samples: 3\n")
    assert "empty directive" in error_of("\n")
    assert error_of("compute: angles.histogram\ndims: [2, 3\n").startswith(
        "content/posts/a.md:13: directive: the body is not valid YAML"
    )
    assert "expected a YAML mapping" in error_of("- a\n- b\n")


def test_computations_must_declare_keyword_only_parameters_with_defaults() -> None:
    def positional(n: int, *, rng: object) -> None: ...

    def reserved(*, seed: int = 0, rng: object) -> None: ...

    with pytest.raises(TypeError, match="must be keyword-only with a default"):
        parse_directive("compute: bad\n", location=AT, registry={"bad": positional}, default_timeout=1)
    with pytest.raises(TypeError, match="'seed' is a key every directive has"):
        parse_directive("compute: bad\n", location=AT, registry={"bad": reserved}, default_timeout=1)
