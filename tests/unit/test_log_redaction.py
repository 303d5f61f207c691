"""Secrets never reach a log line: the one redaction processor, captured and rendered."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from adapters.security.tokens import JwtAccessTokens
from core.domain.identity import Principal
from entrypoints.observability.logging import REDACTED, configure_logging, redact_secrets
from tests.fakes import FakeClock

log = structlog.get_logger("test.redaction")
PASSWORD = "correct horse battery staple"
ACCOUNT = "123456789012"


def a_real_jwt() -> str:
    tokens = JwtAccessTokens(
        key=b"k" * 32, issuer="fintech", audience="fintech-api", ttl_seconds=60, clock=FakeClock()
    )
    return tokens.issue(Principal(user_id="usr_1")).token


@contextmanager
def rendering(fmt: str) -> Iterator[io.StringIO]:
    """The real processor chain and renderer, writing to a buffer instead of stderr."""
    out = io.StringIO()
    configure_logging("DEBUG", fmt)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=out))
    try:
        yield out
    finally:
        configure_logging("WARNING", "console")


@pytest.fixture(autouse=True)
def info_level() -> Iterator[None]:
    # capture_logs keeps the configured level filter; other tests may have set WARNING.
    with rendering("json"):
        yield


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    with rendering("json") as out:
        yield out


def test_secret_named_fields_are_replaced_whatever_their_value() -> None:
    jwt = a_real_jwt()
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info(
            "login",
            password=PASSWORD,
            new_password=PASSWORD,
            access_token=jwt,
            refresh_token="rt_" + "x" * 40,
            client_secret="s3cr3t-value",
            api_key="AV-KEY-123",
            apikey="AV-KEY-456",
            private_key="-----BEGIN PRIVATE KEY-----",
            account_number=ACCOUNT,
            routing_number="021000021",
            cookie="session=abc",
            signature="t=1,v1=deadbeef",
            card_pan="4111111111111111",
            cvv="123",
            ssn="078-05-1120",
        )
    entry = logs[0]
    for key in (
        "password",
        "new_password",
        "access_token",
        "refresh_token",
        "client_secret",
        "api_key",
        "apikey",
        "private_key",
        "account_number",
        "routing_number",
        "cookie",
        "signature",
        "card_pan",
        "cvv",
        "ssn",
    ):
        assert entry[key] == REDACTED, key


def test_authorization_headers_are_redacted_inside_nested_mappings() -> None:
    jwt = a_real_jwt()
    headers = {"Authorization": f"Bearer {jwt}", "Accept": "application/json"}
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info("outbound", request={"headers": headers, "method": "GET"})
    sent = logs[0]["request"]
    assert sent["headers"]["Authorization"] == REDACTED
    assert sent["headers"]["Accept"] == "application/json"
    assert sent["method"] == "GET"


def test_tokens_in_free_text_are_cut_out_under_innocent_keys() -> None:
    jwt = a_real_jwt()
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info(
            f"got {jwt} from the client",
            detail=f"header was Bearer {jwt}",
            basic="Authorization: Basic dXNlcjpwYXNzd29yZA==",
            opaque="Bearer abcdefghijklmnop",
            items=[jwt, "plain"],
            pair=(jwt, 1),
        )
    entry = logs[0]
    flat = repr(entry)
    assert jwt not in flat
    assert "dXNlcjpwYXNzd29yZA" not in flat
    assert "abcdefghijklmnop" not in flat
    assert entry["detail"] == f"header was Bearer {REDACTED}"
    assert entry["items"] == [REDACTED, "plain"]
    assert isinstance(entry["pair"], tuple)


def test_full_account_numbers_keep_only_their_last_four_digits() -> None:
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info("linked", note=f"account {ACCOUNT} linked", card="4111111111111111")
    assert logs[0]["note"] == "account …9012 linked"
    assert logs[0]["card"] == "…1111"


def test_credentials_in_urls_and_query_strings_are_redacted() -> None:
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info(
            "store",
            url="postgresql://fintech:pg-secret-pw@db:5432/fintech",
            error="GET https://www.alphavantage.co/query?function=QUOTE&apikey=AVKEY123 failed",
        )
    assert "pg-secret-pw" not in logs[0]["url"]
    assert logs[0]["url"] == f"postgresql://fintech:{REDACTED}@db:5432/fintech"
    assert "AVKEY123" not in logs[0]["error"]
    assert "function=QUOTE" in logs[0]["error"]


def test_harmless_fields_pass_through_unchanged() -> None:
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info(
            "ok",
            token_type="bearer",
            amount=1999,
            currency="USD",
            payment_id="pay_01JABCDEF",
            trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
            empty_password="",
            span_id="00f067aa0ba902b7",
            company="Acme",
            expand=True,
        )
    entry = logs[0]
    assert entry["token_type"] == "bearer"
    assert entry["amount"] == 1999
    assert entry["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert entry["empty_password"] == ""
    assert entry["span_id"] == "00f067aa0ba902b7"
    assert entry["company"] == "Acme"


def test_the_rendered_json_line_contains_no_secret(json_logs: io.StringIO) -> None:
    jwt = a_real_jwt()
    log.info(
        "payment_created",
        password=PASSWORD,
        authorization=f"Bearer {jwt}",
        headers={"authorization": f"Bearer {jwt}"},
        account=f"acct {ACCOUNT}",
        amount=1999,
    )
    err = json_logs.getvalue()
    for secret in (PASSWORD, jwt, ACCOUNT):
        assert secret not in err
    line = json.loads(err.strip().splitlines()[-1])
    assert line["event"] == "payment_created"
    assert line["password"] == REDACTED
    assert line["amount"] == 1999
    assert line["level"] == "info"
    assert "timestamp" in line


def test_exception_text_is_redacted_after_formatting(json_logs: io.StringIO) -> None:
    jwt = a_real_jwt()
    try:
        raise ValueError(f"bad token {jwt} for account {ACCOUNT}")
    except ValueError:
        log.exception("failed")
    err = json_logs.getvalue()
    assert jwt not in err
    assert ACCOUNT not in err
    assert "ValueError" in err


def test_the_console_renderer_is_redacted_too() -> None:
    with rendering("console") as out:
        log.info("login", password=PASSWORD, note=f"Bearer {a_real_jwt()}")
    err = out.getvalue()
    assert PASSWORD not in err
    assert "eyJ" not in err
    assert REDACTED in err


@settings(max_examples=60, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=9, max_size=19),
    prefix=st.sampled_from(["", "acct ", "number: ", "(", "id="]),
)
def test_no_long_digit_run_survives_in_free_text(digits: str, prefix: str) -> None:
    with capture_logs(processors=[redact_secrets]) as logs:
        log.info("x", note=f"{prefix}{digits} end")
    assert digits not in logs[0]["note"]
    assert digits[-4:] in logs[0]["note"]


def test_standard_library_records_render_as_redacted_json_lines() -> None:
    out = io.StringIO()
    configure_logging("INFO", "json")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    try:
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
        logging.getLogger("some.library").warning("retrying with Bearer abcdefghijklmnop")
        jwt = a_real_jwt()
        try:
            raise RuntimeError(f"bad {jwt}")
        except RuntimeError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    finally:
        configure_logging("WARNING", "console")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["event"] == "Started server process [42]"
    assert lines[0]["logger"] == "uvicorn.error"
    assert lines[0]["level"] == "info"
    assert "timestamp" in lines[0]
    assert lines[1]["event"] == f"retrying with Bearer {REDACTED}"
    assert lines[2]["level"] == "error"
    assert "RuntimeError" in lines[2]["exception"]
    assert jwt not in out.getvalue()
