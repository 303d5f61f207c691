# Recipes for developers and CI. `uv run just --list` shows them.
set shell := ["bash", "-euo", "pipefail", "-c"]

# Serve the API on 127.0.0.1:8000 (embedded SQLite, demo providers unless configured)
serve *ARGS:
    uv run fintech serve {{ARGS}}

# Run the whole test suite
test *ARGS:
    uv run pytest {{ARGS}}

# SQLite, the SQL-over-HTTP test server (params, inline), a throw-away PostgreSQL (Debian's
# server binaries); `--store-tests-only` keeps the tests that reach the store, as CI does.
# The whole suite once per store
test-stores *ARGS:
    for store in sqlite elixir elixir-inline postgresql; do \
        echo "== FINTECH_TEST_STORE=$store"; \
        FINTECH_TEST_STORE=$store uv run pytest -q {{ARGS}}; \
    done

# Layering contracts, lint, format check and strict types on core and ports
lint:
    uv run lint-imports --config importlinter.ini
    uv run ruff check .
    uv run ruff format --check .
    uv run mypy

# Format the code
fmt:
    uv run ruff format .
    uv run ruff check --fix .

# Everything CI checks
check: lint test

# Benchmarks (results go to architecture/benchmarks.md)
bench *ARGS:
    uv run python -m benchmarks {{ARGS}}

# Schema fuzzing: every OpenAPI operation, in process and authenticated (also part of `test`);
# FINTECH_FUZZ_EXAMPLES=N bounds the generated examples per operation (default 25)
fuzz *ARGS:
    uv run pytest -q tests/integration/test_schema_fuzz.py {{ARGS}}

# Mixed money traffic against a store that fails 2% of statements, then recovery and the
# ledger checks (exits non-zero if an invariant broke)
# Faulted soak
soak *ARGS:
    uv run python -m benchmarks.soak {{ARGS}}
