"""Two equal elliptical sheets bent and glued into a closed solid (spaces.ac.cn/archives/6818).

Su Jianlin asks whether two identical elliptical sheets, each bent cylindrically, can be
glued rim to rim into a closed solid, the way the two halves of a tennis ball close up. Take
the ellipse x²/a² + y²/b² = 1 with a ≥ b > 0, measure arc length s from the tip (a, 0), call
h(s) the height y reached there and l = a E(1 − b²/a²) the quarter perimeter. Bending is an
isometry, so the first-octant quarter of the seam, parametrised by s, has y = h(s),
z = h(l − s) and

    x(s) = ∫₀ˢ √D(σ) dσ,   D(s) = 1 − h'(s)² − h'(l − s)²;

the sheets close up iff D ≥ 0 on [0, l]. The article proves that it always is, and draws
the bent sheet for a = 2, b = 1.

The topic has four modules:

* ``perimeters`` — the perimeter by the complete elliptic integral, by an independent
  periodic quadrature and by Ramanujan's two approximations, and the article's y-grid
  quadrature with its √h error law;
* ``gluing`` — arc length and its inverse in the eccentric angle, the criterion D(s), the
  seam, the solid's volume, isometry measurements on the bent sheets, and the article's
  finite-difference construction of the seam as an independent reference;
* ``experiments`` — the run stage of each directive: perimeter, seam, solid;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.

Everything is deterministic: no directive of this topic draws random numbers.
"""
