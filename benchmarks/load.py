"""Load on the local stack: throughput, latency and errors, then a forged-signature flood.

Brings up the local stack (moto server, the four provider sandboxes, the front routing into the
real handlers), then:

(a) Load: ``--concurrency`` connections send distinct, genuinely signed webhooks from every
    sandboxed registration for ``--duration`` seconds. Reports throughput, p50/p99 latency and
    errors (target: 0), and audits that each accepted webhook reached the bus exactly once.
(b) Flood: ``--flood`` forged requests (a credential character changed), with one genuine
    request after every ``--forged-per-genuine`` forged ones. Every forged request must get 401
    and every genuine one 2xx and reach the bus exactly once; the emulator's request recorder
    counts the Secrets Manager reads per secret, which must stay within one per refresh interval
    (plus the cache's own expiry) however many forgeries arrive.

The handlers run with production cache settings (``--cache-seconds`` 60, ``--refresh-seconds``
30, the template's defaults). One request at a time reaches each handler (one warm container),
and moto answers every AWS call over HTTP: the figures are for comparing runs of this machine,
not a prediction of Lambda's.

    .venv/bin/python benchmarks/load.py [--duration 10] [--concurrency 8] [--flood 10000] [--json]

Exit status 1 when a target is missed (errors, a lost or duplicated event, too many reads).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _audit(stack: Any, result: Any) -> Any:
    from hookgate_dev.local.audit import audit

    time.sleep(0.5)  # the collector queue receives the bus's last events
    events = stack.account.drain_events(wait_seconds=1)
    return audit(result.genuine, events, stack.config, stack.host)


def run(args: argparse.Namespace) -> dict[str, Any]:
    # moto's request recorder writes where this says, read when moto is first imported.
    os.environ.setdefault(
        "MOTO_RECORDER_FILEPATH", str(Path(tempfile.mkdtemp(prefix="hookgate-load-")) / "calls")
    )
    from hookgate_dev.local.load import EmulatorCallLog, run_load
    from hookgate_dev.local.stack import LocalStack

    environment = {
        "HOOKGATE_SECRET_CACHE_SECONDS": str(args.cache_seconds),
        "HOOKGATE_SECRET_REFRESH_SECONDS": str(args.refresh_seconds),
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    report: dict[str, Any] = {}
    with LocalStack(ROOT, ROOT / "hookgate.yaml", environment=environment) as stack:
        stack.events()
        load = run_load(stack, concurrency=args.concurrency, duration=args.duration)
        load_audit = _audit(stack, load)
        print(f"load:  {load.summary()}")
        print(f"       audit: {load_audit.summary()}")
        report["load"] = {
            "requests": load.requests,
            "seconds": round(load.duration, 2),
            "throughput_per_s": round(load.throughput, 1),
            "p50_ms": round(load.percentile(0.5), 2),
            "p99_ms": round(load.percentile(0.99), 2),
            "errors": len(load.unexpected),
            "exactly_once": load_audit.clean,
        }
        total = args.flood + args.flood // args.forged_per_genuine
        with EmulatorCallLog(stack.account.endpoint) as calls:
            flood = run_load(
                stack,
                concurrency=args.concurrency,
                duration=None,
                total=total,
                forged_per_genuine=args.forged_per_genuine,
            )
        flood_audit = _audit(stack, flood)
        reads = calls.secrets_manager_reads()
        # The registrations' secrets, and any other read (the token signing key, for forged
        # bearer tokens).
        secrets = sorted(
            {r.secret_id for r in stack.config.registrations.values()} | {n for n, _ in reads}
        )
        # One read per refresh interval after a miss, plus one per cache expiry.
        allowed = (
            math.floor(flood.duration / args.refresh_seconds)
            + 1
            + math.floor(flood.duration / args.cache_seconds)
        )
        print(f"flood: {flood.summary()}")
        print(f"       {flood.forged} forged, {len(flood.genuine)} genuine mixed in")
        print(f"       audit of the genuine ones: {flood_audit.summary()}")
        for secret in secrets:
            refreshes, fetches = (
                reads[(secret, "ListSecretVersionIds")],
                reads[(secret, "GetSecretValue")],
            )
            print(
                f"       Secrets Manager, {secret}: {refreshes} refreshes (allowed {allowed}), "
                f"{fetches} value fetches (steady state: 0)"
            )
        report["flood"] = {
            "forged": flood.forged,
            "genuine": len(flood.genuine),
            "seconds": round(flood.duration, 2),
            "errors": len(flood.unexpected),
            "exactly_once": flood_audit.clean,
            "secrets_manager_calls": {
                secret: {action: count for (name, action), count in reads.items() if name == secret}
                for secret in secrets
            },
            "allowed_reads_per_secret": allowed,
        }
        for line in (load.unexpected + flood.unexpected)[:10]:
            print(f"       unexpected: {line}")
    misses = []
    if report["load"]["errors"] or report["flood"]["errors"]:
        misses.append("errors")
    if not (report["load"]["exactly_once"] and report["flood"]["exactly_once"]):
        misses.append("exactly once")
    for calls in report["flood"]["secrets_manager_calls"].values():
        if calls.get("ListSecretVersionIds", 0) > allowed or calls.get("GetSecretValue", 0):
            misses.append("Secrets Manager reads")
            break
    report["targets_missed"] = misses
    print("PASS" if not misses else f"MISS: {', '.join(misses)}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load (a)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections at once")
    parser.add_argument("--flood", type=int, default=10_000, help="forged requests in (b)")
    parser.add_argument("--forged-per-genuine", type=int, default=50)
    parser.add_argument("--cache-seconds", type=float, default=60.0)
    parser.add_argument("--refresh-seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2))
    return 1 if report["targets_missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
