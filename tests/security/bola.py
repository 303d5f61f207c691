"""Reusable BOLA (OWASP API1) checks for any area's HTTP tests.

The rule (API.md): a resource the caller may not see answers 404, exactly like one that does
not exist. These helpers compare the two answers field by field (only the correlation id may
differ), so an existence leak through a different status, code, title or detail fails.

Across merchants (payments, settlements, webhooks...)::

    from tests.security.bola import assert_bola_across_merchants

    await assert_bola_across_merchants(
        client,
        path="/v1/merchants/{merchant_id}/payments/" + payment_id,
        merchant_id=merchant_a,
        member_headers=auth_headers(settings, user_id=owner_a),
        outsider_headers=auth_headers(settings, user_id=owner_b),
    )
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MISSING_MERCHANT", "assert_bola_across_merchants", "assert_hidden_like_missing"]

MISSING_MERCHANT = "mer_00000000000000000000000000"


def _comparable(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "correlation_id"}


async def assert_hidden_like_missing(
    client: Any,
    *,
    path: str,
    missing_path: str,
    headers: Mapping[str, str],
    method: str = "GET",
    json: Any = None,
) -> dict[str, Any]:
    """``path`` (someone else's object) answers exactly like ``missing_path`` (no such object)."""
    hidden = await client.request(method, path, headers=dict(headers), json=json)
    missing = await client.request(method, missing_path, headers=dict(headers), json=json)
    assert hidden.status_code == 404, f"{method} {path}: {hidden.status_code} {hidden.text}"
    assert missing.status_code == 404, f"{method} {missing_path}: {missing.status_code}"
    assert hidden.json()["code"] == "not_found"
    assert _comparable(hidden.json()) == _comparable(missing.json())
    return dict(hidden.json())


async def assert_bola_across_merchants(
    client: Any,
    *,
    path: str,
    merchant_id: str,
    member_headers: Mapping[str, str],
    outsider_headers: Mapping[str, str],
    method: str = "GET",
    json: Any = None,
    member_statuses: tuple[int, ...] = (200, 201, 204),
) -> None:
    """A member of ``merchant_id`` reaches ``path`` (a template with ``{merchant_id}``);
    a user outside the merchant gets the same 404 as for a merchant that does not exist."""
    own = await client.request(
        method, path.format(merchant_id=merchant_id), headers=dict(member_headers), json=json
    )
    assert own.status_code in member_statuses, f"member: {own.status_code} {own.text}"
    await assert_hidden_like_missing(
        client,
        path=path.format(merchant_id=merchant_id),
        missing_path=path.format(merchant_id=MISSING_MERCHANT),
        headers=outsider_headers,
        method=method,
        json=json,
    )
