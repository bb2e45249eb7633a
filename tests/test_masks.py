"""Behavioural tests of computations.masks against the article's figures and exact identities.

The article's mask pictures are written out below as 0/1 text; everything else is checked
against an independent construction (matrix products, explicit loops) or a property that
must hold exactly (permutation equivariance, zero attention weights).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import typing

import numpy as np
import pydantic
import pytest
from reports import assert_well_formed, render_with_site_font, two_stage

from computations.masks import experiments, pages, probes, transformer
from computations.masks import theory as masks
from computations.report import Check, Figure, Report, Table

STAGES = {
    "lm_figures": (experiments.lm_figures, pages.lm_figures),
    "seq2seq_figures": (experiments.seq2seq_figures, pages.seq2seq_figures),
    "leak_test": (experiments.leak_test, pages.leak_test),
    "permutation": (experiments.permutation, pages.permutation),
}
RANDOM = ("leak_test", "permutation")  # the runs that draw random numbers (and take rng)


def _grid(text: str) -> np.ndarray:
    return np.array([[c == "1" for c in line.split()] for line in text.strip().splitlines()])


# The article's three figures for 北京欢迎你: rows are the predicted tokens 北 京 欢 迎 你 <e>,
# columns the inputs <s> 北 京 欢 迎 你 (ARTICLES-DETAIL.md §7, checked against its text:
# "row 迎 has one blue cell; row 京 has two, <s> and 迎").
ARTICLE_FORWARD = _grid("""
1 0 0 0 0 0
1 1 0 0 0 0
1 1 1 0 0 0
1 1 1 1 0 0
1 1 1 1 1 0
1 1 1 1 1 1
""")
ARTICLE_SHUFFLED = _grid("""
1 0 1 1 1 1
1 0 0 0 1 0
1 0 1 0 1 1
1 0 0 0 0 0
1 0 1 0 1 0
1 1 1 1 1 1
""")
ARTICLE_REVERSE = _grid("""
1 0 1 1 1 1
1 0 0 1 1 1
1 0 0 0 1 1
1 0 0 0 0 1
1 0 0 0 0 0
1 1 1 1 1 1
""")
# UniLM for [CLS] 你 想 吃 啥 [SEP] 白 切 鸡 [SEP], query × key.
ARTICLE_UNILM = _grid("""
1 1 1 1 1 1 0 0 0 0
1 1 1 1 1 1 0 0 0 0
1 1 1 1 1 1 0 0 0 0
1 1 1 1 1 1 0 0 0 0
1 1 1 1 1 1 0 0 0 0
1 1 1 1 1 1 0 0 0 0
1 1 1 1 1 1 1 0 0 0
1 1 1 1 1 1 1 1 0 0
1 1 1 1 1 1 1 1 1 0
1 1 1 1 1 1 1 1 1 1
""")


def _by_prediction(spec: masks.MaskSpec) -> np.ndarray:
    """Our query×key mask with its rows put in the article's order (by predicted token)."""
    assert spec.predicts is not None
    wanted = [*spec.tokens[1:], masks.EOS]
    return spec.allowed[[spec.predicts.index(token) for token in wanted]]


def _default_masks(*kinds: str) -> list[masks.MaskSpec]:
    return masks.build_masks(kinds)  # the article's examples are the defaults


# --------------------------------------------------------------------------- the masks


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("unidirectional", ARTICLE_FORWARD), ("shuffled", ARTICLE_SHUFFLED), ("reverse", ARTICLE_REVERSE)],
)
def test_language_model_masks_are_the_article_figures(kind: str, expected: np.ndarray) -> None:
    (spec,) = _default_masks(kind)
    assert spec.tokens == ("<s>", "北", "京", "欢", "迎", "你")
    np.testing.assert_array_equal(_by_prediction(spec), expected)


def test_unilm_mask_is_the_article_figure() -> None:
    (spec,) = _default_masks("unilm")
    assert spec.tokens == ("[CLS]", "你", "想", "吃", "啥", "[SEP]", "白", "切", "鸡", "[SEP]")
    assert spec.segments == (0, 0, 0, 0, 0, 0, 1, 1, 1, 1)
    np.testing.assert_array_equal(spec.allowed, ARTICLE_UNILM)
    assert int(spec.allowed.sum()) == 70


def test_seq2seq_neighbours_are_all_ones_and_the_lower_triangle() -> None:
    bidirectional, naive = _default_masks("bidirectional", "naive_seq2seq")
    assert bidirectional.allowed.all()
    np.testing.assert_array_equal(naive.allowed, np.tril(np.ones((10, 10), dtype=bool)))
    assert int(naive.allowed.sum()) == 55


def test_ranks_and_predictions_of_the_article_order() -> None:
    assert masks.lm_ranks([4, 2, 5, 3, 1]) == (0, 5, 2, 4, 1, 3)
    (spec,) = _default_masks("shuffled")
    # <s> → 迎 → 京 → 你 → 欢 → 北 → <e>: each position predicts the next one read.
    assert spec.predicts == ("迎", "<e>", "你", "北", "京", "欢")


@pytest.mark.parametrize("bad", [[1, 2, 2], [0, 1, 2], [1, 2, 4]])
def test_an_order_must_be_a_permutation(bad: list[int]) -> None:
    with pytest.raises(ValueError, match="positions 1…3"):
        masks.lm_ranks(bad)


def test_an_order_must_cover_the_sentence() -> None:
    with pytest.raises(ValueError, match="order has 3 positions"):
        masks.build_masks(["shuffled"], sentence="北京欢迎你", order=[1, 2, 3])


def test_every_order_mask_is_a_permuted_lower_triangle() -> None:
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 9):
        for _ in range(5):
            ranks = rng.permutation(n)
            p = masks.permutation_matrix(ranks)
            assert (p.sum(axis=0) == 1).all() and (p.sum(axis=1) == 1).all()
            expected = p.T @ np.tril(np.ones((n, n), dtype=np.int64)) @ p
            np.testing.assert_array_equal(masks.order_mask(ranks), expected.astype(bool))
    np.testing.assert_array_equal(masks.order_mask(range(7)), masks.causal_mask(7))


def test_order_mask_rejects_a_non_permutation() -> None:
    with pytest.raises(ValueError, match="permutation"):
        masks.order_mask([0, 0, 1])


@pytest.mark.parametrize(("source", "target"), [(1, 1), (2, 5), (6, 4), (7, 1)])
def test_unilm_formulas_agree_with_the_block_description(source: int, target: int) -> None:
    segments = [0] * source + [1] * target
    mask = masks.unilm_mask(segments)
    np.testing.assert_array_equal(mask, masks.unilm_mask_by_cumsum(segments))
    n = source + target
    expected = np.array([[j < source if i < source else j <= i for j in range(n)] for i in range(n)])
    np.testing.assert_array_equal(mask, expected)
    assert mask.sum() == source * source + source * target + target * (target + 1) // 2


@pytest.mark.parametrize("bad", [[0, 1, 0], [0, 2], [[0, 1]]])
def test_unilm_rejects_segments_that_are_not_source_then_target(bad: list) -> None:
    with pytest.raises(ValueError, match="segments"):
        masks.unilm_mask(bad)


def test_reachability_of_a_sliding_window_grows_one_step_per_layer() -> None:
    window = np.eye(6, dtype=bool) | np.eye(6, k=-1, dtype=bool)  # read yourself and your left neighbour
    for layers in (1, 2, 3):
        expected = np.array([[0 <= i - j <= layers for j in range(6)] for i in range(6)])
        np.testing.assert_array_equal(masks.reachable(window, layers=layers), expected)
    for spec in _default_masks("bidirectional", "unidirectional", "reverse", "shuffled", "naive_seq2seq", "unilm"):
        np.testing.assert_array_equal(masks.reachable(spec.allowed, layers=5), spec.allowed)


# --------------------------------------------------------------------------- the Transformer


def test_masked_attention_matches_a_loop_and_gives_forbidden_keys_zero_weight() -> None:
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((2, 5, 3)) for _ in range(3))
    allowed = masks.order_mask([2, 0, 4, 1, 3])
    out = transformer.masked_attention(q, k, v, transformer.additive_mask(allowed))
    for h, i in itertools.product(range(2), range(5)):
        visible = np.flatnonzero(allowed[i])
        scores = np.array([q[h, i] @ k[h, j] / math.sqrt(3) for j in visible])
        weights = np.exp(scores - scores.max())
        weights /= weights.sum()
        np.testing.assert_allclose(out[h, i], weights @ v[h, visible], rtol=1e-13, atol=1e-15)


def test_additive_mask_refuses_a_query_with_nothing_to_read() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        transformer.additive_mask(np.array([[True, False], [False, False]]))


def test_layer_norm_rows_have_mean_zero_and_unit_variance() -> None:
    x = np.random.default_rng(2).standard_normal((4, 16)) * 5 + 3
    y = transformer.layer_norm(x)
    np.testing.assert_allclose(y.mean(axis=1), 0.0, atol=1e-14)
    np.testing.assert_allclose(y.var(axis=1), 1.0, rtol=1e-6)


def test_without_positions_the_unmasked_stack_is_permutation_equivariant() -> None:
    rng = np.random.default_rng(3)
    model = transformer.random_transformer(layers=3, width=8, heads=2, rng=rng)
    x = rng.standard_normal((7, 8))
    p = rng.permutation(7)
    full = masks.bidirectional_mask(7)
    np.testing.assert_allclose(
        transformer.forward(model, x[p], full), transformer.forward(model, x, full)[p], atol=1e-13
    )


def test_heads_must_divide_the_width() -> None:
    with pytest.raises(ValueError, match="must divide"):
        transformer.random_transformer(layers=1, width=10, heads=4, rng=np.random.default_rng(0))


def test_position_embeddings_are_the_sinusoids() -> None:
    table = transformer.position_embeddings(5, 6)
    assert table[3, 2] == pytest.approx(math.sin(3 / 10_000 ** (2 / 6)))
    assert table[3, 3] == pytest.approx(math.cos(3 / 10_000 ** (2 / 6)))
    np.testing.assert_array_equal(table[0], [0, 1, 0, 1, 0, 1])


# --------------------------------------------------------------------------- leak measurements


@pytest.mark.parametrize("kind", ["unidirectional", "reverse", "shuffled", "naive_seq2seq", "unilm"])
def test_hidden_inputs_change_nothing_and_visible_ones_change_something(kind: str) -> None:
    rng = np.random.default_rng(4)
    (spec,) = _default_masks(kind)
    result = probes.measure_leaks(spec, transformer.random_transformer(layers=3, width=12, heads=3, rng=rng), rng)
    assert result.hidden_max == 0.0  # exactly: exp(−∞) = 0
    assert np.all(result.single[~spec.allowed] == 0.0)
    assert result.visible_min > 1e-3
    np.testing.assert_array_equal(result.measured, spec.allowed)


def test_the_measurement_sees_a_leak_through_layers() -> None:
    # A sliding window is not closed under composition: two layers let i read i − 2.
    window = np.eye(5, dtype=bool) | np.eye(5, k=-1, dtype=bool)
    spec = masks.MaskSpec(kind="window", tokens=tuple("abcde"), allowed=window)
    rng = np.random.default_rng(5)
    result = probes.measure_leaks(spec, transformer.random_transformer(layers=2, width=8, heads=2, rng=rng), rng)
    np.testing.assert_array_equal(result.measured, masks.reachable(window, layers=2))
    assert result.hidden_max > 1e-3


def test_a_finite_mask_value_leaks_and_the_checks_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # forward() looks additive_mask up in the transformer module: patch it there.
    monkeypatch.setattr(transformer, "additive_mask", lambda allowed: np.where(allowed, 0.0, -5.0))
    report = two_stage(*STAGES["leak_test"], masks=["unidirectional", "unilm"], rng=np.random.default_rng(6))
    verdicts = {item.claim: item.passed for item in report.items if isinstance(item, Check)}
    failed = [claim for claim, passed in verdicts.items() if not passed]
    assert any("单向语言模型" in claim for claim in failed)
    assert any("实测：UniLM" in claim for claim in failed)


def test_reordered_inputs_with_their_positions_are_the_same_model() -> None:
    rng = np.random.default_rng(7)
    model = transformer.random_transformer(layers=4, width=16, heads=2, rng=rng)
    result = probes.compare_orders(model, sentence="北京欢迎你", order=[4, 2, 5, 3, 1], rng=rng)
    assert result.travelling < 1e-13
    assert result.renumbered > 1e-2
    forward = probes.compare_orders(model, sentence="北京欢迎你", order=[1, 2, 3, 4, 5], rng=rng)
    assert forward.travelling == forward.renumbered == 0.0


def test_distinct_orders_start_with_the_given_one_and_never_repeat() -> None:
    rng = np.random.default_rng(8)
    orders = probes.distinct_orders([2, 1, 3], extra=50, rng=rng)
    assert orders[0] == (2, 1, 3)
    assert sorted(orders) == sorted(itertools.permutations([1, 2, 3]))
    assert len(probes.distinct_orders([1, 2, 3, 4], extra=4, rng=rng)) == 5


# --------------------------------------------------------------------------- registered reports


def _report(name: str, *, seed: int, **params: typing.Any) -> Report:
    """The directive's page as the site draws it; runs that draw random numbers get a seeded rng."""
    rng = {"rng": np.random.default_rng(seed)} if name in RANDOM else {}
    return two_stage(*STAGES[name], **params, **rng)


@pytest.fixture(scope="module")
def default_reports() -> dict[str, Report]:
    return {name: _report(name, seed=2019) for name in STAGES}


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("lm_figures", [Figure, Check, Check]),
        ("seq2seq_figures", [Figure, Check, Check]),
        ("leak_test", [Figure, *[Table] * 4, *[Check] * 6]),
        ("permutation", [Figure, Table, Check, Check]),
    ],
)
def test_reports_at_defaults(default_reports: dict[str, Report], name: str, kinds: list) -> None:
    report = default_reports[name]
    assert_well_formed(report, kinds)


def test_leak_tables_have_one_row_per_position(default_reports: dict[str, Report]) -> None:
    tables = [item for item in default_reports["leak_test"].items if isinstance(item, Table)]
    assert [len(table.rows) for table in tables] == [10, 6, 6, 10]
    unidirectional = tables[1]
    assert [row[1] for row in unidirectional.rows] == [
        "<s> → 北",
        "北 → 京",
        "京 → 欢",
        "欢 → 迎",
        "迎 → 你",
        "你 → <e>",
    ]
    assert [row[2] for row in unidirectional.rows] == ["1 / 5", "2 / 4", "3 / 3", "4 / 2", "5 / 1", "6 / 0"]
    assert all(row[3] == 0.0 for row in unidirectional.rows[:-1])
    assert math.isnan(unidirectional.rows[-1][3])
    assert all(row[4] > 1e-3 for table in tables for row in table.rows)


def test_figure_data_list_every_cell(default_reports: dict[str, Report]) -> None:
    first = default_reports["lm_figures"].items[0]
    assert isinstance(first, Figure)
    assert len(first.data["allowed"]) == 3 * 36
    assert sum(first.data["allowed"]) == 3 * 21


@pytest.mark.parametrize("name", STAGES)
def test_figures_render_with_the_site_font(default_reports: dict[str, Report], name: str) -> None:
    for item in default_reports[name].items:
        if isinstance(item, Figure):
            render_with_site_font(item.figure)


@pytest.mark.parametrize("name", RANDOM)
def test_reports_are_reproducible_from_the_seed(name: str) -> None:
    def numbers(seed: int) -> list:
        report = _report(name, layers=2, width=8, seed=seed)
        return [repr(item.rows) for item in report.items if isinstance(item, Table)]  # NaN != NaN

    first, again, other = numbers(1), numbers(1), numbers(2)
    assert first == again
    assert first != other


def test_other_examples_and_a_single_layer() -> None:
    report = _report(
        "leak_test",
        masks=["reverse", "naive_seq2seq", "unilm", "reverse"],
        sentence="今天天气好",
        order=[5, 1, 4, 2, 3],
        source="床前明月光",
        target="疑是地上霜",
        layers=1,
        width=4,
        heads=1,
        seed=9,
    )
    tables = [item for item in report.items if isinstance(item, Table)]
    assert len(tables) == 3  # a repeated kind is tested once
    assert all(item.passed for item in report.items if isinstance(item, Check))


# --------------------------------------------------------------------------- checks see a perturbed result


def _verdicts(report: Report) -> list[bool]:
    return [item.passed for item in report.items if isinstance(item, Check)]


def _flipped(spec: masks.MaskSpec, i: int, j: int) -> masks.MaskSpec:
    """The spec with one cell of its mask toggled (a wrong mask in a stored result)."""
    allowed = spec.allowed.copy()
    allowed[i, j] = not allowed[i, j]
    return dataclasses.replace(spec, allowed=allowed)


def _replace_mask(run: typing.Any, kind: str, change: typing.Callable[[masks.MaskSpec], masks.MaskSpec]) -> typing.Any:
    return dataclasses.replace(run, masks=tuple(change(s) if s.kind == kind else s for s in run.masks))


def test_permuted_triangle_check_fails_on_a_wrong_forward_mask() -> None:
    run = _replace_mask(experiments.lm_figures(), "unidirectional", lambda spec: _flipped(spec, 0, 1))
    assert _verdicts(pages.lm_figures(run)) == [False, True]


def test_generation_order_check_fails_when_the_first_row_reads_a_later_token() -> None:
    # Row 0 (<s>, predicting the first generated token) must read <s> alone; let it read 北 too.
    run = _replace_mask(experiments.lm_figures(), "shuffled", lambda spec: _flipped(spec, 0, 1))
    triangle, generation = _verdicts(pages.lm_figures(run))
    assert generation is False
    assert triangle is False  # the wrong mask is no permuted triangle either


def test_unilm_structure_check_fails_when_the_source_reads_the_target() -> None:
    run = _replace_mask(experiments.seq2seq_figures(), "unilm", lambda spec: _flipped(spec, 0, 6))
    structure, formulas = _verdicts(pages.seq2seq_figures(run))
    assert structure is False
    assert formulas is False  # nor does it match the cumsum formula


def test_unilm_formula_check_fails_on_a_wrong_cell_count() -> None:
    run = _replace_mask(experiments.seq2seq_figures(), "naive_seq2seq", lambda spec: _flipped(spec, 0, 1))
    assert _verdicts(pages.seq2seq_figures(run)) == [True, False]


def _small_leak_run(*kinds: str) -> experiments.LeakTestRun:
    return experiments.leak_test(masks=kinds, layers=2, width=8, heads=2, rng=np.random.default_rng(10))


def test_leak_check_fails_when_a_visible_input_moved_nothing() -> None:
    run = _small_leak_run("unidirectional")
    (measurement,) = run.measurements
    single = measurement.single.copy()
    single[3, 2] = 0.0  # a visible cell: output 3 may read input 2
    run = dataclasses.replace(run, measurements=(dataclasses.replace(measurement, single=single),))
    leak, composition = _verdicts(pages.leak_test(run))
    assert leak is False
    assert composition is True


def test_composition_check_fails_on_a_sliding_window() -> None:
    # A window (read yourself and your left neighbour) is not closed: two layers reach i − 2.
    run = _small_leak_run("unidirectional")
    (measurement,) = run.measurements
    window = np.eye(6, dtype=bool) | np.eye(6, k=-1, dtype=bool)
    spec = dataclasses.replace(measurement.spec, allowed=window)
    run = dataclasses.replace(run, measurements=(dataclasses.replace(measurement, spec=spec),))
    composition = _verdicts(pages.leak_test(run))[-1]
    assert composition is False


def _small_permutation_run() -> experiments.PermutationRun:
    return experiments.permutation(random_orders=3, layers=2, width=8, rng=np.random.default_rng(11))


def test_travelling_check_fails_beyond_rounding_error() -> None:
    run = _small_permutation_run()
    first, *others = run.comparisons
    run = dataclasses.replace(run, comparisons=(dataclasses.replace(first, travelling=1e-9), *others))
    assert _verdicts(pages.permutation(run)) == [False, True]


def test_renumbered_check_fails_when_renumbering_changes_nothing() -> None:
    run = _small_permutation_run()
    first, *others = run.comparisons
    assert list(first.order) != sorted(first.order)  # the article's order, not left to right
    run = dataclasses.replace(run, comparisons=(dataclasses.replace(first, renumbered=1e-4), *others))
    assert _verdicts(pages.permutation(run)) == [True, False]


# --------------------------------------------------------------------------- the plugin contract


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("sentence", "北"),
        ("sentence", "一二三四五六七八九十壹贰叁"),
        ("masks", []),
        ("masks", ["gpt"]),
        ("layers", 0),
        ("heads", 9),
    ],
)
def test_parameter_ranges_reject_bad_values(name: str, bad: object) -> None:
    hints = typing.get_type_hints(experiments.leak_test, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)
