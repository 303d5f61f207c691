"""Finding the rate that zeroes a discounted cashflow series, in binary floating point.

The series is ``sum(c_i * (1 + r) ** -e_i)``: integer exponents 0..n for IRR, year fractions
for XIRR. Roots are looked for where the value changes sign, so a root the curve only touches
(even multiplicity) is not found. With one sign change there is exactly one root (Descartes'
rule of signs, which holds for real exponents too); with several, the one nearest zero is
returned, numpy-financial's choice.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import attrs

from core.domain.errors import Unprocessable

__all__ = ["NoSolution", "Series", "root_nearest_zero"]


class NoSolution(Unprocessable):
    code = "no_solution"
    title = "No solution"


@attrs.frozen
class Series:
    """sum(c_i * (1 + r) ** -e_i) with ascending exponents e_i ≥ 0 (a Dirichlet polynomial).

    For r ≥ 0 it is evaluated as sum(c_i v ** e_i) with v = 1 / (1 + r) ≤ 1; for r < 0 as
    sum(c_i w ** (E - e_i)) with w = 1 + r < 1, which is the NPV times w ** E: same sign, same
    roots, and neither form overflows.
    """

    exps: tuple[float, ...]
    coefs: tuple[float, ...]
    integral: bool

    def value(self, r: float) -> float:
        if r >= 0:
            v = 1.0 / (1.0 + r)
            if self.integral:  # consecutive integer exponents 0..n: Horner in v
                acc = 0.0
                for c in reversed(self.coefs):
                    acc = acc * v + c
                return acc
            return math.fsum(c * v**e for e, c in zip(self.exps, self.coefs, strict=True))
        w = 1.0 + r
        if self.integral:  # Horner in w on the reversed polynomial
            acc = 0.0
            for c in self.coefs:
                acc = acc * w + c
            return acc
        top = self.exps[-1]
        return math.fsum(c * w ** (top - e) for e, c in zip(self.exps, self.coefs, strict=True))

    def slope(self, r: float, side: int) -> float:
        """The derivative of the form ``value`` uses on ``side`` of zero, in its own variable.

        Only its sign matters: between two roots of ``value`` lies a turning point where it
        changes sign (Rolle), which finds roots too close together for the grid to separate.
        On the positive side the variable is v = 1 / (1 + r), which falls as r rises, so the
        sign is flipped to follow r.
        """
        if side > 0:
            v = 1.0 / (1.0 + r)
            return -math.fsum(
                e * c * v ** (e - 1) for e, c in zip(self.exps, self.coefs, strict=True) if e
            )
        w = 1.0 + r
        top = self.exps[-1]
        return math.fsum(
            (top - e) * c * w ** (top - e - 1)
            for e, c in zip(self.exps, self.coefs, strict=True)
            if top - e
        )


def _sign_changes(coefs: Sequence[float]) -> int:
    signs = [c > 0 for c in coefs if c != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def _brent(
    f: Callable[[float], float], a: float, b: float, fa: float, fb: float, rtol: float
) -> float:
    """A root of ``f`` in [a, b] where fa and fb differ in sign (Brent-Dekker), to ``rtol``."""
    if fa == 0:
        return a
    if fb == 0:
        return b
    c, fc = a, fa
    d = e = b - a
    for _ in range(200):
        if fb * fc > 0:
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = rtol * abs(b) + 1e-300
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0:
            return b
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:
                p, q = 2.0 * m * s, 1.0 - s
            else:
                q, r = fa / fc, fb / fc
                p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0))
                q = (q - 1.0) * (r - 1.0) * (s - 1.0)
            if p > 0:
                q = -q
            p = abs(p)
            if 2.0 * p < min(3.0 * m * q - abs(tol * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = m
        else:
            d = e = m
        a, fa = b, fb
        b = b + d if abs(d) > tol else b + math.copysign(tol, m)
        fb = f(b)
    return b


_UPPER = 1e9  # rates above 1e9 (1e11 %) are not searched
_LOWER = -1.0 + 1e-12


def _expanding(side: int) -> list[float]:
    """Bracket ends for the one-root case: 0.1, 0.4, 1.6 ... up, or -0.1 ... towards -1."""
    if side > 0:
        points, a = [], 0.1
        while a < _UPPER:
            points.append(a)
            a *= 4
        return [*points, _UPPER]
    points, gap = [], 0.9
    while gap > 1e-12:
        points.append(-1.0 + gap)
        gap /= 4
    return [*points, _LOWER]


def _grid(side: int) -> list[float]:
    """Rates on one side of zero, geometric near zero and, below zero, near -1 too.

    Above zero |r| grows from 1e-3 by 10 %. Below zero the growth covers -1e-3 … -0.5, then
    the gap to -1 (w = 1 + r, the polynomial's variable there) shrinks by 5 % a step, so two
    roots are told apart unless they are within a few per cent of each other in w.
    """
    points: list[float] = []
    a = 1e-3
    if side > 0:
        while a < _UPPER:
            points.append(a)
            a *= 1.1
        points.append(_UPPER)
        return points
    while a < 0.5:
        points.append(-a)
        a *= 1.1
    gap = 0.5
    while gap > 1e-12:
        points.append(-1.0 + gap)
        gap /= 1.05
    points.append(_LOWER)
    return points


def root_nearest_zero(series: Series, rtol: float) -> float:
    changes = _sign_changes(series.coefs)
    if changes == 0:
        raise NoSolution("The cashflows never change sign: no rate makes their value zero")
    f = series.value
    f0 = f(0.0)
    if f0 == 0:
        return 0.0
    if changes == 1:
        # Descartes' rule: exactly one root. Its side of zero follows from the sign at 0 and
        # the sign as r → ∞ (the first coefficient): expand a bracket on that side.
        side = -1 if (f0 > 0) == (series.coefs[0] > 0) else 1
        lo, flo = 0.0, f0
        for hi in _expanding(side):
            fhi = f(hi)
            if fhi == 0 or (fhi > 0) != (flo > 0):
                a, b, fa, fb = (lo, hi, flo, fhi) if lo < hi else (hi, lo, fhi, flo)
                return _brent(f, a, b, fa, fb, rtol)
            lo, flo = hi, fhi
        raise NoSolution("No rate in the searched range makes the value zero")
    # Several sign changes: scan outwards from zero on both sides, always advancing the side
    # whose next grid point is nearer zero, and stop once neither side can hold a root nearer
    # than the best one found (the two grids are spaced differently).
    sides = {s: _grid(s) for s in (1, -1)}
    index = {1: 0, -1: 0}
    prev = {1: (0.0, f0), -1: (0.0, f0)}
    best: float | None = None
    while True:
        open_sides = [s for s in (1, -1) if index[s] < len(sides[s])]
        if not open_sides:
            break
        s = min(open_sides, key=lambda side: abs(sides[side][index[side]]))
        r = sides[s][index[s]]
        if best is not None and abs(prev[s][0]) >= abs(best):
            index[s] = len(sides[s])  # this side can only hold roots farther out
            continue
        index[s] += 1
        fr = f(r)
        pr, fpr = prev[s]
        prev[s] = (r, fr)
        a, b, fa, fb = (pr, r, fpr, fr) if pr < r else (r, pr, fr, fpr)
        for root in _roots_in(series, s, a, b, fa, fb, rtol):
            if best is None or abs(root) < abs(best):
                best = root
    if best is not None:
        return best
    raise NoSolution("The cashflows change sign but no rate makes their value zero")


def _roots_in(
    series: Series, side: int, a: float, b: float, fa: float, fb: float, rtol: float
) -> list[float]:
    """Roots in [a, b]: one where the value changes sign, or a close pair around a turning point."""
    f = series.value
    if fa == 0 or fb == 0 or (fa > 0) != (fb > 0):
        return [_brent(f, a, b, fa, fb, rtol)]
    da, db = series.slope(a, side), series.slope(b, side)
    if da == 0 or db == 0 or (da > 0) == (db > 0):
        return []
    # One turning point inside: find it by bisection on the slope's sign; if the value there
    # has crossed zero, a root lies on each side of it.
    lo, hi = a, b
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        dm = series.slope(mid, side)
        if dm == 0:
            lo = hi = mid
            break
        if (dm > 0) == (da > 0):
            lo = mid
        else:
            hi = mid
    turn = 0.5 * (lo + hi)
    ft = f(turn)
    if ft == 0:
        return [turn]
    if (ft > 0) == (fa > 0):
        return []
    return [_brent(f, a, turn, fa, ft, rtol), _brent(f, turn, b, ft, fb, rtol)]
