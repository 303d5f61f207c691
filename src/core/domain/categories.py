"""Spending categories: one vocabulary for budget categories and providers' categories.

Teller's categories (``groceries``, ``dining``, ``fuel`` ...), Plaid's personal-finance
categories, primary and detailed (``FOOD_AND_DRINK``, ``FOOD_AND_DRINK_GROCERIES`` ...),
Plaid's legacy names and common synonyms fold onto the canonical names below; a name the
table does not know stands for itself.
"""

from __future__ import annotations

import re

__all__ = ["CANONICAL_CATEGORIES", "canonical_category", "category_key"]

CANONICAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "groceries": ("grocery", "supermarket", "food_and_drink_groceries", "groceries"),
    "dining": (
        "dining",
        "restaurants",
        "restaurant",
        "eating_out",
        "food",
        "bar",
        "coffee",
        "food_and_drink",
        "food_and_drink_restaurant",
        "food_and_drink_fast_food",
        "food_and_drink_coffee",
        "food_and_drink_beer_wine_and_liquor",
    ),
    "transport": (
        "transport",
        "transportation",
        "fuel",
        "gas",
        "parking",
        "transit",
        "taxi",
        "travel_taxis_and_ride_shares",
        "transportation_gas",
        "transportation_public_transit",
        "transportation_parking",
    ),
    "shopping": (
        "shopping",
        "shops",
        "clothing",
        "electronics",
        "general_merchandise",
        "office",
        "sport",
        "software",
    ),
    "utilities": (
        "utilities",
        "phone",
        "internet",
        "rent_and_utilities",
        "rent_and_utilities_gas_and_electricity",
        "rent_and_utilities_internet_and_cable",
        "rent_and_utilities_telephone",
        "rent_and_utilities_water",
    ),
    "housing": (
        "housing",
        "rent",
        "mortgage",
        "home",
        "home_improvement",
        "rent_and_utilities_rent",
    ),
    "entertainment": ("entertainment", "recreation", "streaming", "subscriptions"),
    "health": ("health", "healthcare", "medical", "pharmacy", "personal_care"),
    "travel": ("travel", "accommodation", "airlines", "hotels", "lodging"),
    "education": ("education",),
    "insurance": ("insurance",),
    "fees": ("fees", "bank_fees", "service", "general_services"),
    "charity": ("charity", "donations", "government_and_non_profit"),
    "taxes": ("tax", "taxes"),
    "loans": ("loan", "loans", "loan_payments", "debt"),
    "income": ("income", "salary", "payroll", "interest", "dividends"),
    "transfer": ("transfer", "transfers", "transfer_in", "transfer_out", "payment", "investment"),
}
_CANONICAL_OF = {
    alias: canon for canon, aliases in CANONICAL_CATEGORIES.items() for alias in aliases
}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def category_key(name: str) -> str:
    """``"Food & Drink"`` → ``food_drink``; ``FOOD_AND_DRINK`` → ``food_and_drink``."""
    return _NON_WORD.sub("_", name.casefold()).strip("_")


def canonical_category(name: str | None) -> str | None:
    """The canonical category a provider's (or a budget's) category name stands for."""
    if not name:
        return None
    key = category_key(name)
    return _CANONICAL_OF.get(key, key) or None
