"""HSIC, the Hilbert-Schmidt independence criterion (spaces.ac.cn/archives/6910).

X and Y are independent iff C[f, g] = E f(X)g(Y) − E f(X) E g(Y) vanishes for every f, g of
rich enough classes. Summing C² over the eigenfunctions of kernels k and l, weighted by their
eigenvalues, leaves kernel evaluations only:

    HSIC = E k(x₁,x₂) l(y₁,y₂) + E k(x₁,x₂) E l(y₁,y₂) − 2 E k(x₁,x₂) l(y₁,y₃),

with (x₁,y₁), (x₂,y₂), (x₃,y₃) independent draws of (X, Y). For n samples with Gram matrices
K, L and the centring matrix H = I − 11ᵀ/n, the plug-in (V-statistic) estimate is
tr(KHLH)/n². Su Jianlin's article rescales it by n²/(n−1)² and calls that unbiased; it is
not: for independent data its mean is (1 − E k)(1 − E l)/(n − 1) > 0 (kernels with
k(x, x) = 1). The unbiased U-statistic is Song et al. (2012), "Feature selection via
dependence maximization", JMLR 13.

The topic has five modules:

* ``estimators`` — Gaussian Gram matrices, the biased, article and unbiased estimates,
  Pearson's r, and permutation tests, all in O(n²) per statistic;
* ``gaussian`` — closed forms for jointly Gaussian scalars: the population HSIC and the exact
  finite-n mean of the biased estimate;
* ``relationships`` — the five shapes the post samples (independent, linear, quadratic,
  circle, sine);
* ``experiments`` — the run stage of each directive: dependence, noise, null, article demo;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.
"""
