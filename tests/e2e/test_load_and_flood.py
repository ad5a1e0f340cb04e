"""The load generator against the local stack: no errors, nothing lost, a flood costs no reads.

benchmarks/load.py runs the same at full size (10,000 forged requests) and reports figures;
this keeps a small version of each run in the test command.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookgate_dev.local.audit import DeliveryAudit
from hookgate_dev.local.load import EmulatorCallLog, LoadResult, forge, run_load
from hookgate_dev.local.stack import LocalStack

from .conftest import ROOT, settle

REFRESH_SECONDS = 1.0
CACHE_SECONDS = 60.0


@pytest.fixture
def production_cache_stack(
    secret_values: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalStack]:
    # moto's recorder writes to a relative file unless told otherwise: keep it out of the tree.
    monkeypatch.chdir(tmp_path)
    environment = {
        "HOOKGATE_SECRET_CACHE_SECONDS": str(CACHE_SECONDS),
        "HOOKGATE_SECRET_REFRESH_SECONDS": str(REFRESH_SECONDS),
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    with LocalStack(ROOT, ROOT / "hookgate.yaml", environment=environment) as running:
        running.events()
        yield running
        secret_values.update(running.secret_values())


def audited(stack: LocalStack, result: LoadResult) -> DeliveryAudit:
    return settle(stack, result.genuine)[1]


def test_forging_changes_the_credential_but_not_the_timestamp() -> None:
    headers = {
        "content-type": "application/json",
        "x-sinch-webhook-signature": "Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk=",
        "x-sinch-webhook-signature-timestamp": "1634579353",
        "authorization": "Bearer 0123456789abcdefABCDEF",
    }
    forged = forge(headers)
    assert forged["content-type"] == headers["content-type"]
    assert forged["x-sinch-webhook-signature-timestamp"] == "1634579353"
    for name in ("x-sinch-webhook-signature", "authorization"):
        assert forged[name] != headers[name]
        assert len(forged[name]) == len(headers[name])
        assert sum(a != b for a, b in zip(forged[name], headers[name], strict=True)) == 1
    assert forged["authorization"].startswith("Bearer ")


def test_load_from_every_sandbox_has_no_error_and_reaches_the_bus_exactly_once(
    production_cache_stack: LocalStack,
) -> None:
    result = run_load(production_cache_stack, concurrency=8, duration=2.0)
    print(result.summary())
    assert result.unexpected == []
    providers = {delivery.target.split("/")[-2] for delivery in result.genuine}
    assert providers == set(production_cache_stack.sandboxes)
    report = audited(production_cache_stack, result)
    print(report.summary())
    assert report.delivered == result.requests > 0
    assert report.clean, report.summary()


def test_forged_flood_costs_at_most_one_read_per_refresh_interval_and_loses_nothing(
    production_cache_stack: LocalStack,
) -> None:
    stack = production_cache_stack
    with EmulatorCallLog(stack.account.endpoint) as calls:
        result = run_load(stack, concurrency=8, duration=None, total=1_020, forged_per_genuine=50)
    print(result.summary())
    assert result.forged == 1_000 and len(result.genuine) == 20
    assert result.unexpected == []  # every forged one 401, every genuine one 2xx
    report = audited(stack, result)
    assert report.clean, report.summary()
    reads = calls.secrets_manager_reads()
    print(f"Secrets Manager reads during {result.duration:.1f} s: {dict(reads)}")
    # The recorder saw the run's other calls (the genuine ones' PutEvents), so it was on.
    assert any(action == "PutEvents" for _, action, _ in calls.calls)
    # A refresh (one ListSecretVersionIds) opens a refresh interval; the next one is allowed
    # only once it has passed. Values are fetched once: the first request needing the secret.
    intervals = math.floor(result.duration / REFRESH_SECONDS) + 1
    # Every secret read: the registrations' and the token signing key (forged bearer tokens).
    secrets = {secret for secret, _ in reads} | {
        r.secret_id for r in stack.config.registrations.values()
    }
    for secret in secrets:
        assert reads[(secret, "ListSecretVersionIds")] <= intervals, secret
        assert reads[(secret, "GetSecretValue")] <= 1, secret
