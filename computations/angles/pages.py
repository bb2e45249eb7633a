"""The present stage of the angle post: figures, tables and checks from each run's result.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, then the checks. Nothing here draws a random number; closed forms are evaluated only
to draw curves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D

from computations.checks import (
    FALSE_ALARM_RATE,
    TOLERANCE_SE,
    at_least,
    rounds_to,
    within_se,
    within_tolerance,
)
from computations.palette import sequence
from computations.report import Cell, Check, Figure, Report, Table, Value

from .experiments import SERIES_TERMS, ConcentrationRun, DensityRun, MomentsRun
from .theory import (
    HALF_PI,
    AngleMoments,
    CosineVariance,
    FloatArray,
    angle_cdf,
    angle_density,
    angle_variance,
    concentration_probability,
)

#: Var(θ) as printed in the article's table, keyed by n. Kept as strings so that the number
#: of printed digits, and hence the rounding tolerance, stays with the number.
ARTICLE_VARIANCES: Final[Mapping[int, str]] = {
    3: "0.467401",
    10: "0.110661",
    20: "0.0525832",
    50: "0.0204053",
    100: "0.0101007",
    200: "0.00502508",
    1000: "0.001001",
}
_K = f"{TOLERANCE_SE:g}"


# --------------------------------------------------------------------------- directives


def density(run: DensityRun) -> Report:
    """Histograms against p_n(θ); checks: mean, variance and χ² fit for every n."""
    ns = run.ns
    bins = run.edges.size - 1
    fig = MplFigure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    data: dict[str, list[Cell]] = {key: [] for key in _DENSITY_COLUMNS}
    for n, color in zip(ns, sequence(len(ns)), strict=True):
        _draw_density(ax, n=n, edges=run.edges, mc_density=run.mc_density[n], color=color)
        _append_density_rows(data, n=n, edges=run.edges, mc_density=run.mc_density[n])
    _style_density_axes(ax)
    mean_check = _mean_check(run.moments)
    variance_check = _variance_check(run.moments, exact=run.exact_variance)
    histogram_check = _histogram_check(run.p_values, bins=bins)
    figure = Figure(
        figure=fig,
        caption=(
            rf"$n$ 维空间中两个随机向量夹角 $\theta$ 的分布：实线为精确密度 $p_n(\theta) = c_n\sin^{{n-2}}\theta$，"
            f"同色细阶梯线为每个 $n$ 取 {run.samples} 对高斯向量的蒙特卡洛直方图（{bins} 个区间）。"
        ),
        alt=(
            f"横轴为夹角 θ（0 到 π），纵轴为概率密度；n = {', '.join(map(str, ns))}。"
            "每条曲线都关于 π/2 对称，n 越大越窄越高，峰值从 "
            f"{float(angle_density(HALF_PI, n=ns[0])):.2f} 升到 "
            f"{float(angle_density(HALF_PI, n=ns[-1])):.2f}"
            f"{'（n = 2 时为高 1/π 的水平线）' if ns[0] == 2 else ''}；"
            f"{'蒙特卡洛直方图贴着曲线' if histogram_check.passed else '有的蒙特卡洛直方图偏离了曲线（见自检）'}。"
        ),
        data=data,
    )
    moments_hold = mean_check.passed and variance_check.passed
    return Report(
        items=(
            figure,
            mean_check,
            variance_check,
            histogram_check,
            Value("samples", run.samples),
            Value("bins", bins),
            Value("k_se", TOLERANCE_SE, "g"),
            Value("min_p_value", min(run.p_values.values()), ".2g"),
            Value("fit_verdict", "在每个维数上都吻合" if histogram_check.passed else "并非在每个维数上都吻合"),
            Value("moments_verdict", "都在" if moments_hold else "并没有全部落在"),
        )
    )


def moments(run: MomentsRun) -> Report:
    """The article's variance table with exact, series and Monte Carlo values; checks against all.

    Values: the table's range of n, the verdicts of the checks, how far each approximation
    1/(n−2) and 1/(n−1) strays from the exact variance, and n·Var(cos θ) against 1.
    """
    table = _moments_table(run)
    checks: list[Check] = []
    in_article = [n for n in run.ns if n in ARTICLE_VARIANCES]
    if in_article:
        checks.append(_article_check({n: run.exact_variance[n] for n in in_article}, series=run.series_variance))
    series_check = _series_check(run)
    mean_check = _mean_check(run.moments)
    variance_check = _variance_check(run.moments, exact=run.exact_variance)
    cosine_check = _cosine_check(run.cosine_variance)
    checks += [series_check, mean_check, variance_check, cosine_check]
    article_holds = bool(in_article) and checks[0].passed
    n_times_cosine = [n * run.cosine_variance[n].variance for n in run.ns]
    values = (
        Value("n_min", run.ns[0]),
        Value("n_max", run.ns[-1]),
        Value("samples", run.samples),
        Value("k_se", TOLERANCE_SE, "g"),
        Value("article_verdict", "逐位复现" if article_holds else "没能逐位复现"),
        Value("series_verdict", "一致" if series_check.passed else "不一致"),
        Value("mc_verdict", "同样落在" if mean_check.passed and variance_check.passed else "并没有全部落在"),
        Value("cosine_min", min(n_times_cosine), ".3f"),
        Value("cosine_max", max(n_times_cosine), ".3f"),
        Value("cosine_verdict", "都在" if cosine_check.passed else "并没有全部落在"),
        *_approximation_values(run),
    )
    return Report(items=(table, *checks, *values))


def _moments_table(run: MomentsRun) -> Table:
    exact, estimates = run.exact_variance, run.moments
    rows = tuple(
        (
            n,
            ARTICLE_VARIANCES.get(n, "—"),
            exact[n],
            run.series_variance[n],
            estimates[n].mean,
            estimates[n].variance,
            estimates[n].variance_se,
            1.0 / (n - 2) if n > 2 else "—",
            1.0 / (n - 1),
        )
        for n in run.ns
    )
    return Table(
        caption=(
            f"夹角 $\\theta$ 的方差：文章给出的数值、数值积分与级数（前 {SERIES_TERMS} 项）两种方法得到的精确值，"
            f"每个 $n$ 取 {run.samples} 对高斯向量的蒙特卡洛估计"
            r"（方差按 $\operatorname{mean}((\theta-\pi/2)^2)$ 计算），以及两种近似。"
        ),
        columns=(
            "$n$",
            "文章中的方差",
            "精确方差（数值积分）",
            "精确方差（级数）",
            "蒙特卡洛均值",
            "蒙特卡洛方差",
            "方差的标准误",
            "$1/(n-2)$",
            "$1/(n-1)$",
        ),
        rows=rows,
    )


def _approximation_values(run: MomentsRun) -> tuple[Value, ...]:
    """Worst relative error of 1/(n−2) and of 1/(n−1) over the table's n (n ≥ 3), and which is closer."""
    ns = [n for n in run.ns if n > 2]
    if not ns:
        return ()
    exact = run.exact_variance
    error_n2 = {n: abs(1.0 / (n - 2) - exact[n]) / exact[n] for n in ns}
    error_n1 = {n: abs(1.0 / (n - 1) - exact[n]) / exact[n] for n in ns}
    worst_n1 = max(ns, key=error_n1.__getitem__)
    n1_always_closer = all(error_n1[n] < error_n2[n] for n in ns)
    return (
        Value("closer", "每一行都是 1/(n−1) 更接近" if n1_always_closer else "并不是每一行都是 1/(n−1) 更接近"),
        Value("n2_error_min", min(error_n2.values()), ".2%"),
        Value("n2_error_max", max(error_n2.values()), ".0%"),
        Value("n1_error_max", error_n1[worst_n1], ".1%"),
        Value("n1_error_worst_n", worst_n1),
        Value("n1_error_rest", max((error_n1[n] for n in ns if n != worst_n1), default=0.0), ".2%"),
    )


def concentration(run: ConcentrationRun) -> Report:
    """P(|θ − π/2| < δ) and sd(θ) over n (figure and table); checks at 4 standard errors."""
    table = Table(
        caption=(
            f"夹角落在 $90° \\pm {run.delta_degrees:g}°$ 之内的概率与夹角的标准差：精确值与每个 $n$ 取 "
            f"{run.samples} 对高斯向量的蒙特卡洛估计。"
        ),
        columns=(
            "$n$",
            "精确概率",
            "蒙特卡洛频率",
            "二项标准误",
            "精确标准差（弧度）",
            "蒙特卡洛标准差（弧度）",
            "精确标准差（度）",
        ),
        rows=tuple(
            (
                n,
                run.exact_probability[n],
                run.observed[n],
                run.binomial_se[n],
                run.exact_sd[n],
                run.moments[n].sd,
                math.degrees(run.exact_sd[n]),
            )
            for n in run.ns
        ),
    )
    per_n = [
        Value(f"{kind}_{n}", probabilities[n], ".1%")
        for n in run.ns
        for kind, probabilities in (("observed", run.observed), ("exact", run.exact_probability))
    ]
    probability_check = _probability_check(run)
    figure = _concentration_figure(run, sampled_on_curve=probability_check.passed)
    items = (figure, table, probability_check, _sd_check(run))
    return Report(items=(*items, Value("delta", run.delta_degrees, "g"), *per_n))


# --------------------------------------------------------------------------- figures

_DENSITY_COLUMNS: Final = (
    "n",
    "theta_bin_left",
    "theta_bin_right",
    "theta_bin_center",
    "mc_density",
    "exact_density_at_center",
    "exact_bin_mean_density",
)


def _draw_density(ax: Axes, *, n: int, edges: FloatArray, mc_density: FloatArray, color: str) -> None:
    ax.stairs(mc_density, edges, color=color, linewidth=0.8)  # opaque: translucent lines fade on a dark panel
    grid = np.linspace(0.0, math.pi, 721)
    ax.plot(grid, angle_density(grid, n=n), color=color, linewidth=1.6, label=f"$n={n}$")


def _style_density_axes(ax: Axes) -> None:
    ax.set_xlim(0.0, math.pi)
    ax.set_ylim(bottom=0.0)
    ax.set_xticks(
        [0.0, math.pi / 4, HALF_PI, 3 * math.pi / 4, math.pi],
        labels=[r"$0$", r"$\pi/4$", r"$\pi/2$", r"$3\pi/4$", r"$\pi$"],
    )
    ax.set_xlabel(r"夹角 $\theta$（弧度）")
    ax.set_ylabel(r"概率密度 $p_n(\theta)$")
    ax.set_title(r"$n$ 维空间中两个随机向量夹角 $\theta$ 的分布")
    by_n = ax.legend(loc="upper left", fontsize="small", title="维数")
    ax.add_artist(by_n)
    kinds = [
        Line2D([], [], color="0.3", linewidth=1.6, label="精确密度"),
        Line2D([], [], color="0.3", linewidth=0.8, drawstyle="steps-mid", label="蒙特卡洛直方图"),
    ]
    ax.legend(handles=kinds, loc="upper right", fontsize="small")


def _append_density_rows(data: dict[str, list[Cell]], *, n: int, edges: FloatArray, mc_density: FloatArray) -> None:
    left, right = edges[:-1], edges[1:]
    centers = (left + right) / 2.0
    bin_mean = np.diff(angle_cdf(edges, n=n)) / np.diff(edges)
    data["n"] += [n] * centers.size
    data["theta_bin_left"] += left.tolist()
    data["theta_bin_right"] += right.tolist()
    data["theta_bin_center"] += centers.tolist()
    data["mc_density"] += mc_density.tolist()
    data["exact_density_at_center"] += angle_density(centers, n=n).tolist()
    data["exact_bin_mean_density"] += bin_mean.tolist()


def _concentration_figure(run: ConcentrationRun, *, sampled_on_curve: bool) -> Figure:
    ns = run.ns
    data = _concentration_data(run)
    exact = [i for i, source in enumerate(data["source"]) if source == "exact"]
    first, last = exact[0], exact[-1]
    return Figure(
        figure=_draw_concentration(data, delta_degrees=run.delta_degrees),
        caption=(
            f"随维数 $n$ 增大，夹角落在 $90° \\pm {run.delta_degrees:g}°$ 内的概率趋于 1（上），"
            "夹角的标准差按约 $1/\\sqrt{n-1}$ 缩小（下，对数坐标）。"
        ),
        alt=(
            f"上图：横轴为维数 n（对数坐标，{ns[0]} 到 {ns[-1]}），纵轴为概率；精确概率从 "
            f"{data['probability'][first]:.3f} 单调升到 {data['probability'][last]:.3f}，"
            f"{'蒙特卡洛点落在曲线上' if sampled_on_curve else '有的蒙特卡洛点偏离了曲线（见自检）'}。"
            "下图：夹角标准差从 "
            f"{data['sd_degrees'][first]:.1f}° 降到 {data['sd_degrees'][last]:.2f}°，"
            "在双对数坐标中近似一条斜率为 −1/2 的直线，与 1/√(n−1) 的虚线几乎重合。"
        ),
        data=data,
    )


def _concentration_data(run: ConcentrationRun) -> dict[str, list[Cell]]:
    """Long format: exact rows on a log grid of n, then one Monte Carlo row per n."""
    ns, delta = run.ns, math.radians(run.delta_degrees)
    curve_n = np.unique(np.round(np.geomspace(ns[0], ns[-1], 80)).astype(int)).tolist()
    exact_rows = len(curve_n)
    return {
        "source": ["exact"] * exact_rows + ["monte_carlo"] * len(ns),
        "n": [*curve_n, *ns],
        "probability": [
            *(concentration_probability(n=n, delta=delta) for n in curve_n),
            *(run.observed[n] for n in ns),
        ],
        "probability_se": [0.0] * exact_rows + [run.binomial_se[n] for n in ns],
        "sd_degrees": [
            *(math.degrees(math.sqrt(angle_variance(n=n))) for n in curve_n),
            *(math.degrees(run.moments[n].sd) for n in ns),
        ],
        "sd_degrees_se": [0.0] * exact_rows + [math.degrees(run.moments[n].sd_se) for n in ns],
        "approx_sd_degrees": [math.degrees(1.0 / math.sqrt(n - 1)) for n in [*curve_n, *ns]],
    }


def _draw_concentration(data: Mapping[str, Sequence[Cell]], *, delta_degrees: float) -> MplFigure:
    def column(name: str, source: str) -> list[float]:
        return [float(v) for v, s in zip(data[name], data["source"], strict=True) if s == source]

    curve_n, mc_n = column("n", "exact"), column("n", "monte_carlo")
    fig = MplFigure(figsize=(6.4, 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    mc_style = {"fmt": "o", "color": "C1", "markersize": 4, "capsize": 2, "label": "蒙特卡洛（±2 标准误）"}

    top.plot(curve_n, column("probability", "exact"), color="C0", label="精确值")
    probability_bars = [2 * se for se in column("probability_se", "monte_carlo")]
    top.errorbar(mc_n, column("probability", "monte_carlo"), yerr=probability_bars, **mc_style)
    top.set_ylim(0.0, 1.02)
    top.set_ylabel(rf"$P(|\theta-90°|<{delta_degrees:g}°)$")
    top.set_title("夹角向 90° 集中的速度")
    top.legend(loc="upper left", fontsize="small")

    bottom.plot(curve_n, column("sd_degrees", "exact"), color="C0", label="精确值")
    approx = column("approx_sd_degrees", "exact")
    bottom.plot(curve_n, approx, color="0.4", linestyle="--", label=r"近似 $1/\sqrt{n-1}$")
    sd_bars = [2 * se for se in column("sd_degrees_se", "monte_carlo")]
    bottom.errorbar(mc_n, column("sd_degrees", "monte_carlo"), yerr=sd_bars, **mc_style)
    _log_axes_with_plain_ticks(bottom)
    bottom.set_xlabel(r"维数 $n$")
    bottom.set_ylabel("夹角的标准差（度）")
    bottom.legend(loc="upper right", fontsize="small")
    return fig


def _log_axes_with_plain_ticks(ax: Axes) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
        axis.set_minor_formatter(ticker.NullFormatter())


# --------------------------------------------------------------------------- checks


def _mean_check(estimates: Mapping[int, AngleMoments]) -> Check:
    samples = next(iter(estimates.values())).samples
    return within_se(
        f"每个 $n$ 的蒙特卡洛均值与 $\\pi/2$ 之差都在 {_K} 个标准误之内",
        {f"$n={n}$": (m.mean, HALF_PI, m.mean_se) for n, m in estimates.items()},
        note=rf"$\pi/2 = {HALF_PI:.5f}$，$\mathrm{{SE}} = \operatorname{{sd}}(\theta)/\sqrt{{N}}$，$N = {samples}$",
    )


def _variance_check(estimates: Mapping[int, AngleMoments], *, exact: Mapping[int, float]) -> Check:
    return within_se(
        f"每个 $n$ 的蒙特卡洛方差与精确方差之差都在 {_K} 个标准误之内",
        {f"$n={n}$": (m.variance, exact[n], m.variance_se) for n, m in estimates.items()},
        note=(
            r"密度关于 $\pi/2$ 对称，$\operatorname{E}\theta = \pi/2$，"
            r"故方差估计取 $\hat V = \operatorname{mean}((\theta-\pi/2)^2)$，"
            r"$\mathrm{SE} = \operatorname{sd}((\theta-\pi/2)^2)/\sqrt{N}$"
        ),
    )


def _histogram_check(p_values: Mapping[int, float], *, bins: int) -> Check:
    return at_least(
        f"每个 $n$ 的直方图都与精确密度一致（卡方拟合优度检验，水平与 {_K} 个标准误相同）",
        {f"$n={n}$": (p, FALSE_ALARM_RATE) for n, p in p_values.items()},
        note=f"{bins} 个区间，期望频数不足 5 的区间合并；$p$ 值不低于正态分布 ${_K}\\sigma$ 之外的双侧概率",
    )


def _article_check(exact: Mapping[int, float], *, series: Mapping[int, float]) -> Check:
    cases = {}
    for n, value in exact.items():
        cases[f"$n={n}$ 数值积分"] = (value, ARTICLE_VARIANCES[n])
        cases[f"$n={n}$ 级数"] = (series[n], ARTICLE_VARIANCES[n])
    return rounds_to(
        "数值积分与级数得到的方差四舍五入后都与文章表中的每个数值一致",
        cases,
        note="容差为文章所印最后一位的半个单位",
    )


def _series_check(run: MomentsRun) -> Check:
    return within_tolerance(
        "每个 $n$ 的级数与数值积分两种方法得到的方差一致",
        {f"$n={n}$": (run.series_variance[n], run.exact_variance[n], run.series_tolerance[n]) for n in run.ns},
        note=(
            rf"级数取前 {SERIES_TERMS} 项，容差为截断余项的上界 $\Gamma(n/2)\,K^{{-n/2}}/n$，"
            "加上数值积分 1e-12 的相对误差与求和的舍入误差"
        ),
    )


def _cosine_check(cosine: Mapping[int, CosineVariance]) -> Check:
    return within_se(
        f"每个 $n$ 的蒙特卡洛 $\\operatorname{{Var}}(\\cos\\theta)$ 与 $1/n$ 之差都在 {_K} 个标准误之内",
        {f"$n={n}$": (c.variance, 1.0 / n, c.variance_se) for n, c in cosine.items()},
        note=(
            r"$\operatorname{E}\cos\theta = 0$，故取 $\operatorname{mean}(\cos^2\theta)$，"
            r"$\mathrm{SE} = \operatorname{sd}(\cos^2\theta)/\sqrt{N}$；用的是与夹角同一批向量对"
        ),
    )


def _probability_check(run: ConcentrationRun) -> Check:
    return within_se(
        f"每个 $n$ 下夹角落在 $90° \\pm {run.delta_degrees:g}°$ 内的频率与精确概率之差都在 {_K} 个二项标准误之内",
        {f"$n={n}$": (run.observed[n], p, run.binomial_se[n]) for n, p in run.exact_probability.items()},
        note=r"精确概率 $I_{\sin^2\delta}(1/2, (n-1)/2)$，$\mathrm{SE} = \sqrt{p(1-p)/N}$",
    )


def _sd_check(run: ConcentrationRun) -> Check:
    return within_se(
        f"每个 $n$ 的蒙特卡洛标准差与精确标准差之差都在 {_K} 个标准误之内",
        {f"$n={n}$": (m.sd, run.exact_sd[n], m.sd_se) for n, m in run.moments.items()},
        note=r"标准差取 $\sqrt{\hat V}$，$\mathrm{SE} = \mathrm{SE}(\hat V)/(2\sqrt{\hat V})$（delta 方法）",
    )
