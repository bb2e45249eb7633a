"""Moments of random ReLU features: why centring a layer's input removes one large eigenvalue.

A hidden layer's output x = ReLU(Wh) has a positive mean μ, so its second moment
E[xxᵀ] = Σ + μμᵀ carries a spike along μ of about ‖μ‖² + λ_max(Σ); centring leaves Σ. For
Gaussian h the moments are exact (Cho & Saul's arc-cosine kernel), so sampled estimates can
be held against closed forms. No figures and no wording here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from computations.results import Array

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Moments:
    """First and second moments of a feature vector x ∈ ℝᵈ.

    Attributes:
        mean: μ = E[x], shape (d,).
        second: M = E[xxᵀ], shape (d, d).
    """

    mean: FloatArray
    second: FloatArray

    @cached_property
    def covariance(self) -> FloatArray:
        """Σ = E[xxᵀ] − μμᵀ."""
        return self.second - np.outer(self.mean, self.mean)

    @cached_property
    def correlation(self) -> FloatArray:
        """The second moment of the standardised features (x − μ)/σ, element-wise σ."""
        sd = np.sqrt(np.diag(self.covariance))
        return self.covariance / np.outer(sd, sd)


def he_weights(width: int, *, rng: np.random.Generator) -> FloatArray:
    """A square He-initialised weight matrix: i.i.d. N(0, 2/width) entries, shape (width, width)."""
    return rng.standard_normal((width, width)) * math.sqrt(2.0 / width)


def relu_feature_moments(weights: FloatArray) -> Moments:
    """Exact moments of x = ReLU(W h) with h ~ N(0, I_k) (Cho & Saul's arc-cosine kernel).

    For rows w_i, w_j at angle θ_ij: E[x_i] = ‖w_i‖/√(2π) and
    E[x_i x_j] = ‖w_i‖‖w_j‖ (sin θ_ij + (π − θ_ij) cos θ_ij) / (2π), which is ‖w_i‖²/2 on
    the diagonal.

    Args:
        weights: W of shape (d, k), no zero rows.

    Returns:
        The mean (d,) and second moment (d, d) of x.
    """
    norms = np.linalg.norm(weights, axis=1)
    cosine = np.clip((weights @ weights.T) / np.outer(norms, norms), -1.0, 1.0)
    angle = np.arccos(cosine)
    np.fill_diagonal(angle, 0.0)
    kernel = (np.sin(angle) + (math.pi - angle) * np.cos(angle)) / (2.0 * math.pi)
    return Moments(mean=norms / math.sqrt(2.0 * math.pi), second=np.outer(norms, norms) * kernel)


def sample_relu_features(weights: FloatArray, *, samples: int, rng: np.random.Generator) -> FloatArray:
    """Draw ``samples`` rows x = ReLU(W h), h ~ N(0, I_k); returns shape (samples, d)."""
    inputs = rng.standard_normal((samples, weights.shape[1]))
    return np.maximum(inputs @ weights.T, 0.0)


def sample_moments(features: FloatArray) -> Moments:
    """Sample mean and sample second moment XᵀX/N of rows ``features`` (N, d)."""
    n = features.shape[0]
    return Moments(mean=features.mean(axis=0), second=features.T @ features / n)


def top_eigenpair(matrix: FloatArray) -> tuple[float, FloatArray]:
    """Largest eigenvalue of a symmetric matrix and its unit eigenvector."""
    values, vectors = np.linalg.eigh(matrix)
    return float(values[-1]), vectors[:, -1]


@dataclass(frozen=True)
class CenteringRow:
    """Exact and Monte Carlo numbers for one width d (one row of the centring table).

    Attributes:
        width: d, the number of units (and of inputs) of the layer.
        samples: N, the feature vectors behind the Monte Carlo estimates.
        mean_norm2, second_trace, covariance_trace: ‖μ‖², tr E[xxᵀ] and tr Σ, exact.
        lambda_raw, lambda_centred, lambda_standardised: the top eigenvalue of E[xxᵀ], of Σ
            and of the correlation matrix, exact.
        rayleigh_lower: ‖μ‖² + μᵀΣμ/‖μ‖², the Rayleigh quotient of E[xxᵀ] at μ.
        mc_*: the Monte Carlo estimate of a quantity and (``*_se``) its standard error.
    """

    width: int
    samples: int
    mean_norm2: float
    second_trace: float
    covariance_trace: float
    lambda_raw: float
    lambda_centred: float
    lambda_standardised: float
    rayleigh_lower: float
    mc_mean_norm2: float
    mc_mean_norm2_se: float
    mc_second_trace: float
    mc_second_trace_se: float
    mc_lambda_raw: float
    mc_lambda_raw_se: float

    @property
    def weyl_upper(self) -> float:
        """‖μ‖² + λ_max(Σ): the closed-form approximation (and upper bound) of λ_max(E[xxᵀ])."""
        return self.mean_norm2 + self.lambda_centred

    @property
    def mc_mean_norm2_expected(self) -> float:
        """E‖μ̂‖² = ‖μ‖² + tr Σ / N: the estimate ‖μ̂‖² is biased by the variance of μ̂."""
        return self.mean_norm2 + self.covariance_trace / self.samples


def centering_row(*, width: int, samples: int, rng: np.random.Generator) -> CenteringRow:
    """Exact and sampled moments of a random He-initialised ReLU layer of ``width`` units.

    W has i.i.d. N(0, 2/width) entries (k = d inputs). Standard errors: ‖μ̂‖² by the delta
    method, SE = 2 sd(μ̂ᵀx)/√N; the trace as a mean of ‖x‖²; the top eigenvalue by
    first-order perturbation, SE = sd((vᵀx)²)/√N with v the exact top eigenvector. The
    second-order bias of the spike is about tr Σ / N, far below that SE.
    """
    weights = he_weights(width, rng=rng)
    exact = relu_feature_moments(weights)
    features = sample_relu_features(weights, samples=samples, rng=rng)
    observed = sample_moments(features)
    lambda_raw, top = top_eigenpair(exact.second)
    mean_norm2 = float(exact.mean @ exact.mean)
    root = math.sqrt(samples)
    return CenteringRow(
        width=width,
        samples=samples,
        mean_norm2=mean_norm2,
        second_trace=float(np.trace(exact.second)),
        covariance_trace=float(np.trace(exact.covariance)),
        lambda_raw=lambda_raw,
        lambda_centred=top_eigenpair(exact.covariance)[0],
        lambda_standardised=top_eigenpair(exact.correlation)[0],
        rayleigh_lower=mean_norm2 + float(exact.mean @ exact.covariance @ exact.mean) / mean_norm2,
        mc_mean_norm2=float(observed.mean @ observed.mean),
        mc_mean_norm2_se=2.0 * float(np.std(features @ exact.mean, ddof=1)) / root,
        mc_second_trace=float(np.trace(observed.second)),
        mc_second_trace_se=float(np.std(np.einsum("ij,ij->i", features, features), ddof=1)) / root,
        mc_lambda_raw=top_eigenpair(observed.second)[0],
        mc_lambda_raw_se=float(np.std((features @ top) ** 2, ddof=1)) / root,
    )


@dataclass(frozen=True)
class Spectra:
    """The eigenvalues of a layer's E[xxᵀ], Σ and correlation matrix, each largest first, shape (d,)."""

    raw: Array
    centred: Array
    standardised: Array


def feature_spectra(weights: FloatArray) -> Spectra:
    """Exact spectra of x = ReLU(W h), raw, centred and standardised (see :func:`relu_feature_moments`)."""
    moments = relu_feature_moments(weights)
    return Spectra(
        raw=np.sort(np.linalg.eigvalsh(moments.second))[::-1],
        centred=np.sort(np.linalg.eigvalsh(moments.covariance))[::-1],
        standardised=np.sort(np.linalg.eigvalsh(moments.correlation))[::-1],
    )
