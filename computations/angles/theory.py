"""The mathematics of the angle between two random vectors in n dimensions.

Closed forms (density p_n(θ) = c_n sin^{n-2} θ, distribution function, variance by
quadrature and by series, concentration probability) and a Monte Carlo sampler that draws
actual pairs of Gaussian vectors, with moment estimates and a χ² goodness-of-fit test. No
figures and no wording here: ``experiments`` runs these, ``pages`` shows the results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import integrate, special

FloatArray = npt.NDArray[np.float64]

HALF_PI: Final = math.pi / 2.0


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
    sine = np.sin(np.where(inside, theta, HALF_PI))
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
    breakpoints = [k * scale for k in (1, 2, 4, 8, 16) if k * scale < HALF_PI]
    value, _ = integrate.quad(integrand, 0.0, HALF_PI, points=breakpoints or None, epsabs=0.0, epsrel=1e-13, limit=200)
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


def angle_variance_series_tail_bound(*, n: int, terms: int) -> float:
    """Upper bound Γ(n/2) K^{−n/2} / n on what :func:`angle_variance_series` leaves out after K terms.

    With a = n/2 ≥ 1, Γ(k + a) / Γ(k) ≥ k^a (Wendel's inequality for the fractional part of a,
    then one factor k + s ≥ k per integer step), so the k-th term (k−1)! / (2k (a)_k) is at most
    ½ Γ(a) k^{−1−a}; the terms decrease, so the tail past K is at most
    ½ Γ(a) ∫_K^∞ x^{−1−a} dx = Γ(a) K^{−a} / n. For n = 2 this is 1/(2K), the Basel tail's bound.

    Args:
        n: dimension, at least 2.
        terms: number of terms K summed, at least 1.
    """
    _require_dimension(n)
    a = n / 2.0
    return math.exp(math.lgamma(a) - a * math.log(terms) - math.log(n))


def concentration_probability(*, n: int, delta: float) -> float:
    """P(|θ − π/2| < δ) = I_{sin² δ}(½, (n−1)/2), the regularised incomplete beta function.

    |θ − π/2| < δ is |cos θ| < sin δ, i.e. η² < sin² δ with η² ~ Beta(½, (n−1)/2).

    Args:
        n: dimension, at least 2.
        delta: half-width δ in radians, 0 ≤ δ ≤ π/2.
    """
    _require_dimension(n)
    if not 0.0 <= delta <= HALF_PI:
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
    squared = (theta - HALF_PI) ** 2
    root_n = math.sqrt(count)
    return AngleMoments(
        samples=count,
        mean=float(theta.mean()),
        mean_se=float(theta.std(ddof=1)) / root_n,
        variance=float(squared.mean()),
        variance_se=float(squared.std(ddof=1)) / root_n,
    )


@dataclass(frozen=True)
class CosineVariance:
    """Monte Carlo Var(cos θ) with its standard error.

    Attributes:
        variance: mean(cos² θ). E cos θ = 0 exactly (η = cos θ is symmetric), so this is an
            unbiased mean of N independent terms; its expectation is 1/n.
        variance_se: sd(cos² θ)/√N, the standard error of that mean.
    """

    variance: float
    variance_se: float


def estimate_cosine_variance(cosines: FloatArray) -> CosineVariance:
    """Var(cos θ) from sampled cosines, with its standard error; see :class:`CosineVariance`.

    Args:
        cosines: one-dimensional array of at least two cosines.
    """
    squares = cosines**2
    return CosineVariance(
        variance=float(squares.mean()),
        variance_se=float(squares.std(ddof=1)) / math.sqrt(squares.size),
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


# --------------------------------------------------------------------------- validation


def _require_dimension(n: int) -> None:
    if n < 2:
        raise ValueError(f"the angle between two vectors needs n ≥ 2, got n = {n}")


def distinct_dimensions(dims: Iterable[int]) -> list[int]:
    """The distinct dimensions of ``dims``, sorted; each must be at least 2."""
    ns = sorted(set(dims))
    if not ns:
        raise ValueError("dims must name at least one dimension")
    for n in ns:
        _require_dimension(n)
    return ns
