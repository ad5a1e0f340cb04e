"""The local stack: sandboxes hold webhooks at the front, and every delivery arrives once."""

from __future__ import annotations

import json
import time

import httpx

from hookgate import runtime
from hookgate.sync import render
from hookgate_dev.local.stack import LocalStack, all_deliveries
from tests.e2e.conftest import settle
from tests.e2e.documented_events import documented_event_count

PROVIDERS = {
    "sinch_conversation",
    "sinch_provisioning",
    "360dialog",
    "insider_one",
    "meta_whatsapp",
    "standard_webhooks",
    "hmac",
}


def test_sync_points_every_sandbox_at_the_front(stack: LocalStack) -> None:
    report = stack.sync_report
    assert report is not None
    assert not report.errors, render(report)
    assert set(stack.sandboxes) == PROVIDERS
    actions = {r.registration: [c.action for c in r.changes] for r in report.results}
    assert actions == {
        "sinch-demo": ["create"],
        "sinch-provisioning-demo": ["create"],
        "360dialog-demo": ["create"],
        "insider-demo": ["unmanaged"],  # V1: no read API; the stack pushed the key instead
        "insider-v2-demo": ["create"],  # OAuth2: the sandbox fetches tokens from the front
        # Meta's app subscription, through the Graph calls (Meta verified the callback first).
        "meta-demo": ["create"],
        # Not synced: the stack gave each sandbox the URL and secret (its `subscribe`).
        "standard-webhooks-demo": ["unmanaged"],
        "hmac-demo": ["unmanaged"],
    }
    meta = stack.sandboxes["meta_whatsapp"].url
    verified = httpx.get(f"{meta}/_sandbox/state").json()["verifications"]
    assert [v["ok"] for v in verified] == [True]  # Meta's GET handshake, answered by hookgate
    again = runtime.get_sync_engine().run(stack.webhook_base_url, apply=True)
    assert not again.drift and not again.errors, render(again)
    assert {c.action for r in again.results for c in r.changes} == {"unchanged", "unmanaged"}


def test_every_sandbox_delivery_arrives_exactly_once(stack: LocalStack) -> None:
    for provider, running in stack.sandboxes.items():
        stack.deliver(provider, count=len(running.sandbox.samples))  # every sample once
    for provider in stack.sandboxes:
        stack.deliver(provider, count=1, sample="*")
    deliveries = [d for _, d in all_deliveries(stack)]
    events, report = settle(stack, deliveries)
    print(report.summary())
    assert report.clean, (report.summary(), report.rejections[:5], report.missing[:5])
    # The audit expects what the parsers say; the documents are a second opinion.
    documented = sum(
        documented_event_count(d.target.split("/")[-2], d.body) for d in deliveries if d.delivered
    )
    assert report.published_events == report.expected_events == documented
    assert report.expected_events >= len(deliveries) - 1  # the V1 probe's "{}" may yield none
    assert {e["detail"]["provider"] for e in events} == PROVIDERS
    assert set(report.verified_with) == {"current"}
    leaked = [s for s in stack.secret_values() if s in json.dumps(events)]
    assert not leaked, "a secret value reached the bus"


def test_a_forged_delivery_is_refused_and_nothing_is_published(stack: LocalStack) -> None:
    url = f"{stack.webhook_base_url}/sinch_conversation/sinch-demo"
    answer = httpx.post(
        url,
        content=b'{"app_id":"x","message_delivery_report":{"message_id":"forged"}}',
        headers={
            "content-type": "application/json",
            "x-sinch-webhook-signature": "Zm9yZ2Vk",
            "x-sinch-webhook-signature-nonce": "n",
            "x-sinch-webhook-signature-timestamp": str(int(time.time())),
            "x-sinch-webhook-signature-algorithm": "HmacSHA256",
        },
        timeout=10,
    )
    assert answer.status_code == 401
    assert stack.events() == []
