"""Directive parsing and validation against a tiny registry (no numpy runs here)."""

from __future__ import annotations

import time
from typing import Annotated

import pytest
from annotated_types import Interval
from reproduce.directive import Directive, DirectiveError, Location, parse_directive


def histogram(
    *,
    dims: tuple[Annotated[int, Interval(ge=2, le=10_000)], ...] = (2, 3),
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
        "expected one of: compute, seed, timeout, label, caption, alt, dims, samples, title"
    )


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("samples: 5", 12, "parameter 'samples': expected greater than or equal to 100, got 5"),
        ("samples: many", 12, "parameter 'samples': expected a valid integer"),
        ("dims: [2, 1]", 12, "parameter 'dims.1': expected greater than or equal to 2, got 1"),
        ("dims: 3", 12, "parameter 'dims': expected a list, got 3"),
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


def line(
    *,
    points: Annotated[int, Interval(ge=2, le=1_000_000)] = 10,
    slope: float = 1.0,
    weights: tuple[float, ...] = (1.0,),
    name: str = "x",
    rng: object,
) -> None:
    """A stand-in with an integer, a float, a list of floats and a string."""


def parse_line(body: str) -> Directive:
    return parse_directive(f"compute: toy.line\n{body}\n", location=AT, registry={"toy.line": line}, default_timeout=60)


def line_error(body: str) -> str:
    with pytest.raises(DirectiveError) as caught:
        parse_line(body)
    return str(caught.value)


@pytest.mark.parametrize(
    ("body", "params"),
    [
        ("points: 2.5e5", {"points": 250_000}),  # YAML 1.1 read this as the string "2.5e5"
        ("points: 1e3", {"points": 1000}),  # YAML 1.1 read this as a string: rejected for an int
        ("points: 0o10", {"points": 8}),
        ("points: 07", {"points": 7}),  # a leading zero that means 7 in either YAML version
        ("points: 1_000", {"points": 1000}),
        ("slope: 1e-3", {"slope": 0.001}),
        ("slope: 3", {"slope": 3.0}),
        ("name: yes", {"name": "yes"}),  # YAML 1.1 made this True, which a string parameter rejected
        ("name: 2026-11-01", {"name": "2026-11-01"}),  # text, not a datetime.date
        ("name: null\nslope: 2", None),
    ],
)
def test_values_are_read_as_yaml_1_2(body: str, params: dict[str, object] | None) -> None:
    if params is None:
        assert "parameter 'name': expected a valid string, got None" in line_error(body)
        return
    got = parse_line(body).params
    assert {key: got[key] for key in params} == params
    assert all(type(got[key]) is type(value) for key, value in params.items())


def test_seed_accepts_an_integral_float() -> None:
    assert parse_line("seed: 1e3").seed == 1000


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "slope: 2\npoints: 010",
            13,
            "parameter 'points': '010' has a leading zero: YAML 1.1 read it as the octal number 8, "
            "YAML 1.2 as 10; write 10, or 0o10 if you mean octal",
        ),
        (
            "slope: yes",
            12,
            "parameter 'slope': expected a valid number, unable to parse string as a number, got 'yes' "
            "(directives are YAML 1.2, where 'yes' is text, not a boolean; only true and false are)",
        ),
        ("slope: true", 12, "parameter 'slope': expected a number, got a boolean"),
        ("weights: [1.5, false]", 12, "parameter 'weights.1': expected a number, got a boolean"),
        ("points: 1.5", 12, "parameter 'points': expected an integer, got 1.5, which has a fractional part"),
        ("points: 2.5e-1", 12, "parameter 'points': expected an integer, got 0.25, which has a fractional part"),
        ("points: 1e9", 12, "parameter 'points': expected less than or equal to 1000000, got 1000000000.0"),
        ("slope: 1\nslope: 2", 13, "key 'slope' is written twice: keep one"),
        ("slope: !!binary aGk=", 12, "unsupported YAML tag 'tag:yaml.org,2002:binary' on 'aGk=': write plain values"),
        ("weights: &w [*w]", 12, "YAML aliases (*name) are not allowed in a directive: write the value out"),
    ],
)
def test_ambiguous_values_are_errors_that_say_why(body: str, line: int, message: str) -> None:
    error = line_error(body)
    assert error.startswith(f"content/posts/a.md:{line}: directive")
    assert error.endswith(message)


def test_a_value_problem_names_directive_and_parameter_after_the_name_checks() -> None:
    assert error_of("compute: angles.histogram\nsamples: 0100\n") == (
        "content/posts/a.md:12: directive 'angles.histogram': parameter 'samples': '0100' has a leading zero: "
        "YAML 1.1 read it as the octal number 64, YAML 1.2 as 100; write 100, or 0o100 if you mean octal"
    )
    assert "unknown computation" in error_of("compute: angles.histogam\nsamples: 0100\n")
    assert "unknown parameter 'sampels'" in error_of("compute: angles.histogram\nsampels: 0100\n")
    assert error_of("compute: !!binary aGk=\n").startswith(
        "content/posts/a.md:11: directive: parameter 'compute': unsupported YAML tag"
    )


def test_yaml_aliases_are_refused_before_they_can_explode() -> None:
    # Issue 12.6: nested aliases grew exponentially (70 s, then MemoryError, no location).
    lines = ["compute: angles.histogram", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines.append("title: *a8")
    started = time.perf_counter()
    message = error_of("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert message.startswith("content/posts/a.md:12: directive: YAML aliases (*name) are not allowed")


def test_oversized_bodies_and_values_are_refused_and_never_echoed_whole() -> None:
    message = error_of("compute: angles.histogram\ntitle: " + "x" * 20_000 + "\n")
    assert "at most 16384" in message and len(message) < 300
    message = error_of("compute: angles.histogram\nsamples: '" + "9" * 10_000 + "'\n")
    assert "parameter 'samples'" in message and " … " in message and len(message) < 1000
