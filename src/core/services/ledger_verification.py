"""``verify-ledger``: every invariant of DESIGN.md, checked against the store's own sums."""

from __future__ import annotations

import attrs

from ports.ledger_checks import LedgerChecks

__all__ = ["LedgerVerifier", "Violation"]


@attrs.frozen
class Violation:
    invariant: str
    subject: str
    detail: str


class LedgerVerifier:
    def __init__(self, checks: LedgerChecks) -> None:
        self._checks = checks

    async def verify(self) -> list[Violation]:
        found: list[Violation] = []
        for currency, total in await self._checks.currency_totals():
            if total != 0:
                found.append(
                    Violation("zero_sum", currency, f"accounts sum to {total}, expected 0")
                )
        for transfer_id in await self._checks.malformed_transfers():
            found.append(
                Violation("well_formed_transfer", transfer_id, "non-positive or self transfer")
            )
        for account, currency, balance in await self._checks.negative_accounts():
            found.append(
                Violation("no_negative_balance", f"{account} {currency}", f"balance {balance}")
            )
        for f in await self._checks.merchant_figures():
            expected = f.captured - f.refunded - f.fees - f.settled
            if f.available != expected:
                found.append(
                    Violation(
                        "available_balance",
                        f"{f.merchant_id} {f.currency}",
                        f"ledger {f.available} != captured {f.captured} - refunded {f.refunded}"
                        f" - fees {f.fees} - settled {f.settled} = {expected}",
                    )
                )
        for c in await self._checks.settlement_claims():
            if c.amount != c.claimed_net:
                found.append(
                    Violation(
                        "settled_once",
                        c.settlement_id,
                        f"amount {c.amount} but its claim nets {c.claimed_net}",
                    )
                )
            if c.status == "failed" and not c.reversal_posted and c.stage == "done":
                found.append(
                    Violation("settled_once", c.settlement_id, "failed without its reversal")
                )
        for p in await self._checks.payment_figures():
            if p.refunded > p.captured or p.refunds_succeeded > p.captured:
                invariant = "refunds_within_capture"
            else:
                invariant = "payment_matches_ledger"
            found.append(
                Violation(
                    invariant,
                    p.payment_id,
                    f"{p.status}: amount {p.amount}, captured {p.captured} (ledger"
                    f" {p.capture_transfer}), fee {p.fee} (ledger {p.fee_transfer}), refunded"
                    f" {p.refunded} (refunds {p.refunds_succeeded}, ledger {p.refund_transfers})",
                )
            )
        return found
