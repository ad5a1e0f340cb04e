"""A hostile run against the token endpoint on the local stack, printing its counts.

Brings up the local stack (moto server, the provider sandboxes, the front routing into the real
handlers) on the repository's hookgate.yaml. For ``--duration`` seconds, ``--attackers``
connections send wrong secrets for the legitimate client id of the OAuth2 registration
(``--registration``, Insider One V2 by default) as fast as the front answers, all from the
legitimate client's own address (127.0.0.1); meanwhile the legitimate client fetches a token every
``--interval`` seconds with authlib and delivers a distinct webhook with it.

Target: every legitimate token request gets 200 and every delivery is accepted (exit 0);
otherwise exit 1. The in-suite version (tests/e2e/test_token_flood.py) runs a few seconds.

    .venv/bin/python benchmarks/token_flood.py [--duration 30] [--interval 1] [--attackers 4]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: argparse.Namespace) -> bool:
    from hookgate_dev.local.stack import LocalStack
    from hookgate_dev.local.token_flood import authlib_fetcher, run_token_flood
    from hookgate_dev.providers.hookgate_insider_one.samples import SAMPLE_PAYLOADS

    environment = {"POWERTOOLS_LOG_LEVEL": "ERROR"}
    with LocalStack(ROOT, ROOT / "hookgate.yaml", environment=environment) as stack:
        registration = stack.config.get(args.registration)
        client_id = registration.client_id
        if client_id is None:
            raise SystemExit(f"registration {args.registration!r} has no oauth2 block")
        secret = stack.account.secret_values[registration.secret_id]
        token_url = f"{stack.front_url}/oauth2/token"
        result = run_token_flood(
            token_url=token_url,
            webhook_url=f"{stack.webhook_base_url}/{registration.provider}/{registration.name}",
            client_id=client_id,
            fetch_token=authlib_fetcher(token_url, client_id, secret["client_secret"]),
            body=SAMPLE_PAYLOADS["status_read"],
            duration=args.duration,
            interval=args.interval,
            attackers=args.attackers,
        )
    print(f"token flood: {result.summary()}")
    for failure in (result.token_failures + result.delivery_failures)[:10]:
        print(f"       failed: {failure}")
    if result.attacker_errors:
        print(f"       attacker transport errors: {dict(result.attacker_errors)}")
    print("PASS" if result.clean else "MISS: a legitimate request was refused")
    return result.clean


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of attack")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between tokens")
    parser.add_argument("--attackers", type=int, default=4, help="attacking connections")
    parser.add_argument("--registration", default="insider-v2-demo")
    args = parser.parse_args()
    return 0 if run(args) else 1


if __name__ == "__main__":
    sys.exit(main())
