"""Payout rails: where settlements send the merchant's money."""
