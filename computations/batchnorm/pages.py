"""The present stage of the batch-normalisation post: figures, tables, checks and values from each run's result.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, the tables, the checks and the values the prose quotes (``@val:``): every number and
every verdict word the post takes from a run is chosen here, so it changes with the data.
Nothing here draws a random number or trains anything; spectra, losses and probes all come
with the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Final

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from computations.checks import TOLERANCE_SE, all_hold, at_most, within_se
from computations.report import Cell, Check, Figure, Report, Table, Value

from .descent import TRAINED_FRACTION, Curvature, Outcome, Run, Smoothness
from .experiments import SAMPLED_COORDINATES, CenteringRun, SmoothnessRun, TrainingRun
from .features import CenteringRow, Spectra
from .network import FD_STEP, FD_TOLERANCE, GRADIENT_CHECK_SIZES, Placement

#: Short names for tables and checks; figure legends add the layer order.
PLACEMENT_NAMES: Final[Mapping[Placement, str]] = {
    "none": "无 BN",
    "before_activation": "BN 在激活前",
    "before_linear": "BN 在全连接前",
}
PLACEMENT_LEGENDS: Final[Mapping[Placement, str]] = {
    "none": "无 BN",
    "before_activation": "BN 在激活前（线性→BN→ReLU）",
    "before_linear": "BN 在全连接前（ReLU→BN→线性）",
}
#: How a training run ended, as the runs table and the figure's alt text say it.
VERDICTS: Final[Mapping[Outcome, str]] = {
    "diverged": "发散",
    "not_trained": "未训成",
    "monotone": "每步下降",
    "rebounded": "有反弹，仍训成",
}
#: A Lanczos pair counts as an eigenpair when ‖Hv − λv‖/|λ| is at most this. The residual
#: is recomputed with a fresh finite difference whose own error is about 1e-8.
LANCZOS_TOLERANCE: Final = 1e-4
#: Relative slack of the eigenvalue bracket: eigh is backward stable, so its eigenvalues
#: are off by a few ε_mach‖M‖ at most.
EIGH_SLACK: Final = 1e-9
#: The probe at s = η lands on the trajectory's next iterate; both losses are computed from
#: the same bits (η·1.0·g = η·g), so they agree to rounding.
PROBE_TOLERANCE: Final = 1e-12
_COLORS: Final[Mapping[Placement, str]] = {"none": "C3", "before_activation": "C0", "before_linear": "C2"}
_K = f"{TOLERANCE_SE:g}"


# --------------------------------------------------------------------------- directives


def centering(run: CenteringRun) -> Report:
    """Spectra and λ_max against the width (figure), traces and eigenvalues (tables).

    Checks: ‖μ̂‖², the trace and λ_max(Ê[xxᵀ]) within the tolerance of the exact values;
    the exact λ_max inside its Rayleigh–Weyl bracket (a check of the eigensolver only: the
    bracket holds for any symmetric matrices).
    """
    return Report(
        items=(
            _centering_figure(run.rows, spectra=run.spectra),
            _traces_table(run.rows),
            _eigenvalue_table(run.rows),
            *_centering_checks(run.rows),
            _bracket_check(run.rows),
            *_centering_values(run),
        )
    )


def training(run: TrainingRun) -> Report:
    """Loss curves per learning rate (figure), a summary and every run (tables).

    A run is "trained" when its final loss is at most 10 % of the initial loss, and
    "monotone" when, in addition, the loss went down at every step (what the descent lemma
    guarantees for η < 2/L). Checks: the hand-written gradients agree with central
    differences on a tiny network for every placement; every Lanczos pair has a small residual.
    """
    tiny = "→".join(map(str, GRADIENT_CHECK_SIZES))
    return Report(
        items=(
            _training_figure(run.runs, rates=run.learning_rates, steps=run.steps),
            _summary_table(run.runs, curvature=run.curvature, steps=run.steps),
            _runs_table(run.runs),
            _gradient_check(run.gradient_errors, what=f"在 {tiny} 的小网络上逐个坐标"),
            _lanczos_check(run.curvature),
            *_training_values(run),
        )
    )


def smoothness(run: SmoothnessRun) -> Report:
    """Gradient change and effective β-smoothness along each trajectory (figure and table).

    Checks: the gradient of each full-size network at its initial point agrees with central
    differences on randomly chosen coordinates; when the probe steps include s = η, the probe
    there lands on the trajectory's next iterate (its loss is the next recorded loss).
    """
    probe = _probe_check(run.traces)
    return Report(
        items=(
            _smoothness_figure(run.traces),
            _smoothness_table(run.traces),
            _gradient_check(run.gradient_errors, what=f"在完整网络的初始点随机抽 {SAMPLED_COORDINATES} 个坐标"),
            *([probe] if probe is not None else []),
            *_smoothness_values(run),
        )
    )


# --------------------------------------------------------------------------- figures


def _centering_figure(rows: Sequence[CenteringRow], *, spectra: Spectra) -> Figure:
    raw, centred, standardised = spectra.raw, spectra.centred, spectra.standardised
    width = raw.size
    fig = MplFigure(figsize=(9.6, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    index = np.arange(1, width + 1)
    for values, label, color in (
        (raw, r"$E[xx^\top]$（原始）", "C3"),
        (centred, r"$\Sigma$（去均值）", "C0"),
        (standardised, "相关矩阵（标准化）", "C2"),
    ):
        # One marker per eigenvalue (hundreds): an image inside the SVG, axes and text stay vectors.
        left.plot(index, values, marker="o", markersize=3.0, linewidth=1.3, color=color, label=label, rasterized=True)
    left.set_yscale("log")
    left.set_xlabel("特征值序号（从大到小）")
    left.set_ylabel("特征值")
    left.set_title(f"宽度 d = {width} 的一层 ReLU 输出的谱")
    left.legend(fontsize="small")

    ds = [r.width for r in rows]
    right.plot(ds, [r.lambda_raw for r in rows], "o-", color="C3", label=r"$\lambda_{\max}(E[xx^\top])$")
    right.plot(ds, [r.weyl_upper for r in rows], "x--", color="0.35", label=r"$\|\mu\|^2+\lambda_{\max}(\Sigma)$")
    right.errorbar(
        ds,
        [r.mc_lambda_raw for r in rows],
        yerr=[2 * r.mc_lambda_raw_se for r in rows],
        fmt="s",
        markersize=3.5,
        color="C1",
        capsize=2,
        label="蒙特卡洛（±2 标准误）",
    )
    right.plot(ds, [r.lambda_centred for r in rows], "o-", color="C0", label=r"$\lambda_{\max}(\Sigma)$（去均值）")
    right.plot(ds, [r.lambda_standardised for r in rows], "o-", color="C2", label=r"$\lambda_{\max}$（标准化）")
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xticks(ds, labels=[str(d) for d in ds])
    right.set_xlabel("层宽 d")
    right.set_ylabel(r"最大特征值 $\lambda_{\max}$")
    right.set_title("最大特征值随层宽的变化")
    right.legend(fontsize="small")
    data: dict[str, list[Cell]] = {
        "panel": ["spectrum"] * (3 * width) + ["lambda_max"] * len(rows),
        "series": ["raw"] * width + ["centred"] * width + ["standardised"] * width + ["exact_raw"] * len(rows),
        "index_or_width": [*index.tolist() * 3, *ds],
        "value": [*raw.tolist(), *centred.tolist(), *standardised.tolist(), *(r.lambda_raw for r in rows)],
        "weyl_upper": [""] * (3 * width) + [r.weyl_upper for r in rows],
        "lambda_centred": [""] * (3 * width) + [r.lambda_centred for r in rows],
        "lambda_standardised": [""] * (3 * width) + [r.lambda_standardised for r in rows],
        "monte_carlo_raw": [""] * (3 * width) + [r.mc_lambda_raw for r in rows],
    }
    first, last = rows[0], rows[-1]
    return Figure(
        figure=fig,
        caption=(
            r"ReLU 层输出的二阶矩矩阵：原始 $\mathbb{E}[xx^\top]$ 只有一个特征值远离其余（均值方向），"
            "去均值后这根尖峰消失；"
            r"右图的 $\lambda_{\max}$ 随层宽的变化，原始矩阵几乎按 $\|\mu\|^2 \propto d$ 增长。"
        ),
        alt=(
            f"左图：宽度 {width} 时三个矩阵的特征值从大到小排列（对数纵轴），原始矩阵最大特征值 {raw[0]:.1f}，"
            f"其后的特征值与去均值矩阵的特征值相近（最大 {centred[0]:.2f}），标准化后最大 {standardised[0]:.2f}。"
            f"右图：层宽从 {first.width} 到 {last.width}，"
            f"原始 λ_max 从 {first.lambda_raw:.1f} 增到 {last.lambda_raw:.1f}，"
            f"与 ‖μ‖²+λ_max(Σ) 的虚线几乎重合，去均值后只有 {first.lambda_centred:.2f} 到 {last.lambda_centred:.2f}。"
        ),
        data=data,
    )


def _training_figure(runs: Mapping[Placement, Sequence[Run]], *, rates: Sequence[float], steps: int) -> Figure:
    columns = min(2, len(rates))
    rows_count = math.ceil(len(rates) / columns)
    fig = MplFigure(figsize=(4.3 * columns + 0.4, 2.8 * rows_count + 0.7), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows_count, columns, sharex=True, sharey=True, squeeze=False)).ravel()
    data: dict[str, list[Cell]] = {"placement": [], "learning_rate": [], "step": [], "loss": []}
    for ax, (index, rate) in zip(axes, enumerate(rates), strict=False):
        for placement, placement_runs in runs.items():
            run = placement_runs[index]
            _draw_run(ax, run)
            finite = np.flatnonzero(np.isfinite(run.losses))
            data["placement"] += [placement] * finite.size
            data["learning_rate"] += [rate] * finite.size
            data["step"] += finite.tolist()
            data["loss"] += run.losses[finite].tolist()
        ax.set_yscale("log")
        ax.set_title(rf"学习率 $\eta={rate:g}$")
    for ax in axes[len(rates) :]:
        ax.set_visible(False)
    for ax in axes[::columns]:
        ax.set_ylabel("训练损失（交叉熵）")
    for ax in axes[-columns:]:
        ax.set_xlabel("梯度下降步数")
    axes[0].set_xlim(0, steps)
    handles = [ax_line for ax_line in axes[0].get_lines() if not ax_line.get_label().startswith("_")]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(runs), fontsize="small")
    return Figure(
        figure=fig,
        caption=(
            "同一数据、同一初始权重，三种网络在不同学习率下的全批量梯度下降损失曲线（对数纵轴）；"
            "× 标出因发散而停止的位置。"
        ),
        alt=_training_alt(runs, rates),
        data=data,
    )


def _draw_run(ax: Axes, run: Run) -> None:
    finite = np.flatnonzero(np.isfinite(run.losses))
    color = _COLORS[run.placement]
    ax.plot(finite, run.losses[finite], color=color, linewidth=1.1, label=PLACEMENT_LEGENDS[run.placement])
    if run.diverged:
        ax.plot(finite[-1], run.losses[finite[-1]], marker="x", color=color, markersize=7)


def _training_alt(runs: Mapping[Placement, Sequence[Run]], rates: Sequence[float]) -> str:
    parts = []
    for placement, placement_runs in runs.items():
        verdicts = "，".join(f"η={r.learning_rate:g} {VERDICTS[r.outcome]}" for r in placement_runs)
        parts.append(f"{PLACEMENT_NAMES[placement]}：{verdicts}")
    return f"{len(rates)} 个子图，每个学习率一个，横轴为步数、纵轴为对数损失。" + "；".join(parts) + "。"


def _smoothness_figure(traces: Mapping[float, Mapping[Placement, Smoothness]]) -> Figure:
    fig = MplFigure(figsize=(9.6, 3.4 * len(traces) + 0.6), layout="constrained")
    axes = fig.subplots(len(traces), 2, squeeze=False)
    data: dict[str, list[Cell]] = {
        "learning_rate": [],
        "placement": [],
        "step": [],
        "gradient_norm": [],
        "max_gradient_change": [],
        "beta_smoothness": [],
        "probe_loss_min": [],
        "probe_loss_max": [],
    }
    for (change_ax, beta_ax), (rate, by_placement) in zip(axes, traces.items(), strict=True):
        for placement, trace in by_placement.items():
            style = {"color": _COLORS[placement], "linewidth": 1.1, "label": PLACEMENT_LEGENDS[placement]}
            change = trace.gradient_change.max(axis=1)
            change_ax.plot(trace.steps, change, **style)
            beta_ax.plot(trace.steps, trace.beta, **style)
            count = trace.steps.size
            data["learning_rate"] += [rate] * count
            data["placement"] += [placement] * count
            data["step"] += trace.steps.tolist()
            data["gradient_norm"] += trace.gradient_norm.tolist()
            data["max_gradient_change"] += change.tolist()
            data["beta_smoothness"] += trace.beta.tolist()
            data["probe_loss_min"] += trace.probe_loss.min(axis=1).tolist()
            data["probe_loss_max"] += trace.probe_loss.max(axis=1).tolist()
        beta_ax.axhline(2.0 / rate, color="0.4", linestyle="--", linewidth=0.8, label=r"$2/\eta$")
        change_ax.set_yscale("log")
        _log_y_with_plain_ticks(beta_ax)
        change_ax.set_title(rf"$\eta={rate:g}$：梯度变化")
        beta_ax.set_title(rf"$\eta={rate:g}$：有效 $\beta$ 光滑度")
        change_ax.set_ylabel(r"$\max_s\|\nabla L(w)-\nabla L(w-s\nabla L)\|$")
        beta_ax.set_ylabel(r"$\beta_{\mathrm{eff}}$")
        beta_ax.legend(fontsize="small")
    for ax in axes[-1]:
        ax.set_xlabel("梯度下降步数")
    multiples = next(iter(next(iter(traces.values())).values())).multiples
    return Figure(
        figure=fig,
        caption=(
            "沿梯度下降轨迹的光滑性（Santurkar 等人的度量）：在当前点沿负梯度走 $s$ = "
            f"{'、'.join(f'{m:g}' for m in multiples)} 倍学习率，左为梯度变化的最大值，右为它除以步长后的最大值"
            r"（有效 $\beta$ 光滑度），虚线为 $2/\eta$。"
        ),
        alt=_smoothness_alt(traces),
        data=data,
    )


def _log_y_with_plain_ticks(ax: Axes) -> None:
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())


def _smoothness_alt(traces: Mapping[float, Mapping[Placement, Smoothness]]) -> str:
    parts = []
    for rate, by_placement in traces.items():
        for placement, trace in by_placement.items():
            parts.append(
                f"η={rate:g}，{PLACEMENT_NAMES[placement]}：β 第 0 步 {trace.beta[0]:.2f}，"
                f"中位数 {np.median(trace.beta):.2f}"
            )
    return "每个学习率一行两个子图，横轴为步数，纵轴为对数坐标。" + "；".join(parts) + "。"


# --------------------------------------------------------------------------- tables


def _traces_table(rows: Sequence[CenteringRow]) -> Table:
    return Table(
        caption=(
            r"随机 ReLU 层输出 $x = \operatorname{ReLU}(Wh)$ 的迹（文章的量 $|\mathbb{E}[x\otimes x]|_1$）："
            "原始、去均值、"
            r"标准化（恒等于 $d$），以及 $\|\mu\|^2$ 所占的比例（精确值，由反余弦核算出）。"
        ),
        columns=(
            "宽度 $d$",
            r"$\|\mu\|^2$",
            r"$\mathbb{E}\|x\|^2$",
            r"$\mathbb{E}\|x-\mu\|^2$",
            "标准化后",
            r"$\|\mu\|^2/\mathbb{E}\|x\|^2$",
        ),
        rows=tuple(
            (r.width, r.mean_norm2, r.second_trace, r.covariance_trace, r.width, r.mean_norm2 / r.second_trace)
            for r in rows
        ),
    )


def _eigenvalue_table(rows: Sequence[CenteringRow]) -> Table:
    return Table(
        caption=(
            r"同一批 ReLU 层的最大特征值（精确值）：原始二阶矩 $\mathbb{E}[xx^\top]$、闭式近似 "
            r"$\|\mu\|^2 + \lambda_{\max}(\Sigma)$、去均值后的 $\lambda_{\max}(\Sigma)$、标准化后的 $\lambda_{\max}$，"
            r"以及去均值使 $\lambda_{\max}$ 缩小的倍数；蒙特卡洛估计见图 1 与下方自检。"
        ),
        columns=(
            "$d$",
            r"原始 $\lambda_{\max}$",
            r"$\|\mu\|^2+\lambda_{\max}(\Sigma)$",
            r"去均值 $\lambda_{\max}$",
            r"标准化 $\lambda_{\max}$",
            "缩小倍数",
        ),
        rows=tuple(
            (
                r.width,
                r.lambda_raw,
                r.weyl_upper,
                r.lambda_centred,
                r.lambda_standardised,
                r.lambda_raw / r.lambda_centred,
            )
            for r in rows
        ),
    )


def _summary_table(
    runs: Mapping[Placement, Sequence[Run]], *, curvature: Mapping[Placement, Curvature], steps: int
) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for placement, placement_runs in runs.items():
        monotone = [r.learning_rate for r in placement_runs if r.monotone]
        trained = [r.learning_rate for r in placement_runs if r.trained]
        rows.append(
            (
                PLACEMENT_NAMES[placement],
                curvature[placement].eigenvalue,
                2.0 / curvature[placement].eigenvalue,
                max(monotone) if monotone else "—",
                max(trained) if trained else "—",
            )
        )
    return Table(
        caption=(
            f"每种放置方式的汇总（全批量梯度下降 {steps} 步）：初始点的曲率 $\\lambda_{{\\max}}(\\nabla^2 L)$ "
            "与下降引理给出的 $2/\\lambda_{\\max}$，"
            "“每步下降”（损失每一步都下降，且最终降到初值的 10% 以下）与“训成”（只要求后者）的最大学习率。"
        ),
        columns=(
            "放置方式",
            r"初始 $\lambda_{\max}(\nabla^2 L)$",
            r"$2/\lambda_{\max}$",
            r"每步下降的最大 $\eta$",
            r"训成的最大 $\eta$",
        ),
        rows=tuple(rows),
    )


def _runs_table(runs: Mapping[Placement, Sequence[Run]]) -> Table:
    rows = tuple(
        (
            PLACEMENT_NAMES[r.placement],
            r.learning_rate,
            r.initial,
            r.peak,
            r.rises,
            r.final if not r.diverged else "—",
            VERDICTS[r.outcome],
        )
        for placement_runs in runs.values()
        for r in placement_runs
    )
    return Table(
        caption="每一次训练：初始损失、过程中的最大损失、损失上升的步数、最终损失（发散则无）与判定。",
        columns=("放置方式", r"学习率 $\eta$", "初始损失", "最大损失", "损失上升的步数", "最终损失", "判定"),
        rows=rows,
    )


def _smoothness_table(traces: Mapping[float, Mapping[Placement, Smoothness]]) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for rate, by_placement in traces.items():
        for placement, trace in by_placement.items():
            change = trace.gradient_change.max(axis=1)
            beta = trace.beta
            rows.append(
                (
                    rate,
                    PLACEMENT_NAMES[placement],
                    float(change[0]),
                    float(np.median(change)),
                    float(beta[0]),
                    float(np.median(beta)),
                    float(beta.max()),
                    trace.run.final if not trace.run.diverged else "—",
                )
            )
    return Table(
        caption=(
            r"沿训练轨迹的光滑性度量：梯度变化 $\max_s\|\nabla L(w)-\nabla L(w-s\nabla L)\|$ 与有效 $\beta$ 光滑度 "
            r"$\max_s \|\nabla L(w)-\nabla L(w-s\nabla L)\|/\|s\nabla L\|$，取第 0 步的值、全部探测点的中位数与最大值，"
            "及训练的最终损失。"
        ),
        columns=(
            r"$\eta$",
            "放置方式",
            "梯度变化·起点",
            "梯度变化·中位数",
            r"$\beta$·起点",
            r"$\beta$·中位数",
            r"$\beta$·最大",
            "最终损失",
        ),
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------- checks


def _centering_checks(rows: Sequence[CenteringRow]) -> list[Check]:
    # quantity → ((estimate, its expectation, standard error) per width, how the SE was
    # obtained). ‖μ̂‖² has mean ‖μ‖² + tr Σ / N; the other two are unbiased to first order.
    quantities = {
        r"$\|\hat\mu\|^2$": (
            [(r.mc_mean_norm2, r.mc_mean_norm2_expected, r.mc_mean_norm2_se) for r in rows],
            r"期望为 $\|\mu\|^2 + \operatorname{tr}\Sigma/N$（$\hat\mu$ 的方差带来的偏差），"
            r"$\mathrm{SE} = 2\operatorname{sd}(\mu^\top x)/\sqrt{N}$（delta 方法）",
        ),
        r"迹 $\mathbb{E}\|x\|^2$": (
            [(r.mc_second_trace, r.second_trace, r.mc_second_trace_se) for r in rows],
            r"$\mathrm{SE} = \operatorname{sd}(\|x\|^2)/\sqrt{N}$",
        ),
        r"$\lambda_{\max}(\mathbb{E}[xx^\top])$": (
            [(r.mc_lambda_raw, r.lambda_raw, r.mc_lambda_raw_se) for r in rows],
            r"一阶扰动，$\mathrm{SE} = \operatorname{sd}((v^\top x)^2)/\sqrt{N}$，$v$ 为精确的最大特征向量",
        ),
    }
    return [
        within_se(
            f"每个宽度下蒙特卡洛的 {name} 与反余弦核给出的精确值之差都在 {_K} 个标准误之内",
            {f"$d={r.width}$": case for r, case in zip(rows, cases, strict=True)},
            note=f"$N = {rows[0].samples}$；{how}",
        )
        for name, (cases, how) in quantities.items()
    ]


def _bracket_check(rows: Sequence[CenteringRow]) -> Check:
    cases = {}
    for r in rows:
        slack = EIGH_SLACK * r.lambda_raw
        label = (
            f"$d={r.width}$：{r.rayleigh_lower:.4f} ≤ {r.lambda_raw:.4f} ≤ {r.weyl_upper:.4f}，"
            r"近似 $\|\mu\|^2+\lambda_{\max}(\Sigma)$ 的相对误差 "
            f"{(r.weyl_upper - r.lambda_raw) / r.lambda_raw:.2%}"
        )
        cases[label] = r.rayleigh_lower - slack <= r.lambda_raw <= r.weyl_upper + slack
    return all_hold(
        r"特征值求解器的精度：精确的 $\lambda_{\max}(\mathbb{E}[xx^\top])$ 落在 "
        r"$\|\mu\|^2 + \mu^\top\Sigma\mu/\|\mu\|^2$ 与 $\|\mu\|^2 + \lambda_{\max}(\Sigma)$ 之间"
        "（这对任何对称矩阵都成立，只检验 eigh 算出的特征值）",
        cases,
        note=(
            r"下界是 $\mu$ 方向的瑞利商，上界是 Weyl 不等式；"
            f"容许 eigh 的舍入误差 {EIGH_SLACK:g} 倍 $\\lambda_{{\\max}}$"
        ),
    )


def _gradient_check(errors: Mapping[Placement, float], *, what: str) -> Check:
    return at_most(
        f"手写反向传播的梯度与中心差分一致（{what}，相对误差 ≤ {FD_TOLERANCE:g}）",
        {PLACEMENT_NAMES[p]: (e, FD_TOLERANCE) for p, e in errors.items()},
        note=(
            f"步长 $h$ = {FD_STEP:g}，中心差分自身误差约 $h^2|f'''|/6 + \\varepsilon|f|/h \\approx 10^{{-10}}$；"
            "误差除以梯度的最大分量（小网络）或梯度范数（完整网络）"
        ),
    )


def _lanczos_check(curvature: Mapping[Placement, Curvature]) -> Check:
    return at_most(
        f"初始点的 $\\lambda_{{\\max}}(\\nabla^2 L)$ 是 Hessian 的特征值："
        f"$\\|Hv - \\lambda v\\|/|\\lambda| \\le {LANCZOS_TOLERANCE:g}$",
        {
            f"{PLACEMENT_NAMES[p]}：$\\lambda = {c.eigenvalue:.4f}$，残差": (c.residual, LANCZOS_TOLERANCE)
            for p, c in curvature.items()
        },
        note=(
            r"$Hv$ 用梯度的中心差分（$\varepsilon = 10^{-4}$）算，残差另用 $\varepsilon = 5\times 10^{-5}$ 重新算一次，"
            r"差分误差约 $10^{-8}$"
        ),
    )


def _probe_check(traces: Mapping[float, Mapping[Placement, Smoothness]]) -> Check | None:
    """The probe at s = η is the next gradient step: its loss must be the trajectory's next loss.

    Guards the bookkeeping of the smoothness measures (direction, step length, step index);
    absent when the probe steps do not include 1·η.
    """
    cases: dict[str, tuple[float, float]] = {}
    for rate, by_placement in traces.items():
        for placement, trace in by_placement.items():
            columns = np.flatnonzero(trace.multiples == 1.0)
            if columns.size == 0:
                return None
            column = int(columns[0])
            following = trace.run.losses[trace.steps + 1]
            probed = trace.probe_loss[:, column]
            finite = np.isfinite(following) & np.isfinite(probed)
            gap = np.abs(probed[finite] - following[finite]) / np.abs(following[finite])
            worst = float(gap.max()) if gap.size else math.nan
            cases[f"$\\eta={rate:g}$，{PLACEMENT_NAMES[placement]}（{int(finite.sum())} 个探测点）"] = (
                worst,
                PROBE_TOLERANCE,
            )
    return at_most(
        r"光滑性探测走在轨迹上：沿负梯度走 $s = \eta$ 的探测点就是下一步的参数，它的损失等于轨迹记录的下一步损失",
        cases,
        note="最大相对差；探测与训练各自调用损失函数，方向、步长或步序有误都会使两者不等",
    )


# --------------------------------------------------------------------------- values quoted by the prose

_SUPERSCRIPT: Final = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_CHINESE_COUNT: Final[Mapping[int, str]] = {1: "一", 2: "两", 3: "三"}


def _scientific(value: float, digits: int = 1) -> str:
    """A number for the prose in a×10ⁿ form: 2.5e-08 → "2.5×10⁻⁸", 1e-06 → "10⁻⁶"."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if float(mantissa) == 1.0 else f"{mantissa}×{power}"


def _joined(names: Sequence[str]) -> str:
    """ "无 BN", "无 BN 与 BN 在激活前", "A、B 与 C"; a space between Latin and Chinese, as in the post."""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + " 与 " + names[-1]


def _of(name: str) -> str:
    """The name with 的 attached: "无 BN 的", "BN 在激活前的"."""
    return f"{name} 的" if name[-1].isascii() else f"{name}的"


def _order(measure: Mapping[Placement, float]) -> str:
    """Placements from the largest to the smallest value: "无 BN > BN 在激活前 > …"."""
    return " > ".join(PLACEMENT_NAMES[p] for p in sorted(measure, key=lambda p: -measure[p]))


def _largest_rate(name: str, rates: Sequence[float]) -> Value:
    return Value(name, max(rates), "g") if rates else Value(name, "没有")


def _centering_values(run: CenteringRun) -> list[Value]:
    rows = run.rows
    errors = [(r.weyl_upper - r.lambda_raw) / r.lambda_raw for r in rows]
    centred = [r.lambda_centred for r in rows]
    standardised = [r.lambda_standardised for r in rows]
    variances = [r.covariance_trace / r.width for r in rows]
    ratios = [r.lambda_raw / r.lambda_centred for r in rows]
    higher = [s > c for s, c in zip(standardised, centred, strict=True)]
    return [
        Value("samples", run.samples, ","),
        Value("spectrum_width", run.spectra.raw.size),
        Value("spectrum_top", float(run.spectra.raw[0]), ".1f"),
        Value("spectrum_second", float(run.spectra.raw[1]), ".2f"),
        Value("first_width", rows[0].width),
        Value("last_width", rows[-1].width),
        Value("approx_error_first", errors[0], ".1%"),
        Value("approx_error_last", errors[-1], ".1%"),
        Value("approach", "越来越贴近" if all(b < a for a, b in pairwise(errors)) else "并不随宽度单调地贴近"),
        Value("centred_min", min(centred), ".2f"),
        Value("centred_max", max(centred), ".2f"),
        Value("standardised_min", min(standardised), ".2f"),
        Value("standardised_max", max(standardised), ".2f"),
        Value("standardising", "反而升高" if all(higher) else "进一步降低" if not any(higher) else "时升时降"),
        Value("variance_min", min(variances), ".2f"),
        Value("variance_max", max(variances), ".2f"),
        Value("variance_side", _variance_side(variances)),
        Value("centring_support", "成立" if min(ratios) > 1.0 else "不成立"),
        Value("ratio_first", ratios[0], ".0f"),
        Value("ratio_last", ratios[-1], ".0f"),
        Value("trace_share", sum(r.mean_norm2 / r.second_trace for r in rows) / len(rows), ".0%"),
        Value("k_se", TOLERANCE_SE, "g"),
    ]


def _variance_side(variances: Sequence[float]) -> str:
    if max(variances) < 1.0:
        return "都小于 1，除以标准差等于把各维放大"
    if min(variances) > 1.0:
        return "都大于 1，除以标准差等于把各维缩小"
    return "有的大于 1、有的小于 1，除以标准差对各维有放有缩"


def _training_values(run: TrainingRun) -> list[Value]:
    values = [
        Value("inputs", run.sizes[0]),
        Value("hidden", run.sizes[1]),
        Value("classes", run.sizes[-1]),
        Value("samples", run.samples),
        Value("steps", run.steps),
        Value("rate_count", len(run.learning_rates)),
        Value("trained_fraction", TRAINED_FRACTION, ".0%"),
        Value("top_rate", run.learning_rates[-1], "g"),
        Value("tiny", "→".join(map(str, GRADIENT_CHECK_SIZES))),
        Value("fd_tolerance", _scientific(FD_TOLERANCE)),
        Value("gradient_error", _scientific(max(run.gradient_errors.values()))),
        Value("lanczos_tolerance", _scientific(LANCZOS_TOLERANCE)),
        Value("lanczos_residual", _scientific(max(c.residual for c in run.curvature.values()))),
        Value("curvature_order", _order({p: c.eigenvalue for p, c in run.curvature.items()})),
    ]
    for placement, placement_runs in run.runs.items():
        threshold = 2.0 / run.curvature[placement].eigenvalue
        top = placement_runs[-1]
        values += [
            Value(f"curvature_{placement}", run.curvature[placement].eigenvalue, ".1f"),
            Value(f"threshold_{placement}", threshold, ".3f"),
            _largest_rate(f"monotone_{placement}", [r.learning_rate for r in placement_runs if r.monotone]),
            _largest_rate(f"trained_{placement}", [r.learning_rate for r in placement_runs if r.trained]),
            Value(f"lemma_{placement}", _lemma_verdict(placement_runs, threshold)),
            Value(
                f"top_{placement}",
                VERDICTS[top.outcome] + ("" if top.diverged else f"，最终损失 {_scientific(top.final)}"),
            ),
        ]
    below = [r for p, rs in run.runs.items() for r in rs if r.learning_rate < 2.0 / run.curvature[p].eigenvalue]
    values.append(Value("lemma_sufficient", "都每步下降" if all(r.monotone for r in below) else "并非都每步下降"))
    values.append(Value("lemma_order", "一致" if _same_order(run) else "不一致"))
    if set(run.runs) == set(PLACEMENT_NAMES):
        values += _placement_values(run)
    return values


def _top_outcome(run: Run) -> str:
    return VERDICTS[run.outcome] + ("" if run.diverged else f"，最终损失 {_scientific(run.final)}")


def _lemma_verdict(runs: Sequence[Run], threshold: float) -> str:
    """Where 2/λ_max falls on the grid of learning rates, against what the runs did.

    The descent lemma promises a monotone descent below 2/L (with L the curvature of the
    start only locally); it promises nothing above.
    """
    failed = [r.learning_rate for r in runs if r.learning_rate < threshold and not r.monotone]
    if failed:
        return f"但学习率 {min(failed):g} 小于它，损失却没有每步下降"
    beyond = [r.learning_rate for r in runs if r.learning_rate >= threshold and r.monotone]
    if beyond:
        return f"比每步下降的最大学习率 {max(beyond):g} 还小：学习率超过它，损失照样每步下降"
    below = [r.learning_rate for r in runs if r.learning_rate < threshold]
    above = [r.learning_rate for r in runs if r.learning_rate >= threshold]
    if below and above:
        return f"落在每步下降的最大学习率 {max(below):g} 与下一个学习率 {min(above):g} 之间"
    return "在所试学习率的范围之外" if not below else f"大于所试的最大学习率 {max(below):g}"


def _same_order(run: TrainingRun) -> bool:
    """A larger 2/λ_max never goes with a smaller largest monotone learning rate."""
    largest = {p: max([r.learning_rate for r in rs if r.monotone], default=0.0) for p, rs in run.runs.items()}
    threshold = {p: 2.0 / c.eigenvalue for p, c in run.curvature.items()}
    return all(largest[a] <= largest[b] for a in largest for b in largest if threshold[a] < threshold[b])


def _placement_values(run: TrainingRun) -> list[Value]:
    """Is BN more use before the linear layer, and does BN allow larger rates at all?"""

    def measures(placement: Placement) -> tuple[float, float, float]:
        runs = run.runs[placement]
        return (
            -run.curvature[placement].eigenvalue,
            max([r.learning_rate for r in runs if r.monotone], default=0.0),
            max([r.learning_rate for r in runs if r.trained], default=0.0),
        )

    plain, activation, linear = (measures(p) for p in PLACEMENT_NAMES)
    better = sum(a > b for a, b in zip(linear, activation, strict=True))
    worse = sum(a < b for a, b in zip(linear, activation, strict=True))
    rates_gain = [b - a for bn in (activation, linear) for a, b in zip(plain[1:], bn[1:], strict=True)]
    return [
        Value("placement_support", _support(better, worse)),
        Value("placement_better", better),
        Value("placement_worse", worse),
        Value("rates_support", _support(sum(g > 0 for g in rates_gain), sum(g < 0 for g in rates_gain))),
    ]


def _support(better: int, worse: int) -> str:
    """The verdict on a claim from how many comparisons favour it and how many go against it."""
    if better and not worse:
        return "成立"
    if worse and not better:
        return "不成立"
    return "部分成立" if better else "无从判断"


def _smoothness_values(run: SmoothnessRun) -> list[Value]:
    small, large = run.traces[run.learning_rates[0]], run.traces[run.learning_rates[-1]]
    first = next(iter(small.values()))
    values = [
        Value("small_rate", run.learning_rates[0], "g"),
        Value("large_rate", run.learning_rates[-1], "g"),
        Value("steps", first.run.losses.size - 1),
        Value("every", int(first.steps[1] - first.steps[0]) if first.steps.size > 1 else first.run.losses.size - 1),
        Value("multiples", "、".join(f"{m:g}" for m in first.multiples)),
        Value("small_runs", _trajectories(small)),
        Value("large_runs", _trajectories(large)),
        Value("start_order", _order({p: float(t.beta[0]) for p, t in small.items()})),
        Value("coordinates", SAMPLED_COORDINATES),
        Value("gradient_error", _scientific(max(run.gradient_errors.values()))),
        Value("below", _below_verdict(run.traces)),
    ]
    for name, by_placement in (("small", small), ("large", large)):
        values += _trace_values(name, by_placement)
    if "none" in small and len(small) > 1:
        values += _bn_comparison(small, large)
    return values


def _trajectories(by_placement: Mapping[Placement, Smoothness]) -> str:
    """How the probed trajectories went, e.g. "三种网络都每步下降" or "无 BN 的网络有反弹，仍训成；…"."""
    groups: dict[Outcome, list[str]] = {}
    for placement, trace in by_placement.items():
        groups.setdefault(trace.run.outcome, []).append(PLACEMENT_NAMES[placement])
    if set(groups) == {"monotone"}:
        count = len(by_placement)
        return f"{_CHINESE_COUNT.get(count, str(count))}种网络都每步下降"
    return "；".join(f"{_of(_joined(names))}网络{VERDICTS[outcome]}" for outcome, names in groups.items())


def _trace_values(name: str, by_placement: Mapping[Placement, Smoothness]) -> list[Value]:
    """Start and median of β and of the gradient change per placement, and their spread."""
    values = []
    second = [float(t.beta[1]) for t in by_placement.values() if t.beta.size > 1]
    medians = {p: float(np.median(t.beta)) for p, t in by_placement.items()}
    changes = [float(np.median(t.gradient_change.max(axis=1))) for t in by_placement.values()]
    for placement, trace in by_placement.items():
        values += [
            Value(f"{name}_beta0_{placement}", float(trace.beta[0]), ".1f"),
            Value(f"{name}_change0_{placement}", float(trace.gradient_change[0].max()), ".2g"),
            Value(f"{name}_median_{placement}", medians[placement], ".2f"),
            Value(f"{name}_change_median_{placement}", float(np.median(trace.gradient_change.max(axis=1))), ".2g"),
        ]
    start = [float(t.beta[0]) for t in by_placement.values()]
    values += [
        Value(f"{name}_spread", _spread(start, second)),
        Value(f"{name}_second_min", min(second, default=math.nan), ".2f"),
        Value(f"{name}_second_max", max(second, default=math.nan), ".2f"),
        Value(f"{name}_median_order", _order(medians)),
        Value(f"{name}_change_median_min", min(changes), ".2g"),
        Value(f"{name}_change_median_max", max(changes), ".2g"),
    ]
    return values


def _spread(start: Sequence[float], second: Sequence[float]) -> str:
    """How far apart the placements' β are at the first probe and at the next one (largest / smallest)."""
    if not second:
        return "只有起点一个探测点"
    before, after = max(start) / min(start), max(second) / min(second)
    change = "缩小" if after < before else "扩大"
    return f"最大与最小之比从起点的 {before:.1f} {change}到 {after:.2f}"


def _bn_comparison(small: Mapping[Placement, Smoothness], large: Mapping[Placement, Smoothness]) -> list[Value]:
    """Against no BN: at the start, over the small-rate and over the large-rate trajectory."""
    with_bn = [p for p in small if p != "none"]
    comparisons = (
        {p: small[p].beta[0] < small["none"].beta[0] for p in with_bn},
        {p: np.median(small[p].beta) < np.median(small["none"].beta) for p in with_bn},
        {p: np.median(large[p].beta) < np.median(large["none"].beta) for p in with_bn},
    )
    held = [all(c.values()) for c in comparisons]
    values = [
        Value("start_verdict", "两种 BN 网络的地形都比无 BN 的更光滑" if held[0] else "BN 的地形并不都更光滑"),
        Value("small_verdict", "仍是无 BN 的最高" if held[1] else "无 BN 的已不是最高"),
        Value("large_verdict", "BN 的更小" if held[2] else "BN 的并不都更小"),
        Value("support", _support(sum(held), len(held) - sum(held))),
        Value("support_count", sum(held)),
    ]
    for placement in with_bn:
        share = float(np.mean(large[placement].beta < large["none"].beta))
        values.append(Value(f"large_share_{placement}", share, ".0%"))
    return values


def _below_verdict(traces: Mapping[float, Mapping[Placement, Smoothness]]) -> str:
    """Whether the effective β stays below the descent-lemma level 2/η along every trajectory."""
    at_start = later = 0
    for rate, by_placement in traces.items():
        for trace in by_placement.values():
            over = trace.beta >= 2.0 / rate
            at_start += int(over[0])
            later += int(over[1:].sum())
    if later:
        return f"并非所有网络的 β_eff 都待在 2/η 之下：起点之后有 {later} 个探测点越过了它"
    if at_start:
        return f"除了起点（{at_start} 个探测点越过），所有网络的 β_eff 都待在 2/η 之下"
    return "所有网络的 β_eff 连同起点都待在 2/η 之下"
