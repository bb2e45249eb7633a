"""A small random post-LN Transformer in numpy, with masked multi-head self-attention.

Attention is ``softmax(QKᵀ/√d_h + M) V`` with ``M = 0`` where the mask allows and ``−∞``
elsewhere, so a forbidden weight is exactly 0. The weights are random: the experiments ask
which inputs an output *can* depend on, and that is decided by the mask, not by training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Block:
    """Weights of one post-LN Transformer block (multi-head self-attention, then a GELU FFN)."""

    wq: FloatArray
    wk: FloatArray
    wv: FloatArray
    wo: FloatArray
    w1: FloatArray
    w2: FloatArray


@dataclass(frozen=True)
class Transformer:
    """A stack of blocks with ``heads`` attention heads of width d_model / heads each."""

    blocks: tuple[Block, ...]
    heads: int

    @property
    def width(self) -> int:
        """The model width d (rows of every weight matrix that reads the residual stream)."""
        return self.blocks[0].wq.shape[0]


def random_transformer(*, layers: int, width: int, heads: int, rng: np.random.Generator) -> Transformer:
    """Gaussian weights with variance 1/fan-in, so attention logits stay of order 1 (no saturation).

    Args:
        layers: number of blocks.
        width: model width d; the feed-forward layer is 4d wide.
        heads: attention heads; must divide ``width``.
        rng: the only source of randomness; draws wq, wk, wv, wo, w1, w2 of each block in turn.

    Raises:
        ValueError: ``heads`` does not divide ``width``.
    """
    if width % heads:
        raise ValueError(f"heads ({heads}) must divide the width ({width})")

    def weight(fan_in: int, fan_out: int) -> FloatArray:
        return rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in)

    blocks = tuple(
        Block(
            wq=weight(width, width),
            wk=weight(width, width),
            wv=weight(width, width),
            wo=weight(width, width),
            w1=weight(width, 4 * width),
            w2=weight(4 * width, width),
        )
        for _ in range(layers)
    )
    return Transformer(blocks=blocks, heads=heads)


def additive_mask(allowed: BoolArray) -> FloatArray:
    """M = 0 where allowed, −∞ elsewhere: added to the logits, it zeroes forbidden weights exactly.

    Raises:
        ValueError: some query may read no key (its softmax would be 0/0).
    """
    if not allowed.any(axis=1).all():
        raise ValueError("every query must be allowed to read at least one key")
    return np.where(allowed, 0.0, -np.inf)


def masked_attention(q: FloatArray, k: FloatArray, v: FloatArray, bias: FloatArray) -> FloatArray:
    """softmax(QKᵀ/√d + M) V for arrays of shape (heads, n, d); ``bias`` is M, shape (n, n)."""
    logits = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1]) + bias
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v


def layer_norm(x: FloatArray, eps: float = 1e-6) -> FloatArray:
    """Normalise each row to mean 0 and variance 1 (no learned gain or bias)."""
    centred = x - x.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + eps)


def gelu(x: FloatArray) -> FloatArray:
    """GELU, tanh approximation (BERT's)."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def forward(model: Transformer, x: FloatArray, allowed: BoolArray) -> FloatArray:
    """Outputs (n, d) of the stack for inputs x (n, d) under the mask ``allowed`` (n, n).

    Each block is h = LN(x + MHA(x)), then LN(h + FFN(h)). Only attention mixes positions,
    so the mask alone decides which inputs an output can depend on.
    """
    n, width = x.shape
    bias = additive_mask(allowed)
    for block in model.blocks:
        q, k, v = (_split_heads(x @ w, model.heads) for w in (block.wq, block.wk, block.wv))
        mixed = masked_attention(q, k, v, bias).transpose(1, 0, 2).reshape(n, width)
        h = layer_norm(x + mixed @ block.wo)
        x = layer_norm(h + gelu(h @ block.w1) @ block.w2)
    return x


def _split_heads(x: FloatArray, heads: int) -> FloatArray:
    """(n, d) → (heads, n, d / heads)."""
    n, width = x.shape
    return x.reshape(n, heads, width // heads).transpose(1, 0, 2)


def position_embeddings(n: int, width: int) -> FloatArray:
    """Sinusoidal position embeddings (n, width) of "Attention is All You Need"."""
    position = np.arange(n)[:, None]
    frequency = 10_000.0 ** (-np.arange(0, width, 2) / width)
    table = np.zeros((n, width))
    table[:, 0::2] = np.sin(position * frequency)
    table[:, 1::2] = np.cos(position * frequency[: width // 2])
    return table
