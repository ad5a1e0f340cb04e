"""Hostile input on the local stack: signed hostile JSON, then a provider whose plugin is off.

Brings up the local stack (moto server, the provider sandboxes, the front routing into the real
handlers) twice:

(a) Hostile JSON: every sandboxed registration gets ``--rounds`` rounds of its sandbox's
    samples, each with one hostile value added (``hookgate_dev.testing.contract.HOSTILE_JSON``:
    nested 65, 100 and 100,000 deep, NaN, Infinity, 1e400, huge integers, duplicate keys) and
    signed exactly as the sandbox signs (Insider One V2 with a real OAuth2 token). Every answer
    must be 400 and nothing may reach the bus. The token endpoint gets JSON bodies of 200,000
    ``[``, NaN and duplicate keys: every answer must be 400 ``invalid_request``.
(b) One plugin disabled (``--disable``, default 360dialog, through HOOKGATE_DISABLE_PLUGINS):
    the other sandboxes' genuine traffic runs for ``--duration`` seconds and must be answered
    without an error and reach the bus exactly once; the disabled provider's URL must get 503.

    .venv/bin/python benchmarks/hostile.py [--rounds 3] [--duration 5] [--disable 360dialog]

Prints the counts; exit status 1 when an answer was not the expected one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN_BODIES = {
    "200,000 [": b"[" * 200_000,
    "NaN": b'{"grant_type":NaN}',
    "a duplicate key": b'{"grant_type":"client_credentials","grant_type":"refresh_token"}',
}


def hostile_json(rounds: int) -> dict[str, Any]:
    """Part (a): answers to signed hostile JSON, by provider and status."""
    from hookgate_dev.local.stack import LocalStack
    from hookgate_dev.testing.contract import HOSTILE_JSON, with_hostile_value

    answers: dict[str, Counter[int]] = {}
    with LocalStack(ROOT, ROOT / "hookgate.yaml") as stack, httpx.Client(timeout=30) as client:
        stack.events()
        for provider, local in sorted(stack.sandboxes.items()):
            samples = [
                body
                for body in local.sandbox.samples.values()
                if body.lstrip().startswith(b"{") and body.strip() != b"{}"
            ]
            counts = answers.setdefault(provider, Counter())
            for target in local.sandbox.targets():
                if target.requires is not None:
                    continue
                for index in range(rounds):
                    sample = samples[index % len(samples)]
                    for value in HOSTILE_JSON.values():
                        body = with_hostile_value(sample, value)
                        headers = {"content-type": "application/json", **target.headers_for(body)}
                        counts[
                            client.post(target.url, content=body, headers=headers).status_code
                        ] += 1
        token = answers.setdefault("token endpoint", Counter())
        for _ in range(rounds):
            for body in TOKEN_BODIES.values():
                answer = client.post(
                    f"{stack.front_url}/oauth2/token",
                    content=body,
                    headers={"content-type": "application/json"},
                )
                ok = answer.status_code == 400 and answer.json()["error"] == "invalid_request"
                token[answer.status_code if ok else -answer.status_code] += 1
        time.sleep(0.5)  # the collector queue receives the bus's last events
        published = len(stack.account.drain_events(wait_seconds=1))
    for name, counts in answers.items():
        print(
            f"hostile JSON, {name}: " + ", ".join(f"{n} x {s}" for s, n in sorted(counts.items()))
        )
    print(f"hostile JSON: {published} event(s) reached the bus (target: 0)")
    return {"answers": {k: dict(v) for k, v in answers.items()}, "published": published}


def one_plugin_disabled(plugin: str, duration: float) -> dict[str, Any]:
    """Part (b): the others' genuine traffic with ``plugin`` disabled, and the disabled URL."""
    from hookgate import runtime
    from hookgate_dev.local.audit import audit
    from hookgate_dev.local.load import run_load
    from hookgate_dev.local.stack import LocalStack

    os.environ["HOOKGATE_DISABLE_PLUGINS"] = plugin  # before the plugin host loads
    runtime.reset()
    try:
        with LocalStack(ROOT, ROOT / "hookgate.yaml") as stack:
            stack.events()
            unavailable = dict(stack.sync_report.unavailable) if stack.sync_report else {}
            load = run_load(stack, concurrency=4, duration=duration)
            time.sleep(0.5)
            checked = audit(
                load.genuine, stack.account.drain_events(wait_seconds=1), stack.config, stack.host
            )
            disabled = Counter(
                httpx.post(
                    f"{stack.webhook_base_url}/{plugin}/{name}",
                    content=b"{}",
                    headers={"content-type": "application/json"},
                    timeout=10,
                ).status_code
                for name in unavailable
                for _ in range(3)
            )
    finally:
        os.environ.pop("HOOKGATE_DISABLE_PLUGINS", None)
        runtime.reset()
    print(f"{plugin} disabled: unavailable registrations {sorted(unavailable)}")
    print(f"{plugin} disabled: others' load: {load.summary()}")
    print(f"{plugin} disabled: audit: {checked.summary()}")
    print(
        f"{plugin} disabled: its URL answered "
        + ", ".join(f"{n} x {s}" for s, n in sorted(disabled.items()))
    )
    return {
        "unavailable": sorted(unavailable),
        "requests": load.requests,
        "errors": len(load.unexpected),
        "exactly_once": checked.clean,
        "disabled_answers": dict(disabled),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of hostile bodies in (a)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of traffic in (b)")
    parser.add_argument("--disable", default="360dialog", help="the plugin disabled in (b)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "hostile_json": hostile_json(args.rounds),
        "one_plugin_disabled": one_plugin_disabled(args.disable, args.duration),
    }
    misses = []
    for counts in report["hostile_json"]["answers"].values():
        if set(counts) != {400}:
            misses.append("hostile JSON not answered 400")
            break
    if report["hostile_json"]["published"]:
        misses.append("hostile JSON published")
    disabled = report["one_plugin_disabled"]
    if disabled["errors"] or not disabled["exactly_once"] or not disabled["requests"]:
        misses.append("the other providers' traffic")
    if not disabled["unavailable"] or set(disabled["disabled_answers"]) != {503}:
        misses.append("the disabled provider's answer")
    report["targets_missed"] = misses
    if args.json:
        print(json.dumps(report, indent=2))
    print("PASS" if not misses else f"MISS: {', '.join(misses)}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
