"""The five relationships of the post: independent, linear, and three uncorrelated dependent shapes.

Only "linear" has a non-zero population correlation, so Pearson's r sees it and misses the
quadratic, circle and sine shapes, which HSIC detects.
"""

from __future__ import annotations

import functools
import math
from typing import Literal

import numpy as np
from scipy import optimize

from .estimators import FloatArray

Relationship = Literal["independent", "linear", "quadratic", "circle", "sine"]
DependentRelationship = Literal["linear", "quadratic", "circle", "sine"]


@functools.cache
def sine_frequency() -> float:
    """λ ≈ 4.4934, the first positive root of tan λ = λ.

    For x ~ U[−1, 1], Cov(x, sin λx) = ∫₀¹ x sin λx dx = (sin λ − λ cos λ)/λ², which vanishes
    exactly when tan λ = λ: y = sin λx is then uncorrelated with x although a function of it.
    """
    return float(optimize.brentq(lambda t: math.sin(t) - t * math.cos(t), math.pi + 0.1, 1.5 * math.pi - 1e-9))


def sample_relationship(
    relationship: Relationship, *, samples: int, noise: float, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Draw ``samples`` pairs (x, y) of one of five shapes, ε ~ N(0, 1) throughout.

    * independent: x, y ~ U[−1, 1] independently (``noise`` unused);
    * linear: x ~ U[−1, 1], y = x + c·ε;
    * quadratic: x ~ U[−1, 1], y = x² + c·ε;
    * circle: t ~ U[0, 2π), (x, y) = (cos t, sin t) + c·(ε₁, ε₂);
    * sine: x ~ U[−1, 1], y = sin(λx) + c·ε with λ from :func:`sine_frequency`.

    Only "linear" has a non-zero population correlation (:func:`population_pearson`).

    Args:
        relationship: which shape.
        samples: number of pairs n.
        noise: the noise scale c.
        rng: the only source of randomness.

    Returns:
        Two arrays of shape (n,).
    """
    if relationship == "circle":
        t = rng.uniform(0.0, 2.0 * math.pi, samples)
        eps = rng.standard_normal((2, samples))
        return np.cos(t) + noise * eps[0], np.sin(t) + noise * eps[1]
    x = rng.uniform(-1.0, 1.0, samples)
    if relationship == "independent":
        return x, rng.uniform(-1.0, 1.0, samples)
    if relationship == "linear":
        signal = x
    elif relationship == "quadratic":
        signal = x * x
    else:
        signal = np.sin(sine_frequency() * x)
    return x, signal + noise * rng.standard_normal(samples)


def population_pearson(relationship: Relationship, *, noise: float) -> float:
    """Population correlation ρ of :func:`sample_relationship`: 1/√(1 + 3c²) for "linear", else 0."""
    return 1.0 / math.sqrt(1.0 + 3.0 * noise * noise) if relationship == "linear" else 0.0
