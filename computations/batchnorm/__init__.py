"""What batch normalisation does to the smoothness of training (spaces.ac.cn/archives/6992).

Su Jianlin argues, after Santurkar et al. (arXiv 1805.11604), that BN helps because it
lowers the Lipschitz constant L of the loss gradient, and gradient descent decreases the loss
whenever the step is below 2/L. For one layer the weight gradient carries an extra factor
x, so the constant scales with the second moment of the layer's input; subtracting the mean
is the shift that makes that moment smallest. The topic makes the argument measurable in
three directives:

* ``centering`` — inputs that look like a hidden layer (x = ReLU(Wh), h Gaussian) have a
  positive mean. Their second-moment matrix E[xxᵀ] = Σ + μμᵀ has one spike of about
  ‖μ‖² + λ_max(Σ) (Weyl's bound; a Rayleigh quotient gives the matching lower bound); after
  centring only λ_max(Σ) is left. Mean and E[xxᵀ] are exact here (arc-cosine kernel of
  Cho & Saul 2009), so the Monte Carlo estimates are checked against closed forms.
* ``training`` — a 2-hidden-layer ReLU network trained by full-batch gradient descent on a
  teacher-labelled data set, without BN, with BN between the linear map and the activation
  (Ioffe & Szegedy's place) and with BN on the input of every linear layer (the article's
  place), at several learning rates: loss curves, the largest rate that still trains, and
  the curvature λ_max(∇²L) at the start against 2/η.
* ``smoothness`` — Santurkar et al.'s measures along the trajectory: the change of the
  gradient ‖∇L(w) − ∇L(w − η'∇L)‖ over a range of probe steps η', and the effective
  β-smoothness max_{η'} ‖∇L(w) − ∇L(w − η'∇L)‖ / ‖η'∇L(w)‖.

The modules:

* ``features`` — exact and sampled moments of random ReLU features (the mathematics of
  ``centering``);
* ``network`` — the MLP with its three BN placements, its hand-written forward and backward
  passes, and the central differences that check them;
* ``descent`` — full-batch gradient descent, the curvature at a point and the smoothness
  measures along a trajectory;
* ``experiments`` — the run stage of each directive;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.
"""
