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

The root search (``rate_search``) runs in binary floating point (fast enough for 10,000
flows), then IRR is
polished with Newton steps in ``Decimal`` on the exact polynomial. Roots of even multiplicity
(where NPV touches zero without crossing it) are not found: the search works on sign changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal, localcontext

import attrs

from core.domain.errors import FieldError, ValidationFailed
from core.domain.rate_search import NoSolution, Series, root_nearest_zero

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
    series = Series(
        exps=tuple(float(i) for i in range(len(core))),
        coefs=tuple(float(v) for v in core),
        integral=True,
    )
    # Brent to 1e-12 in float; one or two Newton steps in Decimal then square the error.
    root = root_nearest_zero(series, 1e-12)
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
    series = Series(
        exps=tuple((d - first) / _DAYS_PER_YEAR for d, _ in ordered),
        coefs=tuple(float(a) for _, a in ordered),
        integral=False,
    )
    return Decimal(repr(root_nearest_zero(series, 4.4e-16)))


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
