"""From an adapter's provider records to the API's models, with ids derived per connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.domain.banking import (
    AccountRecord,
    BalanceRecord,
    BankAccount,
    BankBalance,
    BankTransaction,
    TransactionRecord,
    derived_id,
)

__all__ = ["from_records"]


def from_records(
    connection_id: str,
    accounts: Sequence[AccountRecord],
    balances: Sequence[BalanceRecord],
    records: Sequence[TransactionRecord],
    as_of: datetime,
) -> tuple[tuple[BankAccount, ...], tuple[BankBalance, ...], tuple[BankTransaction, ...]]:
    """Accounts (with their balances), balances and transactions of one connection."""
    by_account = {b.provider_account_id: b for b in balances}
    ids = {a.provider_account_id: derived_id("acc", connection_id, a.provider_account_id)
           for a in accounts}  # fmt: skip

    def account_id(provider_id: str) -> str:
        return ids.get(provider_id) or derived_id("acc", connection_id, provider_id)

    bank_accounts = tuple(
        BankAccount(
            id=ids[a.provider_account_id],
            connection_id=connection_id,
            provider_account_id=a.provider_account_id,
            name=a.name,
            official_name=a.official_name,
            type=a.type,
            subtype=a.subtype,
            mask=a.mask,
            currency=a.currency,
            balance_current=by_account[a.provider_account_id].current
            if a.provider_account_id in by_account
            else None,
            balance_available=by_account[a.provider_account_id].available
            if a.provider_account_id in by_account
            else None,
            institution_name=a.institution_name,
        )
        for a in accounts
    )
    bank_balances = tuple(
        BankBalance(
            account_id=ids[a.provider_account_id],
            current=by_account[a.provider_account_id].current,
            available=by_account[a.provider_account_id].available,
            currency=by_account[a.provider_account_id].currency,
            as_of=as_of,
        )
        for a in accounts
        if a.provider_account_id in by_account
    )
    transactions = tuple(
        BankTransaction(
            id=derived_id("txn", connection_id, r.provider_transaction_id),
            account_id=account_id(r.provider_account_id),
            connection_id=connection_id,
            amount=r.amount,
            currency=r.currency,
            date=r.date,
            description=r.description,
            merchant_name=r.merchant_name,
            category=r.category,
            pending=r.pending,
        )
        for r in records
    )
    return bank_accounts, bank_balances, transactions
