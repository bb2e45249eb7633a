"""A small ReLU MLP with batch normalisation in one of three places, written by hand in numpy.

The forward and backward passes are explicit so that every term of BN's gradient is visible
and can be checked against central differences. BN uses the statistics of the whole (full)
batch, so the training loss is a deterministic function of the parameters and "smoothness"
is well defined. Parameters live in one flat vector, laid out by :class:`Architecture`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Placement = Literal["none", "before_activation", "before_linear"]

#: ε in x̂ = (x − mean) / √(var + ε), the usual default of BN implementations.
BN_EPSILON: Final = 1e-5
#: Step of the central differences. Their error is about h²|f'''|/6 + ε_mach|f|/h ≈ 1e-10
#: for losses and derivatives of order one, so a relative error of 1e-6 leaves four orders
#: of magnitude of margin while any wrong term of the backward pass gives an error near 1.
FD_STEP: Final = 1e-5
FD_TOLERANCE: Final = 1e-6
#: Layer sizes of the tiny network whose gradient :func:`gradient_check` differences in full.
GRADIENT_CHECK_SIZES: Final = (3, 5, 4, 3)


@dataclass(frozen=True)
class Block:
    """One parameter array of the network, stored in a slice of the flat vector."""

    layer: int
    name: Literal["W", "b", "gamma", "beta"]
    shape: tuple[int, ...]
    start: int

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class Architecture:
    """A ReLU MLP ``sizes[0] → … → sizes[-1]`` with softmax cross-entropy and a BN placement.

    * ``none``: z = hW + b.
    * ``before_activation``: hidden layers z = γ ⊙ BN(hW) + β (a bias before BN would have a
      zero gradient, so there is none); the output layer is plain.
    * ``before_linear``: every layer z = BN(h)W + b, the input of each linear map
      normalised as the article prescribes. No γ, β: W and b would absorb them exactly.
    """

    sizes: tuple[int, ...]
    placement: Placement

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def kind(self, layer: int) -> Literal["plain", "bn_after", "bn_before"]:
        if self.placement == "before_linear":
            return "bn_before"
        if self.placement == "before_activation" and layer < self.depth - 1:
            return "bn_after"
        return "plain"

    @cached_property
    def blocks(self) -> tuple[Block, ...]:
        blocks: list[Block] = []
        start = 0
        for layer in range(self.depth):
            fan_in, fan_out = self.sizes[layer], self.sizes[layer + 1]
            names = ("W", "gamma", "beta") if self.kind(layer) == "bn_after" else ("W", "b")
            for name in names:
                shape = (fan_in, fan_out) if name == "W" else (fan_out,)
                blocks.append(Block(layer=layer, name=name, shape=shape, start=start))
                start += math.prod(shape)
        return tuple(blocks)

    @property
    def parameter_count(self) -> int:
        last = self.blocks[-1]
        return last.start + last.size


def draw_weights(sizes: Sequence[int], *, rng: np.random.Generator) -> list[FloatArray]:
    """Initial weight matrices: He normal N(0, 2/fan_in) for hidden layers, N(0, 1/fan_in) last."""
    weights = []
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        gain = 1.0 if layer == len(sizes) - 2 else 2.0
        weights.append(rng.standard_normal((fan_in, fan_out)) * math.sqrt(gain / fan_in))
    return weights


def initial_parameters(arch: Architecture, weights: Sequence[FloatArray]) -> FloatArray:
    """Flat parameter vector with the given weights, biases and β at 0 and γ at 1.

    Sharing ``weights`` between placements starts every variant from the same matrices.
    """
    theta = np.zeros(arch.parameter_count)
    for block in arch.blocks:
        part = theta[block.start : block.start + block.size]
        if block.name == "W":
            part[:] = weights[block.layer].ravel()
        elif block.name == "gamma":
            part[:] = 1.0
    return theta


def unpack(theta: FloatArray, arch: Architecture) -> list[dict[str, FloatArray]]:
    """Views of the flat vector, one dict of named arrays per layer."""
    layers: list[dict[str, FloatArray]] = [{} for _ in range(arch.depth)]
    for block in arch.blocks:
        layers[block.layer][block.name] = theta[block.start : block.start + block.size].reshape(block.shape)
    return layers


def _column_mean(a: FloatArray) -> FloatArray:
    # A matrix-vector product: numpy's axis-0 reduction is several times slower here.
    return np.full(a.shape[0], 1.0 / a.shape[0]) @ a


def standardise(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """BN without affine part over the batch axis: returns ẑ = (z − mean)/√(var + ε) and 1/√(var + ε)."""
    centred = z - _column_mean(z)
    inv_sd = 1.0 / np.sqrt(_column_mean(centred * centred) + BN_EPSILON)
    return centred * inv_sd, inv_sd


def standardise_backward(grad_out: FloatArray, normalised: FloatArray, inv_sd: FloatArray) -> FloatArray:
    """Gradient through :func:`standardise`: (1/σ)(g − mean(g) − ẑ mean(g ⊙ ẑ)), per column."""
    return inv_sd * (grad_out - _column_mean(grad_out) - normalised * _column_mean(grad_out * normalised))


@dataclass(frozen=True)
class Dataset:
    """Inputs x (n, d) and integer labels (n,) in 0 … classes − 1."""

    inputs: FloatArray
    labels: IntArray
    classes: int


def teacher_dataset(
    *, samples: int, input_dim: int, classes: int, teacher_width: int = 32, rng: np.random.Generator
) -> Dataset:
    """Standard normal inputs labelled by the arg-max of a random one-hidden-layer ReLU teacher."""
    inputs = rng.standard_normal((samples, input_dim))
    first = rng.standard_normal((input_dim, teacher_width)) * math.sqrt(2.0 / input_dim)
    second = rng.standard_normal((teacher_width, classes))
    labels = np.argmax(np.maximum(inputs @ first, 0.0) @ second, axis=1)
    return Dataset(inputs=inputs, labels=labels.astype(np.int64), classes=classes)


def _forward_layer(h: FloatArray, params: Mapping[str, FloatArray], kind: str) -> tuple[FloatArray, tuple]:
    if kind == "bn_before":
        normalised, inv_sd = standardise(h)
        return normalised @ params["W"] + params["b"], (normalised, inv_sd)
    if kind == "bn_after":
        normalised, inv_sd = standardise(h @ params["W"])
        return params["gamma"] * normalised + params["beta"], (h, normalised, inv_sd)
    return h @ params["W"] + params["b"], (h,)


def _backward_layer(
    dz: FloatArray, params: Mapping[str, FloatArray], kind: str, cache: tuple
) -> tuple[FloatArray, list[FloatArray]]:
    """Returns dL/dh and the parameter gradients in block order (W, b) or (W, γ, β)."""
    column_sum = np.ones(dz.shape[0])
    if kind == "bn_before":
        normalised, inv_sd = cache
        grads = [normalised.T @ dz, column_sum @ dz]
        return standardise_backward(dz @ params["W"].T, normalised, inv_sd), grads
    if kind == "bn_after":
        h, normalised, inv_sd = cache
        d_pre = standardise_backward(dz * params["gamma"], normalised, inv_sd)
        grads = [h.T @ d_pre, column_sum @ (dz * normalised), column_sum @ dz]
        return d_pre @ params["W"].T, grads
    (h,) = cache
    return dz @ params["W"].T, [h.T @ dz, column_sum @ dz]


def loss_and_gradient(theta: FloatArray, *, arch: Architecture, data: Dataset) -> tuple[float, FloatArray]:
    """Mean softmax cross-entropy over the whole data set and its gradient (hand-written backprop).

    Args:
        theta: flat parameters in the order of ``arch.blocks``.
        arch: architecture and BN placement.
        data: the full batch; BN uses its statistics.

    Returns:
        The loss and a gradient of the shape of ``theta``.
    """
    loss, grad, _ = loss_gradient_and_pattern(theta, arch=arch, data=data)
    return loss, grad


def loss_gradient_and_pattern(
    theta: FloatArray, *, arch: Architecture, data: Dataset, masks: Sequence[BoolArray] | None = None
) -> tuple[float, FloatArray, list[BoolArray]]:
    """Loss, gradient and the ReLU activation pattern; ``masks`` freezes a given pattern.

    With frozen masks, ReLU(z) is replaced by z ⊙ mask: the network is then smooth in θ (BN
    and softmax are), and it agrees with the real one on the linear region of ``masks``.
    """
    layers = unpack(theta, arch)
    caches: list[tuple] = []
    patterns: list[BoolArray] = []
    h = data.inputs
    for layer, params in enumerate(layers):
        z, cache = _forward_layer(h, params, arch.kind(layer))
        caches.append(cache)
        if layer < arch.depth - 1:
            patterns.append(z > 0.0 if masks is None else masks[layer])
            h = z * patterns[-1]
    n = data.inputs.shape[0]
    rows = np.arange(n)
    shift = z.max(axis=1, keepdims=True)
    log_norm = shift[:, 0] + np.log(np.exp(z - shift).sum(axis=1))
    loss = float(np.mean(log_norm - z[rows, data.labels]))
    dz = np.exp(z - log_norm[:, None])
    dz[rows, data.labels] -= 1.0
    dz /= n
    grads: list[FloatArray] = []
    for layer in reversed(range(arch.depth)):
        dh, layer_grads = _backward_layer(dz, layers[layer], arch.kind(layer), caches[layer])
        grads = layer_grads + grads
        if layer > 0:
            dz = dh * patterns[layer - 1]
    return loss, np.concatenate([g.ravel() for g in grads]), patterns


def finite_difference_gradient(loss: Callable[[FloatArray], float], theta: FloatArray, *, step: float) -> FloatArray:
    """Central differences (f(θ + h eᵢ) − f(θ − h eᵢ)) / 2h for every coordinate of a smooth f."""
    grad = np.empty_like(theta)
    for i in range(theta.size):
        bump = np.zeros_like(theta)
        bump[i] = step
        grad[i] = (loss(theta + bump) - loss(theta - bump)) / (2.0 * step)
    return grad


def central_difference(theta: FloatArray, index: int, *, arch: Architecture, data: Dataset) -> float:
    """∂L/∂θ_index by a central difference that never straddles a ReLU kink.

    The loss is only piecewise smooth: if some unit switches on or off between θ − h e and
    θ + h e, the difference quotient mixes two slopes (an error of the order of one sample's
    share of the gradient, ~1e-5 here). So the step starts at ``FD_STEP`` and is divided by
    10 until the activation pattern is the same at θ − h e, θ and θ + h e, down to 1e-8,
    where rounding still costs only about ε_mach|L|/h ≈ 4e-8.
    """
    _, _, base = loss_gradient_and_pattern(theta, arch=arch, data=data)
    step = FD_STEP
    while True:
        bump = np.zeros_like(theta)
        bump[index] = step
        plus, _, plus_masks = loss_gradient_and_pattern(theta + bump, arch=arch, data=data)
        minus, _, minus_masks = loss_gradient_and_pattern(theta - bump, arch=arch, data=data)
        same = all(
            np.array_equal(m, p) and np.array_equal(m, q) for m, p, q in zip(base, plus_masks, minus_masks, strict=True)
        )
        if same or step <= 1e-8:
            return (plus - minus) / (2.0 * step)
        step /= 10.0


def gradient_check(placement: Placement, *, rng: np.random.Generator) -> float:
    """Largest |analytic − central difference| / max|gradient| on a tiny network (3 → 5 → 4 → 3).

    The parameters are perturbed away from the initial γ = 1, β = b = 0 so that every term of
    the backward pass is exercised; every coordinate is differenced (:func:`central_difference`).
    """
    arch = Architecture(sizes=GRADIENT_CHECK_SIZES, placement=placement)
    data = teacher_dataset(samples=12, input_dim=3, classes=3, teacher_width=4, rng=rng)
    theta = initial_parameters(arch, draw_weights(arch.sizes, rng=rng))
    theta += 0.3 * rng.standard_normal(theta.size)
    _, analytic = loss_and_gradient(theta, arch=arch, data=data)
    numeric = np.array([central_difference(theta, i, arch=arch, data=data) for i in range(theta.size)])
    return float(np.max(np.abs(analytic - numeric)) / np.max(np.abs(numeric)))


def sampled_gradient_error(
    theta: FloatArray, *, arch: Architecture, data: Dataset, coordinates: int, rng: np.random.Generator
) -> float:
    """max |analytic − central difference| / ‖∇L‖ over ``coordinates`` random coordinates."""
    _, analytic = loss_and_gradient(theta, arch=arch, data=data)
    picked = rng.choice(theta.size, size=min(coordinates, theta.size), replace=False)
    worst = max(abs(analytic[i] - central_difference(theta, int(i), arch=arch, data=data)) for i in picked)
    return worst / float(np.linalg.norm(analytic))
