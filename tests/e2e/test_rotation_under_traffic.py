"""Rotation under traffic: every secret rotates three times while every sandbox delivers.

Zero genuine deliveries rejected, zero lost, zero duplicated on the bus; afterwards the sandboxes
sign with the newest secret (deliveries verify as ``current``). The test prints its counts.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from hookgate.secret_lifecycle import CURRENT_LABEL
from hookgate_dev.local.audit import audit
from hookgate_dev.local.stack import CACHE_SECONDS, LocalStack, TrafficPump, all_deliveries
from hookgate_dev.sandbox.core import Delivery

ROTATIONS = 3


def _versions(stack: LocalStack, secret_id: str) -> int:
    """Count the versions that have been current (the configuration test's is not one)."""
    sm = stack.account.client("secretsmanager")
    versions = sm.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)["Versions"]
    return sum(
        any(label.startswith(CURRENT_LABEL) for label in v["VersionStages"]) for v in versions
    )


def test_every_secret_rotates_three_times_under_traffic(stack: LocalStack) -> None:
    engine = stack.rotation_engine()
    # Secrets hookgate rotates (Meta's verify token among them); the generic senders' are set by
    # hand.
    secret_ids = [
        r.secret_id for r in stack.config.registrations.values() if stack.rotatable(r.name)
    ]
    assert engine.signing_key_secret, "the template's signing key secret is wired"
    secret_ids.append(engine.signing_key_secret)
    failures: list[str] = []
    rotated: Counter[str] = Counter()

    def rotate(secret_id: str) -> None:
        for _ in range(ROTATIONS):
            try:
                engine.rotate_now(secret_id)
                rotated[secret_id] += 1
            except Exception as exc:
                failures.append(f"{secret_id}: {type(exc).__name__}: {exc}")

    started = time.monotonic()
    with TrafficPump(stack, interval=0.05) as pump:
        workers = [threading.Thread(target=rotate, args=(s,)) for s in secret_ids]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        time.sleep(CACHE_SECONDS * 2)  # traffic goes on while receivers pick up the last versions
    took = time.monotonic() - started
    assert not failures, failures
    assert not pump.failures, pump.failures
    assert rotated == dict.fromkeys(secret_ids, ROTATIONS)

    deliveries = [d for _, d in all_deliveries(stack)]
    events = _settle(stack, deliveries)
    report = audit(deliveries, events, stack.config, stack.host)
    print(
        f"\nrotation under traffic: {len(secret_ids)} secrets x {ROTATIONS} rotations in "
        f"{took:.1f} s; {report.summary()}"
    )
    assert report.clean, (report.summary(), report.rejections[:5], report.missing[:5])
    assert report.delivered >= 40, "too little traffic flowed to prove anything"
    assert report.verified_with["pending"] + report.verified_with["previous"] > 0, (
        "no delivery was verified with a rotating secret: the rotation was not exercised"
    )
    for secret_id in secret_ids:
        assert _versions(stack, secret_id) == ROTATIONS + 1

    final = [d for provider in stack.sandboxes for d in _deliver(stack, provider)]
    after = _settle(stack, final)
    assert audit(final, after, stack.config, stack.host).clean
    # An OAuth2 caller keeps the token it fetched before the signing key rotated until the token
    # expires; that token verifies with a retired key (within its grace). Signed webhooks must
    # use the newest secret.
    signed = {
        e["detail"]["verified_with"]
        for e in after
        if stack.config.get(e["detail"]["registration"]).oauth2 is None
    }
    assert signed == {"current"}, "after rotation the sandboxes must sign with the newest secret"


def _deliver(stack: LocalStack, provider: str) -> list[Delivery]:
    mark = len(stack.sandboxes[provider].deliveries())
    stack.deliver(provider, count=2)
    return stack.sandboxes[provider].deliveries(mark)


def _settle(stack: LocalStack, deliveries: list[Delivery]) -> list[dict[str, Any]]:
    """Collect bus events until every delivery's events arrived (at most 15 s)."""
    events = stack.events()
    deadline = time.monotonic() + 15
    while audit(deliveries, events, stack.config, stack.host).missing:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
        events += stack.events()
    return events
