"""Write events/<provider>/<sample>.json: API Gateway v2 events for ``sam local invoke -e``.

For every built-in provider with ``samples`` (its ``hookgate.dev`` entry point), each sample payload
becomes a receiver event signed with the provider's documented TEST_SECRET (never a real secret),
plus ``bad_signature.json`` (signed with a wrong secret). Nonces are derived from the sample name,
so regenerating gives the same files. ``events/token/`` holds requests to the OAuth2 token endpoint
from the test client ``test-client`` / ``test-only-client-secret``.

    .venv/bin/python scripts/make_sample_events.py                # fixed time (the files in git)
    .venv/bin/python scripts/make_sample_events.py --now now      # fresh timestamps

Sinch signatures carry a timestamp that hookgate accepts for 5 minutes by default: the files in
git are stale on purpose (tests judge them as of their own time); regenerate with ``--now now``
right before a ``sam local invoke``, or verify a saved one offline with
``hookgate verify events/<provider>/<sample>.json --secret <file> --at <timestamp>``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import inspect
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hookgate.apigw import build_event, webhook_event
from hookgate_dev.dev_modules import dev_modules

ROOT = Path(__file__).resolve().parents[1]
FIXED_TIME = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
PROVIDERS = {
    "sinch_conversation": ("hookgate_sinch_conversation", "sinch-demo"),
    "sinch_provisioning": ("hookgate_sinch_provisioning", "sinch-provisioning-demo"),
    "360dialog": ("hookgate_360dialog", "360dialog-demo"),
    "insider_one": ("hookgate_insider_one", "insider-demo"),
    "meta_whatsapp": ("hookgate_meta_whatsapp", "meta-demo"),
    "standard_webhooks": ("hookgate_standard_webhooks", "standard-webhooks-demo"),
    "hmac": ("hookgate_hmac", "hmac-demo"),
}


def _headers(
    samples: Any, body: bytes, now: datetime, name: str, secret: Mapping[str, str]
) -> dict[str, str]:
    sign = samples.signed_headers
    if "nonce" in inspect.signature(sign).parameters:
        nonce = hashlib.sha256(name.encode()).hexdigest()[:26].upper()
        headers: dict[str, str] = sign(body, secret, now, nonce=nonce)
    else:
        headers = sign(body, secret, now)
    return {"content-type": "application/json", **headers}


def _event(
    provider: str, registration: str, headers: dict[str, str], body: bytes, now: datetime
) -> dict[str, Any]:
    return webhook_event(provider, registration, body, headers, now=now)


TOKEN_REQUESTS = {
    "client_credentials_basic": (
        {
            "authorization": "Basic "
            + base64.b64encode(b"test-client:test-only-client-secret").decode()
        },
        b"grant_type=client_credentials&scope=webhook.write",
    ),
    "client_credentials_post": (
        {},
        b"grant_type=client_credentials&client_id=test-client&client_secret=test-only-client-secret",
    ),
    "refresh_token": (
        {
            "authorization": "Basic "
            + base64.b64encode(b"test-client:test-only-client-secret").decode()
        },
        b"grant_type=refresh_token&refresh_token=test-only-refresh-token",
    ),
}


def _token_events(out: Path, now: datetime) -> list[Path]:
    folder = out / "token"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (headers, body) in TOKEN_REQUESTS.items():
        event = build_event(
            method="POST",
            path="/oauth2/token",
            route_key="POST /oauth2/token",
            path_parameters={},
            headers={"content-type": "application/x-www-form-urlencoded", **headers},
            body=body,
            now=now,
        )
        path = folder / f"{name}.json"
        path.write_text(json.dumps(event, indent=2) + "\n")
        written.append(path)
    return written


def write_events(out: Path, now: datetime) -> list[Path]:
    """Write every provider's sample events under ``out``; return the files written."""
    written: list[Path] = _token_events(out, now)
    for provider, (_, registration) in PROVIDERS.items():
        samples = dev_modules(provider).samples
        if samples is None:
            continue
        folder = out / provider
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in samples.SAMPLE_PAYLOADS.items():
            headers = _headers(samples, body, now, name, samples.TEST_SECRET)
            path = folder / f"{name}.json"
            path.write_text(
                json.dumps(_event(provider, registration, headers, body, now), indent=2) + "\n"
            )
            written.append(path)
        body = next(iter(samples.SAMPLE_PAYLOADS.values()))
        wrong = {key: f"not-{value}" for key, value in samples.TEST_SECRET.items()}
        headers = _headers(samples, body, now, "bad_signature", wrong)
        path = folder / "bad_signature.json"
        path.write_text(
            json.dumps(_event(provider, registration, headers, body, now), indent=2) + "\n"
        )
        written.append(path)
    return written


def main() -> None:
    """Parse arguments and write the events."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--now", default=None, help="'now', or an ISO time (default: a fixed time)")
    parser.add_argument("--out", type=Path, default=ROOT / "events")
    args = parser.parse_args()
    now = (
        datetime.now(UTC)
        if args.now == "now"
        else datetime.fromisoformat(args.now)
        if args.now
        else FIXED_TIME
    )
    for path in write_events(args.out, now):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
