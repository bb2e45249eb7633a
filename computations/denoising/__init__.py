"""The optimal denoiser is a score: from denoising autoencoders to samplers (spaces.ac.cn/archives/7038).

Su Jianlin's article rests on one fact about denoising autoencoders (DAE). For x ~ p in ℝᵈ and
noise ε ~ N(0, σ²I), the function r minimising E‖r(x + ε) − x‖² is the posterior mean, and

    r*(y) = E[x | y] = y + σ² ∇ log p_σ(y),   p_σ = p * N(0, σ²I)

(Tweedie's / Miyasawa's formula). So r*(y) − y estimates σ² times the score of the noisy data
density. One paper of the article (DDE) fits a scalar energy E whose gradient is the denoiser's
displacement, E = σ² log p_σ + C; the other (ADSM) feeds the score to Langevin dynamics
x ← x + ½α ∇log p_σ(x) + √α z, annealing σ from large to small.

Everything is worked out on a two-dimensional Gaussian mixture, where all of it has closed
forms. The topic has five modules:

* ``theory`` — the mixture, its score, the three routes to E[x | y] (closed-form score,
  Gaussian conditioning, quadrature of the defining integrals) and the DAE loss decomposition;
* ``energy`` — a DDE-style energy with random Fourier features, fitted in closed form;
* ``dynamics`` — plain and annealed Langevin dynamics, the noise-free flow and its basins;
* ``experiments`` — the run stage of each directive: identity, learned score, Langevin;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.
"""
