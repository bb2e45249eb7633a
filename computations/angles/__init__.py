"""The angle between two random vectors in n dimensions (spaces.ac.cn/archives/7076).

Su Jianlin fixes one vector at e₁ (by isotropy) and reads the angle θ off hyperspherical
coordinates: θ ∈ [0, π] has density

    p_n(θ) = c_n sin^{n-2} θ,   c_n = Γ(n/2) / (Γ((n-1)/2) √π),

which is uniform for n = 2, has a uniform cosine for n = 3 and concentrates at π/2 as n
grows; the article approximates the variance by 1/(n-2) (Laplace), and our table shows
1/(n-1) is closer. The topic has three modules:

* ``theory`` — closed forms and the Monte Carlo sampler (the mathematics, nothing else);
* ``experiments`` — the run stage of each directive: density, moments, concentration;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.
"""
