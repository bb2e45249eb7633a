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
from reports import assert_well_formed, render_with_site_font, report_values, two_stage

from computations.masks import experiments, pages, probes, transformer
from computations.masks import theory as masks
from computations.report import Check, Figure, Report, Table, Value

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


def test_reading_steps_rebuild_every_order_mask_and_unilm() -> None:
    rng = np.random.default_rng(12)
    for n in (1, 2, 6, 9):
        ranks = rng.permutation(n)
        read = np.argsort(ranks)  # position read at each step
        np.testing.assert_array_equal(masks.mask_by_reading_steps([[int(p)] for p in read], n), masks.order_mask(ranks))
    for source, target in [(1, 1), (3, 4), (6, 4)]:
        steps = [list(range(source)), *([i] for i in range(source, source + target))]
        np.testing.assert_array_equal(
            masks.mask_by_reading_steps(steps, source + target), masks.unilm_mask([0] * source + [1] * target)
        )
    np.testing.assert_array_equal(masks.mask_by_reading_steps([[2, 0, 1]], 3), masks.bidirectional_mask(3))


@pytest.mark.parametrize("bad", [[[0], [0]], [[0], [2]], [[1]]])
def test_reading_steps_must_read_every_position_once(bad: list[list[int]]) -> None:
    with pytest.raises(ValueError, match="once"):
        masks.mask_by_reading_steps(bad, 2)


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
    np.testing.assert_array_equal(result.measured_first_layer, spec.allowed)  # one layer reads the mask


def test_the_measurement_sees_a_leak_through_layers() -> None:
    # A sliding window is not closed under composition: two layers let i read i − 2.
    window = np.eye(5, dtype=bool) | np.eye(5, k=-1, dtype=bool)
    spec = masks.MaskSpec(kind="window", tokens=tuple("abcde"), allowed=window)
    rng = np.random.default_rng(5)
    result = probes.measure_leaks(spec, transformer.random_transformer(layers=2, width=8, heads=2, rng=rng), rng)
    np.testing.assert_array_equal(result.measured, masks.reachable(window, layers=2))
    np.testing.assert_array_equal(result.measured_first_layer, window)
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
    assert_well_formed(Report(items=tuple(item for item in report.items if not isinstance(item, Value))), kinds)


def test_values_the_prose_quotes_at_defaults(default_reports: dict[str, Report]) -> None:
    assert report_values(default_reports["lm_figures"]) == {
        "order": "迎 → 京 → 你 → 欢 → 北",
        "reading": "逐格一致",
        "predicts": "正是",
        "article": "也在图中成立",
    }
    assert report_values(default_reports["seq2seq_figures"]) == {
        "reading": "一致",
        "cumsum": "一致",
        "unilm_cells": "70",
        "naive_cells": "55",
        "extra_cells": "15",
        "extra_where": "正是",
    }
    leak = report_values(default_reports["leak_test"])
    assert {key: leak[key] for key in ("layers", "width", "heads", "mask_count")} == {
        "layers": "4",
        "width": "16",
        "heads": "2",
        "mask_count": "4",
    }
    assert (leak["tolerance"], leak["threshold"]) == ("10⁻¹²", "10⁻⁶")
    assert (leak["hidden_result"], leak["match"], leak["layered"]) == ("恰好为 0", "完全重合", "没有新增任何依赖")
    assert leak["unilm_pattern"] == "与 Mask 的设计一致"
    assert float(leak["visible_min"]) > 1e-3
    permutation = report_values(default_reports["permutation"])
    assert permutation["pairs"] == "(北,1), (京,2), (欢,3), (迎,4), (你,5)"
    assert permutation["pairs_in_order"] == "(迎,4), (京,2), (你,5), (欢,3), (北,1)"
    assert permutation["orders"] == "11"
    assert permutation["travelling_max"].endswith(("10⁻¹⁵", "10⁻¹⁶", "10⁻¹⁴"))
    assert permutation["renumbered_verdict"] == "完全变了"


def test_scientific_notation_of_the_prose() -> None:
    assert pages._scientific(1.67e-15) == "1.7×10⁻¹⁵"
    assert pages._scientific(1e-12) == "10⁻¹²"
    assert pages._scientific(0.11369) == "0.11"
    assert pages._scientific(0.0) == "0"


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


def test_reading_order_check_fails_on_a_wrong_forward_mask() -> None:
    run = _replace_mask(experiments.lm_figures(), "unidirectional", lambda spec: _flipped(spec, 0, 1))
    report = pages.lm_figures(run)
    assert _verdicts(report) == [False, True]
    assert report_values(report)["reading"] == "并不逐格一致"


def test_reading_order_and_prediction_checks_fail_when_the_stored_order_is_not_the_masks() -> None:
    # The masks were built for the article's order; the run now claims another one.
    run = dataclasses.replace(experiments.lm_figures(), order=(2, 4, 5, 3, 1))
    assert _verdicts(pages.lm_figures(run)) == [False, False]


def test_prediction_check_fails_when_a_row_sees_the_token_it_predicts() -> None:
    # Row 0 (<s>) predicts 迎 (position 4); let it read 迎.
    run = _replace_mask(experiments.lm_figures(), "shuffled", lambda spec: _flipped(spec, 0, 4))
    reading, prediction = _verdicts(pages.lm_figures(run))
    assert prediction is False
    assert reading is False  # the wrong mask is no simulated reading either


def test_prediction_check_fails_on_a_wrong_label() -> None:
    def swap(spec: masks.MaskSpec) -> masks.MaskSpec:
        assert spec.predicts is not None
        first, second, *rest = spec.predicts
        return dataclasses.replace(spec, predicts=(second, first, *rest))

    run = _replace_mask(experiments.lm_figures(), "shuffled", swap)
    report = pages.lm_figures(run)
    assert _verdicts(report) == [True, False]
    assert report_values(report)["predicts"] == "并不都是"


def test_prediction_check_fails_where_the_article_describes_its_figure() -> None:
    # Row 4 (迎, predicting 京) also reads 北: it still cannot see 京, but the article says the row
    # predicting 京 reads <s> and 迎 only.
    run = _replace_mask(experiments.lm_figures(), "shuffled", lambda spec: _flipped(spec, 4, 1))
    (prediction,) = [item for item in pages.lm_figures(run).items if isinstance(item, Check)][1:]
    assert prediction.passed is False
    failing = [part for part in prediction.detail.split("；") if part.endswith("✗")]
    assert len(failing) == 1 and failing[0].startswith("原文：预测“京”")
    values = report_values(pages.lm_figures(run))
    assert (values["predicts"], values["article"]) == ("正是", "在图中并不成立")


def test_the_article_description_is_not_claimed_for_another_example() -> None:
    report = pages.lm_figures(experiments.lm_figures(sentence="今天天气好", order=(5, 1, 4, 2, 3)))
    assert all(_verdicts(report))
    assert report_values(report)["article"] == "无从核对（这不是原文的例子）"


def test_reading_steps_check_fails_when_the_source_reads_the_target() -> None:
    run = _replace_mask(experiments.seq2seq_figures(), "unilm", lambda spec: _flipped(spec, 0, 6))
    reading, formulas = _verdicts(pages.seq2seq_figures(run))
    assert reading is False
    assert formulas is False  # nor does it match the cumsum formula
    assert report_values(pages.seq2seq_figures(run))["extra_where"] == "并不都是"


def test_reading_steps_check_fails_on_a_wrong_naive_mask() -> None:
    run = _replace_mask(experiments.seq2seq_figures(), "naive_seq2seq", lambda spec: _flipped(spec, 0, 1))
    report = pages.seq2seq_figures(run)
    reading, extra = _verdicts(report)
    assert reading is False
    assert extra is False  # UniLM's extra cells over it lose (0, 1)
    assert report_values(report)["reading"] == "不一致"


def test_formula_check_fails_on_wrong_stored_segments() -> None:
    run = _replace_mask(
        experiments.seq2seq_figures(),
        "unilm",
        lambda spec: dataclasses.replace(spec, segments=(0, 0, 0, 0, 0, 1, 1, 1, 1, 1)),
    )
    report = pages.seq2seq_figures(run)
    assert _verdicts(report) == [True, False]
    assert (report_values(report)["reading"], report_values(report)["cumsum"]) == ("一致", "不一致")


def test_extra_cells_check_fails_when_the_source_is_not_the_masks() -> None:
    # The masks are for a 4-character source; a 3-character one has fewer look-ahead cells.
    run = dataclasses.replace(experiments.seq2seq_figures(), source="你吃啥")
    reading, formulas = _verdicts(pages.seq2seq_figures(run))
    assert reading is False
    assert formulas is False


def _small_leak_run(*kinds: str) -> experiments.LeakTestRun:
    return experiments.leak_test(masks=kinds, layers=2, width=8, heads=2, rng=np.random.default_rng(10))


def _replace_measurement(run: experiments.LeakTestRun, **changes: typing.Any) -> experiments.LeakTestRun:
    (measurement,) = run.measurements
    return dataclasses.replace(run, measurements=(dataclasses.replace(measurement, **changes),))


def test_leak_check_fails_when_a_visible_input_moved_nothing() -> None:
    run = _small_leak_run("unidirectional")
    (measurement,) = run.measurements
    single, first = measurement.single.copy(), measurement.first_layer.copy()
    single[3, 2] = first[3, 2] = 0.0  # a visible cell: output 3 may read input 2
    report = pages.leak_test(_replace_measurement(run, single=single, first_layer=first))
    leak, layers = _verdicts(report)
    assert leak is False
    assert layers is True
    assert report_values(report)["match"] == "有 1 格不重合"


def test_leak_check_fails_when_a_hidden_input_moved_an_output() -> None:
    run = _small_leak_run("unidirectional")
    (measurement,) = run.measurements
    single = measurement.single.copy()
    single[1, 4] = 1e-9  # a hidden cell, below the visibility threshold but above the tolerance
    report = pages.leak_test(_replace_measurement(run, single=single))
    assert _verdicts(report) == [False, True]
    assert report_values(report)["hidden_result"] == "达到 10⁻⁹，超出了容差"


def test_layers_check_fails_on_a_sliding_window() -> None:
    # A window (read yourself and your left neighbour) is not closed: two layers reach i − 2.
    window = np.eye(6, dtype=bool) | np.eye(6, k=-1, dtype=bool)
    spec = dataclasses.replace(masks.build_masks(["unidirectional"])[0], allowed=window)
    rng = np.random.default_rng(10)
    measurement = probes.measure_leaks(spec, transformer.random_transformer(layers=2, width=8, heads=2, rng=rng), rng)
    run = dataclasses.replace(_small_leak_run("unidirectional"), measurements=(measurement,))
    report = pages.leak_test(run)
    leak, layers = _verdicts(report)
    assert layers is False
    assert leak is False  # the window leaks i − 2 into row i
    assert report_values(report)["layered"] == "新增了 4 处依赖"
    (figure,) = [item for item in report.items if isinstance(item, Figure)]
    assert figure.caption.endswith("两者有 4 格不重合。")


def test_layers_check_fails_when_the_first_layer_read_less() -> None:
    run = _small_leak_run("unidirectional")
    (measurement,) = run.measurements
    first = measurement.first_layer.copy()
    first[5, 0] = 0.0
    report = pages.leak_test(_replace_measurement(run, first_layer=first))
    assert _verdicts(report) == [True, False]
    assert report_values(report)["layered"] == "新增了 1 处依赖"


def test_unilm_dependency_check_fails_when_the_source_responds_to_the_target() -> None:
    run = _small_leak_run("unilm")
    (measurement,) = run.measurements
    single = measurement.single.copy()
    single[0, 6] = 0.5  # [CLS] moved when the first target token was replaced
    report = pages.leak_test(_replace_measurement(run, single=single))
    leak, layers, unilm = _verdicts(report)
    assert unilm is False
    assert leak is False
    assert layers is False  # the whole stack now "reads" more than its first layer
    assert report_values(report)["unilm_pattern"] == "与 Mask 的设计不符"


def _small_permutation_run() -> experiments.PermutationRun:
    return experiments.permutation(random_orders=3, layers=2, width=8, rng=np.random.default_rng(11))


def test_travelling_check_fails_beyond_rounding_error() -> None:
    run = _small_permutation_run()
    first, *others = run.comparisons
    run = dataclasses.replace(run, comparisons=(dataclasses.replace(first, travelling=1e-9), *others))
    report = pages.permutation(run)
    assert _verdicts(report) == [False, True]
    assert report_values(report)["travelling_verdict"] == "已超出舍入误差能解释的范围"


def test_renumbered_check_fails_when_renumbering_changes_nothing() -> None:
    run = _small_permutation_run()
    first, *others = run.comparisons
    assert list(first.order) != sorted(first.order)  # the article's order, not left to right
    run = dataclasses.replace(run, comparisons=(dataclasses.replace(first, renumbered=1e-4), *others))
    report = pages.permutation(run)
    assert _verdicts(report) == [True, False]
    assert (report_values(report)["renumbered_verdict"], report_values(report)["renumbered_min"]) == (
        "几乎没有变",
        "10⁻⁴",
    )


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
