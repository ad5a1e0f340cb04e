"""The local stack with the 360dialog plugin disabled: every other provider is unaffected.

The repository's hookgate.yaml still declares ``360dialog-demo``. Before, the whole config was
refused and nothing started (every provider got 503 in production); now the stack comes up,
sync reports that one registration unavailable, the other sandboxes' demo traffic arrives
exactly once, and a delivery to the 360dialog URL gets 503 (the provider retries).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import httpx
import pytest

from hookgate import runtime
from hookgate.sync import render
from hookgate_dev.local.audit import audit
from hookgate_dev.local.stack import LocalStack, all_deliveries

from .conftest import ROOT

OTHERS = {
    "sinch_conversation",
    "sinch_provisioning",
    "insider_one",
    "meta_whatsapp",
    "standard_webhooks",
    "hmac",
}
REASON = "provider: plugin '360dialog' is disabled (HOOKGATE_DISABLE_PLUGINS or HOOKGATE_PLUGINS)"


@pytest.fixture
def stack_without_360dialog(secret_values: set[str]) -> Iterator[LocalStack]:
    os.environ["HOOKGATE_DISABLE_PLUGINS"] = "360dialog"  # put back by isolated_process_state
    runtime.reset()
    with LocalStack(ROOT, ROOT / "hookgate.yaml") as running:
        yield running
        secret_values.update(running.secret_values())


def test_the_other_providers_demo_traffic_is_unaffected(
    stack_without_360dialog: LocalStack,
) -> None:
    stack = stack_without_360dialog
    report = stack.sync_report
    assert report is not None
    assert report.unavailable == {"360dialog-demo": REASON}, render(report)
    assert not report.errors, render(report)
    assert set(stack.sandboxes) == OTHERS
    assert set(stack.config.registrations) == {
        "sinch-demo",
        "sinch-provisioning-demo",
        "insider-demo",
        "insider-v2-demo",
        "meta-demo",
        "standard-webhooks-demo",
        "hmac-demo",
    }

    for provider in stack.sandboxes:
        stack.deliver(provider, count=6)
    deliveries = [d for _, d in all_deliveries(stack)]
    events: list[dict[str, object]] = []
    deadline = time.monotonic() + 10
    while len(events) < len(deliveries) - 1 and time.monotonic() < deadline:
        events += stack.events()
        time.sleep(0.1)
    events += stack.events()
    result = audit(deliveries, events, stack.config, stack.host)
    print(result.summary())
    assert result.clean, (result.summary(), result.rejections[:5], result.missing[:5])
    assert {e["detail"]["provider"] for e in events} == OTHERS  # type: ignore[index]

    answer = httpx.post(
        f"{stack.webhook_base_url}/360dialog/360dialog-demo",
        content=b'{"entry":[]}',
        headers={"content-type": "application/json", "x-hookgate-token": "anything"},
        timeout=10,
    )
    assert (answer.status_code, answer.json()) == (503, {"message": "temporarily unavailable"})
    assert stack.events() == []
