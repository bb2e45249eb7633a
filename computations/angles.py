"""The angle between two random vectors in n dimensions (spaces.ac.cn/archives/7076).

Su Jianlin fixes one vector at e₁ (by isotropy) and reads the angle θ off hyperspherical
coordinates: θ ∈ [0, π] has density

    p_n(θ) = c_n sin^{n-2} θ,   c_n = Γ(n/2) / (Γ((n-1)/2) √π),

which is uniform for n = 2, has a uniform cosine for n = 3 and concentrates at π/2 as n
grows, with variance close to 1/(n-1). This module holds the closed forms (density,
distribution function, variance by quadrature and by series, concentration probability),
a Monte Carlo sampler that draws actual pairs of Gaussian vectors, and three reports that
compare the two:

* :func:`density_report` — histograms against p_n(θ);
* :func:`moments_report` — the article's variance table, recomputed;
* :func:`concentration_report` — how P(|θ - π/2| < δ) and the spread change with n.

Every Monte Carlo claim is checked at 4 standard errors, a two-sided false-alarm rate of
about 6e-5 per comparison.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Final

import annotated_types
import numpy as np
import numpy.typing as npt
from matplotlib import colormaps, ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from scipy import integrate, special

from computations.report import Cell, Check, Figure, Report, Table

FloatArray = npt.NDArray[np.float64]

Dimension = Annotated[int, annotated_types.Interval(ge=2, le=10_000)]
Dimensions = Annotated[list[Dimension], annotated_types.Len(min_length=1, max_length=12)]
SampleSize = Annotated[int, annotated_types.Interval(ge=1_000, le=200_000)]
BinCount = Annotated[int, annotated_types.Interval(ge=10, le=200)]
DeltaDegrees = Annotated[float, annotated_types.Interval(gt=0.0, lt=90.0)]

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

#: Monte Carlo estimates must lie within this many standard errors of the exact value.
SE_TOLERANCE: Final = 4.0
#: Two-sided normal tail beyond SE_TOLERANCE; used as the level of the χ² test so that all
#: checks share one false-alarm rate.
FALSE_ALARM_RATE: Final = math.erfc(SE_TOLERANCE / math.sqrt(2.0))

_HALF_PI: Final = math.pi / 2.0


# --------------------------------------------------------------------------- closed forms


def log_normalizing_constant(*, n: int) -> float:
    """ln c_n with c_n = Γ(n/2) / (Γ((n-1)/2) √π), computed with lgamma (no overflow).

    c_n makes c_n sin^{n-2} θ integrate to 1 on [0, π]; it is the surface area of the unit
    sphere in ℝ^{n-1} divided by that of the unit sphere in ℝⁿ.
    """
    _require_dimension(n)
    return math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0) - 0.5 * math.log(math.pi)


def angle_density(theta: npt.ArrayLike, *, n: int) -> FloatArray:
    """Density p_n(θ) = c_n sin^{n-2} θ of the angle between two random vectors in ℝⁿ.

    The power is taken in log space (``xlogy`` so that 0·ln 0 = 0 for n = 2), so large n
    underflows gracefully to 0 in the tails instead of overflowing in Γ.

    Args:
        theta: angles in radians, any shape; the density is 0 outside [0, π].
        n: dimension, at least 2.

    Returns:
        Array of densities with the shape of ``theta``.
    """
    theta = np.asarray(theta, dtype=np.float64)
    inside = (theta >= 0.0) & (theta <= math.pi)
    sine = np.sin(np.where(inside, theta, _HALF_PI))
    # sin(π) evaluates to 1.2e-16 but sin(0) to 0.0; clip tiny negatives from rounding.
    log_density = log_normalizing_constant(n=n) + special.xlogy(n - 2, np.maximum(sine, 0.0))
    return np.where(inside, np.exp(log_density), 0.0)


def angle_cdf(theta: npt.ArrayLike, *, n: int) -> FloatArray:
    """Distribution function P(θ ≤ t) through the regularised incomplete beta function.

    With η = cos θ, η² ~ Beta(1/2, (n-1)/2) and η is symmetric, so
    P(θ ≤ t) = ½ (1 − sign(cos t) · I_{cos² t}(½, (n−1)/2)).

    Args:
        theta: angles t in radians, any shape; clipped to [0, π].
        n: dimension, at least 2.

    Returns:
        Array of probabilities with the shape of ``theta``.
    """
    _require_dimension(n)
    cosine = np.cos(np.clip(np.asarray(theta, dtype=np.float64), 0.0, math.pi))
    tail = special.betainc(0.5, (n - 1) / 2.0, cosine**2)
    return 0.5 * (1.0 - np.sign(cosine) * tail)


def angle_variance(*, n: int) -> float:
    """Var_n(θ) = c_n ∫₀^π (θ − π/2)² sin^{n-2} θ dθ by adaptive quadrature.

    Substituting t = θ − π/2 and using symmetry gives 2 c_n ∫₀^{π/2} t² cos^{n-2} t dt.
    The integrand is evaluated in log space; breakpoints at multiples of 1/√n tell the
    integrator where the mass of a large-n integrand sits. The relative error is below
    1e-12 for 2 ≤ n ≤ 10 000 (compare :func:`angle_variance_series` and the closed forms
    π²/12, π²/4 − 2, π²/12 − 1/2 for n = 2, 3, 4).

    Args:
        n: dimension, at least 2.
    """
    log_c = log_normalizing_constant(n=n)

    def integrand(t: float) -> float:
        return 2.0 * t * t * math.exp(log_c + special.xlogy(n - 2, math.cos(t)))

    scale = 1.0 / math.sqrt(n)
    breakpoints = [k * scale for k in (1, 2, 4, 8, 16) if k * scale < _HALF_PI]
    value, _ = integrate.quad(integrand, 0.0, _HALF_PI, points=breakpoints or None, epsabs=0.0, epsrel=1e-13, limit=200)
    return value


def angle_variance_series(*, n: int, terms: int = 100_000) -> float:
    """Var_n(θ) from the series ½ Σ_{k≥1} (k−1)! / (k (n/2)_k), (a)_k the rising factorial.

    It follows from θ − π/2 = −arcsin η and η² ~ Beta(½, (n−1)/2). The k-th term behaves like
    ½ Γ(n/2) k^{−1−n/2}, so truncating after K terms leaves about Γ(n/2) K^{−n/2} / n: fast for
    n ≥ 10, hopeless for n = 2 (tail ≈ 1/(2K)). Terms are summed smallest first.

    Args:
        n: dimension, at least 2.
        terms: number of terms K.
    """
    _require_dimension(n)
    a = n / 2.0
    k = np.arange(1, terms + 1, dtype=np.float64)
    log_terms = special.gammaln(k) + special.gammaln(a) - np.log(k) - special.gammaln(a + k)
    return float(0.5 * np.exp(log_terms)[::-1].sum())


def concentration_probability(*, n: int, delta: float) -> float:
    """P(|θ − π/2| < δ) = I_{sin² δ}(½, (n−1)/2), the regularised incomplete beta function.

    |θ − π/2| < δ is |cos θ| < sin δ, i.e. η² < sin² δ with η² ~ Beta(½, (n−1)/2).

    Args:
        n: dimension, at least 2.
        delta: half-width δ in radians, 0 ≤ δ ≤ π/2.
    """
    _require_dimension(n)
    if not 0.0 <= delta <= _HALF_PI:
        raise ValueError(f"delta must lie in [0, π/2], got {delta!r}")
    return float(special.betainc(0.5, (n - 1) / 2.0, math.sin(delta) ** 2))


# --------------------------------------------------------------------------- Monte Carlo


def sample_cosines(*, n: int, samples: int, rng: np.random.Generator, max_chunk_elements: int = 1 << 20) -> FloatArray:
    """Cosines of the angles between ``samples`` independent pairs x, y ~ N(0, I_n).

    Both vectors of every pair are drawn (no shortcut through e₁ or the Beta law). Normals
    are generated in blocks of shape (rows, 2, n) with rows·2n ≤ ``max_chunk_elements`` to
    bound memory; since a block is filled in C order, the result does not depend on the
    block size.

    Args:
        n: dimension, at least 2.
        samples: number of pairs.
        rng: the only source of randomness.
        max_chunk_elements: upper bound on the normals held in memory at once (one row of
            2n is always allowed).

    Returns:
        Array of shape (samples,), values in [−1, 1].
    """
    _require_dimension(n)
    rows_per_chunk = max(1, max_chunk_elements // (2 * n))
    cosines = np.empty(samples, dtype=np.float64)
    for start in range(0, samples, rows_per_chunk):
        stop = min(start + rows_per_chunk, samples)
        pairs = rng.standard_normal((stop - start, 2, n))
        x, y = pairs[:, 0, :], pairs[:, 1, :]
        dot = np.einsum("ij,ij->i", x, y)
        norms = np.sqrt(np.einsum("ij,ij->i", x, x) * np.einsum("ij,ij->i", y, y))
        cosines[start:stop] = dot / norms
    return np.clip(cosines, -1.0, 1.0)


def sample_angles(*, n: int, samples: int, rng: np.random.Generator, max_chunk_elements: int = 1 << 20) -> FloatArray:
    """Angles θ = arccos(x·y / (‖x‖‖y‖)) ∈ [0, π] of Gaussian pairs; see :func:`sample_cosines`."""
    return np.arccos(sample_cosines(n=n, samples=samples, rng=rng, max_chunk_elements=max_chunk_elements))


@dataclass(frozen=True)
class AngleMoments:
    """Monte Carlo mean and variance of θ with their standard errors.

    Attributes:
        samples: N, the number of angles.
        mean: sample mean of θ.
        mean_se: sd(θ)/√N.
        variance: V̂ = mean((θ − π/2)²). E θ = π/2 exactly (the density is symmetric about
            π/2), so V̂ is an unbiased mean of N independent terms.
        variance_se: sd((θ − π/2)²)/√N, the standard error of that mean.
    """

    samples: int
    mean: float
    mean_se: float
    variance: float
    variance_se: float

    @property
    def sd(self) -> float:
        """√V̂, the Monte Carlo standard deviation of θ."""
        return math.sqrt(self.variance)

    @property
    def sd_se(self) -> float:
        """Delta-method standard error of √V̂: SE(V̂) / (2√V̂)."""
        return self.variance_se / (2.0 * self.sd)


def estimate_moments(theta: FloatArray) -> AngleMoments:
    """Mean and variance of sampled angles with standard errors; see :class:`AngleMoments`.

    Args:
        theta: one-dimensional array of at least two angles.
    """
    count = theta.size
    squared = (theta - _HALF_PI) ** 2
    root_n = math.sqrt(count)
    return AngleMoments(
        samples=count,
        mean=float(theta.mean()),
        mean_se=float(theta.std(ddof=1)) / root_n,
        variance=float(squared.mean()),
        variance_se=float(squared.std(ddof=1)) / root_n,
    )


def histogram_p_value(theta: FloatArray, *, n: int, edges: FloatArray) -> float:
    """χ² goodness-of-fit p-value of the histogram of ``theta`` against p_n.

    Expected counts come from :func:`angle_cdf`. Bins expecting fewer than 5 angles are
    pooled into one cell (kept if its expectation is positive), so the χ² approximation
    holds; degrees of freedom = cells − 1.

    Args:
        theta: sampled angles.
        n: dimension of the reference density.
        edges: increasing bin edges covering [0, π].
    """
    observed, _ = np.histogram(theta, bins=edges)
    expected = theta.size * np.diff(angle_cdf(edges, n=n))
    large = expected >= 5.0
    obs_cells = list(observed[large].astype(np.float64))
    exp_cells = list(expected[large])
    if expected[~large].sum() > 0.0:
        obs_cells.append(float(observed[~large].sum()))
        exp_cells.append(float(expected[~large].sum()))
    if len(exp_cells) < 2:
        return 1.0
    obs, exp = np.asarray(obs_cells), np.asarray(exp_cells)
    statistic = float(((obs - exp) ** 2 / exp).sum())
    return float(special.chdtrc(len(exp_cells) - 1, statistic))


# --------------------------------------------------------------------------- reports


def density_report(
    *,
    dims: Dimensions = [2, 3, 5, 10, 20, 50, 100],  # noqa: B006 (never mutated; YAML list)
    samples: SampleSize = 20_000,
    bins: BinCount = 60,
    rng: np.random.Generator,
) -> Report:
    """Monte Carlo histograms of θ against the closed-form density p_n(θ).

    For each n, draws ``samples`` pairs of N(0, I_n) vectors, and overlays the histogram of
    their angles on p_n(θ) = c_n sin^{n-2} θ (the article's figure "p(θ)的图像"). Checks, each
    over all n: the mean is within 4 SE of π/2, the variance within 4 SE of the exact one, and
    the histogram passes a χ² goodness-of-fit test at the matching level (about 6e-5).

    Args:
        dims: dimensions n to draw (duplicates dropped, sorted), each 2 to 10 000.
        samples: pairs of vectors per dimension. Sampling costs about 0.25 s per 10⁷
            pairs × dimensions on the build machine (n = 1000 with 20 000 pairs: 0.45 s).
        bins: histogram bins on [0, π].
        rng: the only source of randomness.

    Returns:
        Report of one figure (data: one row per n and bin) and three checks.
    """
    ns = _distinct(dims)
    edges = np.linspace(0.0, math.pi, bins + 1)
    fig = MplFigure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    data: dict[str, list[Cell]] = {
        key: []
        for key in (
            "n",
            "theta_bin_left",
            "theta_bin_right",
            "theta_bin_center",
            "mc_density",
            "exact_density_at_center",
            "exact_bin_mean_density",
        )
    }
    moments: dict[int, AngleMoments] = {}
    p_values: dict[int, float] = {}
    for n, color in zip(ns, _colors(len(ns)), strict=True):
        theta = sample_angles(n=n, samples=samples, rng=rng)
        moments[n] = estimate_moments(theta)
        p_values[n] = histogram_p_value(theta, n=n, edges=edges)
        mc_density, _ = np.histogram(theta, bins=edges, density=True)
        _draw_density(ax, n=n, edges=edges, mc_density=mc_density, color=color)
        _append_density_rows(data, n=n, edges=edges, mc_density=mc_density)
    _style_density_axes(ax)
    figure = Figure(
        figure=fig,
        caption=(
            f"n 维空间中两个随机向量夹角 θ 的分布：实线为精确密度 p_n(θ) = c_n sin^(n−2) θ，"
            f"同色细阶梯线为每个 n 取 {samples} 对高斯向量的蒙特卡洛直方图（{bins} 个区间）。"
        ),
        alt=(
            f"横轴为夹角 θ（0 到 π），纵轴为概率密度；n = {', '.join(map(str, ns))}。"
            "每条曲线都关于 π/2 对称，n 越大越窄越高，峰值从 "
            f"{float(angle_density(_HALF_PI, n=ns[0])):.2f} 升到 "
            f"{float(angle_density(_HALF_PI, n=ns[-1])):.2f}"
            f"{'（n = 2 时为高 1/π 的水平线）' if ns[0] == 2 else ''}；蒙特卡洛直方图贴着曲线。"
        ),
        data=data,
    )
    return Report(
        items=(
            figure,
            _mean_check(moments),
            _variance_check(moments),
            _histogram_check(p_values, bins=bins),
        )
    )


def moments_report(
    *,
    dims: Dimensions = [3, 10, 20, 50, 100, 200, 1000],  # noqa: B006 (never mutated; YAML list)
    samples: SampleSize = 20_000,
    rng: np.random.Generator,
) -> Report:
    """The article's variance table, recomputed exactly and by Monte Carlo.

    Columns: n, the article's printed variance ("—" where the article has none), the exact
    variance by quadrature, the Monte Carlo mean and variance with its standard error, and
    the approximations 1/(n−2) (the article's Laplace approximation) and 1/(n−1). Checks: the
    exact variance rounds to every printed article value (within half a unit of the last
    printed digit), the Monte Carlo mean within 4 SE of π/2, the variance within 4 SE.

    Args:
        dims: dimensions n, one table row each (duplicates dropped, sorted), 2 to 10 000.
        samples: pairs of vectors per dimension. Sampling costs about 0.25 s per 10⁷
            pairs × dimensions on the build machine (n = 1000 with 20 000 pairs: 0.45 s).
        rng: the only source of randomness.

    Returns:
        Report of one table and two or three checks (the article check only if some n of
        ``dims`` appears in the article's table).
    """
    ns = _distinct(dims)
    exact = {n: angle_variance(n=n) for n in ns}
    moments = {n: estimate_moments(sample_angles(n=n, samples=samples, rng=rng)) for n in ns}
    rows = tuple(
        (
            n,
            ARTICLE_VARIANCES.get(n, "—"),
            exact[n],
            moments[n].mean,
            moments[n].variance,
            moments[n].variance_se,
            1.0 / (n - 2) if n > 2 else "—",
            1.0 / (n - 1),
        )
        for n in ns
    )
    table = Table(
        caption=(
            f"夹角 θ 的方差：文章给出的数值、数值积分得到的精确值，与每个 n 取 {samples} 对"
            "高斯向量的蒙特卡洛估计（方差按 mean((θ−π/2)²) 计算），以及两种近似。"
        ),
        columns=(
            "n",
            "文章中的方差",
            "精确方差（数值积分）",
            "蒙特卡洛均值",
            "蒙特卡洛方差",
            "方差的标准误",
            "1/(n−2)",
            "1/(n−1)",
        ),
        rows=rows,
    )
    checks: list[Check] = []
    in_article = [n for n in ns if n in ARTICLE_VARIANCES]
    if in_article:
        checks.append(_article_check({n: exact[n] for n in in_article}))
    checks += [_mean_check(moments), _variance_check(moments)]
    return Report(items=(table, *checks))


def concentration_report(
    *,
    dims: Dimensions = [2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],  # noqa: B006 (never mutated)
    delta_degrees: DeltaDegrees = 5.0,
    samples: SampleSize = 20_000,
    rng: np.random.Generator,
) -> Report:
    """How fast the angle concentrates at 90° as n grows: P(|θ − π/2| < δ) and sd(θ).

    The exact probability is I_{sin² δ}(½, (n−1)/2); the exact standard deviation is the
    square root of :func:`angle_variance`. Both are drawn as curves over n (log axis) with
    the Monte Carlo estimates at ``dims`` as points with ±2 SE bars, next to the
    approximation 1/√(n−1). Checks: the Monte Carlo frequency is within 4 binomial standard
    errors √(p(1−p)/N) of the exact p, and the Monte Carlo sd within 4 delta-method SE.

    Args:
        dims: dimensions n with Monte Carlo estimates (duplicates dropped, sorted), 2 to 10 000.
        delta_degrees: half-width δ of the band around 90°, in degrees.
        samples: pairs of vectors per dimension. Sampling costs about 0.25 s per 10⁷
            pairs × dimensions on the build machine (n = 1000 with 20 000 pairs: 0.45 s).
        rng: the only source of randomness.

    Returns:
        Report of one figure (two panels), one table and two checks.
    """
    ns = _distinct(dims)
    delta = math.radians(delta_degrees)
    exact_p = {n: concentration_probability(n=n, delta=delta) for n in ns}
    exact_sd = {n: math.sqrt(angle_variance(n=n)) for n in ns}
    observed: dict[int, float] = {}
    moments: dict[int, AngleMoments] = {}
    for n in ns:
        theta = sample_angles(n=n, samples=samples, rng=rng)
        observed[n] = float(np.mean(np.abs(theta - _HALF_PI) < delta))
        moments[n] = estimate_moments(theta)
    binomial_se = {n: math.sqrt(exact_p[n] * (1.0 - exact_p[n]) / samples) for n in ns}
    figure = _concentration_figure(
        ns, delta_degrees=delta_degrees, observed=observed, binomial_se=binomial_se, moments=moments
    )
    table = Table(
        caption=(
            f"夹角落在 90° ± {delta_degrees:g}° 之内的概率与夹角的标准差：精确值与每个 n 取 "
            f"{samples} 对高斯向量的蒙特卡洛估计。"
        ),
        columns=(
            "n",
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
                exact_p[n],
                observed[n],
                binomial_se[n],
                exact_sd[n],
                moments[n].sd,
                math.degrees(exact_sd[n]),
            )
            for n in ns
        ),
    )
    return Report(
        items=(
            figure,
            table,
            _probability_check(delta_degrees, exact_p=exact_p, observed=observed, binomial_se=binomial_se),
            _sd_check(moments, exact_sd=exact_sd),
        )
    )


# --------------------------------------------------------------------------- figure parts


def _draw_density(ax: Axes, *, n: int, edges: FloatArray, mc_density: FloatArray, color: tuple[float, ...]) -> None:
    ax.stairs(mc_density, edges, color=color, alpha=0.55, linewidth=0.9)
    grid = np.linspace(0.0, math.pi, 721)
    ax.plot(grid, angle_density(grid, n=n), color=color, linewidth=1.6, label=f"$n={n}$")


def _style_density_axes(ax: Axes) -> None:
    ax.set_xlim(0.0, math.pi)
    ax.set_ylim(bottom=0.0)
    ax.set_xticks(
        [0.0, math.pi / 4, _HALF_PI, 3 * math.pi / 4, math.pi],
        labels=[r"$0$", r"$\pi/4$", r"$\pi/2$", r"$3\pi/4$", r"$\pi$"],
    )
    ax.set_xlabel(r"夹角 $\theta$（弧度）")
    ax.set_ylabel(r"概率密度 $p_n(\theta)$")
    ax.set_title(r"$n$ 维空间中两个随机向量夹角 $\theta$ 的分布")
    by_n = ax.legend(loc="upper left", fontsize="small", title="维数")
    ax.add_artist(by_n)
    kinds = [
        Line2D([], [], color="0.3", linewidth=1.6, label="精确密度"),
        Line2D(
            [],
            [],
            color="0.3",
            alpha=0.55,
            linewidth=0.9,
            drawstyle="steps-mid",
            label="蒙特卡洛直方图",
        ),
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


def _concentration_figure(
    ns: Sequence[int],
    *,
    delta_degrees: float,
    observed: Mapping[int, float],
    binomial_se: Mapping[int, float],
    moments: Mapping[int, AngleMoments],
) -> Figure:
    data = _concentration_data(
        ns, delta=math.radians(delta_degrees), observed=observed, binomial_se=binomial_se,
        moments=moments,
    )  # fmt: skip
    exact = [i for i, source in enumerate(data["source"]) if source == "exact"]
    first, last = exact[0], exact[-1]
    return Figure(
        figure=_draw_concentration(data, delta_degrees=delta_degrees),
        caption=(
            f"随维数 n 增大，夹角落在 90° ± {delta_degrees:g}° 内的概率趋于 1（上），"
            "夹角的标准差按约 1/√(n−1) 缩小（下，对数坐标）。"
        ),
        alt=(
            f"上图：横轴为维数 n（对数坐标，{ns[0]} 到 {ns[-1]}），纵轴为概率；精确概率从 "
            f"{data['probability'][first]:.3f} 单调升到 {data['probability'][last]:.3f}，"
            "蒙特卡洛点落在曲线上。下图：夹角标准差从 "
            f"{data['sd_degrees'][first]:.1f}° 降到 {data['sd_degrees'][last]:.2f}°，"
            "在双对数坐标中近似一条斜率为 −1/2 的直线，与 1/√(n−1) 的虚线几乎重合。"
        ),
        data=data,
    )


def _concentration_data(
    ns: Sequence[int],
    *,
    delta: float,
    observed: Mapping[int, float],
    binomial_se: Mapping[int, float],
    moments: Mapping[int, AngleMoments],
) -> dict[str, list[Cell]]:
    """Long format: exact rows on a log grid of n, then one Monte Carlo row per n."""
    curve_n = np.unique(np.round(np.geomspace(ns[0], ns[-1], 80)).astype(int)).tolist()
    exact_rows = len(curve_n)
    return {
        "source": ["exact"] * exact_rows + ["monte_carlo"] * len(ns),
        "n": [*curve_n, *ns],
        "probability": [
            *(concentration_probability(n=n, delta=delta) for n in curve_n),
            *(observed[n] for n in ns),
        ],
        "probability_se": [0.0] * exact_rows + [binomial_se[n] for n in ns],
        "sd_degrees": [
            *(math.degrees(math.sqrt(angle_variance(n=n))) for n in curve_n),
            *(math.degrees(moments[n].sd) for n in ns),
        ],
        "sd_degrees_se": [0.0] * exact_rows + [math.degrees(moments[n].sd_se) for n in ns],
        "approx_sd_degrees": [math.degrees(1.0 / math.sqrt(n - 1)) for n in [*curve_n, *ns]],
    }


def _draw_concentration(data: Mapping[str, Sequence[Cell]], *, delta_degrees: float) -> MplFigure:
    def column(name: str, source: str) -> list[float]:
        return [float(v) for v, s in zip(data[name], data["source"], strict=True) if s == source]

    curve_n, mc_n = column("n", "exact"), column("n", "monte_carlo")
    fig = MplFigure(figsize=(6.4, 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    mc_style = {"fmt": "o", "color": "C1", "markersize": 4, "capsize": 2}
    mc_label = "蒙特卡洛（±2 标准误）"

    top.plot(curve_n, column("probability", "exact"), color="C0", label="精确值")
    top.errorbar(
        mc_n, column("probability", "monte_carlo"),
        yerr=[2 * se for se in column("probability_se", "monte_carlo")], label=mc_label, **mc_style,
    )  # fmt: skip
    top.set_ylim(0.0, 1.02)
    top.set_ylabel(rf"$P(|\theta-90°|<{delta_degrees:g}°)$")
    top.set_title("夹角向 90° 集中的速度")
    top.legend(loc="upper left", fontsize="small")

    bottom.plot(curve_n, column("sd_degrees", "exact"), color="C0", label="精确值")
    bottom.plot(
        curve_n, column("approx_sd_degrees", "exact"), color="0.4", linestyle="--",
        label=r"近似 $1/\sqrt{n-1}$",
    )  # fmt: skip
    bottom.errorbar(
        mc_n, column("sd_degrees", "monte_carlo"),
        yerr=[2 * se for se in column("sd_degrees_se", "monte_carlo")], label=mc_label, **mc_style,
    )  # fmt: skip
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


def _colors(count: int) -> list[tuple[float, ...]]:
    cmap = colormaps["viridis"]
    return [tuple(cmap(x)) for x in np.linspace(0.0, 0.85, count)]


# --------------------------------------------------------------------------- checks


def _mean_check(moments: Mapping[int, AngleMoments]) -> Check:
    parts = []
    passed = True
    for n, m in moments.items():
        ok = abs(m.mean - _HALF_PI) <= SE_TOLERANCE * m.mean_se
        passed &= ok
        parts.append(
            f"n={n}：均值 {m.mean:.5f}，SE {m.mean_se:.2e}，"
            f"|Δ|/SE = {abs(m.mean - _HALF_PI) / m.mean_se:.2f}{'' if ok else ' ✗'}"
        )
    n_samples = next(iter(moments.values())).samples
    return Check(
        claim="每个 n 的蒙特卡洛均值与 π/2 之差都在 4 个标准误之内",
        passed=passed,
        detail=f"π/2 = {_HALF_PI:.5f}，SE = sd(θ)/√N，N = {n_samples}；" + "；".join(parts),
    )


def _variance_check(moments: Mapping[int, AngleMoments]) -> Check:
    parts = []
    passed = True
    for n, m in moments.items():
        exact = angle_variance(n=n)
        ok = abs(m.variance - exact) <= SE_TOLERANCE * m.variance_se
        passed &= ok
        parts.append(
            f"n={n}：{m.variance:.6g} ± {m.variance_se:.2g}（精确 {exact:.6g}），"
            f"|Δ|/SE = {abs(m.variance - exact) / m.variance_se:.2f}{'' if ok else ' ✗'}"
        )
    return Check(
        claim="每个 n 的蒙特卡洛方差与精确方差之差都在 4 个标准误之内",
        passed=passed,
        detail=(
            "密度关于 π/2 对称，E θ = π/2，故方差估计取 V̂ = mean((θ−π/2)²)，SE = sd((θ−π/2)²)/√N；" + "；".join(parts)
        ),
    )


def _histogram_check(p_values: Mapping[int, float], *, bins: int) -> Check:
    parts = [f"n={n}：p = {p:.3g}{'' if p >= FALSE_ALARM_RATE else ' ✗'}" for n, p in p_values.items()]
    return Check(
        claim="每个 n 的直方图都与精确密度一致（卡方拟合优度检验，水平与 4 个标准误相同）",
        passed=all(p >= FALSE_ALARM_RATE for p in p_values.values()),
        detail=(
            f"{bins} 个区间，期望频数不足 5 的区间合并；要求 p ≥ {FALSE_ALARM_RATE:.2g}"
            "（正态分布 4σ 之外的双侧概率）；" + "；".join(parts)
        ),
    )


def _article_check(exact: Mapping[int, float]) -> Check:
    parts = []
    passed = True
    for n, value in exact.items():
        printed = ARTICLE_VARIANCES[n]
        half_unit = 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent
        ok = abs(value - float(printed)) <= half_unit
        passed &= ok
        parts.append(
            f"n={n}：文章 {printed}，精确 {value:.10f}，"
            f"差 {abs(value - float(printed)):.1e} ≤ {half_unit:.0e}{'' if ok else ' ✗'}"
        )
    return Check(
        claim="数值积分得到的方差四舍五入后与文章表中的每个数值一致",
        passed=passed,
        detail="容差为文章所印最后一位的半个单位；" + "；".join(parts),
    )


def _probability_check(
    delta_degrees: float,
    *,
    exact_p: Mapping[int, float],
    observed: Mapping[int, float],
    binomial_se: Mapping[int, float],
) -> Check:
    parts = []
    passed = True
    for n, p in exact_p.items():
        diff = abs(observed[n] - p)
        # ≤ rather than <: for huge n, p rounds to 1, the SE to 0 and the frequency to 1.
        ok = diff <= SE_TOLERANCE * binomial_se[n]
        passed &= ok
        parts.append(f"n={n}：{observed[n]:.4f}（精确 {p:.4f}，SE {binomial_se[n]:.1e}）{'' if ok else ' ✗'}")
    return Check(
        claim=(f"每个 n 下夹角落在 90° ± {delta_degrees:g}° 内的频率与精确概率之差都在 4 个二项标准误之内"),
        passed=passed,
        detail="精确概率 I_{sin²δ}(1/2, (n−1)/2)，SE = √(p(1−p)/N)；" + "；".join(parts),
    )


def _sd_check(moments: Mapping[int, AngleMoments], *, exact_sd: Mapping[int, float]) -> Check:
    parts = []
    passed = True
    for n, m in moments.items():
        ok = abs(m.sd - exact_sd[n]) <= SE_TOLERANCE * m.sd_se
        passed &= ok
        parts.append(f"n={n}：{m.sd:.5f} ± {m.sd_se:.1e}（精确 {exact_sd[n]:.5f}）{'' if ok else ' ✗'}")
    return Check(
        claim="每个 n 的蒙特卡洛标准差与精确标准差之差都在 4 个标准误之内",
        passed=passed,
        detail="标准差取 √V̂，SE = SE(V̂)/(2√V̂)（delta 方法）；" + "；".join(parts),
    )


# --------------------------------------------------------------------------- validation


def _require_dimension(n: int) -> None:
    if n < 2:
        raise ValueError(f"the angle between two vectors needs n ≥ 2, got n = {n}")


def _distinct(dims: Iterable[int]) -> list[int]:
    ns = sorted(set(dims))
    if not ns:
        raise ValueError("dims must name at least one dimension")
    for n in ns:
        _require_dimension(n)
    return ns
