"""Schema fuzzing: every operation in the OpenAPI document, in-process and authenticated.

schemathesis reads the document the app publishes and, for each operation, sends the
documented examples, boundary and invalid variants (its coverage phase: missing or bad token,
wrong methods, out-of-range values) and generated requests, checking every answer: no 5xx,
the body matches the declared schema, the status and content type are documented, invalid
input is refused with a 4xx, the valid token is never refused. The app is built like the
other tests' (real SQLite file, fake clock and ids) so the token minted by ``tests/auth.py``
is valid; operations other areas add to ``ROUTES`` are covered without touching this file.
``FINTECH_FUZZ_EXAMPLES`` bounds the generated examples per operation (default 25, which
keeps the module well under a minute in CI).

The schema is loaded at import, not from a fixture: schemathesis' lazy fixture loader does
not run under pytest 9.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from entrypoints.http.app import create_app
from entrypoints.http.docs import BEARER
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider

EXAMPLES = int(os.environ.get("FINTECH_FUZZ_EXAMPLES", "25"))

_workdir = Path(tempfile.mkdtemp(prefix="fintech-fuzz-"))
atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
SETTINGS = make_settings(f"sqlite:///{_workdir / 'fuzz.db'}")
APP = create_app(SETTINGS, FakeSystemProvider())
# A plain user: admin operations are fuzzed up to their 403. With the admin role the fuzzer
# would switch maintenance mode on, after which every write answers 503 by design.
AUTHORIZATION = auth_headers(SETTINGS, roles=("user",))["Authorization"]

# The token goes through schemathesis' own auth for the bearer scheme (not as a fixed header),
# so its coverage phase can still send requests without it and expect the documented 401.
# A schema-valid request may still break a rule the schema cannot express (start date after end
# date, a cash flow with no sign change, an idempotency key reused with another body): those
# answers are documented 400/422 problems, so the "valid data accepted" check allows them. Every
# status must still be documented, and 5xx still fails.
_VALID_BUT_REFUSED = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]
_CONFIG = SchemathesisConfig.from_dict(
    {
        "auth": {"openapi": {BEARER: {"bearer": AUTHORIZATION.removeprefix("Bearer ")}}},
        "checks": {"positive_data_acceptance": {"expected-statuses": _VALID_BUT_REFUSED}},
    }
)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", APP, config=_CONFIG)


def the_valid_token_is_never_refused(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    if response.request.headers.get("Authorization") == AUTHORIZATION:
        assert response.status_code != 401, "the valid bearer token was refused"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_documented_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(additional_checks=[the_valid_token_is_never_refused])
