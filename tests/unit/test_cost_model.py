"""benchmarks/cost.py's arithmetic: what it multiplies by which price, on a made-up measurement."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cost() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hookgate_cost", ROOT / "benchmarks/cost.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def measured(cost: ModuleType) -> Any:
    """100 single-event webhooks and 10 forged requests, each event 1,000 bytes, 8 secrets."""
    sent = [cost.Sent("genuine", "p", 200, accepted=1) for _ in range(100)]
    sent += [cost.Sent("forged", "p", 401) for _ in range(10)]
    return cost.Measurement(
        sent=sent,
        event_bytes=[1000] * 100,
        mix_calls=Counter(
            {"DynamoDB.PutItem": 100, "DynamoDB.BatchWriteItem": 100, "EventBridge.PutEvents": 100}
        ),
        secrets_in_use=8,
    )


def test_each_call_is_priced_per_genuine_webhook(cost: ModuleType) -> None:
    prices = cost.load_prices()
    figures = cost.compute(measured(cost), prices, handler_us=75)
    variable = figures["variable"]
    assert figures["requests_per_webhook"] == pytest.approx(1.1)
    assert variable["api_gateway"] == pytest.approx(1.10)
    assert variable["lambda_requests"] == pytest.approx(0.22)
    assert variable["eventbridge_events"] == pytest.approx(1.00)
    assert figures["wru_per_webhook"] == pytest.approx(2.0)  # the claim and the completion
    assert variable["dynamodb_writes"] == pytest.approx(1.25)
    assert variable["dynamodb_reads"] == 0
    assert figures["per_million_function_url"] == pytest.approx(
        figures["per_million_http_api"] - variable["api_gateway"] - variable["api_access_log"]
    )


def test_the_http_api_floor_is_over_the_target_whatever_else_is_cut(cost: ModuleType) -> None:
    prices = cost.load_prices()
    floor = cost.compute(measured(cost), prices, handler_us=75)["floor_http_api"]
    assert floor == pytest.approx(
        {
            "api_gateway": 1.00,
            "lambda_requests": 0.20,
            "eventbridge_events": 1.00,
            "dynamodb_writes": 1.25,
        }
    )
    assert sum(floor.values()) > prices["hookdeck_lowest_per_million"]["usd"]


def test_secret_reads_are_one_listing_per_secret_per_cache_period(
    cost: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    prices = cost.load_prices()

    def reads(cache_seconds: float) -> float:
        monkeypatch.setattr(cost, "_cache_seconds", lambda: cache_seconds)
        month = cost.compute(measured(cost), prices, handler_us=75)["totals"][1_000_000]
        return float(month["fixed"]["secrets_manager_reads"])

    calls = 9 * cost.SECONDS_PER_MONTH / 120  # 8 secrets in use and the token signing key
    assert reads(120) == pytest.approx(calls * 0.05 / 10_000)
    assert reads(60) == pytest.approx(2 * reads(120))
