from __future__ import annotations

import base64
import json

import jwt
import pytest

from adapters.security.tokens import JwtAccessTokens
from core.domain.errors import AuthenticationFailed
from core.domain.identity import Principal
from tests.fakes import FakeClock

KEY = b"k" * 32


def make(clock: FakeClock, key: bytes = KEY, audience: str = "fintech-api") -> JwtAccessTokens:
    return JwtAccessTokens(
        key=key, issuer="fintech", audience=audience, ttl_seconds=900, clock=clock
    )


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_round_trips_to_the_same_principal() -> None:
    clock = FakeClock()
    tokens = make(clock)
    issued = tokens.issue(Principal("usr_1", frozenset({"user", "admin"})))
    assert issued.expires_in == 900
    principal = tokens.verify(issued.token)
    assert principal.user_id == "usr_1"
    assert principal.roles == frozenset({"user", "admin"})
    assert principal.token_id == issued.token_id


def test_an_expired_token_is_refused() -> None:
    clock = FakeClock()
    tokens = make(clock)
    token = tokens.issue(Principal("usr_1")).token
    clock.advance(901)
    with pytest.raises(AuthenticationFailed) as info:
        tokens.verify(token)
    assert info.value.code == "token_expired"


def test_a_token_signed_with_another_key_is_refused() -> None:
    clock = FakeClock()
    token = make(clock, key=b"x" * 32).issue(Principal("usr_1")).token
    with pytest.raises(AuthenticationFailed):
        make(clock).verify(token)


def test_a_token_for_another_audience_is_refused() -> None:
    clock = FakeClock()
    token = make(clock, audience="other").issue(Principal("usr_1")).token
    with pytest.raises(AuthenticationFailed):
        make(clock).verify(token)


def test_alg_none_is_refused() -> None:
    clock = FakeClock()
    now = int(clock.now().timestamp())
    claims = {
        "iss": "fintech",
        "aud": "fintech-api",
        "sub": "usr_1",
        "iat": now,
        "exp": now + 900,
        "jti": "j",
        "roles": ["admin"],
    }
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(AuthenticationFailed):
        make(clock).verify(token)


def test_a_tampered_payload_is_refused() -> None:
    clock = FakeClock()
    token = make(clock).issue(Principal("usr_1")).token
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["admin"]
    with pytest.raises(AuthenticationFailed):
        make(clock).verify(f"{header}.{_b64(claims)}.{signature}")


def test_algorithm_switching_is_refused() -> None:
    clock = FakeClock()
    now = int(clock.now().timestamp())
    claims = {
        "iss": "fintech",
        "aud": "fintech-api",
        "sub": "usr_1",
        "iat": now,
        "exp": now + 900,
        "jti": "j",
        "roles": ["user"],
    }
    token = jwt.encode(claims, KEY * 2, algorithm="HS512")
    with pytest.raises(AuthenticationFailed):
        make(clock).verify(token)


def test_missing_required_claims_are_refused() -> None:
    clock = FakeClock()
    now = int(clock.now().timestamp())
    for missing in ("exp", "iat", "iss", "aud", "sub", "jti"):
        claims = {
            "iss": "fintech",
            "aud": "fintech-api",
            "sub": "usr_1",
            "iat": now,
            "exp": now + 900,
            "jti": "j",
            "roles": ["user"],
        }
        del claims[missing]
        with pytest.raises(AuthenticationFailed):
            make(clock).verify(jwt.encode(claims, KEY, algorithm="HS256"))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(AuthenticationFailed):
        make(FakeClock()).verify(garbage)


def test_a_token_verified_before_is_still_refused_once_it_expires() -> None:
    clock = FakeClock()
    tokens = make(clock)
    issued = tokens.issue(Principal("usr_1", frozenset({"user"})))
    assert tokens.verify(issued.token).user_id == "usr_1"
    clock.advance(901)
    with pytest.raises(AuthenticationFailed) as caught:
        tokens.verify(issued.token)
    assert caught.value.code == "token_expired"


def test_a_tampered_copy_of_a_verified_token_is_refused() -> None:
    clock = FakeClock()
    tokens = make(clock)
    token = tokens.issue(Principal("usr_1", frozenset({"user"}))).token
    tokens.verify(token)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = ".".join([header, _b64({**claims, "roles": ["admin"]}), signature])
    with pytest.raises(AuthenticationFailed):
        tokens.verify(forged)


def test_the_verified_token_cache_stays_bounded() -> None:
    from adapters.security.tokens import VERIFIED_CACHE_SIZE

    clock = FakeClock()
    tokens = make(clock)
    for n in range(VERIFIED_CACHE_SIZE + 10):
        tokens.verify(tokens.issue(Principal(f"usr_{n}", frozenset({"user"}))).token)
    assert len(tokens._verified) <= VERIFIED_CACHE_SIZE
