"""Cashflow maths: NPV, IRR, XNPV, XIRR, level payments and amortization schedules.

Pure functions over ``Decimal``. Conventions (chosen to agree with numpy-financial):

- ``npv(rate, values)``: the first cashflow is at t = 0 and is not discounted,
  ``sum(values[t] / (1 + rate) ** t)`` (numpy-financial's ``npv``; spreadsheets' ``NPV``
  discounts the first value too).
- ``irr(values)``: a rate r > -1 with ``npv(r, values) == 0``; when there are several, the one
  closest to zero (numpy-financial's rule). No sign change, or no real root: ``NoSolution``.
- ``xnpv``/``xirr``: actual/365 from the earliest date, ``sum(a_i / (1 + r) ** (days_i / 365))``
  (the spreadsheet ``XNPV`` convention).
- ``payment``: numpy-financial's ``pmt`` sign convention (a positive loan gives a negative
  payment); ``amortization`` reports positive amounts.

The root search runs in binary floating point (fast enough for 10,000 flows), then IRR is
polished with Newton steps in ``Decimal`` on the exact polynomial. Roots of even multiplicity
(where NPV touches zero without crossing it) are not found: the search works on sign changes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal, localcontext

import attrs

from core.domain.errors import FieldError, Unprocessable, ValidationFailed

__all__ = [
    "MAX_CASHFLOWS",
    "MAX_MONTHS",
    "AmortizationRow",
    "AmortizationSchedule",
    "DatedCashflow",
    "NoSolution",
    "amortization",
    "irr",
    "npv",
    "payment",
    "significant",
    "xirr",
    "xnpv",
]

MAX_CASHFLOWS = 10_000
MAX_MONTHS = 1200
MAX_ABS_AMOUNT = Decimal("1e15")
MAX_RATE = Decimal(100)
_PREC = 40
_NOISE = Decimal("1e-30")
_DAYS_PER_YEAR = 365


class NoSolution(Unprocessable):
    code = "no_solution"
    title = "No solution"


@attrs.frozen
class DatedCashflow:
    date: date
    amount: Decimal


@attrs.frozen
class AmortizationRow:
    month: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


@attrs.frozen
class AmortizationSchedule:
    payment: Decimal
    rows: tuple[AmortizationRow, ...]


# --------------------------------------------------------------------------- validation


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message)])


def _check_amount(value: Decimal, field: str) -> None:
    if not value.is_finite():
        raise _invalid(field, "must be a finite number")
    if abs(value) > MAX_ABS_AMOUNT:
        raise _invalid(field, "must be at most 1e15 in absolute value")


def _check_rate(rate: Decimal, field: str = "rate") -> None:
    if not rate.is_finite():
        raise _invalid(field, "must be a finite number")
    if rate <= -1 or rate > MAX_RATE:
        raise _invalid(field, "must be greater than -1 and at most 100")


def _check_flows(values: Sequence[Decimal], field: str = "cashflows", minimum: int = 1) -> None:
    if not minimum <= len(values) <= MAX_CASHFLOWS:
        raise _invalid(field, f"needs between {minimum} and {MAX_CASHFLOWS} cashflows")
    low, high = -MAX_ABS_AMOUNT, MAX_ABS_AMOUNT
    for i, value in enumerate(values):
        if not (value.is_finite() and low <= value <= high):
            _check_amount(value, f"{field}[{i}]")


# --------------------------------------------------------------------------- NPV / XNPV


def npv(rate: Decimal, values: Sequence[Decimal]) -> Decimal:
    """Net present value; ``values[0]`` is at t = 0 (numpy-financial's convention)."""
    _check_rate(rate)
    _check_flows(values)
    with localcontext() as ctx:
        ctx.prec = _PREC
        v = 1 / (1 + rate)
        acc = size = Decimal(0)
        for value in reversed(values):  # Horner in v = 1 / (1 + rate)
            acc = acc * v + value
            size = size * v + abs(value)
        return _denoised(acc, size)


def _denoised(total: Decimal, size: Decimal) -> Decimal:
    """``total`` with rounding residue (below 1e-30 of the summed magnitudes) shown as 0."""
    return Decimal(0) if abs(total) <= size * _NOISE else +total


def _year_fractions(flows: Sequence[DatedCashflow]) -> tuple[int, list[int]]:
    start = min(f.date for f in flows)
    return start.toordinal(), [(f.date - start).days for f in flows]


def xnpv(rate: Decimal, flows: Sequence[DatedCashflow]) -> Decimal:
    """Net present value of dated cashflows, actual/365 from the earliest date."""
    _check_rate(rate)
    _check_flows([f.amount for f in flows])
    _, days = _year_fractions(flows)
    with localcontext() as ctx:
        ctx.prec = _PREC
        # (1 + r) ** (d / 365) == ((1 + r) ** (1 / 365)) ** d: one fractional power, then
        # integer powers, which Decimal computes quickly and accurately.
        daily = (1 + rate) ** (Decimal(1) / _DAYS_PER_YEAR)
        total = size = Decimal(0)
        for flow, d in zip(flows, days, strict=True):
            term = flow.amount / daily**d
            total += term
            size += abs(term)
        return _denoised(total, size)


# --------------------------------------------------------------------------- root finding


@attrs.frozen
class _Series:
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
    """Rates on one side of zero, finer near zero (|r| from 1e-3 growing by 10 %)."""
    points: list[float] = []
    a = 1e-3
    limit = _UPPER if side > 0 else 1.0 - 1e-12
    while a < limit:
        points.append(side * a)
        a *= 1.1
    points.append(side * limit)
    return points


def _root_closest_to_zero(series: _Series, rtol: float) -> float:
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
    # Several sign changes: scan outwards from zero on both sides and keep the root of the
    # first shell that holds one (refined), the nearest to zero.
    sides = {s: _grid(s) for s in (1, -1)}
    prev = {1: (0.0, f0), -1: (0.0, f0)}
    best: float | None = None
    for k in range(max(len(sides[1]), len(sides[-1]))):
        for s in (1, -1):
            if k >= len(sides[s]):
                continue
            r = sides[s][k]
            fr = f(r)
            pr, fpr = prev[s]
            prev[s] = (r, fr)
            if fr == 0 or (fr > 0) != (fpr > 0):
                a, b, fa, fb = (pr, r, fpr, fr) if pr < r else (r, pr, fr, fpr)
                root = _brent(f, a, b, fa, fb, rtol)
                if best is None or abs(root) < abs(best):
                    best = root
        if best is not None:
            return best
    raise NoSolution("The cashflows change sign but no rate makes their value zero")


def _stripped(values: Sequence[Decimal]) -> list[Decimal]:
    nonzero = [i for i, v in enumerate(values) if v != 0]
    if not nonzero:
        return []
    return list(values[nonzero[0] : nonzero[-1] + 1])


def _polish_irr(r: float, values: Sequence[Decimal]) -> Decimal:
    """Up to two Newton steps in Decimal on the exact polynomial, kept while they improve."""
    with localcontext() as ctx:
        ctx.prec = _PREC

        def npv_and_slope(rate: Decimal) -> tuple[Decimal, Decimal]:
            v = 1 / (1 + rate)
            p = dp = Decimal(0)
            for value in reversed(values):  # p(v) and p'(v) by Horner
                dp = dp * v + p
                p = p * v + value
            return p, -dp * v * v  # d/dr = p'(v) * dv/dr, dv/dr = -v²

        best = Decimal(repr(r))
        best_value, slope = npv_and_slope(best)
        for _ in range(2):
            if slope == 0 or best_value == 0:
                break
            candidate = best - best_value / slope
            if candidate <= -1:
                break
            value, new_slope = npv_and_slope(candidate)
            if abs(value) >= abs(best_value):
                break
            best, best_value, slope = candidate, value, new_slope
        return +best


def irr(values: Sequence[Decimal]) -> Decimal:
    """The internal rate of return per period; the root nearest zero when there are several."""
    _check_flows(values, minimum=2)
    core = _stripped(values)
    if len(core) < 2:
        raise NoSolution("The cashflows never change sign: no rate makes their value zero")
    series = _Series(
        exps=tuple(float(i) for i in range(len(core))),
        coefs=tuple(float(v) for v in core),
        integral=True,
    )
    # Brent to 1e-12 in float; one or two Newton steps in Decimal then square the error.
    root = _root_closest_to_zero(series, 1e-12)
    return _polish_irr(root, core)


def xirr(flows: Sequence[DatedCashflow], guess: Decimal | None = None) -> Decimal:
    """The annual rate (actual/365) that makes ``xnpv`` zero; the root nearest zero.

    ``guess`` is accepted for compatibility with spreadsheet signatures and only validated:
    the search does not depend on a starting point.
    """
    _check_flows([f.amount for f in flows], minimum=2)
    if guess is not None:
        _check_rate(guess, "rate")
    _, days = _year_fractions(flows)
    by_day: dict[int, Decimal] = {}
    for flow, d in zip(flows, days, strict=True):
        by_day[d] = by_day.get(d, Decimal(0)) + flow.amount
    ordered = sorted((d, a) for d, a in by_day.items() if a != 0)
    if len(ordered) < 2:
        raise NoSolution("The cashflows never change sign: no rate makes their value zero")
    first = ordered[0][0]
    series = _Series(
        exps=tuple((d - first) / _DAYS_PER_YEAR for d, _ in ordered),
        coefs=tuple(float(a) for _, a in ordered),
        integral=False,
    )
    return Decimal(repr(_root_closest_to_zero(series, 4.4e-16)))


# --------------------------------------------------------------------------- loans


def payment(rate: Decimal, nper: int, pv: Decimal, fv: Decimal = Decimal(0)) -> Decimal:
    """The level payment per period (numpy-financial ``pmt``, payments at period end)."""
    _check_rate(rate)
    _check_amount(pv, "principal")
    _check_amount(fv, "fv")
    if not 1 <= nper <= MAX_MONTHS:
        raise _invalid("months", f"must be between 1 and {MAX_MONTHS}")
    with localcontext() as ctx:
        ctx.prec = _PREC
        if rate == 0:
            return +(-(pv + fv) / nper)
        growth = (1 + rate) ** nper
        return +(-(fv + pv * growth) * rate / (growth - 1))


def amortization(
    principal: Decimal, annual_rate: Decimal, months: int, *, decimals: int | None = 2
) -> AmortizationSchedule:
    """Monthly schedule of a level-payment loan; the last balance is exactly zero.

    ``payment`` in the result is the exact level payment (positive). Each row's amounts are
    rounded to ``decimals`` places (``None``: unrounded): the level payment up, interest
    half-even on the running rounded balance; the last payment (or an earlier one, once the
    rounded-up payments have repaid the loan) takes exactly what is left, so the final
    balance is exactly zero.
    """
    if not principal.is_finite() or principal <= 0 or principal > MAX_ABS_AMOUNT:
        raise _invalid("principal", "must be greater than 0 and at most 1e15")
    if not annual_rate.is_finite() or not 0 <= annual_rate <= 1:
        raise _invalid("annual_rate", "must be a fraction between 0 and 1 (0.065 for 6.5 %)")
    if not 1 <= months <= MAX_MONTHS:
        raise _invalid("months", f"must be between 1 and {MAX_MONTHS}")
    if decimals is not None and not 0 <= decimals <= 10:
        raise _invalid("decimals", "must be between 0 and 10")
    with localcontext() as ctx:
        ctx.prec = _PREC
        monthly = annual_rate / 12
        level = -payment(monthly, months, principal)
        quantum = Decimal(1).scaleb(-decimals) if decimals is not None else None

        def money(x: Decimal) -> Decimal:
            return x.quantize(quantum, rounding=ROUND_HALF_EVEN) if quantum is not None else +x

        # Rounded up, so the rounding of the level payment never adds to the last one.
        rounded_payment = (
            level.quantize(quantum, rounding=ROUND_UP) if quantum is not None else +level
        )
        balance = money(principal)
        rows: list[AmortizationRow] = []
        for month in range(1, months + 1):
            interest = money(balance * monthly)
            if month == months or rounded_payment >= balance + interest:
                principal_part = balance
                paid = balance + interest
            else:
                paid = rounded_payment
                principal_part = paid - interest
            balance = balance - principal_part
            rows.append(
                AmortizationRow(
                    month=month,
                    payment=paid,
                    interest=interest,
                    principal=principal_part,
                    balance=balance,
                )
            )
        return AmortizationSchedule(payment=+level, rows=tuple(rows))


def significant(value: Decimal, digits: int = 15) -> str:
    """``value`` rounded to ``digits`` significant digits, in plain notation (no exponent)."""
    if value.is_zero():
        return "0"
    with localcontext() as ctx:
        ctx.prec = digits
        rounded = +value
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
