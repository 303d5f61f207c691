"""The figures ``verify-ledger`` compares, each summed by the store in one statement."""

from __future__ import annotations

from ports.ledger_checks import MerchantFigures, PaymentFigures, SettlementClaim
from ports.sql import SqlExecutor, SqlValue

__all__ = ["SqlLedgerChecks"]

# Every transfer seen from both of its accounts: credit +amount, debit -amount.
_ENTRIES = (
    "SELECT credit_account AS account, currency, amount AS delta FROM ledger_transfers"
    " UNION ALL SELECT debit_account AS account, currency, -amount AS delta FROM ledger_transfers"
)


def _int(value: SqlValue) -> int:
    return 0 if value is None else int(value)


class SqlLedgerChecks:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def currency_totals(self) -> list[tuple[str, int]]:
        result = await self._sql.execute(
            f"SELECT currency, CAST(SUM(delta) AS BIGINT) FROM ({_ENTRIES}) e"
            " GROUP BY currency ORDER BY currency"
        )
        return [(str(c), _int(total)) for c, total in result.rows]

    async def malformed_transfers(self) -> list[str]:
        result = await self._sql.execute(
            "SELECT id FROM ledger_transfers WHERE amount <= 0 OR debit_account = credit_account"
            " ORDER BY id LIMIT 100"
        )
        return [str(row[0]) for row in result.rows]

    async def negative_accounts(self) -> list[tuple[str, str, int]]:
        result = await self._sql.execute(
            f"SELECT account, currency, CAST(SUM(delta) AS BIGINT) FROM ({_ENTRIES}) e"
            " WHERE account = 'platform:fees' OR account LIKE 'merchant:%:pending_payout'"
            " GROUP BY account, currency HAVING SUM(delta) < 0 ORDER BY account, currency"
        )
        return [(str(a), str(c), _int(b)) for a, c, b in result.rows]

    async def merchant_figures(self) -> list[MerchantFigures]:
        payments = await self._sql.execute(
            "SELECT merchant_id, currency, CAST(SUM(captured_amount) AS BIGINT),"
            " CAST(SUM(refunded_amount) AS BIGINT), CAST(SUM(fee_amount) AS BIGINT)"
            " FROM payments GROUP BY merchant_id, currency"
        )
        settled = await self._sql.execute(
            "SELECT merchant_id, currency, CAST(SUM(amount) AS BIGINT) FROM settlements"
            " WHERE status IN ('pending', 'paid') AND stage NOT IN ('claiming', 'cancelled')"
            " GROUP BY merchant_id, currency"
        )
        ledger = await self._sql.execute(
            "SELECT merchant_id, currency,"
            " CAST(SUM(CASE WHEN credit_account LIKE 'merchant:%:available' THEN amount"
            "  WHEN debit_account LIKE 'merchant:%:available' THEN -amount ELSE 0 END) AS BIGINT),"
            " CAST(SUM(CASE WHEN credit_account LIKE 'merchant:%:pending_payout' THEN amount"
            "  WHEN debit_account LIKE 'merchant:%:pending_payout' THEN -amount ELSE 0 END)"
            "  AS BIGINT)"
            " FROM ledger_transfers GROUP BY merchant_id, currency"
        )
        keys: dict[tuple[str, str], dict[str, int]] = {}
        for m, c, cap, ref, fee in payments.rows:
            keys.setdefault((str(m), str(c)), {}).update(
                captured=_int(cap), refunded=_int(ref), fees=_int(fee)
            )
        for m, c, amount in settled.rows:
            keys.setdefault((str(m), str(c)), {})["settled"] = _int(amount)
        for m, c, avail, pend in ledger.rows:
            keys.setdefault((str(m), str(c)), {}).update(
                available=_int(avail), pending_payout=_int(pend)
            )
        return [
            MerchantFigures(
                merchant_id=m,
                currency=c,
                captured=v.get("captured", 0),
                refunded=v.get("refunded", 0),
                fees=v.get("fees", 0),
                settled=v.get("settled", 0),
                available=v.get("available", 0),
                pending_payout=v.get("pending_payout", 0),
            )
            for (m, c), v in sorted(keys.items())
        ]

    async def settlement_claims(self) -> list[SettlementClaim]:
        result = await self._sql.execute(
            "SELECT s.id, s.status, s.stage, s.amount,"
            " (SELECT CAST(SUM(CASE WHEN t.credit_account LIKE 'merchant:%:available'"
            "   THEN t.amount ELSE -t.amount END) AS BIGINT) FROM ledger_transfers t"
            "   WHERE t.settlement_id = s.id AND t.kind NOT IN ('settlement', 'payout')),"
            " (SELECT COUNT(*) FROM ledger_transfers t"
            "   WHERE t.id = 'trf_' || s.id || '_settlement_reversal')"
            " FROM settlements s WHERE s.stage NOT IN ('claiming', 'cancelled') ORDER BY s.id"
        )
        return [
            SettlementClaim(
                settlement_id=str(i),
                status=str(st),
                stage=str(sg),
                amount=_int(a),
                claimed_net=_int(net),
                reversal_posted=_int(rev) > 0,
            )
            for i, st, sg, a, net, rev in result.rows
        ]

    async def payment_figures(self) -> list[PaymentFigures]:
        result = await self._sql.execute(
            "SELECT id, status, amount, captured_amount, refunded_amount, fee_amount,"
            " refunds, cap, fee, reft FROM (SELECT p.id, p.status, p.amount, p.captured_amount,"
            " p.refunded_amount, p.fee_amount,"
            " (SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM refunds r"
            "   WHERE r.payment_id = p.id AND r.status = 'succeeded') AS refunds,"
            " (SELECT CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM ledger_transfers t"
            "   WHERE t.payment_id = p.id AND t.kind = 'capture') AS cap,"
            " (SELECT CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM ledger_transfers t"
            "   WHERE t.payment_id = p.id AND t.kind = 'fee') AS fee,"
            " (SELECT CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM ledger_transfers t"
            "   WHERE t.payment_id = p.id AND t.kind = 'refund') AS reft"
            " FROM payments p) x"
            " WHERE refunded_amount > captured_amount OR captured_amount > amount"
            " OR fee_amount > captured_amount OR refunds != refunded_amount"
            " OR cap != captured_amount OR fee != fee_amount OR reft != refunded_amount"
            " ORDER BY id LIMIT 100"
        )
        return [
            PaymentFigures(
                payment_id=str(r[0]),
                status=str(r[1]),
                amount=_int(r[2]),
                captured=_int(r[3]),
                refunded=_int(r[4]),
                fee=_int(r[5]),
                refunds_succeeded=_int(r[6]),
                capture_transfer=_int(r[7]),
                fee_transfer=_int(r[8]),
                refund_transfers=_int(r[9]),
            )
            for r in result.rows
        ]
