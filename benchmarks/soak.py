"""Faulted soak: ``just soak`` (``python -m benchmarks.soak --seconds 60 --fault-rate 0.02``).

Loopback only. The service runs in-process under uvicorn on a free 127.0.0.1 port, against
the Elixir SQL-over-HTTP test server (``tests/sqlhttp_server.py``, SQLite behind it) whose
fault knob is driven at a rate: a share of statements is answered with HTTP 503 (the store
did not run it: ``DatabaseUnavailable``), has its connection dropped before or after running
it, or is answered too late (the executor times out: ``OutcomeUnknown``), including
statements that run only after the executor gave up. The executor's own retry policy stays
configurable (``--sql-retries``, 0 by default so every fault reaches a workflow; 3 is
production's policy, which absorbs most of them).

Concurrent clients drive mixed money traffic with httpx: payments captured at once,
authorised then captured, authorised then voided, refunds, settlements, two identical
requests under one Idempotency-Key at once, and first attempts with a client timeout of a
few milliseconds. Every money write carries an Idempotency-Key and is retried with the same
key on 503, on 409 ``idempotency_request_in_progress``, on 429 and on a client timeout.
Recovery runs beside the traffic (as the scheduled job does), then once more after it with
no grace period and the faults off; then the checks run:

- every acknowledged (2xx) payment exists exactly once, in the state its last acknowledged
  (or unanswered) operation allows, and each key answered one payment id;
- every payment in the store was created under an Idempotency-Key (no retry made a second);
- the ledger verifier finds no broken invariant (zero sum, balances, settled once, payments
  and refunds match their transfers);
- nothing is left pending (payments, refunds, settlements) and a second recovery finds
  nothing to do; every payment, refund and settlement has the events of its state;
- no request ended in a 500 (every store failure maps to a 503 with Retry-After).

It prints a report and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
import httpx
from dishka import AsyncContainer
from tests.auth import tokens_for
from tests.payments_support import serve
from tests.sqlhttp_server import Fault, SqlHttpServer

from adapters.system import SystemClock
from core.domain.identity import Principal
from core.services.ledger_verification import LedgerVerifier
from core.services.recovery import RecoveryReport, RecoveryService
from entrypoints.container import create_container
from entrypoints.http.app import create_app
from entrypoints.observability.logging import configure_logging
from entrypoints.settings import Settings, load_settings
from ports.sql import SqlError, SqlExecutor

USER = "usr_00000000000000000000000501"
MERCHANTS = 4
MAX_ATTEMPTS = 12
READ_TIMEOUT = 0.25  # the executor's read timeout: a "slow" fault answers after it
FAULT_KINDS = ("unavailable", "drop-before", "drop-after", "late-answer", "late-execute")


class FaultingServer(SqlHttpServer):
    """The SQL-over-HTTP test server with faults drawn at ``rate`` per statement."""

    def __init__(self, rate: float, seed: int) -> None:
        super().__init__()
        self.rate = rate
        self.enabled = False
        self.rng = random.Random(seed)
        self.injected: Counter[str] = Counter()

    def start(self) -> FaultingServer:
        super().start()
        assert self._server is not None
        # Clients hanging up on late answers are the point here, not errors worth a traceback.
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        return self

    def take_fault(self, sql: str) -> Fault | None:
        queued = super().take_fault(sql)
        if queued is not None or not self.enabled:
            return queued
        with self.lock:
            if self.rng.random() >= self.rate:
                return None
            kind = self.rng.choice(FAULT_KINDS)
            self.injected[kind] += 1
        late = READ_TIMEOUT + 0.15
        return {
            "unavailable": Fault("status", status=503),
            "drop-before": Fault("drop"),
            "drop-after": Fault("drop", after_execute=True),
            "late-answer": Fault("slow", delay=late, after_execute=True),
            "late-execute": Fault("slow", delay=late),
        }[kind]


@dataclass
class Track:
    """What the final state of one acknowledged payment may be."""

    statuses: set[str]
    captured: set[int]
    refunded: set[int]


@dataclass
class Soak:
    client: httpx.AsyncClient
    settings: Settings
    deadline: float
    merchants: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    gave_up: int = 0
    payments: dict[str, Track] = field(default_factory=dict)
    answers_by_key: dict[str, set[str]] = field(default_factory=dict)
    create_keys: int = 0
    failures: list[str] = field(default_factory=list)
    _token: tuple[float, dict[str, str]] = (0.0, {})

    def headers(self) -> dict[str, str]:
        minted, headers = self._token
        if time.monotonic() - minted > 60:
            tokens = tokens_for(self.settings, SystemClock())
            token = tokens.issue(Principal(user_id=USER, roles=frozenset({"user"}))).token
            headers = {"Authorization": f"Bearer {token}"}
            self._token = (time.monotonic(), headers)
        return headers

    async def call(
        self,
        path: str,
        body: Any,
        key: str,
        *,
        first_timeout: float | None = None,
    ) -> httpx.Response | None:
        """POST under ``key``, retried with the same key until a final answer (or give up)."""
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                self.retries += 1
                await anyio.sleep(random.uniform(0.02, 0.1) * min(attempt, 4))
            timeout = first_timeout if attempt == 0 and first_timeout else 15.0
            try:
                response = await self.client.post(
                    path,
                    json=body,
                    headers={**self.headers(), "Idempotency-Key": key},
                    timeout=timeout,
                )
            except httpx.TimeoutException:
                self.outcomes["client timeout"] += 1
                continue
            except httpx.TransportError as exc:
                self.outcomes[f"transport error ({type(exc).__name__})"] += 1
                continue
            status = response.status_code
            code = ""
            if status >= 400:
                code = str(response.json().get("code", ""))
            label = f"{status} {code}".strip()
            if response.headers.get("idempotent-replayed") == "true":
                label += " (replayed)"
            self.outcomes[label] += 1
            if status >= 500 and status != 503:
                self.failures.append(f"POST {path} answered {status} {code}")
            if status in (429, 503) or code == "idempotency_request_in_progress":
                continue
            return response
        self.gave_up += 1
        return None

    # operations ---------------------------------------------------------------------------
    async def create(
        self, merchant: str, *, capture: bool, amount: int = 10_000, **kw: Any
    ) -> str | None:
        key = f"soak-{uuid.uuid4().hex}"
        self.create_keys += 1
        body = {"amount": amount, "currency": "USD", "capture": capture}
        response = await self.call(f"/v1/merchants/{merchant}/payments", body, key, **kw)
        return self._created(key, response, amount)

    def _created(self, key: str, response: httpx.Response | None, amount: int) -> str | None:
        if response is None or response.status_code != 201:
            return None
        body = response.json()
        self.answers_by_key.setdefault(key, set()).add(body["id"])
        status = body["status"]
        captured = amount if status == "captured" else 0
        self.payments[body["id"]] = Track({status}, {captured}, {0})
        return str(body["id"]) if status in ("captured", "authorized") else None

    async def capture(self, merchant: str, pid: str, amount: int) -> bool:
        response = await self.call(
            f"/v1/merchants/{merchant}/payments/{pid}/capture",
            {"amount": amount},
            f"soak-{uuid.uuid4().hex}",
        )
        track = self.payments[pid]
        if response is None:
            track.statuses.add("captured")
            track.captured.add(amount)
            return False
        if response.status_code == 200:
            track.statuses, track.captured = {"captured"}, {amount}
            return True
        return False

    async def void(self, merchant: str, pid: str) -> None:
        response = await self.call(
            f"/v1/merchants/{merchant}/payments/{pid}/void", None, f"soak-{uuid.uuid4().hex}"
        )
        track = self.payments[pid]
        if response is None:
            track.statuses.add("voided")
        elif response.status_code == 200:
            track.statuses = {"voided"}

    async def refund(self, merchant: str, pid: str, amount: int) -> None:
        response = await self.call(
            f"/v1/merchants/{merchant}/payments/{pid}/refunds",
            {"amount": amount},
            f"soak-{uuid.uuid4().hex}",
        )
        track = self.payments[pid]
        refunded = {"partially_refunded", "refunded"}
        if response is None:
            track.statuses |= refunded
            track.refunded |= {r + amount for r in track.refunded}
        elif response.status_code == 201:
            track.statuses = set(refunded)
            track.refunded = {r + amount for r in track.refunded}

    # scenarios ----------------------------------------------------------------------------
    async def pay_and_capture(self, rng: random.Random) -> None:
        merchant = rng.choice(self.merchants)
        pid = await self.create(merchant, capture=True)
        if pid is not None and rng.random() < 0.5:
            self.operations["refund"] += 1
            await self.refund(merchant, pid, 2_500)

    async def authorize_then_capture(self, rng: random.Random) -> None:
        merchant = rng.choice(self.merchants)
        pid = await self.create(merchant, capture=False)
        if pid is not None:
            await self.capture(merchant, pid, 7_000)

    async def authorize_then_void(self, rng: random.Random) -> None:
        merchant = rng.choice(self.merchants)
        pid = await self.create(merchant, capture=False)
        if pid is not None:
            await self.void(merchant, pid)

    async def settle(self, rng: random.Random) -> None:
        merchant = rng.choice(self.merchants)
        response = await self.call(
            f"/v1/merchants/{merchant}/settlements",
            {"currency": "USD"},
            f"soak-{uuid.uuid4().hex}",
        )
        if response is not None and response.status_code not in (201, 409):
            self.failures.append(f"settlement answered {response.status_code}")

    async def duplicate_key(self, rng: random.Random) -> None:
        """Two identical requests under one key at once, then a replay: one payment."""
        merchant = rng.choice(self.merchants)
        key = f"soak-{uuid.uuid4().hex}"
        self.create_keys += 1
        path = f"/v1/merchants/{merchant}/payments"
        body = {"amount": 5_000, "currency": "USD", "capture": True}
        answers: list[httpx.Response | None] = []

        async def one() -> None:
            answers.append(await self.call(path, body, key))

        async with anyio.create_task_group() as tg:
            tg.start_soon(one)
            tg.start_soon(one)
        created = [a for a in answers if a is not None and a.status_code == 201]
        for answer in created:
            self._created(key, answer, 5_000)
        if created:
            replay = await self.call(path, body, key)
            if replay is None or replay.headers.get("idempotent-replayed") != "true":
                self.failures.append(f"key {key}: the replay was not a replay")
            elif replay.json() != created[0].json():
                self.failures.append(f"key {key}: the replay differs from the first answer")

    async def timeout_then_retry(self, rng: random.Random) -> None:
        """The first attempt gives up after a few milliseconds; the retry uses the same key."""
        merchant = rng.choice(self.merchants)
        await self.create(merchant, capture=rng.random() < 0.5, first_timeout=0.003)

    async def worker(self, seed: int) -> None:
        rng = random.Random(seed)
        scenarios: list[tuple[str, Callable[[random.Random], Awaitable[None]], int]] = [
            ("payment with capture", self.pay_and_capture, 4),
            ("authorize then capture", self.authorize_then_capture, 3),
            ("authorize then void", self.authorize_then_void, 2),
            ("settlement", self.settle, 1),
            ("duplicate idempotency key", self.duplicate_key, 1),
            ("client timeout then retry", self.timeout_then_retry, 1),
        ]
        names = [s[0] for s in scenarios]
        weights = [s[2] for s in scenarios]
        run = {s[0]: s[1] for s in scenarios}
        while time.monotonic() < self.deadline:
            name = rng.choices(names, weights)[0]
            self.operations[name] += 1
            await run[name](rng)


async def _sql(executor: SqlExecutor, text: str, *params: Any) -> list[tuple[Any, ...]]:
    return list((await executor.execute(text, params)).rows)


async def check_store(soak: Soak, container: AsyncContainer, checks: dict[str, list[str]]) -> None:
    executor = await container.get(SqlExecutor)
    rows = await _sql(executor, "SELECT id, status, captured_amount, refunded_amount FROM payments")
    stored = {str(r[0]): (str(r[1]), int(r[2]), int(r[3])) for r in rows}
    problems: list[str] = []
    for pid, track in soak.payments.items():
        if pid not in stored:
            problems.append(f"{pid}: acknowledged but not stored")
            continue
        status, captured, refunded = stored[pid]
        if status not in track.statuses:
            problems.append(f"{pid}: status {status}, expected one of {sorted(track.statuses)}")
        if captured not in track.captured:
            problems.append(f"{pid}: captured {captured}, expected {sorted(track.captured)}")
        if refunded not in track.refunded:
            problems.append(f"{pid}: refunded {refunded}, expected {sorted(track.refunded)}")
    checks["acknowledged payments stored with their final state"] = problems

    problems = [
        f"key {key} answered {sorted(ids)}"
        for key, ids in soak.answers_by_key.items()
        if len(ids) > 1
    ]
    operations = {
        str(r[0]) for r in await _sql(executor, "SELECT operation_id FROM idempotency_keys")
    }
    orphans = sorted(set(stored) - operations)
    problems += [f"{pid}: no Idempotency-Key created it" for pid in orphans]
    if len(stored) > soak.create_keys:
        problems.append(f"{len(stored)} payments from {soak.create_keys} create keys")
    checks["one payment per Idempotency-Key"] = problems

    pending = await _sql(executor, "SELECT id FROM payments WHERE status = 'pending'")
    pending += await _sql(executor, "SELECT id FROM refunds WHERE status = 'pending'")
    pending += await _sql(
        executor, "SELECT id FROM settlements WHERE stage NOT IN ('done', 'cancelled')"
    )
    checks["nothing left pending after recovery"] = [f"{r[0]} still pending" for r in pending]

    expected_event = {
        "authorized": "payment.authorized",
        "captured": "payment.captured",
        "partially_refunded": "payment.captured",
        "refunded": "payment.captured",
        "voided": "payment.voided",
        "failed": "payment.failed",
    }
    events: dict[str, set[str]] = {}
    for event_id, event_type in await _sql(executor, "SELECT id, type FROM events"):
        events.setdefault(str(event_id).rsplit("_", 1)[0].removeprefix("evt_"), set()).add(
            str(event_type)
        )
    problems = []
    for pid, (status, _, _) in stored.items():
        want = expected_event[status]
        if want not in events.get(pid, set()):
            problems.append(f"{pid} is {status} without {want}")
    for rid, status in await _sql(executor, "SELECT id, status FROM refunds"):
        if status == "succeeded" and "refund.created" not in events.get(str(rid), set()):
            problems.append(f"{rid} succeeded without refund.created")
    for sid, status in await _sql(
        executor, "SELECT id, status FROM settlements WHERE stage = 'done'"
    ):
        if f"settlement.{status}" not in events.get(str(sid), set()):
            problems.append(f"{sid} is {status} without settlement.{status}")
    checks["every state change has its event"] = problems


@dataclass
class SoakResult:
    soak: Soak
    server: FaultingServer
    recovery_runs: Counter[str]
    recovery_actions: Counter[str]
    checks: dict[str, list[str]]
    elapsed: float

    @property
    def ok(self) -> bool:
        return not any(self.checks.values())

    def report(self) -> None:
        _print_report(
            self.soak,
            self.server,
            self.recovery_runs,
            self.recovery_actions,
            self.checks,
            self.elapsed,
        )


def _actions(report: RecoveryReport, into: Counter[str]) -> None:
    for _, found, done in report.actions:
        into[f"{found} -> {done.split(' (')[0]}"] += 1


async def run(
    seconds: float,
    *,
    fault_rate: float = 0.02,
    workers: int = 8,
    sql_retries: int = 0,
    seed: int = 1,
) -> SoakResult:
    """Serve, drive traffic for ``seconds`` under faults, recover, check."""
    server = FaultingServer(fault_rate, seed).start()
    started = time.monotonic()
    try:
        plain_url = server.url(f"soak{uuid.uuid4().hex[:8]}")
        url = plain_url + f"?read_timeout={READ_TIMEOUT}&total_timeout=3&retries={sql_retries}"
        env = {
            "FINTECH_ENV": "test",
            "FINTECH_SQL_URL": url,
            "FINTECH_SECRET_KEY": "soak-" + "k" * 40,
            "FINTECH_LOG_LEVEL": "WARNING",
            "FINTECH_JOBS_ENABLED": "false",  # recovery runs below, on the soak's schedule
            "FINTECH_RATE_MONEY_WRITES": "1000000/60",
        }
        settings = load_settings(env, env_file=None)
        app = create_app(settings)
        recovery_actions: Counter[str] = Counter()
        recovery_runs = Counter[str]()
        checks: dict[str, list[str]] = {}
        async with serve(app) as base_url:
            limits = httpx.Limits(max_connections=workers * 3)
            async with httpx.AsyncClient(base_url=base_url, limits=limits) as client:
                soak = Soak(client, settings, deadline=time.monotonic() + seconds)
                for n in range(MERCHANTS):
                    created = await client.post(
                        "/v1/merchants",
                        json={"name": f"Soak {n}", "default_currency": "USD"},
                        headers=soak.headers(),
                    )
                    created.raise_for_status()
                    soak.merchants.append(created.json()["id"])
                container = app.state.dishka_container
                recovery = await container.get(RecoveryService)

                async def recover_periodically() -> None:
                    while time.monotonic() < soak.deadline:
                        await anyio.sleep(min(10.0, max(soak.deadline - time.monotonic(), 0)))
                        try:
                            _actions(await recovery.run(), recovery_actions)
                            recovery_runs["during traffic"] += 1
                        except SqlError as exc:
                            recovery_runs[f"failed ({type(exc).__name__})"] += 1

                server.enabled = True
                async with anyio.create_task_group() as tg:
                    for n in range(workers):
                        tg.start_soon(soak.worker, seed * 1000 + n)
                    tg.start_soon(recover_periodically)
                server.enabled = False
                # Requests whose client gave up may still be running: let them end.
                await anyio.sleep(3.5)
        # What an operator runs afterwards (`fintech recover`, `fintech verify-ledger`): a
        # fresh process' container, with the store's ordinary timeouts (the short timeout
        # that turns late answers into faults would cut the full-table checks short).
        checked = load_settings({**env, "FINTECH_SQL_URL": plain_url}, env_file=None)
        container = create_container(checked)
        try:
            recovery = await container.get(RecoveryService)
            final = await recovery.run(grace_seconds=0)
            _actions(final, recovery_actions)
            recovery_runs["after traffic, no grace"] += 1
            again = await recovery.run(grace_seconds=0)
            checks["a second recovery finds nothing to do"] = [
                f"{a[0]}: {a[1]} -> {a[2]}" for a in again.actions
            ]
            violations = await (await container.get(LedgerVerifier)).verify()
            checks["ledger invariants (verify-ledger)"] = [
                f"{v.invariant} {v.subject}: {v.detail}" for v in violations
            ]
            await check_store(soak, container, checks)
            checks["no 500 answers, replays identical"] = soak.failures
        finally:
            await container.close()
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    return SoakResult(soak, server, recovery_runs, recovery_actions, checks, elapsed)


def _print_report(
    soak: Soak,
    server: FaultingServer,
    runs: Counter[str],
    actions: Counter[str],
    checks: dict[str, list[str]],
    elapsed: float,
) -> None:
    def section(title: str, counts: Counter[str]) -> None:
        print(f"\n{title}")
        for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {count:>7}  {name}")

    print(f"soak: {elapsed:.1f} s, {server.requests} SQL requests to the store")
    section("scenarios run", soak.operations)
    section("HTTP answers by outcome (every attempt)", soak.outcomes)
    print(f"\n  retries with the same key: {soak.retries}")
    print(f"  operations given up after {MAX_ATTEMPTS} attempts: {soak.gave_up}")
    print(f"  acknowledged payments: {len(soak.payments)} from {soak.create_keys} create keys")
    section(f"faults injected ({sum(server.injected.values())})", server.injected)
    section("recovery runs", runs)
    section("recovery actions", actions)
    print("\ninvariant checks")
    for name, problems in checks.items():
        print(f"  {'FAIL' if problems else 'ok  '}  {name}")
        for problem in problems[:10]:
            print(f"          {problem}")
        if len(problems) > 10:
            print(f"          ... and {len(problems) - 10} more")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="traffic duration")
    parser.add_argument(
        "--fault-rate", type=float, default=0.02, help="share of SQL statements faulted"
    )
    parser.add_argument("--workers", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--sql-retries",
        type=int,
        default=0,
        help="the executor's retries per statement (0: every fault reaches a workflow;"
        " production's policy is 3)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args([] if argv is None else argv)
    configure_logging("WARNING", "console")  # the report, not every statement
    result = anyio.run(
        partial(
            run,
            args.seconds,
            fault_rate=args.fault_rate,
            workers=args.workers,
            sql_retries=args.sql_retries,
            seed=args.seed,
        )
    )
    result.report()
    if not result.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
