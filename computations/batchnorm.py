"""What batch normalisation does to the smoothness of training (spaces.ac.cn/archives/6992).

Su Jianlin argues, after Santurkar et al. (arXiv 1805.11604), that BN helps because it
lowers the Lipschitz constant L of the loss gradient, and gradient descent decreases the loss
whenever the step is below 2/L. For one layer the weight gradient carries an extra factor
x, so the constant scales with the second moment of the layer's input; subtracting the mean
is the shift that makes that moment smallest. This module makes the argument measurable:

* :func:`centering_report` — inputs that look like a hidden layer (x = ReLU(Wh), h Gaussian)
  have a positive mean. Their second-moment matrix E[xxᵀ] = Σ + μμᵀ has one spike of about
  ‖μ‖² + λ_max(Σ) (Weyl's bound; a Rayleigh quotient gives the matching lower bound); after
  centring only λ_max(Σ) is left. Mean and E[xxᵀ] are exact here (arc-cosine kernel of
  Cho & Saul 2009), so the Monte Carlo estimates are checked against closed forms.
* :func:`training_report` — a 2-hidden-layer ReLU network trained by full-batch gradient
  descent on a teacher-labelled data set, without BN, with BN between the linear map and
  the activation (Ioffe & Szegedy's place) and with BN on the input of every linear layer
  (the article's place), at several learning rates: loss curves, the largest rate that
  still trains, and the curvature λ_max(∇²L) at the start against 2/η.
* :func:`smoothness_report` — Santurkar et al.'s measures along the trajectory: the change
  of the gradient ‖∇L(w) − ∇L(w − η'∇L)‖ over a range of probe steps η', and the effective
  β-smoothness max_{η'} ‖∇L(w) − ∇L(w − η'∇L)‖ / ‖η'∇L(w)‖.

The forward and backward passes are written by hand in numpy and checked against central
differences at build time. BN uses the statistics of the whole (full) batch, so the training
loss is a deterministic function of the parameters and "smoothness" is well defined.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Final, Literal

import annotated_types
import numpy as np
import numpy.typing as npt
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from scipy.sparse.linalg import LinearOperator, eigsh

from computations.report import Cell, Check, Figure, Report, Table

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Placement = Literal["none", "before_activation", "before_linear"]

Width = Annotated[int, annotated_types.Interval(ge=2, le=512)]
Widths = Annotated[list[Width], annotated_types.Len(min_length=1, max_length=8)]
FeatureSamples = Annotated[int, annotated_types.Interval(ge=1_000, le=200_000)]
LearningRate = Annotated[float, annotated_types.Interval(gt=0.0, le=1_000.0)]
LearningRates = Annotated[list[LearningRate], annotated_types.Len(min_length=1, max_length=8)]
Placements = Annotated[list[Placement], annotated_types.Len(min_length=1, max_length=3)]
Steps = Annotated[int, annotated_types.Interval(ge=10, le=2_000)]
Hidden = Annotated[int, annotated_types.Interval(ge=4, le=256)]
InputDim = Annotated[int, annotated_types.Interval(ge=2, le=256)]
Classes = Annotated[int, annotated_types.Interval(ge=2, le=20)]
TrainSamples = Annotated[int, annotated_types.Interval(ge=32, le=4_096)]
Multiples = Annotated[
    list[Annotated[float, annotated_types.Interval(gt=0.0, le=100.0)]],
    annotated_types.Len(min_length=1, max_length=8),
]
Every = Annotated[int, annotated_types.Interval(ge=1, le=500)]

#: ε in x̂ = (x − mean) / √(var + ε), the usual default of BN implementations.
BN_EPSILON: Final = 1e-5
#: A run counts as trained when its final loss is below this fraction of its initial loss.
TRAINED_FRACTION: Final = 0.1
#: A run is stopped as diverged once its loss exceeds this multiple of the initial loss.
DIVERGED_FACTOR: Final = 1_000.0
#: Monte Carlo estimates must lie within this many standard errors of the exact value.
SE_TOLERANCE: Final = 4.0
#: Step of the central differences. Their error is about h²|f'''|/6 + ε_mach|f|/h ≈ 1e-10
#: for losses and derivatives of order one, so a relative error of 1e-6 leaves four orders
#: of magnitude of margin while any wrong term of the backward pass gives an error near 1.
FD_STEP: Final = 1e-5
FD_TOLERANCE: Final = 1e-6

#: Short names for tables and checks; figure legends add the layer order.
PLACEMENT_NAMES: Final[Mapping[str, str]] = {
    "none": "无 BN",
    "before_activation": "BN 在激活前",
    "before_linear": "BN 在全连接前",
}
PLACEMENT_LEGENDS: Final[Mapping[str, str]] = {
    "none": "无 BN",
    "before_activation": "BN 在激活前（线性→BN→ReLU）",
    "before_linear": "BN 在全连接前（ReLU→BN→线性）",
}
_COLORS: Final[Mapping[str, str]] = {"none": "C3", "before_activation": "C0", "before_linear": "C2"}


# --------------------------------------------------------------------------- ReLU features


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
    """Exact and Monte Carlo numbers for one width d (one row of the centring table)."""

    width: int
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


def centering_row(*, width: int, samples: int, rng: np.random.Generator) -> CenteringRow:
    """Exact and sampled moments of a random He-initialised ReLU layer of ``width`` units.

    W has i.i.d. N(0, 2/width) entries (k = d inputs). Standard errors: ‖μ̂‖² by the delta
    method, SE = 2 sd(μ̂ᵀx)/√N; the trace as a mean of ‖x‖²; the top eigenvalue by
    first-order perturbation, SE = sd((vᵀx)²)/√N with v the exact top eigenvector. The
    second-order bias of the spike is about tr Σ / N, far below that SE.
    """
    weights = rng.standard_normal((width, width)) * math.sqrt(2.0 / width)
    exact = relu_feature_moments(weights)
    features = sample_relu_features(weights, samples=samples, rng=rng)
    observed = sample_moments(features)
    lambda_raw, top = top_eigenpair(exact.second)
    mean_norm2 = float(exact.mean @ exact.mean)
    root = math.sqrt(samples)
    return CenteringRow(
        width=width,
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


# --------------------------------------------------------------------------- the network


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
    loss, grad, _ = _loss_gradient_masks(theta, arch=arch, data=data)
    return loss, grad


def _loss_gradient_masks(
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
    _, _, base = _loss_gradient_masks(theta, arch=arch, data=data)
    step = FD_STEP
    while True:
        bump = np.zeros_like(theta)
        bump[index] = step
        plus, _, plus_masks = _loss_gradient_masks(theta + bump, arch=arch, data=data)
        minus, _, minus_masks = _loss_gradient_masks(theta - bump, arch=arch, data=data)
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
    arch = Architecture(sizes=(3, 5, 4, 3), placement=placement)
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


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class Run:
    """Full-batch gradient descent at one learning rate.

    Attributes:
        placement: where BN sits.
        learning_rate: η.
        losses: loss before each step, shape (steps + 1,); NaN after a divergence stop.
    """

    placement: Placement
    learning_rate: float
    losses: FloatArray

    @property
    def initial(self) -> float:
        return float(self.losses[0])

    @property
    def diverged(self) -> bool:
        return bool(np.isnan(self.losses[-1]))

    @property
    def final(self) -> float:
        return float(self.losses[-1])

    @property
    def peak(self) -> float:
        return float(np.nanmax(self.losses))

    @property
    def trained(self) -> bool:
        return not self.diverged and self.final <= TRAINED_FRACTION * self.initial

    @property
    def rises(self) -> int:
        """Number of steps after which the loss was higher than before (a divergence counts)."""
        finite = self.losses[np.isfinite(self.losses)]
        return int(np.count_nonzero(np.diff(finite) > 0.0)) + int(self.diverged)

    @property
    def monotone(self) -> bool:
        """Trained, and the loss went down at every step: what the descent lemma promises for η < 2/L."""
        return self.trained and self.rises == 0

    @property
    def verdict(self) -> str:
        if self.diverged:
            return "发散"
        if not self.trained:
            return "未训成"
        return "每步下降" if self.monotone else "有反弹，仍训成"


def gradient_descent(
    theta: FloatArray,
    *,
    arch: Architecture,
    data: Dataset,
    learning_rate: float,
    steps: int,
    probe: Callable[[int, FloatArray, float, FloatArray], None] | None = None,
) -> Run:
    """θ ← θ − η ∇L(θ) for ``steps`` steps; stops once the loss is non-finite or > 1000× the start.

    ``probe(t, θ_t, L(θ_t), ∇L(θ_t))`` is called before every step (used to measure smoothness).
    """
    losses = np.full(steps + 1, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            loss, grad = loss_and_gradient(theta, arch=arch, data=data)
            if not math.isfinite(loss) or (t > 0 and loss > DIVERGED_FACTOR * losses[0]):
                break
            losses[t] = loss
            if t == steps:
                break
            if probe is not None:
                probe(t, theta, loss, grad)
            theta = theta - learning_rate * grad
    return Run(placement=arch.placement, learning_rate=learning_rate, losses=losses)


def hessian_top_eigenvalue(
    theta: FloatArray, *, arch: Architecture, data: Dataset, rng: np.random.Generator
) -> tuple[float, float]:
    """λ_max(∇²L(θ)) by Lanczos (ARPACK) on finite-difference Hessian-vector products.

    Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε with ε = 1e-4 for unit v, with the ReLU pattern of θ
    frozen: the Hessian of a ReLU network is that of its current linear region, and a
    difference that let units switch on or off would not be a linear map of v. Truncation
    O(ε²), rounding about 1e-12. Returns the eigenvalue and the residual ‖Hv − λv‖/|λ| of
    its vector, measured with a fresh product at ε/2 (an independent check of the pair).
    """
    _, _, masks = _loss_gradient_masks(theta, arch=arch, data=data)

    def hvp(vector: FloatArray, eps: float = 1e-4) -> FloatArray:
        v = np.ravel(vector)
        scale = float(np.linalg.norm(v))
        if scale == 0.0:
            return np.zeros_like(v)
        u = eps * v / scale
        plus = _loss_gradient_masks(theta + u, arch=arch, data=data, masks=masks)[1]
        minus = _loss_gradient_masks(theta - u, arch=arch, data=data, masks=masks)[1]
        return (plus - minus) * (scale / (2.0 * eps))

    size = theta.size
    operator = LinearOperator((size, size), matvec=hvp, dtype=np.float64)
    values, vectors = eigsh(operator, k=1, which="LA", v0=rng.standard_normal(size), tol=1e-8, maxiter=400)
    value, vector = float(values[0]), vectors[:, 0]
    residual = float(np.linalg.norm(hvp(vector, eps=5e-5) - value * vector)) / abs(value)
    return value, residual


@dataclass(frozen=True)
class Smoothness:
    """Santurkar et al.'s landscape measures along one gradient-descent trajectory.

    At every probed iterate w_t with gradient g_t and for each probe step s = m·η (m in
    ``multiples``) the gradient ∇L(w_t − s g_t) and loss L(w_t − s g_t) are evaluated.

    Attributes:
        run: the trajectory itself.
        multiples: the probe steps in units of η, shape (m,).
        steps: probed iterations t, shape (p,).
        gradient_norm: ‖g_t‖, shape (p,).
        gradient_change: ‖∇L(w_t) − ∇L(w_t − s g_t)‖, shape (p, m).
        probe_loss: L(w_t − s g_t), shape (p, m).
    """

    run: Run
    multiples: FloatArray
    steps: IntArray
    gradient_norm: FloatArray
    gradient_change: FloatArray
    probe_loss: FloatArray

    @property
    def ratios(self) -> FloatArray:
        """‖∇L(w) − ∇L(w − s g)‖ / ‖s g‖ for every probe, shape (p, m)."""
        step_lengths = np.outer(self.gradient_norm, self.multiples * self.run.learning_rate)
        return self.gradient_change / step_lengths

    @property
    def beta(self) -> FloatArray:
        """Effective β-smoothness: the largest ratio over the probe steps, shape (p,)."""
        return self.ratios.max(axis=1)


def measure_smoothness(
    theta: FloatArray,
    *,
    arch: Architecture,
    data: Dataset,
    learning_rate: float,
    steps: int,
    every: int,
    multiples: Sequence[float],
) -> Smoothness:
    """Train by full-batch gradient descent and probe the landscape every ``every`` steps."""
    factors = np.asarray(sorted(set(multiples)), dtype=np.float64)
    probed: list[int] = []
    norms: list[float] = []
    changes: list[list[float]] = []
    losses: list[list[float]] = []

    def probe(t: int, w: FloatArray, _loss: float, grad: FloatArray) -> None:
        if t % every:
            return
        probed.append(t)
        norms.append(float(np.linalg.norm(grad)))
        row_change, row_loss = [], []
        for factor in factors:
            loss, moved = loss_and_gradient(w - factor * learning_rate * grad, arch=arch, data=data)
            row_change.append(float(np.linalg.norm(moved - grad)))
            row_loss.append(loss)
        changes.append(row_change)
        losses.append(row_loss)

    run = gradient_descent(theta, arch=arch, data=data, learning_rate=learning_rate, steps=steps, probe=probe)
    shape = (len(probed), factors.size)
    return Smoothness(
        run=run,
        multiples=factors,
        steps=np.asarray(probed, dtype=np.int64),
        gradient_norm=np.asarray(norms),
        gradient_change=np.asarray(changes, dtype=np.float64).reshape(shape),
        probe_loss=np.asarray(losses, dtype=np.float64).reshape(shape),
    )


# --------------------------------------------------------------------------- reports


def centering_report(
    *,
    widths: Widths = [16, 32, 64, 128, 256],  # noqa: B006 (never mutated; YAML list)
    samples: FeatureSamples = 20_000,
    rng: np.random.Generator,
) -> Report:
    """Top eigenvalue of E[xxᵀ] for ReLU features, raw, centred and standardised.

    For each width d a He-initialised layer x = ReLU(Wh), W ∈ ℝ^{d×d}, h ~ N(0, I) is drawn;
    its exact moments come from the arc-cosine kernel (:func:`relu_feature_moments`) and
    ``samples`` feature vectors give Monte Carlo estimates. E[xxᵀ] = Σ + μμᵀ, so
    ‖μ‖² + μᵀΣμ/‖μ‖² ≤ λ_max(E[xxᵀ]) ≤ ‖μ‖² + λ_max(Σ) (Rayleigh quotient at μ; Weyl). The
    figure shows the spectrum of the widest layer and λ_max against d; the tables list the
    article's trace E‖x‖² → E‖x − μ‖² → d and the eigenvalues. Checks: ‖μ̂‖², the trace and
    λ_max(Ê[xxᵀ]) within 4 SE of the exact values; the exact λ_max inside its bracket.

    Args:
        widths: layer widths d (duplicates dropped, sorted), 2 to 512.
        samples: feature vectors per width.
        rng: the only source of randomness.

    Returns:
        Report of one figure (two panels), two tables (traces, eigenvalues) and four checks.
    """
    ds = sorted(set(widths))
    rows = [centering_row(width=d, samples=samples, rng=rng) for d in ds]
    spectrum_weights = rng.standard_normal((ds[-1], ds[-1])) * math.sqrt(2.0 / ds[-1])
    spectrum = relu_feature_moments(spectrum_weights)
    traces = Table(
        caption=(
            "随机 ReLU 层输出 x = ReLU(Wh) 的迹（文章的量 |E[x⊗x]|₁）：原始、去均值、标准化（恒等于 d），"
            "以及 ‖μ‖² 所占的比例（精确值，由反余弦核算出）。"
        ),
        columns=("宽度 d", "‖μ‖²", "E‖x‖²", "E‖x−μ‖²", "标准化后", "‖μ‖²/E‖x‖²"),
        rows=tuple(
            (r.width, r.mean_norm2, r.second_trace, r.covariance_trace, r.width, r.mean_norm2 / r.second_trace)
            for r in rows
        ),
    )
    eigenvalues = Table(
        caption=(
            "同一批 ReLU 层的最大特征值（精确值）：原始二阶矩 E[xxᵀ]、闭式近似 ‖μ‖² + λ_max(Σ)、"
            "去均值后的 λ_max(Σ)、标准化后的 λ_max，以及去均值使 λ_max 缩小的倍数；蒙特卡洛估计见图 1 与下方自检。"
        ),
        columns=("d", "原始 λ_max", "‖μ‖²+λ_max(Σ)", "去均值 λ_max", "标准化 λ_max", "缩小倍数"),
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
    return Report(
        items=(
            _centering_figure(rows, spectrum=spectrum),
            traces,
            eigenvalues,
            *_centering_checks(rows, samples=samples),
            _bracket_check(rows),
        )
    )


def training_report(
    *,
    learning_rates: LearningRates = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0],  # noqa: B006 (never mutated)
    placements: Placements = ["none", "before_activation", "before_linear"],  # noqa: B006
    steps: Steps = 200,
    samples: TrainSamples = 256,
    input_dim: InputDim = 16,
    hidden: Hidden = 64,
    classes: Classes = 4,
    rng: np.random.Generator,
) -> Report:
    """Full-batch gradient descent with and without BN at several learning rates.

    One teacher-labelled data set and one set of initial weight matrices are shared by all
    runs. A run is "trained" when its final loss is at most 10 % of the initial loss, and
    "monotone" when, in addition, the loss went down at every step (what the descent lemma
    guarantees for η < 2/L); it is stopped as diverged when the loss leaves the
    floating-point range or exceeds 1000× the start.
    The curvature λ_max(∇²L) at the initial point (Lanczos on finite-difference
    Hessian-vector products) gives the descent-lemma threshold 2/λ_max. Checks: the
    hand-written gradients agree with central differences on a tiny network for every
    placement; every Lanczos pair has a small residual.

    Args:
        learning_rates: step sizes η (duplicates dropped, sorted).
        placements: BN placements to train: none, before_activation, before_linear.
        steps: gradient steps per run.
        samples: training points (the full batch).
        input_dim: input dimension.
        hidden: width of both hidden layers.
        classes: number of classes.
        rng: the only source of randomness.

    Returns:
        Report of one figure (a panel per learning rate), two tables and two checks.
    """
    rates = sorted(set(learning_rates))
    kinds = _distinct_placements(placements)
    data = teacher_dataset(samples=samples, input_dim=input_dim, classes=classes, rng=rng)
    sizes = (input_dim, hidden, hidden, classes)
    weights = draw_weights(sizes, rng=rng)
    runs: dict[str, list[Run]] = {}
    curvature: dict[str, tuple[float, float]] = {}
    for placement in kinds:
        arch = Architecture(sizes=sizes, placement=placement)
        theta = initial_parameters(arch, weights)
        curvature[placement] = hessian_top_eigenvalue(theta, arch=arch, data=data, rng=rng)
        runs[placement] = [
            gradient_descent(theta, arch=arch, data=data, learning_rate=rate, steps=steps) for rate in rates
        ]
    gradient_errors = {placement: gradient_check(placement, rng=rng) for placement in kinds}
    return Report(
        items=(
            _training_figure(runs, rates=rates, steps=steps),
            _summary_table(runs, curvature=curvature, steps=steps),
            _runs_table(runs),
            _gradient_check(gradient_errors, what="在 3→5→4→3 的小网络上逐个坐标"),
            _lanczos_check(curvature),
        )
    )


def smoothness_report(
    *,
    learning_rates: LearningRates = [0.1, 1.0],  # noqa: B006 (never mutated; YAML list)
    placements: Placements = ["none", "before_activation", "before_linear"],  # noqa: B006
    steps: Steps = 200,
    every: Every = 10,
    multiples: Multiples = [0.5, 1.0, 2.0, 4.0],  # noqa: B006
    samples: TrainSamples = 256,
    input_dim: InputDim = 16,
    hidden: Hidden = 64,
    classes: Classes = 4,
    rng: np.random.Generator,
) -> Report:
    """Gradient predictiveness and effective β-smoothness along the training trajectory.

    Same data, network and initial weights as :func:`training_report` with the same seed.
    Every ``every`` steps, from the current iterate w with gradient g, the gradient is
    evaluated again at w − s g for s = m·η, m in ``multiples``; plotted are the largest
    gradient change ‖∇L(w) − ∇L(w − s g)‖ and the effective β-smoothness, the largest
    ‖∇L(w) − ∇L(w − s g)‖ / ‖s g‖ (Santurkar et al. 2018, §3.1). Check: the gradient of each
    full-size network at its initial point agrees with central differences on 24 random
    coordinates.

    Args:
        learning_rates: step sizes η of the trajectories (duplicates dropped, sorted).
        placements: BN placements: none, before_activation, before_linear.
        steps: gradient steps per trajectory.
        every: probe the landscape every this many steps.
        multiples: probe steps in units of η.
        samples: training points (the full batch).
        input_dim: input dimension.
        hidden: width of both hidden layers.
        classes: number of classes.
        rng: the only source of randomness.

    Returns:
        Report of one figure (two panels per learning rate), one table and one check.
    """
    rates = sorted(set(learning_rates))
    kinds = _distinct_placements(placements)
    data = teacher_dataset(samples=samples, input_dim=input_dim, classes=classes, rng=rng)
    sizes = (input_dim, hidden, hidden, classes)
    weights = draw_weights(sizes, rng=rng)
    traces: dict[float, dict[str, Smoothness]] = {rate: {} for rate in rates}
    errors: dict[str, float] = {}
    for placement in kinds:
        arch = Architecture(sizes=sizes, placement=placement)
        theta = initial_parameters(arch, weights)
        errors[placement] = sampled_gradient_error(theta, arch=arch, data=data, coordinates=24, rng=rng)
        for rate in rates:
            traces[rate][placement] = measure_smoothness(
                theta, arch=arch, data=data, learning_rate=rate, steps=steps, every=every, multiples=multiples
            )
    return Report(
        items=(
            _smoothness_figure(traces),
            _smoothness_table(traces),
            _gradient_check(errors, what="在完整网络的初始点随机抽 24 个坐标"),
        )
    )


def _distinct_placements(placements: Sequence[Placement]) -> list[Placement]:
    order = list(PLACEMENT_NAMES)
    return sorted(set(placements), key=order.index)


# --------------------------------------------------------------------------- tables


def _summary_table(runs: Mapping[str, list[Run]], *, curvature: Mapping[str, tuple[float, float]], steps: int) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for placement, placement_runs in runs.items():
        monotone = [r.learning_rate for r in placement_runs if r.monotone]
        trained = [r.learning_rate for r in placement_runs if r.trained]
        rows.append(
            (
                PLACEMENT_NAMES[placement],
                curvature[placement][0],
                2.0 / curvature[placement][0],
                max(monotone) if monotone else "—",
                max(trained) if trained else "—",
            )
        )
    return Table(
        caption=(
            f"每种放置方式的汇总（全批量梯度下降 {steps} 步）：初始点的曲率 λ_max(∇²L) 与下降引理给出的 2/λ_max，"
            "“每步下降”（损失每一步都下降，且最终降到初值的 10% 以下）与“训成”（只要求后者）的最大学习率。"
        ),
        columns=("放置方式", "初始 λ_max(∇²L)", "2/λ_max", "每步下降的最大 η", "训成的最大 η"),
        rows=tuple(rows),
    )


def _runs_table(runs: Mapping[str, list[Run]]) -> Table:
    rows = tuple(
        (
            PLACEMENT_NAMES[r.placement],
            r.learning_rate,
            r.initial,
            r.peak,
            r.rises,
            r.final if not r.diverged else "—",
            r.verdict,
        )
        for placement_runs in runs.values()
        for r in placement_runs
    )
    return Table(
        caption="每一次训练：初始损失、过程中的最大损失、损失上升的步数、最终损失（发散则无）与判定。",
        columns=("放置方式", "学习率 η", "初始损失", "最大损失", "损失上升的步数", "最终损失", "判定"),
        rows=rows,
    )


def _smoothness_table(traces: Mapping[float, Mapping[str, Smoothness]]) -> Table:
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
            "沿训练轨迹的光滑性度量：梯度变化 max_s‖∇L(w)−∇L(w−s∇L)‖ 与有效 β 光滑度 "
            "max_s ‖∇L(w)−∇L(w−s∇L)‖/‖s∇L‖，取第 0 步的值、全部探测点的中位数与最大值，及训练的最终损失。"
        ),
        columns=("η", "放置方式", "梯度变化·起点", "梯度变化·中位数", "β·起点", "β·中位数", "β·最大", "最终损失"),
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------- checks


def _centering_checks(rows: Sequence[CenteringRow], *, samples: int) -> list[Check]:
    # ‖μ̂‖² has mean ‖μ‖² + tr Σ / N; the other two estimators are unbiased to first order.
    quantities = {
        "‖μ̂‖²": [
            (r.width, r.mc_mean_norm2, r.mean_norm2 + r.covariance_trace / samples, r.mc_mean_norm2_se) for r in rows
        ],
        "迹 E‖x‖²": [(r.width, r.mc_second_trace, r.second_trace, r.mc_second_trace_se) for r in rows],
        "λ_max(E[xxᵀ])": [(r.width, r.mc_lambda_raw, r.lambda_raw, r.mc_lambda_raw_se) for r in rows],
    }
    checks = []
    for name, values in quantities.items():
        parts = []
        passed = True
        for width, estimate, exact, se in values:
            ok = abs(estimate - exact) <= SE_TOLERANCE * se
            passed &= ok
            parts.append(f"d={width}：{estimate:.4f}（精确 {exact:.4f}，SE {se:.2g}）{'' if ok else ' ✗'}")
        checks.append(
            Check(
                claim=f"每个宽度下蒙特卡洛的 {name} 与反余弦核给出的精确值之差都在 4 个标准误之内",
                passed=passed,
                detail="；".join(parts),
            )
        )
    return checks


def _bracket_check(rows: Sequence[CenteringRow]) -> Check:
    parts = []
    passed = True
    for r in rows:
        slack = 1e-9 * r.lambda_raw  # eigh is backward stable: errors of order ε_mach‖M‖.
        ok = r.rayleigh_lower - slack <= r.lambda_raw <= r.weyl_upper + slack
        passed &= ok
        parts.append(
            f"d={r.width}：{r.rayleigh_lower:.4f} ≤ {r.lambda_raw:.4f} ≤ {r.weyl_upper:.4f}，"
            f"近似 ‖μ‖²+λ_max(Σ) 的相对误差 {(r.weyl_upper - r.lambda_raw) / r.lambda_raw:.2%}{'' if ok else ' ✗'}"
        )
    return Check(
        claim="精确的 λ_max(E[xxᵀ]) 落在 ‖μ‖² + μᵀΣμ/‖μ‖² 与 ‖μ‖² + λ_max(Σ) 之间",
        passed=passed,
        detail="下界是 μ 方向的瑞利商，上界是 Weyl 不等式；" + "；".join(parts),
    )


def _gradient_check(errors: Mapping[str, float], *, what: str) -> Check:
    parts = [f"{PLACEMENT_NAMES[p]}：{e:.1e}{'' if e <= FD_TOLERANCE else ' ✗'}" for p, e in errors.items()]
    return Check(
        claim=f"手写反向传播的梯度与中心差分一致（{what}，相对误差 ≤ {FD_TOLERANCE:g}）",
        passed=all(e <= FD_TOLERANCE for e in errors.values()),
        detail=(
            f"步长 h = {FD_STEP:g}，中心差分自身误差约 h²|f‴|/6 + ε|f|/h ≈ 1e-10；"
            "误差除以梯度的最大分量（小网络）或梯度范数（完整网络）；" + "；".join(parts)
        ),
    )


def _lanczos_check(curvature: Mapping[str, tuple[float, float]]) -> Check:
    tolerance = 1e-4
    parts = [
        f"{PLACEMENT_NAMES[p]}：λ = {value:.4f}，残差 {residual:.1e}{'' if residual <= tolerance else ' ✗'}"
        for p, (value, residual) in curvature.items()
    ]
    return Check(
        claim=f"初始点的 λ_max(∇²L) 是 Hessian 的特征值：‖Hv − λv‖/|λ| ≤ {tolerance:g}",
        passed=all(residual <= tolerance for _, residual in curvature.values()),
        detail=(
            "Hv 用梯度的中心差分（ε = 1e-4）算，残差另用 ε = 5e-5 重新算一次，差分误差约 1e-8；" + "；".join(parts)
        ),
    )


# --------------------------------------------------------------------------- figures


def _centering_figure(rows: Sequence[CenteringRow], *, spectrum: Moments) -> Figure:
    width = spectrum.mean.size
    raw = np.sort(np.linalg.eigvalsh(spectrum.second))[::-1]
    centred = np.sort(np.linalg.eigvalsh(spectrum.covariance))[::-1]
    standardised = np.sort(np.linalg.eigvalsh(spectrum.correlation))[::-1]
    fig = MplFigure(figsize=(9.6, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    index = np.arange(1, width + 1)
    for values, label, color in (
        (raw, r"$E[xx^\top]$（原始）", "C3"),
        (centred, r"$\Sigma$（去均值）", "C0"),
        (standardised, "相关矩阵（标准化）", "C2"),
    ):
        left.plot(index, values, marker="o", markersize=2.5, linewidth=1.0, color=color, label=label)
    left.set_yscale("log")
    left.set_xlabel("特征值序号（从大到小）")
    left.set_ylabel("特征值")
    left.set_title(f"宽度 d = {width} 的一层 ReLU 输出的谱")
    left.legend(fontsize="small")

    ds = [r.width for r in rows]
    right.plot(ds, [r.lambda_raw for r in rows], "o-", color="C3", label=r"$\lambda_{\max}(E[xx^\top])$")
    right.plot(ds, [r.weyl_upper for r in rows], "x--", color="0.35", label=r"$\|\mu\|^2+\lambda_{\max}(\Sigma)$")
    right.errorbar(
        ds, [r.mc_lambda_raw for r in rows], yerr=[2 * r.mc_lambda_raw_se for r in rows],
        fmt="s", markersize=3.5, color="C1", capsize=2, label="蒙特卡洛（±2 标准误）",
    )  # fmt: skip
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
            "ReLU 层输出的二阶矩矩阵：原始 E[xxᵀ] 只有一个特征值远离其余（均值方向），去均值后这根尖峰消失；"
            "右图的 λ_max 随层宽的变化，原始矩阵几乎按 ‖μ‖² ∝ d 增长。"
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


def _training_figure(runs: Mapping[str, list[Run]], *, rates: Sequence[float], steps: int) -> Figure:
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


def _training_alt(runs: Mapping[str, list[Run]], rates: Sequence[float]) -> str:
    parts = []
    for placement, placement_runs in runs.items():
        verdicts = "，".join(f"η={r.learning_rate:g} {r.verdict}" for r in placement_runs)
        parts.append(f"{PLACEMENT_NAMES[placement]}：{verdicts}")
    return f"{len(rates)} 个子图，每个学习率一个，横轴为步数、纵轴为对数损失。" + "；".join(parts) + "。"


def _smoothness_figure(traces: Mapping[float, Mapping[str, Smoothness]]) -> Figure:
    fig = MplFigure(figsize=(9.6, 3.4 * len(traces) + 0.6), layout="constrained")
    axes = fig.subplots(len(traces), 2, squeeze=False)
    data: dict[str, list[Cell]] = {
        "learning_rate": [], "placement": [], "step": [], "gradient_norm": [], "max_gradient_change": [],
        "beta_smoothness": [], "probe_loss_min": [], "probe_loss_max": [],
    }  # fmt: skip
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
            "沿梯度下降轨迹的光滑性（Santurkar 等人的度量）：在当前点沿负梯度走 s = "
            f"{'、'.join(f'{m:g}' for m in multiples)} 倍学习率，左为梯度变化的最大值，右为它除以步长后的最大值"
            "（有效 β 光滑度），虚线为 2/η。"
        ),
        alt=_smoothness_alt(traces),
        data=data,
    )


def _log_y_with_plain_ticks(ax: Axes) -> None:
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())


def _smoothness_alt(traces: Mapping[float, Mapping[str, Smoothness]]) -> str:
    parts = []
    for rate, by_placement in traces.items():
        for placement, trace in by_placement.items():
            parts.append(
                f"η={rate:g}，{PLACEMENT_NAMES[placement]}：β 第 0 步 {trace.beta[0]:.2f}，"
                f"中位数 {np.median(trace.beta):.2f}"
            )
    return "每个学习率一行两个子图，横轴为步数，纵轴为对数坐标。" + "；".join(parts) + "。"
