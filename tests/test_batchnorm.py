"""Behavioural tests of computations.batchnorm against closed forms and independent computations.

Gradients are compared with central differences, the arc-cosine moments with special angles
and Monte Carlo (4 standard errors), the Lanczos curvature with a dense finite-difference
Hessian, the smoothness measures with a quadratic whose Hessian is known. The pages are made
as the site makes them (``two_stage``), and every check on them is shown to fail when the
quantity it guards is wrong.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydantic
import pytest
from reports import assert_well_formed, render_with_site_font, report_values, two_stage

from computations.batchnorm import descent, experiments, features, pages
from computations.batchnorm import network as bn
from computations.report import Check, Figure, Report, Table, Value

PLACEMENTS: tuple[bn.Placement, ...] = ("none", "before_activation", "before_linear")
K_SE = 4.0
STAGES = {
    "centering": (experiments.centering, pages.centering),
    "training": (experiments.training, pages.training),
    "smoothness": (experiments.smoothness, pages.smoothness),
}


def _tiny(placement: bn.Placement, seed: int) -> tuple[bn.Architecture, bn.Dataset, np.ndarray]:
    rng = np.random.default_rng(seed)
    arch = bn.Architecture(sizes=(4, 6, 5, 3), placement=placement)
    data = bn.teacher_dataset(samples=16, input_dim=4, classes=3, teacher_width=5, rng=rng)
    theta = bn.initial_parameters(arch, bn.draw_weights(arch.sizes, rng=rng))
    return arch, data, theta + 0.2 * rng.standard_normal(theta.size)


def _numeric_gradient(arch: bn.Architecture, data: bn.Dataset, theta: np.ndarray) -> np.ndarray:
    return bn.finite_difference_gradient(lambda t: bn.loss_and_gradient(t, arch=arch, data=data)[0], theta, step=1e-6)


# --------------------------------------------------------------------------- ReLU feature moments


def test_arc_cosine_moments_at_special_angles() -> None:
    # Rows: w, 2w (θ = 0), −w (θ = π) and u ⟂ w (θ = π/2).
    weights = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0], [0.0, 3.0]])
    moments = features.relu_feature_moments(weights)
    norms = np.array([1.0, 2.0, 1.0, 3.0])
    np.testing.assert_allclose(moments.mean, norms / math.sqrt(2 * math.pi), rtol=1e-14)
    np.testing.assert_allclose(np.diag(moments.second), norms**2 / 2, rtol=1e-14)
    assert moments.second[0, 1] == pytest.approx(2.0 / 2)  # same direction: E[x·2x] = 2 E[x²]
    assert moments.second[0, 2] == pytest.approx(0.0, abs=1e-15)  # never both positive
    assert moments.second[0, 3] == pytest.approx(3.0 / (2 * math.pi))  # independent: μ₀μ₃
    assert moments.covariance[0, 3] == pytest.approx(0.0, abs=1e-15)
    # Var(ReLU(z)) for z ~ N(0, s²) is s²(1/2 − 1/(2π)).
    assert moments.covariance[3, 3] == pytest.approx(9.0 * (0.5 - 0.5 / math.pi))


def test_arc_cosine_moments_match_monte_carlo() -> None:
    rng = np.random.default_rng(11)
    weights = rng.standard_normal((5, 3))
    exact = features.relu_feature_moments(weights)
    sampled = features.sample_relu_features(weights, samples=200_000, rng=rng)
    products = sampled[:, :, None] * sampled[:, None, :]
    se = products.std(axis=0, ddof=1) / math.sqrt(sampled.shape[0])
    assert np.all(np.abs(products.mean(axis=0) - exact.second) <= K_SE * se)


def test_standardised_moments_have_unit_diagonal_and_a_positive_definite_covariance() -> None:
    moments = features.relu_feature_moments(np.random.default_rng(12).standard_normal((6, 6)))
    np.testing.assert_allclose(np.diag(moments.correlation), 1.0, rtol=1e-14)
    assert np.all(np.linalg.eigvalsh(moments.covariance) > 0)


def test_centering_row_bracket_and_trace_identity() -> None:
    row = features.centering_row(width=24, samples=5_000, rng=np.random.default_rng(13))
    assert row.second_trace == pytest.approx(row.mean_norm2 + row.covariance_trace, rel=1e-12)
    assert row.rayleigh_lower <= row.lambda_raw * (1 + 1e-12)
    assert row.lambda_raw <= row.weyl_upper * (1 + 1e-12)
    assert row.lambda_centred < row.lambda_raw
    # He initialisation: E‖w_i‖² = 2, so ‖μ‖² ≈ d/π and E‖x‖² ≈ d.
    assert row.mean_norm2 == pytest.approx(24 / math.pi, rel=0.25)
    assert row.second_trace == pytest.approx(24, rel=0.25)


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("seed", [1, 2])
def test_gradient_matches_central_differences(placement: bn.Placement, seed: int) -> None:
    arch, data, theta = _tiny(placement, seed)
    _, analytic = bn.loss_and_gradient(theta, arch=arch, data=data)
    numeric = _numeric_gradient(arch, data, theta)
    np.testing.assert_allclose(analytic, numeric, rtol=0, atol=1e-6 * np.abs(numeric).max())


def test_standardise_backward_matches_central_differences() -> None:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((7, 3)) * np.array([0.5, 1.0, 4.0]) + 2.0
    weights = rng.standard_normal((7, 3))

    def objective(flat: np.ndarray) -> float:
        return float(np.sum(weights * bn.standardise(flat.reshape(z.shape))[0]))

    normalised, inv_sd = bn.standardise(z)
    analytic = bn.standardise_backward(weights, normalised, inv_sd)
    numeric = bn.finite_difference_gradient(objective, z.ravel(), step=1e-6).reshape(z.shape)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8)
    np.testing.assert_allclose(normalised.mean(axis=0), 0.0, atol=1e-14)
    variance = z.var(axis=0)
    np.testing.assert_allclose(normalised.var(axis=0), variance / (variance + bn.BN_EPSILON), rtol=1e-12)


def test_bn_makes_the_loss_scale_invariant_in_the_weights_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # With ε = 0, BN(c·hW) = BN(hW): the loss is unchanged and the gradient scales by 1/c.
    monkeypatch.setattr(bn, "BN_EPSILON", 0.0)
    arch, data, theta = _tiny("before_activation", 4)
    first = next(b for b in arch.blocks if b.layer == 0 and b.name == "W")
    scaled = theta.copy()
    scaled[first.start : first.start + first.size] *= 3.0
    loss, grad = bn.loss_and_gradient(theta, arch=arch, data=data)
    loss_scaled, grad_scaled = bn.loss_and_gradient(scaled, arch=arch, data=data)
    window = slice(first.start, first.start + first.size)
    assert loss_scaled == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(grad_scaled[window], grad[window] / 3.0, rtol=1e-9, atol=1e-14)
    # Without BN the same scaling changes the loss.
    plain, data, theta = _tiny("none", 4)
    scaled = theta.copy()
    scaled[: 4 * 6] *= 3.0
    assert bn.loss_and_gradient(scaled, arch=plain, data=data)[0] != pytest.approx(
        bn.loss_and_gradient(theta, arch=plain, data=data)[0], rel=1e-3
    )


def test_full_size_gradient_on_sampled_coordinates() -> None:
    rng = np.random.default_rng(5)
    data = bn.teacher_dataset(samples=64, input_dim=8, classes=3, rng=rng)
    weights = bn.draw_weights((8, 32, 32, 3), rng=rng)
    for placement in PLACEMENTS:
        arch = bn.Architecture(sizes=(8, 32, 32, 3), placement=placement)
        theta = bn.initial_parameters(arch, weights)
        assert bn.sampled_gradient_error(theta, arch=arch, data=data, coordinates=12, rng=rng) < 1e-7


def test_central_difference_steps_around_a_kink() -> None:
    # Move one first-layer pre-activation to 1e-7 from zero: a step of 1e-5 straddles it.
    arch, data, theta = _tiny("none", 15)
    first = bn.unpack(theta, arch)[0]
    pre = data.inputs @ first["W"] + first["b"]
    bias_index = next(b for b in arch.blocks if b.layer == 0 and b.name == "b").start
    theta[bias_index] -= pre[0, 0] - 1e-7
    numeric = bn.central_difference(theta, bias_index, arch=arch, data=data)
    analytic = bn.loss_and_gradient(theta, arch=arch, data=data)[1][bias_index]
    assert numeric == pytest.approx(analytic, abs=1e-7)
    bump = np.zeros_like(theta)
    bump[bias_index] = bn.FD_STEP
    naive = (
        bn.loss_and_gradient(theta + bump, arch=arch, data=data)[0]
        - bn.loss_and_gradient(theta - bump, arch=arch, data=data)[0]
    ) / (2 * bn.FD_STEP)
    assert abs(naive - analytic) > 10 * abs(numeric - analytic)


def test_gradient_check_catches_a_wrong_backward_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_projection(grad_out: np.ndarray, normalised: np.ndarray, inv_sd: np.ndarray) -> np.ndarray:
        return inv_sd * (grad_out - bn._column_mean(grad_out))  # drops the −ẑ·mean(g ẑ) term

    monkeypatch.setattr(bn, "standardise_backward", no_projection)
    assert bn.gradient_check("before_linear", rng=np.random.default_rng(6)) > 1e-3
    assert bn.gradient_check("none", rng=np.random.default_rng(6)) < bn.FD_TOLERANCE


def test_parameter_layout() -> None:
    sizes = (16, 64, 64, 4)
    counts = {
        "none": 16 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4,
        "before_activation": 16 * 64 + 2 * 64 + 64 * 64 + 2 * 64 + 64 * 4 + 4,
        "before_linear": 16 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4,
    }
    weights = bn.draw_weights(sizes, rng=np.random.default_rng(7))
    for placement, count in counts.items():
        arch = bn.Architecture(sizes=sizes, placement=placement)
        assert arch.parameter_count == count
        layers = bn.unpack(bn.initial_parameters(arch, weights), arch)
        for layer, matrix in enumerate(weights):
            np.testing.assert_array_equal(layers[layer]["W"], matrix)
        if placement == "before_activation":
            np.testing.assert_array_equal(layers[0]["gamma"], 1.0)
            assert set(layers[2]) == {"W", "b"}


# --------------------------------------------------------------------------- curvature and training


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_lanczos_curvature_matches_a_dense_hessian(placement: bn.Placement) -> None:
    arch, data, theta = _tiny(placement, 8)
    _, _, masks = bn.loss_gradient_and_pattern(theta, arch=arch, data=data)
    eps = 1e-5
    columns = []
    for i in range(theta.size):
        bump = np.zeros_like(theta)
        bump[i] = eps
        plus = bn.loss_gradient_and_pattern(theta + bump, arch=arch, data=data, masks=masks)[1]
        minus = bn.loss_gradient_and_pattern(theta - bump, arch=arch, data=data, masks=masks)[1]
        columns.append((plus - minus) / (2 * eps))
    hessian = np.array(columns)
    assert np.max(np.abs(hessian - hessian.T)) < 1e-6 * np.abs(hessian).max()
    dense = np.linalg.eigvalsh((hessian + hessian.T) / 2)[-1]
    curvature = descent.hessian_top_eigenvalue(theta, arch=arch, data=data, rng=np.random.default_rng(9))
    assert curvature.eigenvalue == pytest.approx(dense, rel=1e-6)
    assert curvature.residual < 1e-5


#: Only its placement is read when the loss is replaced by a quadratic.
STAND_IN = bn.Architecture(sizes=(2, 2), placement="none")
NO_DATA = bn.Dataset(inputs=np.zeros((1, 2)), labels=np.zeros(1, dtype=np.int64), classes=2)


class _Quadratic:
    """L(θ) = ½ θᵀAθ with a known spectrum, standing in for the network."""

    def __init__(self, eigenvalues: list[float], seed: int) -> None:
        q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigenvalues),) * 2))
        self.matrix = q @ np.diag(eigenvalues) @ q.T

    def __call__(self, theta: np.ndarray, *, arch: object, data: object) -> tuple[float, np.ndarray]:
        grad = self.matrix @ theta
        return 0.5 * float(theta @ grad), grad


@pytest.mark.parametrize(("rate", "monotone", "diverged"), [(0.19, True, False), (0.21, False, True)])
def test_descent_lemma_threshold_on_a_quadratic(
    monkeypatch: pytest.MonkeyPatch, rate: float, monotone: bool, diverged: bool
) -> None:
    # λ_max = 10: gradient descent contracts every direction iff η < 2/10.
    monkeypatch.setattr(descent, "loss_and_gradient", _Quadratic([10.0, 3.0, 1.0, 0.5], seed=10))
    run = descent.gradient_descent(np.ones(4), arch=STAND_IN, data=NO_DATA, learning_rate=rate, steps=2_000)
    assert run.monotone is monotone
    assert run.diverged is diverged
    assert pages.VERDICTS[run.outcome] == ("每步下降" if monotone else "发散")


def test_smoothness_of_a_quadratic_is_the_rayleigh_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    quadratic = _Quadratic([4.0, 2.0, 1.0], seed=11)
    monkeypatch.setattr(descent, "loss_and_gradient", quadratic)
    trace = descent.measure_smoothness(
        np.array([1.0, -2.0, 0.5]),
        arch=STAND_IN,
        data=NO_DATA,
        learning_rate=0.1,
        steps=30,
        every=3,
        multiples=[2.0, 0.5, 1.0, 0.5],
    )
    np.testing.assert_array_equal(trace.multiples, [0.5, 1.0, 2.0])
    np.testing.assert_array_equal(trace.steps, np.arange(0, 30, 3))
    # ∇L(w) − ∇L(w − s g) = s A g exactly, whatever s: every ratio is ‖Ag‖/‖g‖ ≤ λ_max.
    theta = np.array([1.0, -2.0, 0.5])
    expected = []
    for t in range(30):
        g = quadratic.matrix @ theta
        if t % 3 == 0:
            expected.append(np.linalg.norm(quadratic.matrix @ g) / np.linalg.norm(g))
        theta = theta - 0.1 * g
    np.testing.assert_allclose(trace.ratios, np.repeat(np.array(expected)[:, None], 3, axis=1), rtol=1e-10)
    np.testing.assert_allclose(trace.beta, expected, rtol=1e-10)
    assert np.all(trace.beta <= 4.0 + 1e-12)
    # Gradient descent turns g towards the slowest direction: the ratio falls towards λ_min.
    assert trace.beta[-1] < trace.beta[0]


def test_run_verdicts() -> None:
    def run(losses: list[float]) -> descent.Run:
        return descent.Run(placement="none", learning_rate=1.0, losses=np.array(losses))

    def verdict(losses: list[float]) -> str:
        return pages.VERDICTS[run(losses).outcome]

    assert verdict([1.0, 0.5, 0.09]) == "每步下降"
    assert verdict([1.0, 1.2, 0.05]) == "有反弹，仍训成"
    assert run([1.0, 1.2, 0.05]).rises == 1
    assert verdict([1.0, 0.5, 0.2]) == "未训成"
    assert verdict([1.0, 5.0, math.nan]) == "发散"
    assert run([1.0, 5.0, math.nan]).peak == 5.0


def test_divergence_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(descent, "loss_and_gradient", _Quadratic([10.0, 1.0], seed=12))
    run = descent.gradient_descent(np.ones(2), arch=STAND_IN, data=NO_DATA, learning_rate=1.0, steps=100)
    finite = run.losses[np.isfinite(run.losses)]
    assert run.diverged
    assert finite[-1] <= descent.DIVERGED_FACTOR * finite[0] < 81 * finite[-1]  # |1 − 10η| = 9 per step


# --------------------------------------------------------------------------- reports


SMALL_TRAINING = {"learning_rates": [0.1, 1.0, 30.0], "steps": 30, "samples": 64, "hidden": 16}
SMALL_SMOOTHNESS = {"learning_rates": [0.5], "steps": 20, "every": 5, "samples": 64, "hidden": 16}


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {
        "centering": two_stage(*STAGES["centering"], rng=np.random.default_rng(2019)),
        "training": two_stage(*STAGES["training"], **SMALL_TRAINING, rng=np.random.default_rng(2019)),
        "smoothness": two_stage(*STAGES["smoothness"], **SMALL_SMOOTHNESS, rng=np.random.default_rng(2019)),
    }


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("centering", [Figure, Table, Table, Check, Check, Check, Check]),
        ("training", [Figure, Table, Table, Check, Check]),
        ("smoothness", [Figure, Table, Check, Check]),
    ],
)
def test_report_items(reports: dict[str, Report], name: str, kinds: list[type]) -> None:
    report = reports[name]
    shown = [item for item in report.items if not isinstance(item, Value)]
    values = [item for item in report.items if isinstance(item, Value)]
    assert_well_formed(Report(items=tuple(shown)), kinds)
    assert report.items[: len(shown)] == tuple(shown), "values come after what the reader sees"
    names = [value.name for value in values]
    assert len(set(names)) == len(names)
    assert all(value.text and "nan" not in value.text for value in values), [v for v in values if not v.text]


def test_the_values_the_post_quotes_are_exported(small_runs: dict[str, typing.Any]) -> None:
    post = (Path(__file__).resolve().parent.parent / "content" / "posts" / "what-batchnorm-does.md").read_text()
    quoted = set(re.findall(r"@val:([a-z0-9-]+)\.([a-z][a-z0-9_]*)", post))
    labels = {"centering": "centering", "training": "training", "smooth": "smoothness"}
    assert {label for label, _ in quoted} == set(labels)
    # Value names do not depend on the run's size, so the small runs export the same names.
    names = {
        label: set(report_values(STAGES[directive][1](small_runs[directive]))) for label, directive in labels.items()
    }
    assert sorted((label, name) for label, name in quoted if name not in names[label]) == []


def test_centering_tables_follow_the_closed_form(reports: dict[str, Report]) -> None:
    traces, eigenvalues = reports["centering"].items[1:3]
    assert isinstance(traces, Table)
    assert isinstance(eigenvalues, Table)
    assert [row[0] for row in traces.rows] == [16, 32, 64, 128, 256]
    for (d, mean_norm2, trace, centred_trace, standardised, share), eigen_row in zip(
        traces.rows, eigenvalues.rows, strict=True
    ):
        assert trace == pytest.approx(mean_norm2 + centred_trace, rel=1e-12)
        assert standardised == d
        # ‖μ‖²/E‖x‖² = Σ‖w_i‖²/(2π) / Σ‖w_i‖²/2 = 1/π exactly, whatever W.
        assert share == pytest.approx(1 / math.pi, rel=1e-12)
        assert mean_norm2 == pytest.approx(d / math.pi, rel=0.2)  # E‖w‖² = 2 ⇒ E‖μ‖² = d/π
        _, raw, upper, centred, _, ratio = eigen_row
        assert upper - centred == pytest.approx(mean_norm2, rel=1e-12)
        assert centred < raw <= upper
        assert ratio == pytest.approx(raw / centred)


def test_training_tables_agree(reports: dict[str, Report]) -> None:
    summary, runs = reports["training"].items[1:3]
    assert isinstance(summary, Table)
    assert isinstance(runs, Table)
    assert len(runs.rows) == 3 * 3
    assert [row[0] for row in summary.rows] == [pages.PLACEMENT_NAMES[p] for p in PLACEMENTS]
    for row in summary.rows:
        assert row[2] == pytest.approx(2.0 / row[1])
    for row in runs.rows:
        assert row[3] >= row[2]  # the peak includes the initial loss
        assert (row[5] == "—") == (row[6] == "发散")


def test_lambda_max_check_fails_when_the_kernel_drops_its_sine_term(monkeypatch: pytest.MonkeyPatch) -> None:
    real = features.relu_feature_moments

    def without_sine_term(weights: np.ndarray) -> features.Moments:
        # A plausible slip: the kernel (π − θ) cos θ / 2π without its sin θ term.
        moments = real(weights)
        norms = np.linalg.norm(weights, axis=1)
        cosine = np.clip(weights @ weights.T / np.outer(norms, norms), -1, 1)
        angle = np.arccos(cosine)
        second = np.outer(norms, norms) * (math.pi - angle) * cosine / (2 * math.pi)
        return features.Moments(mean=moments.mean, second=second)

    # The run stage reaches the kernel only through features.centering_row and feature_spectra.
    monkeypatch.setattr(features, "relu_feature_moments", without_sine_term)
    report = two_stage(*STAGES["centering"], widths=[32], samples=20_000, rng=np.random.default_rng(14))
    verdicts = {item.claim: item.passed for item in report.items if isinstance(item, Check)}
    assert [passed for claim, passed in verdicts.items() if r"$\lambda_{\max}(\mathbb{E}[xx^\top])$ 与" in claim] == [
        False
    ]


@pytest.mark.parametrize("name", ["centering", "training", "smoothness"])
def test_figures_render_without_missing_glyphs(reports: dict[str, Report], name: str) -> None:
    figure = reports[name].items[0]
    assert isinstance(figure, Figure)
    render_with_site_font(figure.figure)


def test_reports_are_reproducible_from_the_seed() -> None:
    def numbers(seed: int) -> list:
        report = two_stage(
            *STAGES["training"],
            learning_rates=[0.5],
            placements=["before_linear"],
            steps=10,
            samples=32,
            hidden=8,
            rng=np.random.default_rng(seed),
        )
        return [item.rows for item in report.items if isinstance(item, Table)]

    assert numbers(1) == numbers(1)
    assert numbers(1) != numbers(2)


@pytest.mark.parametrize(
    ("name", "bad"),
    [("learning_rates", []), ("learning_rates", [0.0]), ("placements", ["after"]), ("steps", 5)],
)
def test_parameter_ranges_reject_bad_values(name: str, bad: object) -> None:
    hints = typing.get_type_hints(experiments.training, include_extras=True)
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(hints[name]).validate_python(bad)


# --------------------------------------------------------------------------- every page check can fail

SMALL_CENTERING = {"widths": (16, 32), "samples": 5_000}


@pytest.fixture(scope="module")
def small_runs() -> dict[str, typing.Any]:
    return {
        "centering": experiments.centering(**SMALL_CENTERING, rng=np.random.default_rng(21)),
        "training": experiments.training(**SMALL_TRAINING, rng=np.random.default_rng(21)),
        "smoothness": experiments.smoothness(**SMALL_SMOOTHNESS, rng=np.random.default_rng(21)),
    }


def _check(report: Report, fragment: str) -> Check:
    (check,) = [item for item in report.items if isinstance(item, Check) and fragment in item.claim]
    return check


def _estimate_off_by(
    run: experiments.CenteringRun, estimate: str, expected: Callable[[features.CenteringRow], float]
) -> experiments.CenteringRun:
    """The run with one width's Monte Carlo ``estimate`` put 5 of its standard errors above expected."""
    first, *rest = run.rows
    wrong = expected(first) + 5.0 * getattr(first, f"{estimate}_se")
    return dataclasses.replace(run, rows=(dataclasses.replace(first, **{estimate: wrong}), *rest))


def _spike_above_weyl(run: experiments.CenteringRun) -> experiments.CenteringRun:
    first, *rest = run.rows
    return dataclasses.replace(run, rows=(dataclasses.replace(first, lambda_raw=1.001 * first.weyl_upper), *rest))


def _gradient_error(run: experiments.TrainingRun) -> experiments.TrainingRun:
    return dataclasses.replace(run, gradient_errors={**run.gradient_errors, "before_linear": 1e-5})


def _lanczos_residual(run: experiments.TrainingRun) -> experiments.TrainingRun:
    wrong = dataclasses.replace(run.curvature["none"], residual=1e-3)
    return dataclasses.replace(run, curvature={**run.curvature, "none": wrong})


def _probe_off_trajectory(run: experiments.SmoothnessRun) -> experiments.SmoothnessRun:
    """The probe losses as if the probe had stepped along +g instead of −g (stored loss raised by 1 %)."""
    rate, by_placement = next(iter(run.traces.items()))
    trace = by_placement["before_linear"]
    wrong = dataclasses.replace(trace, probe_loss=trace.probe_loss * 1.01)
    return dataclasses.replace(run, traces={**run.traces, rate: {**by_placement, "before_linear": wrong}})


PERTURBATIONS: dict[str, tuple[str, str, Callable[[typing.Any], typing.Any]]] = {
    "mean_norm2": (
        "centering",
        r"$\|\hat\mu\|^2$ 与",
        lambda run: _estimate_off_by(run, "mc_mean_norm2", lambda row: row.mc_mean_norm2_expected),
    ),
    "trace": (
        "centering",
        r"迹 $\mathbb{E}\|x\|^2$ 与",
        lambda run: _estimate_off_by(run, "mc_second_trace", lambda row: row.second_trace),
    ),
    "lambda_max": (
        "centering",
        r"$\lambda_{\max}(\mathbb{E}[xx^\top])$ 与",
        lambda run: _estimate_off_by(run, "mc_lambda_raw", lambda row: row.lambda_raw),
    ),
    "eigensolver_bracket": ("centering", "特征值求解器", _spike_above_weyl),
    "gradient": ("training", "手写反向传播", _gradient_error),
    "lanczos": ("training", "Hessian 的特征值", _lanczos_residual),
    "probe_on_trajectory": ("smoothness", "探测走在轨迹上", _probe_off_trajectory),
}


@pytest.mark.parametrize(("directive", "fragment", "perturb"), PERTURBATIONS.values(), ids=PERTURBATIONS)
def test_page_check_fails_when_its_quantity_is_wrong(
    small_runs: dict[str, typing.Any], directive: str, fragment: str, perturb: Callable[[typing.Any], typing.Any]
) -> None:
    present = STAGES[directive][1]
    run = small_runs[directive]
    assert _check(present(run), fragment).passed
    assert not _check(present(perturb(run)), fragment).passed


def test_smoothness_gradient_check_fails_with_a_wrong_backward_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_projection(grad_out: np.ndarray, normalised: np.ndarray, inv_sd: np.ndarray) -> np.ndarray:
        return inv_sd * (grad_out - bn._column_mean(grad_out))  # drops the −ẑ·mean(g ẑ) term

    small = {**SMALL_SMOOTHNESS, "placements": ["before_linear"], "steps": 10}
    right = two_stage(*STAGES["smoothness"], **small, rng=np.random.default_rng(22))
    monkeypatch.setattr(bn, "standardise_backward", no_projection)
    wrong = two_stage(*STAGES["smoothness"], **small, rng=np.random.default_rng(22))
    assert _check(right, "手写反向传播").passed
    assert not _check(wrong, "手写反向传播").passed


def test_probe_check_fails_when_the_probe_steps_the_wrong_way(monkeypatch: pytest.MonkeyPatch) -> None:
    # The computation itself wrong: the probes are handed −g, so they step to w + s g and the
    # s = η probe misses the next iterate w − η g.
    real = descent.gradient_descent

    def uphill_probes(theta: np.ndarray, *, probe: typing.Any = None, **kwargs: typing.Any) -> descent.Run:
        def flipped(t: int, w: np.ndarray, loss: float, grad: np.ndarray) -> None:
            probe(t, w, loss, -grad)

        return real(theta, probe=None if probe is None else flipped, **kwargs)

    small = {**SMALL_SMOOTHNESS, "placements": ["none"], "steps": 10}
    right = two_stage(*STAGES["smoothness"], **small, rng=np.random.default_rng(24))
    monkeypatch.setattr(descent, "gradient_descent", uphill_probes)
    wrong = two_stage(*STAGES["smoothness"], **small, rng=np.random.default_rng(24))
    assert _check(right, "探测走在轨迹上").passed
    assert not _check(wrong, "探测走在轨迹上").passed


# --------------------------------------------------------------------------- verdicts follow the data


def _runs(pattern: dict[float, str]) -> list[descent.Run]:
    """Runs at these rates whose loss curves give these outcomes (monotone / rebounded / diverged)."""
    curves = {"monotone": [1.0, 0.5, 0.05], "rebounded": [1.0, 1.2, 0.05], "diverged": [1.0, 5.0, math.nan]}
    return [descent.Run("none", rate, np.array(curves[kind])) for rate, kind in pattern.items()]


@pytest.mark.parametrize(
    ("threshold", "verdict"),
    [
        (0.2, "落在每步下降的最大学习率 0.1 与下一个学习率 0.3 之间"),
        (0.05, "比每步下降的最大学习率 0.1 还小：学习率超过它，损失照样每步下降"),
        (0.5, "但学习率 0.3 小于它，损失却没有每步下降"),
    ],
    ids=["between", "below_a_monotone_rate", "above_a_rebound"],
)
def test_lemma_verdict_places_two_over_lambda_on_the_rate_grid(threshold: float, verdict: str) -> None:
    runs = _runs({0.1: "monotone", 0.3: "rebounded", 1.0: "diverged"})
    assert pages._lemma_verdict(runs, threshold) == verdict


def test_training_verdicts_flip_with_the_runs(small_runs: dict[str, typing.Any]) -> None:
    run: experiments.TrainingRun = small_runs["training"]
    values = report_values(pages.training(run))
    # Give the network without BN the largest curvature-free threshold and every rate monotone.
    flat = dataclasses.replace(run.curvature["none"], eigenvalue=1e-3)
    monotone = tuple(dataclasses.replace(r, losses=np.geomspace(1.0, 1e-3, r.losses.size)) for r in run.runs["none"])
    flipped = report_values(
        pages.training(
            dataclasses.replace(run, curvature={**run.curvature, "none": flat}, runs={**run.runs, "none": monotone})
        )
    )
    assert values["rates_support"] != "不成立"
    assert flipped["rates_support"] == "不成立"
    assert flipped["curvature_order"].endswith("无 BN")
    assert flipped["lemma_none"].startswith("大于所试的最大学习率")


@pytest.mark.parametrize(
    ("better", "worse", "verdict"),
    [(3, 0, "成立"), (0, 2, "不成立"), (1, 1, "部分成立"), (0, 0, "无从判断")],
    ids=["holds", "fails", "partly", "undecided"],
)
def test_support_verdicts(better: int, worse: int, verdict: str) -> None:
    assert pages._support(better, worse) == verdict


def test_smoothness_verdicts_flip_with_the_measures(small_runs: dict[str, typing.Any]) -> None:
    run: experiments.SmoothnessRun = small_runs["smoothness"]
    ((rate, by_placement),) = run.traces.items()
    values = report_values(pages.smoothness(run))

    def scaled(trace: descent.Smoothness, factor: float) -> descent.Smoothness:
        return dataclasses.replace(trace, gradient_change=trace.gradient_change * factor)

    # No BN made 1000× smoother, the BN networks 1000× rougher: β_BN > 2/η everywhere.
    swapped = {p: scaled(t, 1e-3 if p == "none" else 1e3) for p, t in by_placement.items()}
    flipped = report_values(pages.smoothness(dataclasses.replace(run, traces={rate: swapped})))
    assert values["start_verdict"] == "两种 BN 网络的地形都比无 BN 的更光滑"
    assert flipped["start_verdict"] == "BN 的地形并不都更光滑"
    assert flipped["support"] == "不成立" and flipped["support_count"] == "0"
    assert flipped["start_order"].endswith("无 BN")
    assert flipped["below"].startswith("并非所有网络")
    assert flipped["large_share_before_linear"] == "0%"


def test_scientific_notation_for_the_prose() -> None:
    assert pages._scientific(2.5375e-08) == "2.5×10⁻⁸"
    assert pages._scientific(1e-6) == "10⁻⁶"
    assert pages._scientific(1.9177e-05) == "1.9×10⁻⁵"
