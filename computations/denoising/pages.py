"""The present stage of the denoising post: figures, tables and checks from each run's result.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, then the tables, then the checks. Nothing here draws a random number; the closed forms
of the mixture and the fitted energy are evaluated only to draw fields and curves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from computations.checks import TOLERANCE_SE, all_hold, at_most, within_se
from computations.palette import FAINTEST, IMAGE_BLUE, IMAGE_INK, IMAGE_RED, backdrop
from computations.report import Cell, Check, Figure, Report, Table, Value

from .energy import FourierEnergy
from .experiments import CLOUD_POINTS, FIELD_LATTICE, IdentityRun, LangevinRun, LearnedScoreRun
from .theory import (
    MIXTURE,
    VIEW_HALF_WIDTH,
    BayesRisk,
    DenoiserLoss,
    FloatArray,
    GaussianMixture,
    lattice,
    log_density,
    mode_direction,
    mode_line,
    score,
    smooth,
)

#: Largest disagreement allowed between the three routes to E[x | y]. Rounding alone gives
#: about 1e-14 here (sums of ~10⁵ positive terms, coordinates of size 10); the quadrature grid
#: is chosen so that its discretisation error is below e⁻⁸⁸ (see ``theory.quadrature_grid``).
IDENTITY_TOLERANCE: Final = 1e-10
#: The learned displacement's mean squared error may be this many times the estimation error
#: D·R*/(2N) that least squares with D parameters leaves (R* the optimal loss): as much again
#: is allowed for the approximation error of finitely many features.
LEARNED_SLACK: Final = 2.0
#: A learned mode-balance number "differs clearly" when it is off by more than this factor.
CLEAR_FACTOR: Final = 1.25
#: Displacement arrows are drawn this many times shorter than they are.
ARROW_SHRINK: Final = 2.0
#: Names of the components of ``MIXTURE`` in tables and figures.
MODE_NAMES: Final = ("小峰", "大峰")
#: The denoisers of the loss tables, by their key in the run's result.
DENOISER_NAMES: Final[Mapping[str, str]] = {
    "optimal": "最优 $r^*$",
    "wiener": "维纳滤波",
    "none": "不去噪",
    "learned": r"学到的 $y+\nabla E$",
}
#: What a field-error row compares, by its key in the run's result.
FIELD_QUANTITIES: Final[Mapping[str, str]] = {
    "shift": r"去噪位移 $\sigma^2\nabla\log p_\sigma$",
    "energy": r"能量 $E - \sigma^2\log p_\sigma$，整体减一个常数",
    "energy_per_mode": r"能量 $E - \sigma^2\log p_\sigma$，每个峰各减一个常数",
}
#: Where a field-error row compares, by its key in the run's result.
FIELD_REGIONS: Final[Mapping[str, str]] = {
    "samples": r"$p_\sigma$ 的新样本",
    "dense": r"$p_\sigma \ge$ 峰值 1% 的格点",
    "square": "整个 $[-5, 5]^2$ 的格点",
}
#: The Langevin runs in the figure and the table, by their key in the run's result.
RUN_NAMES: Final[Mapping[str, str]] = {
    "direct": r"直接从 $p_\sigma$ 抽样",
    "plain": "普通 Langevin",
    "annealed": "退火 Langevin",
}
_K = f"{TOLERANCE_SE:g}"
_EXTENT: Final = (-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH, -VIEW_HALF_WIDTH, VIEW_HALF_WIDTH)


# --------------------------------------------------------------------------- directives


def identity(run: IdentityRun) -> Report:
    """Displacement along the modes' line and the routes' gaps; agreement and loss tables; three checks; values."""
    table = Table(
        caption=(
            f"在 $[-5, 5]^2$ 的 ${run.grid}\\times{run.grid}$ 格点与两峰连线上"
            f"（共 {run.lattice_points + run.line_t.size} 个点），"
            r"数值积分与高斯条件期望算出的 $E[x\mid y]$ 各自与 $y + \sigma^2\nabla\log p_\sigma(y)$ 的最大差距"
            "（欧氏范数）；"
            r"最后一列是被比较的位移 $\|\sigma^2\nabla\log p_\sigma\|$ 本身的最大值。"
        ),
        columns=(r"$\sigma$", "积分步长", "积分点数", "数值积分之差", "条件期望之差", "最大位移"),
        rows=tuple(
            (sigma, a.step, a.nodes**2, a.quadrature_gap, a.conditioning_gap, a.largest_shift)
            for sigma, a in run.agreement.items()
        ),
    )
    return Report(
        items=(
            _identity_figure(run),
            table,
            _loss_table(run.losses, pairs=run.test_pairs),
            _identity_check(run),
            _orthogonality_check(run.losses),
            _bayes_check(run.bayes),
            *_identity_values(run),
        )
    )


def _identity_values(run: IdentityRun) -> tuple[Value, ...]:
    worst = max(max(a.quadrature_gap, a.conditioning_gap) for a in run.agreement.values())
    exponent = math.log10(max(worst, 1e-300))
    return (
        Value("mode_distance", float(np.linalg.norm(MIXTURE.means[1] - MIXTURE.means[0])), ".1f"),
        Value("gap_order", math.floor(exponent)),
        Value("gap_bound", math.ceil(exponent)),
        Value("tolerance_exponent", round(math.log10(IDENTITY_TOLERANCE))),
        Value("k_se", TOLERANCE_SE, "g"),
    )


def learned_score(run: LearnedScoreRun) -> Report:
    """Exact, learned and error fields; field-error, mode-balance and loss tables; two checks; values."""
    fields = Table(
        caption=(
            f"学到的能量模型（{run.features} 个随机傅里叶特征、{run.pairs} 对训练样本、$\\sigma = {run.sigma:g}$）"
            "与精确值的差距。相对误差 = 误差的均方根 / 精确值的均方根；"
            "能量的误差先减去使它最小的常数（整体一个，或每个峰一个）。"
        ),
        columns=("比较对象", "区域", "点数", "相对误差", "误差均方根", "精确值均方根"),
        rows=tuple(
            (FIELD_QUANTITIES[e.quantity], FIELD_REGIONS[e.region], e.points, e.relative, e.rms_error, e.rms_exact)
            for e in run.field_errors
        ),
    )
    losses = {run.sigma: run.losses}
    return Report(
        items=(
            _field_figure(run.model, sigma=run.sigma),
            fields,
            _mode_balance_table(run),
            _loss_table(losses, pairs=run.test_pairs),
            _orthogonality_check(losses),
            _learned_field_check(run),
            *_learned_values(run),
        )
    )


def _learned_values(run: LearnedScoreRun) -> tuple[Value, ...]:
    errors = {(e.quantity, e.region): e for e in run.field_errors}
    square, samples = errors["shift", "square"].relative, errors["shift", "samples"].relative
    overall, per_mode = errors["energy", "samples"].relative, errors["energy_per_mode", "samples"].relative
    balance = run.mode_balance
    share_ratio = balance.learned_share / balance.exact_share
    clear = not 1 / CLEAR_FACTOR <= share_ratio <= CLEAR_FACTOR
    return (
        Value("pairs", run.pairs),
        Value("features", run.features),
        Value("shift_samples", samples, ".0%"),
        Value("shift_dense", errors["shift", "dense"].relative, ".0%"),
        Value("shift_square", square, ".0%"),
        Value("square_verdict", "比数据所在处大得多" if square > 3 * samples else "并不比数据所在处大多少"),
        Value("energy_per_mode", per_mode, ".0%"),
        Value("energy_overall", overall, ".0%"),
        Value("energy_verdict", "大得多" if overall > 3 * per_mode else "相差不多"),
        Value("learned_gap", balance.learned_gap, ".2f"),
        Value("exact_gap", balance.exact_gap, ".2f"),
        Value("learned_share", balance.learned_share, ".3f"),
        Value("exact_share", balance.exact_share, ".3f"),
        Value("balance_verdict", "与精确值明显不同" if clear else "与精确值相差不大"),
        Value("shift_mse", errors["shift", "samples"].rms_error ** 2, ".3g"),
        Value("estimation_error", _estimation_error(run), ".3g"),
        Value("slack", LEARNED_SLACK, "g"),
    )


def _estimation_error(run: LearnedScoreRun) -> float:
    """D·R*/(2N): what least squares with D parameters leaves of mean‖∇E − σ²∇log p_σ‖².

    Each of the N pairs gives 2 observations of −ε whose variances, given y, sum to tr Cov(x | y);
    their mean is R*, the optimal loss. Least squares with D parameters on 2N observations of
    variance R*/2 leaves D·(R*/2)/(2N) per observation, twice that per pair.
    """
    return run.features * run.losses["optimal"].loss / (2 * run.pairs)


def langevin(run: LangevinRun) -> Report:
    """Sample clouds and the small mode's share along the runs; shares table; two checks; values."""
    return Report(
        items=(
            _langevin_figure(run),
            _shares_table(run),
            _share_check(r"直接从 $p_\sigma$ 抽样", run.shares["direct"], run),
            _share_check("退火 Langevin", run.shares["annealed"], run),
            *_langevin_setup_values(run),
            *_plain_values(run),
            *_annealed_values(run),
            *_spread_values(run),
        )
    )


def _langevin_setup_values(run: LangevinRun) -> tuple[Value, ...]:
    return (
        Value("chains", run.chains),
        Value("half_width", run.start_half_width, "g"),
        Value("sigma_min", run.sigma_min, "g"),
        Value("sigma_max", run.sigma_max, "g"),
        Value("levels", run.levels),
        Value("steps_per_level", run.steps_per_level),
        Value("total_steps", run.levels * run.steps_per_level),
    )


def _plain_values(run: LangevinRun) -> tuple[Value, ...]:
    plain, basin, weight = run.shares["plain"][0], float(run.basins[0]), float(run.cell_probabilities[0])
    se = _binomial_se(weight, run.chains)
    path = run.small_share["plain"]
    if plain - weight > TOLERANCE_SE * se:
        against_weight = f"远高于 {weight:.1f}"
    elif weight - plain > TOLERANCE_SE * se:
        against_weight = f"远低于 {weight:.1f}"
    else:
        against_weight = f"与 {weight:.1f} 相差不大"
    near_basin = abs(plain - basin) <= TOLERANCE_SE * _binomial_se(basin, run.chains) + 0.01
    return (
        Value("plain_small", plain, ".3f"),
        Value("basin_small", basin, ".3f"),
        Value("plain_vs_basin", "接近" if near_basin else "明显偏离"),
        Value("plain_vs_weight", against_weight),
        Value("plain_drift", max(path) - min(path), ".4f"),
        Value("plain_path", "从第一个记录点起就几乎不再变化" if max(path) - min(path) <= se else "在运行中仍在变化"),
    )


def _annealed_values(run: LangevinRun) -> tuple[Value, ...]:
    weight = float(run.cell_probabilities[0])
    single_se = _binomial_se(weight, run.chains)
    repeated = run.repeated_small_share
    bias = float(np.mean(repeated)) - weight
    mean_se = single_se / math.sqrt(len(repeated))
    if bias > 2 * mean_se:
        direction = "高出的部分超过平均值标准误的两倍，看得出向上的偏差"
    elif bias < -2 * mean_se:
        direction = "反而偏低，且超过平均值标准误的两倍"
    else:
        direction = "差别在平均值标准误的两倍之内，这么多次重复还分辨不出偏差"
    far = abs(bias) < TOLERANCE_SE * single_se / 2
    gaps = np.abs(np.subtract(run.small_share["annealed"], run.small_share["exact_at_level"]))
    return (
        Value("annealed_first", run.small_share["annealed"][0], ".3f"),
        Value("exact_first", run.small_share["exact_at_level"][0], ".3f"),
        Value("track_gap", float(gaps.max()), ".3f"),
        Value("annealed_small", run.shares["annealed"][0], ".3f"),
        Value("cell_small", weight, ".3f"),
        Value("repeats", len(repeated)),
        Value("repeat_mean", bias + weight, ".4f"),
        Value("bias", bias, "+.4f"),
        Value("mean_se", mean_se, ".4f"),
        Value("bias_direction", direction),
        Value("single_se", single_se, ".4f"),
        Value("bias_in_se", abs(bias) / single_se, ".1f"),
        Value("bias_scale", f"离自检容许的 {_K} 个标准误很远" if far else f"已不可忽略，接近自检容许的 {_K} 个标准误"),
    )


def _spread_values(run: LangevinRun) -> tuple[Value, ...]:
    spread = run.spread
    return (
        Value("spread_clean", spread["clean"], ".2f"),
        Value("spread_sampled", spread["sampled"], ".2f"),
        Value("spread_denoised", spread["denoised"], ".2f"),
        Value("spread_predicted", spread["predicted"], ".2f"),
        Value("spread_verdict", "比真实数据更集中" if spread["denoised"] < spread["clean"] else "并不比真实数据更集中"),
    )


# --------------------------------------------------------------------------- figures: identity

_IDENTITY_COLUMNS: Final = (
    "sigma",
    "t",
    "y1",
    "y2",
    "shift_tweedie",
    "shift_quadrature",
    "gap_quadrature",
    "gap_conditioning",
)


def _identity_figure(run: IdentityRun) -> Figure:
    line_t, line_points = run.line_t, run.line_points
    direction = mode_direction(MIXTURE)
    mode_t = (MIXTURE.means - line_points[0]) @ direction + line_t[0]
    fig = MplFigure(figsize=(6.4, 6.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    data: dict[str, list[Cell]] = {key: [] for key in _IDENTITY_COLUMNS}
    for index, (sigma, a) in enumerate(run.agreement.items()):
        columns = {
            "sigma": np.full(line_t.size, sigma),
            "t": line_t,
            "y1": line_points[:, 0],
            "y2": line_points[:, 1],
            "shift_tweedie": (a.line_tweedie - line_points) @ direction,
            "shift_quadrature": (a.line_quadrature - line_points) @ direction,
            "gap_quadrature": np.linalg.norm(a.line_quadrature - a.line_tweedie, axis=1),
            "gap_conditioning": np.linalg.norm(a.line_conditioning - a.line_tweedie, axis=1),
        }
        _draw_identity_line(top, bottom, columns, sigma=sigma, color=f"C{index}")
        for key, values in columns.items():
            data[key] += [float(v) for v in values]
    _style_identity_axes(top, bottom, mode_t)
    worst = max(max(a.quadrature_gap, a.conditioning_gap) for a in run.agreement.values())
    return Figure(
        figure=fig,
        caption="沿两峰连线，最优去噪器的位移（上）与三种算法之间的差距（下，对数坐标）。",
        alt=(
            "上图：横轴是沿两峰连线的位置，纵轴是去噪位移；每个 σ 一条曲线，在两峰之间穿过零点，"
            "空心圆（数值积分）全部落在曲线上；σ 越大曲线越平缓、幅度越大。下图：三种算法的差距在 "
            f"1e-17 到 1e-9 的对数坐标里，最大值 {worst:.1e}。"
        ),
        data=data,
    )


def _draw_identity_line(
    top: Axes, bottom: Axes, columns: Mapping[str, FloatArray], *, sigma: float, color: str
) -> None:
    line_t = columns["t"]
    top.plot(
        line_t,
        columns["shift_tweedie"],
        color=color,
        linewidth=1.6,
        label=rf"$\sigma={sigma:g}$：$\sigma^2\nabla\log p_\sigma$",
    )
    top.plot(line_t[::4], columns["shift_quadrature"][::4], "o", color=color, markersize=3.5, markerfacecolor="none")
    floor = 1e-17  # exact zeros drawn at the bottom of the log axis
    # Hundreds of markers per series: drawn as one image inside the SVG (axes and text stay
    # vectors), they weigh a fraction of their SVG markers.
    # Strokes thick enough that a raster pixel is covered whole: thinner, they render faint.
    dense = {"color": color, "markersize": 3.0, "markeredgewidth": 1.2, "rasterized": True}
    bottom.semilogy(line_t, np.maximum(columns["gap_quadrature"], floor), "o", **dense)
    bottom.semilogy(line_t, np.maximum(columns["gap_conditioning"], floor), "x", **dense)


def _style_identity_axes(top: Axes, bottom: Axes, mode_t: FloatArray) -> None:
    for ax in (top, bottom):
        for t in mode_t:
            ax.axvline(t, color="0.5", linewidth=0.8, linestyle="--")
    top.axhline(0.0, color="0.3", linewidth=0.6)
    top.plot([], [], "o", color="0.3", markerfacecolor="none", markersize=3.5, label="数值积分的 E[x|y] − y")
    top.set_ylabel(r"去噪位移沿两峰连线的分量")
    top.set_title(r"最优去噪器把带噪点拉向数据：$E[x|y]-y$ 与 $\sigma^2\nabla\log p_\sigma(y)$")
    top.legend(loc="upper right", fontsize="small")
    top.text(mode_t[0], top.get_ylim()[0], " 小峰 (0.2)", fontsize="small", va="bottom")
    top.text(mode_t[1], top.get_ylim()[0], " 大峰 (0.8)", fontsize="small", va="bottom")
    bottom.axhline(IDENTITY_TOLERANCE, color="C3", linewidth=1.0, linestyle="--", label="自检容差")
    bottom.plot([], [], "o", color="0.3", markersize=2.5, label=r"数值积分 vs $y+\sigma^2\nabla\log p_\sigma$")
    bottom.plot([], [], "x", color="0.3", markersize=2.5, label=r"高斯条件期望 vs $y+\sigma^2\nabla\log p_\sigma$")
    bottom.set_ylim(1e-17, 1e-9)
    bottom.set_xlabel(r"沿两峰连线的位置 $t$（两峰中点为 0）")
    bottom.set_ylabel("差距（欧氏范数）")
    bottom.legend(loc="center right", fontsize="small")


# --------------------------------------------------------------------------- figures: learned score


def _field_figure(model: FourierEnergy, *, sigma: float) -> Figure:
    smoothed = smooth(MIXTURE, sigma=sigma)
    square = lattice(FIELD_LATTICE)
    exact_log = log_density(square, mixture=smoothed)
    learned_log = model.energy(square) / sigma**2
    exact_shift = sigma**2 * score(square, mixture=smoothed)
    learned_shift = model.gradient(square)
    error = np.linalg.norm(learned_shift - exact_shift, axis=1)
    line_t, line_points = mode_line(MIXTURE, count=221)
    line_exact = log_density(line_points, mixture=smoothed)
    line_learned = model.energy(line_points) / sigma**2
    big = int(np.argmin(np.linalg.norm(line_points - MIXTURE.means[1], axis=1)))
    line_learned += line_exact[big] - line_learned[big]  # E/σ² is log p_σ up to a constant: match at the big mode
    mode_t = (MIXTURE.means - line_points[0]) @ mode_direction(MIXTURE) + line_t[0]

    # 72 dpi: the three smooth density images are embedded at the figure's dpi, and at 100 they
    # alone weighed 132 KB of the post's HTML; the figure's size in points is the same.
    fig = MplFigure(figsize=(7.4, 7.6), dpi=72, layout="constrained")
    (exact_ax, learned_ax), (error_ax, line_ax) = fig.subplots(2, 2)
    arrows = lattice(13)
    _draw_field(exact_ax, exact_log, sigma**2 * score(arrows, mixture=smoothed), arrows=arrows, color=IMAGE_INK)
    exact_ax.set_title(r"精确：$\sigma^2\nabla\log p_\sigma$，底色 $p_\sigma$")
    _draw_field(learned_ax, learned_log, model.gradient(arrows), arrows=arrows, color=IMAGE_RED)
    learned_ax.set_title(r"学到的：$\nabla E$，底色 $e^{E/\sigma^2}$")
    _draw_error(error_ax, error, exact_log)
    _draw_mode_line(line_ax, line_t, line_exact, line_learned, mode_t=mode_t)
    data: dict[str, list[Cell]] = {
        "kind": ["lattice"] * square.shape[0] + ["line"] * line_t.size,
        "y1": [*square[:, 0].tolist(), *line_points[:, 0].tolist()],
        "y2": [*square[:, 1].tolist(), *line_points[:, 1].tolist()],
        "t": [""] * square.shape[0] + line_t.tolist(),
        "log_p_sigma": [*exact_log.tolist(), *line_exact.tolist()],
        "energy_over_sigma2": [*learned_log.tolist(), *line_learned.tolist()],
    }
    lattice_only = {
        "exact_shift_1": exact_shift[:, 0],
        "exact_shift_2": exact_shift[:, 1],
        "learned_shift_1": learned_shift[:, 0],
        "learned_shift_2": learned_shift[:, 1],
        "error_norm": error,
    }
    for key, values in lattice_only.items():
        data[key] = [*values.tolist(), *[""] * line_t.size]
    near_small = np.argmin(np.abs(line_t - mode_t[0]))
    gap = float(line_learned[near_small] - line_exact[near_small])
    return Figure(
        figure=fig,
        caption=(
            f"$\\sigma = {sigma:g}$：精确的去噪位移场（左上）、学到的能量模型的位移场（右上）、两者之差（左下，"
            r"对数色标，蓝线是 $p_\sigma$ 为峰值 1%、10%、50% 的等高线），"
            r"以及沿两峰连线的 $\log p_\sigma$ 与 $E/\sigma^2$"
            f"（右下，学到的曲线平移到在大峰处重合）。底色都归一到峰值 1；箭头长度是实际位移的 1/{ARROW_SHRINK:g}。"
        ),
        alt=(
            "左上与右上：[−5, 5]² 上的箭头都指向两个峰，两幅在两峰附近几乎相同，远离数据的角落里方向开始偏离。"
            f"左下：误差在数据所在处最小，向角落增大，最大约 {error.max():.2g}。右下：两条对数密度曲线在大峰附近重合，"
            f"在小峰处学到的曲线比精确曲线高 {gap:+.2f}（负数表示低）。"
        ),
        data=data,
    )


def _draw_field(ax: Axes, log_values: FloatArray, shift: FloatArray, *, arrows: FloatArray, color: str) -> None:
    """Density e^{log_values} (lattice order, peak 1) as background, displacement arrows on top."""
    size = FIELD_LATTICE
    relative = np.exp(log_values - log_values.max()).reshape(size, size).T
    ax.imshow(
        relative, extent=_EXTENT, origin="lower", cmap=backdrop("Blues"), vmin=0.0, vmax=1.0, interpolation="bilinear"
    )
    ax.quiver(
        arrows[:, 0],
        arrows[:, 1],
        shift[:, 0],
        shift[:, 1],
        color=color,
        angles="xy",
        scale_units="xy",
        scale=ARROW_SHRINK,
        width=0.005,
        rasterized=True,  # 169 arrows as SVG paths per panel; an image inside the SVG is lighter
    )
    _square_axes(ax)


def _draw_error(ax: Axes, error: FloatArray, exact_log: FloatArray) -> None:
    size = FIELD_LATTICE
    image = ax.imshow(
        error.reshape(size, size).T,
        extent=_EXTENT,
        origin="lower",
        cmap=backdrop("magma_r"),
        interpolation="bilinear",
        norm=LogNorm(vmin=1e-3, vmax=max(1.0, float(error.max()))),
    )
    square = lattice(size)
    ax.contour(
        square[:, 0].reshape(size, size),
        square[:, 1].reshape(size, size),
        np.exp(exact_log - exact_log.max()).reshape(size, size),
        levels=[0.01, 0.1, 0.5],
        colors=IMAGE_BLUE,
        linewidths=0.8,
        rasterized=True,  # contours of a fine lattice: long SVG paths
    )
    ax.set_title(r"误差 $\|\nabla E-\sigma^2\nabla\log p_\sigma\|$")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    _square_axes(ax)


def _draw_mode_line(
    ax: Axes, line_t: FloatArray, line_exact: FloatArray, line_learned: FloatArray, *, mode_t: FloatArray
) -> None:
    ax.plot(line_t, line_exact, color="black", linewidth=1.6, label=r"$\log p_\sigma$（精确）")
    ax.plot(
        line_t, line_learned, color="C3", linewidth=1.4, linestyle="--", label=r"$E/\sigma^2$（学到的，在大峰处对齐）"
    )
    for t, name in zip(mode_t, MODE_NAMES, strict=True):
        ax.axvline(t, color="0.5", linewidth=0.8, linestyle=":")
        ax.text(t, 0.02, f" {name}", transform=ax.get_xaxis_transform(), fontsize="small")
    ax.set_ylim(max(float(line_exact.min()), float(line_exact.max()) - 12.0), float(line_exact.max()) + 1.0)
    ax.set_xlabel(r"沿两峰连线的位置 $t$")
    ax.set_ylabel("对数密度")
    ax.set_title("沿两峰连线的对数密度")
    ax.legend(loc="upper left", fontsize="small")


def _square_axes(ax: Axes) -> None:
    ax.set_aspect("equal")
    ax.set_xlim(-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH)
    ax.set_ylim(-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH)
    ax.set_xlabel(r"$y_1$")
    ax.set_ylabel(r"$y_2$")


# --------------------------------------------------------------------------- figures: Langevin


def _langevin_figure(run: LangevinRun) -> Figure:
    target = smooth(MIXTURE, sigma=run.sigma_min)
    fig = MplFigure(figsize=(9.0, 8.4), layout="constrained")
    axes = fig.subplots(2, 2)
    data: dict[str, list[Cell]] = {key: [] for key in ("kind", "x1", "x2", "step", "small_mode_share")}
    for ax, (kind, title) in zip(axes.flat, RUN_NAMES.items(), strict=False):
        points = run.clouds[kind]
        _draw_cloud(ax, points, target=target, half_width=run.start_half_width)
        ax.set_title(f"{title}：小峰占 {run.shares[kind][0]:.3f}")
        for x1, x2 in points:
            _append_row(data, kind=kind, x1=float(x1), x2=float(x2))
    steps = run.steps_per_level * np.arange(1, run.sigmas.size + 1)
    for kind, values in run.small_share.items():
        for step_count, value in zip(steps, values, strict=True):
            _append_row(data, kind=kind, step=int(step_count), small_mode_share=float(value))
    _draw_share_curves(axes[1, 1], run, steps=steps)
    final = {kind: shares[0] for kind, shares in run.shares.items()}
    return Figure(
        figure=fig,
        caption=(
            f"同一批从方框内均匀出发的链：普通 Langevin 与退火 Langevin 的终点（各画 {CLOUD_POINTS} 个点，"
            r"虚线方框是出发区域，灰线是 $p_\sigma$ 的等高线），与直接抽样对照；右下是小峰比例随步数的变化。"
        ),
        alt=(
            f"三幅散点图：直接抽样时小峰占 {final['direct']:.3f}，普通 Langevin 的终点小峰占 "
            f"{final['plain']:.3f}，退火 Langevin 占 {final['annealed']:.3f}。右下折线图：普通 Langevin 的比例"
            "从一开始就几乎不变；退火 Langevin 的比例跟着各噪声级的真实比例从高处降到 "
            f"{MIXTURE.weights[0]:g} 附近。"
        ),
        data=data,
    )


def _draw_share_curves(ax: Axes, run: LangevinRun, *, steps: npt.NDArray[np.int64]) -> None:
    curves = (
        ("plain", "普通 Langevin", "C1", "-"),
        ("annealed", "退火 Langevin", "C2", "-"),
        ("exact_at_level", r"$p_{\sigma_i}$ 下的真实比例（直接抽样）", "0.3", "--"),
    )
    for kind, label, color, style in curves:
        ax.plot(steps, run.small_share[kind], style, color=color, marker="o", markersize=3, label=label)
    ax.axhline(MIXTURE.weights[0], color="C3", linewidth=1.0, linestyle=":", label=f"权重 {MIXTURE.weights[0]:g}")
    ax.axhline(float(run.basins[0]), color="C1", linewidth=1.0, linestyle=":", label="起点方框中流向小峰的面积比例")
    ax.set_ylim(0.0, 0.8)
    ax.set_xlabel("累计步数")
    ax.set_ylabel("小峰所占比例")
    ax.set_title("运行过程中小峰所占的比例")
    ax.legend(loc="upper right", fontsize="small")
    sigmas = run.sigmas
    marks = sorted({0, sigmas.size // 3, (2 * sigmas.size) // 3, sigmas.size - 1})
    top = ax.secondary_xaxis("top")
    top.set_xticks(steps[marks], labels=[f"{sigmas[i]:.2g}" for i in marks])
    top.set_xlabel(r"退火的噪声级 $\sigma_i$", fontsize="small")


def _append_row(data: dict[str, list[Cell]], **values: Cell) -> None:
    for key, column in data.items():
        column.append(values.get(key, ""))


def _draw_cloud(ax: Axes, points: FloatArray, *, target: GaussianMixture, half_width: float) -> None:
    limit = half_width + 0.5
    axis = np.linspace(-limit, limit, 161)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    density = np.exp(log_density(np.stack([first.ravel(), second.ravel()], axis=1), mixture=target))
    levels = density.max() * np.array([0.01, 0.1, 0.4])
    # Contours of a 161 × 161 grid are long SVG paths: drawn into the image with the points.
    ax.contour(
        first, second, density.reshape(first.shape), levels=levels, colors="0.55", linewidths=0.7, rasterized=True
    )
    ax.scatter(points[:, 0], points[:, 1], s=2.0, color="C0", alpha=FAINTEST, linewidths=0.0, rasterized=True)
    start = Rectangle(
        (-half_width, -half_width),
        2 * half_width,
        2 * half_width,
        fill=False,
        linestyle="--",
        edgecolor="0.4",
        linewidth=0.8,
    )
    ax.add_patch(start)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")


# --------------------------------------------------------------------------- tables


def _loss_table(losses: Mapping[float, Mapping[str, DenoiserLoss]], *, pairs: int) -> Table:
    return Table(
        caption=(
            r"去噪自编码器损失 $\operatorname{mean}\|r(y)-x\|^2$"
            f"（每个 $\\sigma$ 取 {pairs} 对新样本）。"
            r"$r^* = y + \sigma^2\nabla\log p_\sigma$；维纳滤波是最优的仿射去噪器；“不去噪”即 $r(y) = y$。"
            r"交叉项 = 损失 − 最优损失 − $\operatorname{mean}\|r-r^*\|^2$，$r^*$ 是后验均值，它的期望恰为 0。"
        ),
        columns=(r"$\sigma$", "去噪器", "损失", r"$\operatorname{mean}\|r-r^*\|^2$", "交叉项", "交叉项 / 标准误"),
        rows=tuple(
            (sigma, DENOISER_NAMES[name], item.loss, item.distance, item.cross, item.z)
            for sigma, by_name in losses.items()
            for name, item in by_name.items()
        ),
    )


def _mode_balance_table(run: LearnedScoreRun) -> Table:
    """How high the learned log-density puts one mode relative to the other."""
    balance = run.mode_balance
    return Table(
        caption=(
            r"两个峰的相对高低：学到的能量给出的 $\log p_\sigma$ 只差一个常数，但两峰之间的落差决定了它们的相对权重。"
            r"份额按 $p_\sigma \ge$ 峰值 1% 的格点求和（小峰一侧 / 全部）。"
        ),
        columns=("量", r"由学到的 $E/\sigma^2$ 算出", r"精确值（由 $\log p_\sigma$ 算出）"),
        rows=(
            ("大峰中心与小峰中心的对数密度差", balance.learned_gap, balance.exact_gap),
            ("高密度区中小峰所占份额", balance.learned_share, balance.exact_share),
        ),
    )


def _shares_table(run: LangevinRun) -> Table:
    chains, half_width, sigma_min = run.chains, run.start_half_width, run.sigma_min
    exact = run.cell_probabilities
    return Table(
        caption=(
            f"各模式所占比例：{chains} 条链从 $[-{half_width:g}, {half_width:g}]^2$ 上均匀出发，"
            f"普通 Langevin 在 $\\sigma = {sigma_min:g}$ 上跑 {run.levels * run.steps_per_level} 步，"
            f"退火 Langevin 用 {run.levels} 个噪声级（{run.sigma_max:g} → {sigma_min:g}）"
            f"各跑 {run.steps_per_level} 步。"
            r"每个点归入 $p_\sigma$ 下责任最大的成分；“区域概率”是该区域在 $p_\sigma$"
            f"（$\\sigma = {sigma_min:g}$）下的概率，"
            r"“吸引盆”是起点方框中被无噪声梯度流带到该区域的面积比例，标准误为 $\sqrt{p(1-p)/N}$。"
        ),
        columns=("模式", "权重", "区域概率", "直接抽样", "普通 Langevin", "退火 Langevin", "吸引盆", "标准误"),
        rows=tuple(
            (
                MODE_NAMES[k],
                float(MIXTURE.weights[k]),
                float(exact[k]),
                run.shares["direct"][k],
                run.shares["plain"][k],
                run.shares["annealed"][k],
                float(run.basins[k]),
                _binomial_se(float(exact[k]), run.chains),
            )
            for k in range(MIXTURE.components)
        ),
    )


def _binomial_se(p: float, count: int) -> float:
    return math.sqrt(p * (1.0 - p) / count)


# --------------------------------------------------------------------------- checks


def _identity_check(run: IdentityRun) -> Check:
    cases = {
        f"$\\sigma={sigma:g}$：数值积分差 {a.quadrature_gap:.1e}，条件期望差 {a.conditioning_gap:.1e}": (
            max(a.quadrature_gap, a.conditioning_gap) <= IDENTITY_TOLERANCE
        )
        for sigma, a in run.agreement.items()
    }
    return all_hold(
        r"最优去噪器 $E[x\mid y]$（两种独立算法）与 $y + \sigma^2\nabla\log p_\sigma(y)$ 处处一致，差距只剩舍入误差",
        cases,
        note=(
            f"容差 {IDENTITY_TOLERANCE:.0e}：积分网格的离散误差小于 $e^{{-88}}$，截断误差小于 $e^{{-50}}$，"
            "其余是双精度舍入"
        ),
    )


def _orthogonality_check(losses: Mapping[float, Mapping[str, DenoiserLoss]]) -> Check:
    # r* against itself is left out: its cross term is 0 with standard error 0 by construction.
    return within_se(
        r"对 $r^*$ 以外的每个去噪器 $r$，损失($r$) − 损失($r^*$) 与 $\operatorname{mean}\|r - r^*\|^2$ 之差"
        f"都在 {_K} 个标准误之内（后验均值的正交性）",
        {
            f"$\\sigma={sigma:g}$ {DENOISER_NAMES[name]}": (item.cross, 0.0, item.cross_se)
            for sigma, by_name in losses.items()
            for name, item in by_name.items()
            if name != "optimal"
        },
        note=r"差值即交叉项 $2\langle r-r^*, r^*-x\rangle$ 的样本均值，期望为 0",
    )


def _bayes_check(bayes: Mapping[float, BayesRisk]) -> Check:
    return within_se(
        r"$r^*$ 的损失与后验方差的平均 $\operatorname{mean}\operatorname{tr}\operatorname{Cov}(x\mid y)$ 之差"
        f"在 {_K} 个标准误之内（后者用高斯条件化逐点另算，不经过 $r^*$）",
        {f"$\\sigma={sigma:g}$": (item.loss, item.expected, item.se) for sigma, item in bayes.items()},
        note=(
            r"同一批样本上 $\|r^*(y)-x\|^2 - \operatorname{tr}\operatorname{Cov}(x\mid y)$ 的均值，"
            r"给定 $y$ 时期望为 0；"
            r"$\mathrm{SE}$ = 其样本标准差 / $\sqrt{N}$"
        ),
    )


def _learned_field_check(run: LearnedScoreRun) -> Check:
    shift = next(e for e in run.field_errors if (e.quantity, e.region) == ("shift", "samples"))
    estimation = _estimation_error(run)
    return at_most(
        r"学到的位移 $\nabla E$ 与精确的 $\sigma^2\nabla\log p_\sigma$ 在 $p_\sigma$ 的新样本上的均方误差"
        f"不超过最小二乘估计误差的 {LEARNED_SLACK:g} 倍",
        {
            f"{shift.points} 个新样本上的 " + r"$\operatorname{mean}\|\nabla E - \sigma^2\nabla\log p_\sigma\|^2$": (
                shift.rms_error**2,
                LEARNED_SLACK * estimation,
            )
        },
        note=(
            r"估计误差 $D R^*/(2N)$ = "
            f"${run.features}\\times{run.losses['optimal'].loss:.4f}/(2\\times{run.pairs}) = {estimation:.3g}$，"
            r"$R^*$ 是最优去噪器的损失（回归目标 $-\varepsilon$ 在给定 $y$ 时的方差之和）；"
            "另一半容差留给有限个特征的逼近误差"
        ),
    )


def _share_check(label: str, shares: Sequence[float], run: LangevinRun) -> Check:
    return within_se(
        f"{label}：各模式所占比例与 $p_\\sigma$ 下的真实比例之差都在 {_K} 个二项标准误之内",
        {
            MODE_NAMES[k]: (share, float(p), _binomial_se(float(p), run.chains))
            for k, (share, p) in enumerate(zip(shares, run.cell_probabilities, strict=True))
        },
        note=f"$\\mathrm{{SE}} = \\sqrt{{p(1-p)/N}}$，$N = {run.chains}$",
    )
