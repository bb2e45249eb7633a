"""HSIC estimators and permutation tests of independence, in O(n²) time and memory.

Gaussian kernels k(x, x') = exp(−‖x − x'‖²/σ²) as in the article (σ² rather than 2σ²), with
σ the median pairwise distance unless given. HKH is formed by subtracting row and column
means, never by multiplying with H = I − 11ᵀ/n; the O(n³) forms of the article and of the
literal trace are kept only as references. No figures and no wording here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- kernels and estimators


def squared_distances(x: npt.ArrayLike) -> FloatArray:
    """Matrix of ‖x_i − x_j‖² for samples x of shape (n,) or (n, d); shape (n, n), zero diagonal."""
    points = _as_points(x)
    if points.shape[1] == 1:
        diff = points[:, 0, None] - points[None, :, 0]
        return np.multiply(diff, diff, out=diff)
    norms = np.einsum("ij,ij->i", points, points)
    dist = norms[:, None] + norms[None, :] - 2.0 * points @ points.T
    np.fill_diagonal(dist, 0.0)
    return np.maximum(dist, 0.0, out=dist)  # rounding can leave tiny negatives


def median_bandwidth(x: npt.ArrayLike) -> float:
    """The median heuristic: σ = median of ‖x_i − x_j‖ over the n(n−1)/2 pairs i < j.

    Args:
        x: samples of shape (n,) or (n, d), n ≥ 2.

    Raises:
        ValueError: if more than half of the pairs coincide (σ would be 0).
    """
    return _median_from_squared(squared_distances(x))


def gaussian_gram(x: npt.ArrayLike, *, sigma: float) -> FloatArray:
    """Gram matrix K_ij = exp(−‖x_i − x_j‖²/σ²), the article's Gaussian kernel (σ², not 2σ²).

    Args:
        x: samples of shape (n,) or (n, d).
        sigma: bandwidth σ > 0.

    Returns:
        Symmetric (n, n) array with ones on the diagonal.
    """
    return _gram(x, sigma)


def gram_pair(
    x: npt.ArrayLike, y: npt.ArrayLike, *, sigma_x: float | None = None, sigma_y: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Gram matrices K of ``x`` and L of ``y`` (see :func:`gaussian_gram`); None: median bandwidth.

    Args:
        x: samples of shape (n,) or (n, d).
        y: samples of shape (n,) or (n, d'), paired with ``x`` by row.
        sigma_x: bandwidth for x; None for :func:`median_bandwidth`.
        sigma_y: bandwidth for y; None for :func:`median_bandwidth`.
    """
    return _gram(x, sigma_x), _gram(y, sigma_y)


def centre_gram(k: FloatArray) -> FloatArray:
    """HKH for H = I − 11ᵀ/n, in O(n²): subtract row and column means, add back the grand mean.

    Args:
        k: symmetric (n, n) Gram matrix.
    """
    means = k.mean(axis=0)
    return k - means[:, None] - means[None, :] + means.mean()


def hsic_biased(k: FloatArray, l: FloatArray) -> float:  # noqa: E741 (the literature's name)
    """The plug-in (V-statistic) estimate tr(KHLH)/n² in O(n²) time and memory.

    Expanding H = I − 11ᵀ/n, tr(KHLH) = Σ_ij K_ij L_ij − (2/n)(K1)·(L1) + (1ᵀK1)(1ᵀL1)/n²:
    one elementwise product and two row sums, no n×n temporary. (Equivalently Σ_ij (HKH)_ij
    L_ij, the form :func:`permutation_test` uses.) Its mean exceeds the population value by
    O(1/n); see :func:`expected_hsic_biased_gaussian`.

    Args:
        k: symmetric (n, n) Gram matrix of the x samples.
        l: symmetric (n, n) Gram matrix of the y samples, same order of samples.
    """
    n = _check_grams(k, l, minimum=2)
    k_rows, l_rows = k.sum(axis=1), l.sum(axis=1)
    trace = _frobenius(k, l) - 2.0 * float(k_rows @ l_rows) / n + float(k_rows.sum() * l_rows.sum()) / n**2
    return trace / (n * n)


def hsic_article(k: FloatArray, l: FloatArray) -> float:  # noqa: E741
    """The article's reference implementation: one matrix product, then a rescaling.

    tr(KL)/n² + mean(K)·mean(L) − 2·mean(KL)/n, multiplied by n²/(n−1)², i.e.
    tr(KHLH)/(n−1)². O(n³) because of the product KL; kept to compare with the O(n²) form.
    """
    n = _check_grams(k, l, minimum=2)
    kl = k @ l
    h = np.trace(kl) / n**2 + k.mean() * l.mean() - 2.0 * kl.mean() / n
    return float(h) * n**2 / (n - 1) ** 2


def hsic_with_centring_matrix(k: FloatArray, l: FloatArray) -> float:  # noqa: E741
    """tr(KHLH)/n² literally, with the explicit n×n matrix H: three O(n³) products, reference only."""
    n = _check_grams(k, l, minimum=2)
    h = np.eye(n) - 1.0 / n
    return float(np.trace(k @ h @ l @ h)) / (n * n)


def hsic_unbiased(k: FloatArray, l: FloatArray) -> float:  # noqa: E741
    """Song et al. (2012) unbiased estimate, in O(n²) time and memory.

    With K̃, L̃ the Gram matrices with zeroed diagonals,

        HSIC_u = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)),

    where tr(K̃L̃) = Σ_ij K̃_ij L̃_ij and 1ᵀK̃L̃1 = (K̃1)·(L̃1). It equals the U-statistic over
    ordered 4-tuples of distinct samples of k_ij l_ij + k_ij l_qr − 2 k_ij l_iq, so its mean
    is exactly the population HSIC. It can be negative.

    Args:
        k: symmetric (n, n) Gram matrix of the x samples, n ≥ 4.
        l: symmetric (n, n) Gram matrix of the y samples.
    """
    n = _check_grams(k, l, minimum=4)
    # Zeroing the diagonals is done on the sums, without copying K and L.
    k_diag, l_diag = np.diag(k), np.diag(l)
    k_rows, l_rows = k.sum(axis=1) - k_diag, l.sum(axis=1) - l_diag
    trace = _frobenius(k, l) - float(k_diag @ l_diag)
    product = float(k_rows.sum() * l_rows.sum()) / ((n - 1) * (n - 2))
    cross = 2.0 * float(k_rows @ l_rows) / (n - 2)
    return (trace + product - cross) / (n * (n - 3))


def hsic(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    sigma_x: float | None = None,
    sigma_y: float | None = None,
    unbiased: bool = False,
) -> float:
    """HSIC of paired samples with Gaussian kernels; bandwidths default to the median heuristic.

    Args:
        x: samples of shape (n,) or (n, d).
        y: samples of shape (n,) or (n, d'), paired with ``x`` by row.
        sigma_x: bandwidth for x; None for :func:`median_bandwidth`.
        sigma_y: bandwidth for y; None for :func:`median_bandwidth`.
        unbiased: Song et al.'s estimate instead of tr(KHLH)/n².
    """
    k, l = gram_pair(x, y, sigma_x=sigma_x, sigma_y=sigma_y)  # noqa: E741
    return hsic_unbiased(k, l) if unbiased else hsic_biased(k, l)


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Sample Pearson correlation r of two one-dimensional samples."""
    xc = np.asarray(x, dtype=np.float64) - np.mean(x)
    yc = np.asarray(y, dtype=np.float64) - np.mean(y)
    return float(xc @ yc / math.sqrt(float(xc @ xc) * float(yc @ yc)))


def pearson_standard_error(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Delta-method standard error of r when the population correlation is 0.

    For ρ = 0 (not necessarily independent), √n·r → N(0, E[x̃²ỹ²]/(σ_x²σ_y²)) with x̃, ỹ the
    centred variables; the moments are replaced by sample moments. For independent data this
    is 1/√n.
    """
    xc = np.asarray(x, dtype=np.float64) - np.mean(x)
    yc = np.asarray(y, dtype=np.float64) - np.mean(y)
    ratio = np.mean(xc * xc * yc * yc) / (np.mean(xc * xc) * np.mean(yc * yc))
    return math.sqrt(float(ratio) / xc.size)


# --------------------------------------------------------------------------- permutation tests


@dataclass(frozen=True, eq=False)
class PermutationTest:
    """A permutation test of independence.

    Attributes:
        statistic: the statistic of the observed pairing.
        null: the statistic after each random re-pairing, shape (permutations,).
        p_value: (1 + #{null ≥ statistic}) / (1 + permutations); exactly valid under
            independence (P(p ≤ α) ≤ α), never below 1/(1 + permutations).
    """

    statistic: float
    null: FloatArray
    p_value: float

    @property
    def permutations(self) -> int:
        """Number of random re-pairings."""
        return int(self.null.size)


def permutation_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    permutations: int,
    rng: np.random.Generator,
    sigma_x: float | None = None,
    sigma_y: float | None = None,
) -> PermutationTest:
    """Permutation test with the statistic tr(KHLH)/n², at O(n²) per permutation.

    HKH is formed once; a re-pairing y_π(i) only permutes the rows and columns of L, so each
    permuted statistic is Σ_ij (HKH)_ij L_π(i)π(j) / n², two gathers and one dot product.
    Bandwidths depend only on the marginals and are unchanged by re-pairing.

    Args:
        x: samples of shape (n,) or (n, d).
        y: samples of shape (n,) or (n, d'), paired with ``x`` by row.
        permutations: number of random permutations.
        rng: the only source of randomness.
        sigma_x: bandwidth for x; None for the median heuristic.
        sigma_y: bandwidth for y; None for the median heuristic.
    """
    k, l = gram_pair(x, y, sigma_x=sigma_x, sigma_y=sigma_y)  # noqa: E741
    return permutation_test_from_grams(k, l, permutations=permutations, rng=rng)


def permutation_test_from_grams(
    k: FloatArray,
    l: FloatArray,  # noqa: E741
    *,
    permutations: int,
    rng: np.random.Generator,
) -> PermutationTest:
    """:func:`permutation_test` on Gram matrices already formed (e.g. shared with other estimates).

    Args:
        k: symmetric (n, n) Gram matrix of the x samples.
        l: symmetric (n, n) Gram matrix of the y samples, same order of samples.
        permutations: number of random permutations.
        rng: the only source of randomness; draws one permutation of n per re-pairing.
    """
    n = _check_grams(k, l, minimum=2)
    kc = centre_gram(k)
    statistic = _frobenius(kc, l) / (n * n)
    rows, both = np.empty_like(l), np.empty_like(l)  # reused: no n×n allocation per permutation
    null = np.empty(permutations)
    for i, p in enumerate(_permutations(rng, n, permutations)):
        np.take(l, p, axis=0, out=rows)
        np.take(rows, p, axis=1, out=both)
        null[i] = _frobenius(kc, both)
    return _test(statistic, null / (n * n))


def pearson_permutation_test(
    x: npt.ArrayLike, y: npt.ArrayLike, *, permutations: int, rng: np.random.Generator
) -> PermutationTest:
    """Permutation test with the statistic |r|, for comparison with HSIC on the same footing.

    Args:
        x: one-dimensional samples.
        y: one-dimensional samples paired with ``x``.
        permutations: number of random permutations.
        rng: the only source of randomness.
    """
    xc = np.asarray(x, dtype=np.float64) - np.mean(x)
    yc = np.asarray(y, dtype=np.float64) - np.mean(y)
    scale = math.sqrt(float(xc @ xc) * float(yc @ yc))
    perms = np.stack(list(_permutations(rng, xc.size, permutations)))
    null = np.abs(yc[perms] @ xc) / scale
    return _test(abs(float(xc @ yc)) / scale, null)


def permutation_null_mean(k: FloatArray, l: FloatArray) -> float:  # noqa: E741
    """Exact mean of tr(KHLH)/n² over all n! re-pairings of the y samples.

    A uniform permutation sends a diagonal entry of L to a diagonal one and an off-diagonal
    entry to a uniformly chosen off-diagonal one, and the entries of HKH sum to 0, so the
    mean is tr(HKH)·(mean diag L − mean off-diagonal L)/n².
    """
    n = _check_grams(k, l, minimum=2)
    diag_mean = float(np.trace(l)) / n
    off_mean = (float(l.sum()) - n * diag_mean) / (n * (n - 1))
    return float(np.trace(centre_gram(k))) * (diag_mean - off_mean) / (n * n)


# --------------------------------------------------------------------------- helpers


def _as_points(x: npt.ArrayLike) -> FloatArray:
    points = np.asarray(x, dtype=np.float64)
    if points.ndim == 1:
        return points[:, None]
    if points.ndim != 2:
        raise ValueError(f"samples must have shape (n,) or (n, d), got {points.shape}")
    return points


def _gram(x: npt.ArrayLike, sigma: float | None) -> FloatArray:
    """Gaussian Gram matrix from one distance matrix, computed in place (σ = None: median)."""
    gram = squared_distances(x)
    sigma = _median_from_squared(gram) if sigma is None else sigma
    if not sigma > 0.0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    gram *= -1.0 / (sigma * sigma)
    return np.exp(gram, out=gram)


def _median_from_squared(dist: FloatArray) -> float:
    n = dist.shape[0]
    if n < 2:
        raise ValueError("the median heuristic needs at least two samples")
    # The n² entries are n zeros on the diagonal and every pair distance twice, so after the
    # zeros the two middle entries are the middle pair distances (equal when the number of
    # pairs is odd). Square roots are taken after selection: the median is of distances.
    middle = n + n * (n - 1) // 2
    lower, upper = np.partition(dist.ravel(), (middle - 1, middle))[[middle - 1, middle]]
    sigma = 0.5 * (math.sqrt(float(lower)) + math.sqrt(float(upper)))
    if sigma == 0.0:
        raise ValueError("median pairwise distance is 0: more than half of the samples coincide")
    return sigma


def _check_grams(k: FloatArray, l: FloatArray, *, minimum: int) -> int:  # noqa: E741
    n = k.shape[0]
    if k.shape != (n, n) or l.shape != (n, n):
        raise ValueError(f"Gram matrices must be square and of equal size, got {k.shape} and {l.shape}")
    if n < minimum:
        raise ValueError(f"need at least {minimum} samples, got {n}")
    return n


def _frobenius(a: FloatArray, b: FloatArray) -> float:
    """Σ_ij a_ij b_ij. einsum rather than vdot: BLAS threads stall when build workers share the cores."""
    return float(np.einsum("ij,ij->", a, b))


def _permutations(rng: np.random.Generator, n: int, count: int) -> Iterator[IntArray]:
    for _ in range(count):
        yield rng.permutation(n)


def _test(statistic: float, null: FloatArray) -> PermutationTest:
    p_value = (1.0 + float(np.count_nonzero(null >= statistic))) / (1.0 + null.size)
    return PermutationTest(statistic=statistic, null=null, p_value=p_value)
