"""A sandbox's injected hang lasts its bound, or ends as soon as the test clears the faults."""

from __future__ import annotations

import asyncio
import time

from hookgate_dev.sandbox.core import FaultInjector


def test_a_hang_ends_when_the_faults_are_cleared() -> None:
    faults = FaultInjector()

    async def hang_then_clear() -> float:
        started = time.monotonic()
        asyncio.get_running_loop().call_later(0.2, faults.clear)
        await faults.hang(30.0)
        return time.monotonic() - started

    assert asyncio.run(hang_then_clear()) < 10.0  # far below the 30 s bound


def test_a_hang_without_clearing_lasts_its_bound() -> None:
    faults = FaultInjector()
    started = time.monotonic()
    asyncio.run(faults.hang(0.3))
    assert time.monotonic() - started >= 0.3


def test_a_delivery_keeps_its_ids_but_no_credential_header() -> None:
    from hookgate_dev.sandbox.core import public_headers

    kept = public_headers(
        {
            "Webhook-Id": "msg_1",
            "webhook-timestamp": "1795435200",
            "webhook-signature": "v1,abc",
            "X-Hub-Signature-256": "sha256=abc",
            "Authorization": "Bearer t",
            "x-hookgate-token": "t",
            "X-Shopify-Hmac-Sha256": "abc",
            "x-api-key": "k",
            "x-client-secret": "s",
        }
    )
    assert kept == {"webhook-id": "msg_1", "webhook-timestamp": "1795435200"}
