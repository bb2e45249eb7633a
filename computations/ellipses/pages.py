"""The present stage of the elliptical-sheets post: figures, tables, checks and values from each run's result.

Order: constants, then one function per directive (what the reader sees), then the figure
parts, then the tables, then the checks, then the values the prose quotes. Nothing here
integrates or inverts anything: the numbers come from the result, and drawing only thins,
mirrors and meshes the stored seam. Every verdict word the prose quotes is derived from the
check that guards it, so it flips with the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.colors import LightSource
from matplotlib.figure import Figure as MplFigure
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from computations.checks import all_hold, at_least, within_tolerance
from computations.palette import CYCLE, sequence, shade
from computations.report import Cell, Check, Figure, Report, Table, Value

from .experiments import GluedPair, HeightGridEstimate, PerimeterEstimates, PerimeterRun, SeamRun, SolidRun
from .gluing import FloatArray, Seam
from .perimeters import RAMANUJAN_FIRST_LIMIT, RAMANUJAN_SECOND_LIMIT

#: Values for b = 1 computed independently for this project, before and apart from this
#: code (t-parametrisation on 2·10⁵ points), keyed by a/b: (l, X = x(l), D(l/2), V). The article itself prints none of
#: them. Strings keep the printed digits, hence the rounding tolerance, with the number.
REFERENCE_VALUES: Final[Mapping[float, tuple[str, str, str, str]]] = {
    1.0: ("1.570796", "0", "0", "0"),
    1.2: ("1.731448", "0.576874", "0.265941", "0.986702"),
    1.5: ("1.983180", "0.986712", "0.535615", "1.838366"),
    2.0: ("2.422112", "1.569757", "0.759578", "3.167464"),
    3.0: ("3.341223", "2.657293", "0.906662", "5.737269"),
    5.0: ("5.252511", "4.747271", "0.970156", "10.685298"),
    10.0: ("10.159935", "9.840043", "0.993077", "22.634546"),
}
#: More reference numbers for a = 2, b = 1 (same source): the full perimeter, the seam's
#: height y = z and its x at s = l/2.
REFERENCE_2_1: Final[Mapping[str, str]] = {"perimeter": "9.688448", "mid_height": "0.804116", "mid_x": "0.784879"}

_EPS: Final = float(np.finfo(np.float64).eps)
#: "Everyday" ellipses for the prose's claim on Ramanujan's second formula: a/b up to this.
_EVERYDAY: Final = 3.0
_REFERENCE_SOURCE: Final = r"参考值是本项目事先用离心角参数化（$2\times10^5$ 个点）另行算出的"
_REFERENCE_TOLERANCE: Final = "容差为所印末位的半个单位乘缩放因子，加上求积误差界"


# --------------------------------------------------------------------------- directives


def perimeter(run: PerimeterRun) -> Report:
    """Ramanujan's errors (figure), perimeters and the y-grid errors (tables), four checks, values."""
    quadrature = _perimeter_quadrature_check(run.estimates)
    ramanujan = _ramanujan_check(run.estimates)
    height = _height_grid_check(run.height_grid, ratio=run.height_grid_ratio)
    return Report(
        items=(
            _ramanujan_figure(run),
            _perimeter_table(run),
            _height_grid_table(run),
            quadrature,
            ramanujan,
            _perimeter_reference_check(run.perimeter_2_1),
            height,
            *_perimeter_values(run, quadrature=quadrature, ramanujan=ramanujan, height=height),
        )
    )


def seam(run: SeamRun) -> Report:
    """D(s) for every ellipse (figure), the seams and solids (table), four to seven checks, values.

    The circle check appears only if a/b = 1 was run, the a/b = 2 check only for 2, and the
    reference-table check only for other ratios that the table has; so do their values.
    """
    pairs = {pair.ratio: pair for pair in run.pairs}
    seams = {ratio: pair.seam for ratio, pair in pairs.items()}
    shape = [_nonnegative_check(seams), _zeros_check(seams), _maximum_check(seams), _end_curvature_check(seams)]
    checks, values = list(shape), _seam_values(run, shape=shape)
    if 1.0 in pairs:
        checks.append(_circle_check(seams[1.0]))
        values += [
            Value("circle_x", seams[1.0].end_x, ".0e"),
            Value(
                "circle",
                _verdict(
                    checks[-1], "不超过 D 的舍入噪声开方后所能留下的量，实际上就是", "超出了舍入噪声所能解释的量，并不"
                ),
            ),
        ]
    if 2.0 in pairs:
        checks.append(_two_by_one_check(pairs[2.0]))
        values += _two_by_one_values(pairs[2.0], checks[-1])
    others = [pair for ratio, pair in pairs.items() if ratio in REFERENCE_VALUES and ratio not in (1.0, 2.0)]
    if others:
        checks.append(_reference_table_check(others))
        values.append(Value("reference_table", _verdict(checks[-1], "也与参考表一致", "与参考表不一致")))
    return Report(items=(_discriminant_figure(seams), _seam_table(run), *checks, *values))


def solid(run: SolidRun) -> Report:
    """The bent sheet and the solid (figure), measured lengths and area (table), five checks, values."""
    glued, iso = run.pair.seam, run.isometry
    a, b = glued.a, glued.b
    checks = (
        _difference_check(run),
        _closure_check(run),
        _length_check(
            "弯曲后的长轴从尖端到中心的一半长度仍为 a（柱面弯曲不伸缩）",
            measured=(iso.axis_length, iso.axis_length_error),
            expected=a,
            x_effect=2.0 * glued.x_error,
        ),
        _length_check(
            "弯曲后一张椭圆片的面积仍为 πab",
            measured=(iso.sheet_area, iso.sheet_area_error),
            expected=math.pi * a * b,
            x_effect=8.0 * b * glued.x_error,
        ),
        _article_check(run),
    )
    return Report(items=(_solid_figure(glued), _solid_table(run), *checks, *_solid_values(run, checks)))


# --------------------------------------------------------------------------- figures


def _ramanujan_figure(run: PerimeterRun) -> Figure:
    curve = run.curve
    grid, exact, first, second = curve.a_over_b, curve.perimeter, curve.first, curve.second
    err1, err2 = 1.0 - first / exact, 1.0 - second / exact
    fig = MplFigure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    # Below ~1e-13 the differences are rounding noise of the two perimeters, not the formulas.
    floor = 1e-13
    for errors, color, name in ((err1, "C0", "拉马努金 I"), (err2, "C3", "拉马努金 II")):
        ax.loglog(grid, np.where(errors > floor, errors, np.nan), color=color, label=name)
    ax.axhline(RAMANUJAN_FIRST_LIMIT, color="C0", linestyle=":", linewidth=1.0, label="I 在 b → 0 时的极限")
    ax.axhline(RAMANUJAN_SECOND_LIMIT, color="C3", linestyle=":", linewidth=1.0, label="II 在 b → 0 时的极限")
    for row in run.estimates:
        for value, color in ((row.first, "C0"), (row.second, "C3")):
            error = 1.0 - value / row.exact
            if error > floor:
                ax.plot([row.ratio], [error], "o", color=color, markersize=4)
    ax.set_ylim(floor, 3e-2)
    ax.set_xlabel("长短轴之比 a/b（对数坐标；圆点为表中的 a/b）")
    ax.set_ylabel("相对误差 1 − 近似值/精确值")
    ax.set_title("拉马努金周长公式的相对误差")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    ax.legend(loc="lower right", fontsize="small")
    i2 = int(np.argmin(np.abs(grid - 2.0)))
    return Figure(
        figure=fig,
        caption="拉马努金两个周长近似公式的相对误差随长短轴之比的变化（b = 1，精确值为 4aE(m)）。",
        alt=(
            f"双对数坐标，横轴 a/b 从 {grid[0]:g} 到 {grid[-1]:g}，纵轴为相对误差。{_error_shape(err1, err2)}："
            f"公式 I 从 {err1[0]:.1e} 到约 {err1[-1]:.1e}（a/b = 2 时 {err1[i2]:.1e}），"
            f"公式 II 在 a/b 接近 1 时低于舍入误差，a/b = 2 时 {err2[i2]:.1e}，到约 {err2[-1]:.1e}；"
            f"{_error_sign(err1, err2)}。"
        ),
        data={
            "a_over_b": grid.tolist(),
            "perimeter": exact.tolist(),
            "ramanujan_first": first.tolist(),
            "ramanujan_second": second.tolist(),
            "relative_error_first": err1.tolist(),
            "relative_error_second": err2.tolist(),
        },
    )


def _discriminant_figure(seams: Mapping[float, Seam]) -> Figure:
    fig = MplFigure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    data: dict[str, list[Cell]] = {"a_over_b": [], "s": [], "s_over_l": [], "D": [], "x": [], "y": [], "z": []}
    for (ratio, glued), color in zip(seams.items(), sequence(len(seams)), strict=True):
        every = max(1, (glued.s.size - 1) // 400)
        u = glued.s / glued.length
        ax.plot(u, glued.discriminant, color=color, linewidth=1.6, label=f"{ratio:g}")
        ax.plot([0.5], [glued.discriminant[glued.middle]], "o", color=color, markersize=4)
        data["a_over_b"] += [ratio] * u[::every].size
        data["s"] += glued.s[::every].tolist()
        data["s_over_l"] += u[::every].tolist()
        data["D"] += glued.discriminant[::every].tolist()
        data["x"] += glued.x[::every].tolist()
        data["y"] += glued.y[::every].tolist()
        data["z"] += glued.z[::every].tolist()
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-0.03, 1.0)
    ax.set_xlabel("接缝上的弧长位置 $s/l$")
    ax.set_ylabel(r"$D(s)=1-h'(s)^2-h'(l-s)^2$")
    ax.set_title("粘合判别式 D(s)")
    fig.legend(loc="outside right center", fontsize="small", title="长短轴之比")
    ratios = list(seams)
    peaks = [float(s.discriminant[s.middle]) for s in seams.values()]
    lowest = min(float(s.discriminant.min()) for s in seams.values())
    return Figure(
        figure=fig,
        caption="不同长短轴之比的椭圆的粘合判别式 D(s)；圆点为 s = l/2 处的值。",
        alt=(
            f"横轴为 s/l（0 到 1），纵轴为 D(s)。a/b = {', '.join(f'{r:g}' for r in ratios)}。"
            f"所有曲线的最小值为 {lowest:.0e}，曲线关于 s/l = 1/2 对称；"
            f"中点值依次为 {', '.join(f'{p:.3f}' for p in peaks)}。"
            + ("a/b = 1（圆）的曲线与横轴重合。" if 1.0 in seams else "")
        ),
        data=data,
    )


def _solid_figure(glued: Seam) -> Figure:
    a, b, big_x = glued.a, glued.b, glued.end_x
    # Constrained layout clips 3-D axes' titles and labels; place them by hand.
    fig = MplFigure(figsize=(8.4, 4.4))
    fig.subplots_adjust(left=0.0, right=0.97, bottom=0.05, top=0.92, wspace=0.0)
    left = fig.add_subplot(1, 2, 1, projection="3d")
    right = fig.add_subplot(1, 2, 2, projection="3d")
    _draw_bent_sheet(left, glued)
    _draw_solid(right, glued)
    for ax, (elevation, azimuth) in ((left, (24, -58)), (right, (32, -65))):
        ax.set_xlim(0.0, big_x)
        ax.set_ylim(-1.1 * b, 1.1 * b)
        ax.set_zlim(-1.1 * b, 1.1 * b)
        ax.set_box_aspect((big_x, 2.2 * b, 2.2 * b), zoom=0.92)
        ax.view_init(elev=elevation, azim=azimuth)
        ax.xaxis.set_major_locator(ticker.MaxNLocator(4, steps=[1, 2, 5, 10]))
        for axis in (ax.yaxis, ax.zaxis):
            axis.set_major_locator(ticker.FixedLocator([-b, 0.0, b]))
        for axis, name in ((ax.xaxis, "$x$"), (ax.yaxis, "$y$"), (ax.zaxis, "$z$")):
            axis.set_label_text(name)
        ax.tick_params(labelsize="small", pad=0)
    left.set_title("一张椭圆片弯曲后的形状")
    right.set_title("两张椭圆片粘合成的立体")
    every = max(1, (glued.s.size - 1) // 400)
    return Figure(
        figure=fig,
        caption=(
            f"a = {a:g}、b = {b:g}：左为一张椭圆片弯曲后的形状（蓝、绿为接缝，红为弯曲后的长轴，直线为母线），"
            "右为两张椭圆片（蓝、橙，后者是前者绕对角轴转过 180° 所得）沿接缝（与坐标轴同色的线）粘成的封闭立体。"
        ),
        alt=(
            f"两幅三维图，x 从 0 到 X = {big_x:.3f}，y、z 从 −{b:g} 到 {b:g}。左图：一张弯成槽形的椭圆片，"
            f"两端尖点在 (0, 0, ±{b:g})，最低处是中心 ({big_x:.3f}, 0, 0)，母线平行于 y 轴；"
            f"右图：另一张母线平行于 z 轴、两端尖点在 ({big_x:.3f}, ±{b:g}, 0) 的椭圆片与之沿边缘相合，"
            f"截面是长方形，x = 0 处退化为长 {2 * b:g} 的竖直线段，x = X 处退化为水平线段。"
        ),
        data={
            "s": glued.s[::every].tolist(),
            "x": glued.x[::every].tolist(),
            "y": glued.y[::every].tolist(),
            "z": glued.z[::every].tolist(),
            "D": glued.discriminant[::every].tolist(),
        },
    )


def _plotted(glued: Seam) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The seam thinned to at most ~400 points (keeping both ends): enough for a smooth line."""
    k = np.unique(np.linspace(0, glued.s.size - 1, 401).astype(int))
    return glued.x[k], glued.y[k], glued.z[k]


def _draw_bent_sheet(ax: Axes, glued: Seam) -> None:
    x, y, z = _plotted(glued)
    for sign, color in ((1.0, "tab:blue"), (-1.0, "tab:green")):
        ax.plot(x, y, sign * z, color=color, linewidth=1.4)
        ax.plot(x, -y, sign * z, color=color, linewidth=1.4)
        ax.plot(x, np.zeros_like(x), sign * z, color="tab:red", linewidth=1.4)
        for k in np.linspace(0, x.size - 1, 13).astype(int)[1:]:
            ax.plot([x[k], x[k]], [y[k], -y[k]], [sign * z[k]] * 2, color=color, linewidth=0.6)


def _draw_solid(ax: Axes, glued: Seam) -> None:
    # Both sheets go into one collection: matplotlib orders polygons by depth only within a
    # collection, so two separate surfaces would be drawn one over the other.
    xs, ys, zs = _sheet_mesh(glued)
    first = _quads(xs, ys, zs)
    # The second sheet: the first turned half a turn about the line x = X/2, y = z.
    second = _quads(glued.end_x - xs, zs, ys)
    # shaded by hand, inside the luminance band legible on both panels (matplotlib's shading
    # darkens facets to 30 %, which vanish on a dark panel)
    light = LightSource(azdeg=300, altdeg=50).direction
    colors = shade(CYCLE[0], _lit(first, light)) + shade(CYCLE[1], _lit(second, light))
    ax.add_collection3d(
        Poly3DCollection(
            first + second,
            facecolors=colors,
            edgecolors=colors,
            linewidths=0.25,
            shade=False,
            rasterized=True,  # hundreds of shaded facets as SVG polygons weighed most of the figure
        )
    )
    x, y, z = _plotted(glued)
    for sy in (1.0, -1.0):
        for sz in (1.0, -1.0):
            ax.plot(x, sy * y, sz * z, color="0.1", linewidth=1.2)


def _lit(quads: list[FloatArray], light: FloatArray) -> FloatArray:
    """How squarely each quad faces the light, 0 to 1 (either side: the sheets have no outside)."""
    normals = np.cross(np.stack([q[2] - q[0] for q in quads]), np.stack([q[3] - q[1] for q in quads]))
    lengths = np.linalg.norm(normals, axis=1)
    return np.abs(normals @ light) / np.where(lengths > 0, lengths, 1.0)


def _quads(xs: FloatArray, ys: FloatArray, zs: FloatArray) -> list[FloatArray]:
    """The cells of a parametrised surface as 4 × 3 vertex arrays."""
    points = np.stack([xs, ys, zs], axis=-1)
    corners = [points[:-1, :-1], points[1:, :-1], points[1:, 1:], points[:-1, 1:]]
    return list(np.stack(corners, axis=-2).reshape(-1, 4, 3))


def _sheet_mesh(glued: Seam, *, along: int = 36, across: int = 5) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Upper and lower halves of the first sheet as one (2·along − 1) × across grid.

    The sheet is the cylinder over the bent axis (x(s), ±z(s)), its ruling at s running
    from y = −h(s) to h(s).
    """
    k = np.linspace(0, glued.s.size - 1, along).astype(int)
    x = np.concatenate([glued.x[k], glued.x[k[::-1]][1:]])
    z = np.concatenate([glued.z[k], -glued.z[k[::-1]][1:]])
    half = np.concatenate([glued.y[k], glued.y[k[::-1]][1:]])
    v = np.linspace(-1.0, 1.0, across)
    return np.repeat(x[:, None], across, axis=1), half[:, None] * v[None, :], np.repeat(z[:, None], across, axis=1)


# --------------------------------------------------------------------------- tables


def _perimeter_table(run: PerimeterRun) -> Table:
    return Table(
        caption=(
            "半轴为 $a$、$b = 1$ 的椭圆周长 $4aE(m)$（$m = 1 - b^2/a^2$），对离心角 $t$ 的周期梯形公式"
            f"（{run.periodic_points} 个节点）与它之差，"
            "以及拉马努金两个近似公式 I、II 的相对误差（近似值/精确值 − 1）。"
        ),
        columns=("$a/b$", "$m$", "周长 $4aE(m)$", "梯形 − $4aE(m)$", "I 相对误差", "II 相对误差"),
        rows=tuple(_perimeter_cells(e) for e in run.estimates),
    )


def _perimeter_cells(e: PerimeterEstimates) -> tuple[Cell, ...]:
    return (
        e.ratio,
        e.parameter,
        e.exact,
        e.quadrature - e.exact,
        e.first / e.exact - 1.0,
        e.second / e.exact - 1.0,
    )


def _height_grid_table(run: PerimeterRun) -> Table:
    return Table(
        caption=(
            f"对 $a = {run.height_grid_ratio:g}$、$b = 1$ 的椭圆按高度 $y$ 取 $n$ 步梯形公式"
            "求四分之一周长 $l$（原文代码的做法），"
            r"与精确值之差及其两项渐近预测 $(\zeta(\tfrac12) - \tfrac12)\,\varphi(0)\sqrt{h}"
            r" + (\zeta(-\tfrac12) - \tfrac12)\,\varphi'(0)\,h\sqrt{h}$。"
        ),
        columns=("步数 $n$", "步长 $h$", "按 $y$ 积分的 $l$", "误差 $l_h - l$", "首项预测", "两项预测", "误差 / 首项"),
        rows=tuple(
            (g.steps, g.step, g.value, g.error, g.first, g.first + g.second, g.error / g.first) for g in run.height_grid
        ),
    )


def _seam_table(run: SeamRun) -> Table:
    return Table(
        caption=(
            f"b = {run.b:g} 时各椭圆的接缝与立体：四分之一周长 l、接缝在 x 方向的总长 X = x(l)、"
            f"判别式的中点值（即最大值）与内部网格点上的最小值、立体体积 V，以及 X 的求积误差界"
            f"（每条接缝 {run.intervals} 个等弧长步）。"
        ),
        columns=("$a/b$", "$l$", "$X$", "$D(l/2)$", r"内部 $\min D$", "体积 $V$", "$X$ 误差界"),
        rows=tuple(_seam_cells(pair) for pair in run.pairs),
    )


def _seam_cells(pair: GluedPair) -> tuple[Cell, ...]:
    glued = pair.seam
    return (
        pair.ratio,
        glued.length,
        glued.end_x,
        float(glued.discriminant[glued.middle]),
        float(glued.discriminant[1:-1].min()),
        pair.volume,
        glued.x_error,
    )


def _solid_table(run: SolidRun) -> Table:
    glued, iso, fd, art = run.pair.seam, run.isometry, run.comparison, run.article
    a, b = glued.a, glued.b
    return Table(
        caption=(
            f"a = {a:g}、b = {b:g} 的两张椭圆片粘成的立体：在弯曲后的曲面上量出的长度与面积，"
            f"按原文的差分思路在 {fd.steps} 个等离心角步上另算的接缝，"
            f"以及原文代码本身的做法（高度网格，{art.steps} 步），与本帖的值对照。"
        ),
        columns=("量", "计算值", "对照值", "差"),
        rows=(
            ("弯曲后长轴（半条）的长度；对照 a", iso.axis_length, a, iso.axis_length - a),
            ("一张椭圆片的面积；对照 πab", iso.sheet_area, math.pi * a * b, iso.sheet_area - math.pi * a * b),
            ("差分构造的 l", fd.length, glued.length, fd.length - glued.length),
            ("差分构造的 X", fd.end_x, glued.end_x, fd.end_x - glued.end_x),
            ("差分构造的 V", fd.volume, run.pair.volume, fd.volume - run.pair.volume),
            ("差分构造与本帖 x(s) 的最大差", fd.gap, 0.0, fd.gap),
            ("原文做法的 l", art.length, glued.length, art.length - glued.length),
            ("原文做法的 X", art.end_x, glued.end_x, art.end_x - glued.end_x),
            ("原文做法的 V", art.volume, run.pair.volume, art.volume - run.pair.volume),
            ("原文做法的最小 dx2；对照其断言的下限 −10h", art.lowest, -10.0 * art.step, art.lowest + 10.0 * art.step),
            ("本帖：立体沿 x 的长度 X", glued.end_x, "—", "—"),
            ("本帖：立体体积 V", run.pair.volume, "—", "—"),
            ("本帖：V 的求积误差界", run.pair.volume_error, "—", "—"),
        ),
    )


# --------------------------------------------------------------------------- checks


def _perimeter_quadrature_check(estimates: Sequence[PerimeterEstimates]) -> Check:
    return within_tolerance(
        "完全椭圆积分 4aE(m) 与对离心角的周期梯形公式给出相同的周长",
        {f"$a/b={e.ratio:g}$": (e.quadrature, e.exact, e.quadrature_error + 16.0 * _EPS * e.exact) for e in estimates},
        note="容差为梯形公式节点数减半时的变化加 16ε 的舍入",
    )


def _ramanujan_check(estimates: Sequence[PerimeterEstimates]) -> Check:
    return all_hold(
        "拉马努金两个公式都不高估周长，公式 II 的误差不超过公式 I，且都不超过 b → 0 时的极限",
        dict(_ramanujan_case(e) for e in estimates),
        note=(
            f"相对误差 1 − 近似/精确；极限 I {RAMANUJAN_FIRST_LIMIT:.4e}、II {RAMANUJAN_SECOND_LIMIT:.4e}；"
            "允许 8ε 的舍入"
        ),
    )


def _ramanujan_case(e: PerimeterEstimates) -> tuple[str, bool]:
    e1, e2 = 1.0 - e.first / e.exact, 1.0 - e.second / e.exact
    slack = 8.0 * _EPS
    ok = -slack <= e2 <= e1 + slack and e1 <= RAMANUJAN_FIRST_LIMIT and e2 <= RAMANUJAN_SECOND_LIMIT
    return f"$a/b={e.ratio:g}$：I {e1:.2e}，II {e2:.2e}", ok


def _perimeter_reference_check(perimeter_2_1: float) -> Check:
    printed = REFERENCE_2_1["perimeter"]
    return within_tolerance(
        f"a = 2、b = 1 的椭圆周长与参考值 {printed} 一致",
        {"$4aE(m)$": _reference_case(perimeter_2_1, printed, 16.0 * _EPS * perimeter_2_1)},
        note=f"{_REFERENCE_SOURCE}（原文未给数值）；容差为所印末位的半个单位加 16ε 的舍入",
    )


def _height_grid_check(estimates: Sequence[HeightGridEstimate], *, ratio: float) -> Check:
    return within_tolerance(
        f"按 $y$ 积分的误差服从 $\\sqrt{{h}}$ 规律：$a/b = {ratio:g}$ 时两项渐近公式的余项小于它的第二项",
        {f"n={g.steps} 的误差 − 首项": (g.error - g.first, g.second, abs(g.second)) for g in estimates},
        note=r"误差减去首项应为第二项，容差为 |第二项|：余项应为 $O(h^2\sqrt{h})$，比第二项 $O(h\sqrt{h})$ 高一阶",
    )


def _nonnegative_check(seams: Mapping[float, Seam]) -> Check:
    count = next(iter(seams.values())).s.size
    return at_least(
        "每个椭圆的判别式 $D(s)$ 在整条接缝上都不小于 0：两张相同的椭圆片总能粘合",
        {f"$a/b={r:g}$ 的 $\\min D$": (float(glued.discriminant.min()), -glued.rounding) for r, glued in seams.items()},
        note=f"每条接缝 {count} 个等弧长点，$D$ 以 $g'(s)^2 - h'(l-s)^2$ 计算；下限为负的舍入界",
    )


def _zeros_check(seams: Mapping[float, Seam]) -> Check:
    return all_hold(
        "D(s) 只在 s = 0 与 s = l 处为 0（圆则处处为 0）",
        dict(_zeros_case(ratio, glued) for ratio, glued in seams.items()),
        note="“为 0”指不超过舍入界；内部点要求 D 大于舍入界",
    )


def _zeros_case(ratio: float, glued: Seam) -> tuple[str, bool]:
    d, tol = glued.discriminant, glued.rounding
    if glued.a == glued.b:
        largest = float(np.max(np.abs(d)))
        return f"$a/b=1$：$\\max |D|$ = {largest:.1e}", largest <= tol
    ends = max(abs(d[0]), abs(d[-1]))
    inside = float(d[1:-1].min())
    return f"$a/b={ratio:g}$：两端 |D| ≤ {ends:.1e}，内部 min D = {inside:.2e}", bool(ends <= tol and inside > tol)


def _maximum_check(seams: Mapping[float, Seam]) -> Check:
    # D(s) = D(l − s) holds by the definition of D (and on the symmetric grid by construction),
    # so only where the maximum lies is checked here.
    return all_hold(
        "D(s) 在 s = l/2 处取最大值",
        dict(_maximum_case(ratio, glued) for ratio, glued in seams.items()),
        note="在网格上比较，允许舍入界",
    )


def _maximum_case(ratio: float, glued: Seam) -> tuple[str, bool]:
    d = glued.discriminant
    top = float(d.max())
    ok = d[glued.middle] >= top - glued.rounding
    return f"$a/b={ratio:g}$：D(l/2) = {d[glued.middle]:.6f}，max D = {top:.6f}", bool(ok)


def _end_curvature_check(seams: Mapping[float, Seam]) -> Check:
    """D(s)/s² → a²/b⁴ − b²/a⁴ at s = 0 (the vertex curvatures a/b² and b/a², a closed form).

    With r_k = D(s_k)/s_k² = c + c₂s_k² + O(s⁴), Richardson's (4r₁ − r₂)/3 removes the s²
    term; the tolerance is the size |r₂ − r₁|/3 of the term removed, plus rounding of D
    divided by s².
    """
    cases = {}
    for ratio, glued in seams.items():
        a, b, d, s = glued.a, glued.b, glued.discriminant, glued.s
        first, second = d[1] / s[1] ** 2, d[2] / s[2] ** 2
        rounding = glued.rounding * (4.0 / s[1] ** 2 + 1.0 / s[2] ** 2) / 3.0
        expected = (a / b**2) ** 2 - (b / a**2) ** 2
        cases[f"$a/b={ratio:g}$"] = ((4.0 * first - second) / 3.0, expected, abs(second - first) / 3.0 + rounding)
    return within_tolerance(
        r"接缝起点附近 $D(s) \approx (a^2/b^4 - b^2/a^4)s^2$："
        r"与椭圆在长、短轴端点的曲率 $a/b^2$、$b/a^2$ 给出的闭式一致",
        cases,
        note=(
            r"由前两个网格点的 $D(s)/s^2$ 作 Richardson 外推；"
            r"容差为外推消去的 $s^2$ 项的大小加 $D$ 的舍入界除以 $s^2$"
        ),
    )


def _circle_check(glued: Seam) -> Check:
    # X = ∫√D ≤ l·√(max D) with max D within rounding.
    bound = glued.length * math.sqrt(glued.rounding)
    return within_tolerance(
        "圆（$a = b$）的两张圆片只能平贴在一起：$X = 0$",
        {"X": (glued.end_x, 0.0, bound)},
        note=r"$X = \int\sqrt{D} \le l\sqrt{\max D}$，圆的 $D$ 不超过舍入界，故容差为 $l\sqrt{\text{舍入界}}$",
    )


def _two_by_one_check(pair: GluedPair) -> Check:
    glued = pair.seam
    b, mid = glued.b, glued.middle
    ref = REFERENCE_VALUES[2.0]
    cases = {
        **_reference_cases(pair, ref),
        "接缝中点高度": _reference_case(float(glued.y[mid]), REFERENCE_2_1["mid_height"], 16.0 * _EPS, scale=b),
        "x(l/2)": _reference_case(float(glued.x[mid]), REFERENCE_2_1["mid_x"], glued.x_error, scale=b),
    }
    return within_tolerance(
        f"$a/b = 2$（$b = {b:g}$）的 $l$、$X$、$\\max D = D(l/2)$ 与 $V$ 均与参考值一致"
        f"（$b = 1$ 时依次为 {'、'.join(ref)}）",
        cases,
        note=(
            f"{_REFERENCE_SOURCE}（原文只说此例通过数值检验）；$b \\ne 1$ 时按 $b$、$b^3$ 缩放；{_REFERENCE_TOLERANCE}"
        ),
    )


def _reference_table_check(pairs: Sequence[GluedPair]) -> Check:
    cases = {
        f"$a/b={pair.ratio:g}$ 的 {name}": case
        for pair in pairs
        for name, case in _reference_cases(pair, REFERENCE_VALUES[pair.ratio]).items()
    }
    listed = "、".join(f"{pair.ratio:g}" for pair in pairs)
    return within_tolerance(
        f"$a/b$ = {listed} 的 $l$、$X$、$D(l/2)$、$V$ 与参考表一致",
        cases,
        note=f"{_REFERENCE_SOURCE}；$b \\ne 1$ 时按 $b$、$b^3$ 缩放；{_REFERENCE_TOLERANCE}",
    )


def _reference_cases(pair: GluedPair, ref: tuple[str, str, str, str]) -> dict[str, tuple[float, float, float]]:
    """l, X, D(l/2) and V of ``pair`` against a row of :data:`REFERENCE_VALUES` (for b = 1)."""
    glued = pair.seam
    b = glued.b
    return {
        "l": _reference_case(glued.length, ref[0], 16.0 * _EPS * glued.length, scale=b),
        "X": _reference_case(glued.end_x, ref[1], glued.x_error, scale=b),
        "D(l/2)": _reference_case(float(glued.discriminant[glued.middle]), ref[2], glued.rounding),
        "V": _reference_case(pair.volume, ref[3], pair.volume_error, scale=b**3),
    }


def _reference_case(value: float, printed: str, error: float, *, scale: float = 1.0) -> tuple[float, float, float]:
    """(value, printed·scale, half a unit of the last printed digit·scale + error) for :func:`within_tolerance`."""
    half_unit = 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent * scale
    return value, float(printed) * scale, half_unit + error


def _length_check(claim: str, *, measured: tuple[float, float], expected: float, x_effect: float) -> Check:
    """``measured`` = (value, its change when the step doubles); ``x_effect`` bounds what the
    quadrature error of x(s) can do to the value: a length changes by at most the total
    variation of the error of x, taken as twice its maximum, and the area by 4b times that."""
    value, change = measured
    bound = change + x_effect + 16.0 * _EPS * abs(expected)
    return within_tolerance(
        claim,
        {"折线/梯形量得": (value, expected, bound)},
        note=f"容差为步长加倍时的变化 {change:.1e}，加 x(s) 的求积误差的影响 {x_effect:.1e}，加 16ε 的舍入",
    )


def _difference_check(run: SolidRun) -> Check:
    glued, fd, volume = run.pair.seam, run.comparison, run.pair.volume
    # Linear interpolation of our x at the construction's nodes, and the construction's s
    # being off by up to its length change, add to the construction's own error.
    curve = fd.change + glued.x_error + fd.interpolation + fd.length_change
    return within_tolerance(
        "按原文的差分思路另算一遍（折线量弧长、差商求斜率、在 l − s 处插值，不用椭圆积分与牛顿法），"
        "得到同一个 l、同一条接缝与同一个体积",
        {
            "l": (fd.length, glued.length, fd.length_change + 16.0 * _EPS * glued.length),
            "X": (fd.end_x, glued.end_x, fd.end_x_change + glued.x_error),
            "V": (fd.volume, volume, fd.volume_change + run.pair.volume_error),
            r"$\max|x_{\text{差分}}(s) - x(s)|$": (fd.gap, 0.0, curve),
        },
        note=(
            f"差分构造取 {fd.steps} 个等离心角步；容差为它在步数减半时的变化（二阶方法，约为误差的三倍），"
            r"加本帖的求积误差界，曲线比较再加线性插值的误差 $\Delta^2\max|x''|/8$"
        ),
    )


def _closure_check(run: SolidRun) -> Check:
    fd = run.comparison
    bound = 3.0 * fd.change + fd.interpolation + 16.0 * _EPS * fd.end_x
    return within_tolerance(
        "第二张椭圆片（第一张经 (x, y, z) ↦ (X − x, z, y) 转过去）沿整条接缝与第一张重合："
        "差分构造的接缝满足 x(s) + x(l − s) = X",
        {"max |x(s) + x(l−s) − X|": (fd.closure, 0.0, bound)},
        note=(
            "差分构造中 l − s 一般不是网格点，对称性不是造出来的；"
            "容差为 x(s)、x(l − s)、X 各自的误差界（步数减半时的变化）之和加插值误差"
        ),
    )


def _article_check(run: SolidRun) -> Check:
    art = run.article
    return at_least(
        f"原文代码的断言成立：在它的高度网格（步长 $h$ = {art.step:.0e}）上 "
        r"$\mathtt{dx2} = 1 - h'(s)^2 - h'(l-s)^2$ 处处大于 $-10h$",
        {r"$\min \mathtt{dx2}$": (art.lowest, -10.0 * art.step)},
        note=r"原文用差商求斜率，$\mathtt{dx2}$ 含 $O(h)$ 的截断误差，故允许 $-10h$",
    )


# --------------------------------------------------------------------------- values


def _error_shape(err1: FloatArray, err2: FloatArray) -> str:
    """How the two error curves run, as the alt text says it: read from the data, not assumed."""
    rising = all(bool(np.all(np.diff(err) >= 0.0)) for err in (err1[1:], err2[err2 > 1e-14]))
    return "两条曲线都单调上升并趋于各自的虚线极限" if rising else "两条曲线并不都单调上升"


def _error_sign(err1: FloatArray, err2: FloatArray) -> str:
    """Whether formula II stays orders of magnitude better and both underestimate, from the data."""
    better = bool(np.all(err2[1:] < 0.1 * err1[1:]))
    under = bool(np.all(err1 >= 0.0) and np.all(err2 >= -1e-15))
    parts = ["公式 II 始终比公式 I 小一个数量级以上" if better else "公式 II 并不总比公式 I 小一个数量级"]
    parts.append("两个公式都低估周长" if under else "两个公式并不都低估周长")
    return "；".join(parts)


def _verdict(check: Check, held: str, failed: str) -> str:
    """The prose's wording for a check's outcome: what the post says flips with the data."""
    return held if check.passed else failed


def _perimeter_values(run: PerimeterRun, *, quadrature: Check, ramanujan: Check, height: Check) -> list[Value]:
    exact = run.curve.perimeter
    err1, err2 = 1.0 - run.curve.first / exact, 1.0 - run.curve.second / exact
    visible = err2 > 1e-13  # below that, rounding noise of the two perimeters
    monotone = bool(np.all(np.diff(err1) > 0) and np.all(np.diff(err2[visible]) > 0))
    everyday = [1.0 - e.second / e.exact for e in run.estimates if e.ratio <= _EVERYDAY]
    finest = run.height_grid[-1]
    residual = max(abs(g.error - g.first - g.second) / abs(g.error) for g in run.height_grid)
    values = [
        Value("limit_first", RAMANUJAN_FIRST_LIMIT, ".2%"),
        Value("limit_second", RAMANUJAN_SECOND_LIMIT, ".3%"),
        Value("monotone", "单调增大" if monotone else "并不单调地变化"),
        Value("quadrature", _verdict(quadrature, "一致到舍入误差", "并不一致")),
        Value(
            "ramanujan",
            _verdict(ramanujan, "都低估周长，第二个始终更准，误差都不超过压扁极限下的值", "并非都低估周长且第二个更准"),
        ),
        Value("grid_a", run.height_grid_ratio, "g"),
        Value("grid_steps", finest.steps, ","),
        Value("grid_l", finest.value, ".5f"),
        Value("exact_l", finest.value - finest.error, ".5f"),
        Value("grid_error", abs(finest.error), ".4f"),
        Value("prediction_residual", residual, ".0e"),
        Value("height", _verdict(height, "与渐近公式相符", "与渐近公式不符")),
    ]
    if everyday:
        values.append(Value("everyday_second", max(everyday), ".0e"))
    return values


def _seam_values(run: SeamRun, *, shape: Sequence[Check]) -> list[Value]:
    seams = [pair.seam for pair in run.pairs]
    lowest = min(float(glued.discriminant.min()) for glued in seams)
    middles = [float(glued.discriminant[glued.middle]) for glued in seams]
    reach = [glued.end_x / glued.a for glued in seams]
    rising = bool(np.all(np.diff(middles) > 0) and np.all(np.diff(reach) > 0))
    nonnegative, zeros, maximum, _ = shape
    return [
        Value("count", len(seams)),
        Value("ratios", "、".join(f"{pair.ratio:g}" for pair in run.pairs)),
        Value("points", run.intervals + 1),
        Value("lowest", lowest, ".0e"),
        Value("conclusion", _verdict(nonnegative, "成立", "在本次构建中没有得到验证")),
        Value("nonnegative", _verdict(nonnegative, "都不小于 0（出现的负值不超过舍入界）", "出现了超出舍入界的负值")),
        Value("zeros", _verdict(zeros, "只在两端为零（圆则处处为零）", "并非只在两端为零")),
        Value("peak", _verdict(maximum, "在中点取最大值", "并不都在中点取最大值")),
        Value("rising", "都越大" if rising else "并不都越大"),
    ]


def _two_by_one_values(pair: GluedPair, check: Check) -> list[Value]:
    glued = pair.seam
    mid = glued.middle
    return [
        Value("l_2", glued.length, ".6f"),
        Value("x_2", glued.end_x, ".6f"),
        Value("dmax_2", float(glued.discriminant[mid]), ".6f"),
        Value("volume_2", pair.volume, ".6f"),
        Value("mid_height_2", float(glued.y[mid]), ".6f"),
        Value("mid_x_2", float(glued.x[mid]), ".6f"),
        Value("reference_2", _verdict(check, "在所印的六位小数上一致", "并不一致")),
    ]


def _largest_difference(run: SolidRun) -> float:
    """The largest of the differences :func:`_difference_check` compares: l, X, V and the curve x(s)."""
    glued, fd = run.pair.seam, run.comparison
    return max(abs(fd.length - glued.length), abs(fd.end_x - glued.end_x), abs(fd.volume - run.pair.volume), fd.gap)


def _solid_values(run: SolidRun, checks: Sequence[Check]) -> list[Value]:
    glued, fd, art = run.pair.seam, run.comparison, run.article
    difference, closure, axis, area, article = checks
    return [
        Value("a", glued.a, "g"),
        Value("b", glued.b, "g"),
        Value("volume", run.pair.volume, ".6f"),
        Value("fd_steps", fd.steps),
        Value("fd_gap", _largest_difference(run), ".0e"),
        Value("fd_verdict", _verdict(difference, "都在误差界之内", "超出了误差界")),
        Value("closure", _verdict(closure, "处处重合", "并不处处重合")),
        Value("isometry", "都在误差界之内" if axis.passed and area.passed else "超出了误差界"),
        Value("article_steps", art.steps, ","),
        Value("article_l", art.length, ".6f"),
        Value("article_x", art.end_x, ".6f"),
        Value("article_lowest", art.lowest, ".1e"),
        Value("article_bound", -10.0 * art.step, ".0e"),
        Value("article_assert", _verdict(article, "通过", "不通过")),
    ]
