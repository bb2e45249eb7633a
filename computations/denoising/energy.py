"""A learned denoiser the DDE way: a scalar energy whose gradient is the denoising displacement.

E(y) = Σ_j a_j cos(ω_j·y + b_j) with random frequencies and phases drawn once: ∇E is linear in
the amplitudes, so the DDE objective is a ridge regression solved in closed form, and the fit
is reproducible and takes a fraction of a second. No figures and no wording here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from computations.results import Array

from .theory import FloatArray, as_points


@dataclass(frozen=True, eq=False)
class FourierEnergy:
    """E(y) = Σ_j a_j cos(ω_j·y + b_j), a scalar energy whose gradient is a denoiser's displacement.

    As in DDE, y + ∇E(y) is the denoiser, so ∇E(y)/σ² is the implied score and E/σ² the implied
    log p_σ up to a constant. The fields are stored arrays, so a fitted energy can be part of a
    run's result.

    Attributes:
        frequencies: ω_j, shape (D, 2).
        phases: b_j, shape (D,).
        amplitudes: a_j, shape (D,), the fitted weights.
    """

    frequencies: Array
    phases: Array
    amplitudes: Array

    def energy(self, points: npt.ArrayLike) -> FloatArray:
        """E at points of shape (n, 2); returns shape (n,)."""
        return np.cos(as_points(points) @ self.frequencies.T + self.phases) @ self.amplitudes

    def gradient(self, points: npt.ArrayLike) -> FloatArray:
        """∇E = −Σ_j a_j sin(ω_j·y + b_j) ω_j at points of shape (n, 2); returns (n, 2)."""
        sines = np.sin(as_points(points) @ self.frequencies.T + self.phases)
        return -(sines * self.amplitudes) @ self.frequencies


def fit_fourier_energy(
    *,
    noisy: FloatArray,
    noise: FloatArray,
    features: int,
    frequency_scale: float,
    ridge: float,
    rng: np.random.Generator,
) -> FourierEnergy:
    """Fit the DDE objective min_E mean‖∇E(x + ε) + ε‖² + λ‖a‖² over random Fourier energies.

    With ω_j ~ N(0, frequency_scale² I) and b_j ~ U[0, 2π) drawn once, ∇E is linear in the
    amplitudes a: ∇E(y) = J(y) a with J(y)_{dj} = −sin(ω_j·y + b_j) ω_{jd}. The objective is a
    ridge regression of −ε on J, solved through its normal equations. With S_nj = sin(ω_j·y_n +
    b_j) they are [(SᵀS) ∘ (ΩΩᵀ) + λN I] a = Σ_d ω_{·d} ∘ (Sᵀε)_{·d}, where ∘ is the entrywise
    product and Ω the (D, 2) matrix of frequencies: O(N D²) work, no (2N, D) design matrix.

    Args:
        noisy: y_n = x_n + ε_n, shape (N, 2).
        noise: ε_n, shape (N, 2).
        features: D.
        frequency_scale: standard deviation of each frequency coordinate (inverse length).
        ridge: λ ≥ 0, relative to the number of pairs N.
        rng: draws the frequencies, then the phases.
    """
    frequencies = frequency_scale * rng.standard_normal((features, 2))
    phases = rng.uniform(0.0, 2.0 * math.pi, size=features)
    sines = np.sin(noisy @ frequencies.T + phases)  # (N, D)
    gram = (sines.T @ sines) * (frequencies @ frequencies.T)
    right = ((sines.T @ noise) * frequencies).sum(axis=1)
    gram[np.diag_indices_from(gram)] += ridge * noisy.shape[0]
    amplitudes = np.linalg.solve(gram, right)
    return FourierEnergy(frequencies=frequencies, phases=phases, amplitudes=amplitudes)


def relative_rms(error: FloatArray, exact: FloatArray) -> tuple[float, float, float]:
    """(relative error, rms error, rms exact), the rms over points of ‖·‖ (vectors) or |·|.

    Args:
        error: shape (n,) or (n, 2).
        exact: the same shape as ``error``.
    """
    rms_error = math.sqrt(float((error**2).sum()) / error.shape[0])
    rms_exact = math.sqrt(float((exact**2).sum()) / exact.shape[0])
    return rms_error / rms_exact, rms_error, rms_exact


def cell_share(log_values: FloatArray, inside: npt.NDArray[np.bool_]) -> float:
    """Σ_inside e^{log_values} / Σ e^{log_values}, shifted against overflow."""
    weights = np.exp(log_values - log_values.max())
    return float(weights[inside].sum() / weights.sum())
