"""A hostile run against the token endpoint: wrong secrets for a real client id, flat out.

Attackers send ``client_credentials`` requests with the legitimate client id and wrong secrets
as fast as the front answers; meanwhile the legitimate client fetches a token every
``interval`` seconds with a real OAuth2 client library (authlib, a development dependency) and
delivers a distinct webhook with it. On the local front every caller comes from 127.0.0.1, so
the attackers share the legitimate client's address as well as its client id: the hardest case
for a backoff. Every legitimate token request must get 200 and every delivery must be accepted.

Used by ``benchmarks/token_flood.py`` (30 s) and, briefly, by the end-to-end tests.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import httpx

from hookgate_dev.local.oauth2_client import fetch_client_credentials_token
from hookgate_dev.sandbox.core import unique_body

FIRST_SERIAL = 20_000_000  # far from the sandboxes' and the load generator's serials


@dataclass
class FloodResult:
    """What the attackers and the legitimate client were answered."""

    seconds: float = 0.0
    attacker: Counter[int] = field(default_factory=Counter)
    attacker_errors: Counter[str] = field(default_factory=Counter)
    token_requests: int = 0
    token_failures: list[str] = field(default_factory=list)
    deliveries: int = 0
    accepted_events: int = 0
    delivery_failures: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Every legitimate request succeeded (and there was at least one, under attack)."""
        return (
            self.token_requests > 0
            and not self.token_failures
            and self.deliveries == self.token_requests
            and not self.delivery_failures
            and sum(self.attacker.values()) > 0
        )

    def summary(self) -> str:
        """One line of counts."""
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.attacker.items()))
        rate = sum(self.attacker.values()) / self.seconds if self.seconds else 0.0
        return (
            f"{self.seconds:.1f} s; attacker {sum(self.attacker.values())} requests "
            f"({rate:.0f}/s; {statuses or 'none'}); legitimate tokens "
            f"{self.token_requests - len(self.token_failures)}/{self.token_requests} issued, "
            f"deliveries {self.deliveries - len(self.delivery_failures)}/{self.deliveries} "
            f"accepted ({self.accepted_events} events)"
        )


def authlib_fetcher(token_url: str, client_id: str, client_secret: str) -> Callable[[], str]:
    """Return a function that fetches an access token as a provider's OAuth2 client would."""
    return partial(fetch_client_credentials_token, token_url, client_id, client_secret)


def _attack(
    token_url: str, client_id: str, stop: threading.Event, result: FloodResult, lock: threading.Lock
) -> None:
    guess = 0
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            guess += 1
            try:
                status = client.post(
                    token_url,
                    data={"grant_type": "client_credentials"},
                    auth=(client_id, f"wrong-{threading.get_ident()}-{guess}"),
                ).status_code
            except httpx.HTTPError as exc:
                with lock:
                    result.attacker_errors[type(exc).__name__] += 1
                continue
            with lock:
                result.attacker[status] += 1


def run_token_flood(
    *,
    token_url: str,
    webhook_url: str,
    client_id: str,
    fetch_token: Callable[[], str],
    body: bytes,
    duration: float,
    interval: float = 1.0,
    attackers: int = 4,
) -> FloodResult:
    """Flood ``token_url`` for ``duration`` s while the real client fetches and delivers."""
    result = FloodResult()
    lock = threading.Lock()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_attack, args=(token_url, client_id, stop, result, lock), daemon=True
        )
        for _ in range(attackers)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    serial = FIRST_SERIAL
    try:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() - started < duration:
                time.sleep(min(interval, max(0.0, duration - (time.monotonic() - started))))
                result.token_requests += 1
                try:
                    token = fetch_token()
                except Exception as exc:  # authlib raises its own errors for a refusal
                    result.token_failures.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                serial += 1
                result.deliveries += 1
                answer = client.post(
                    webhook_url,
                    content=unique_body(body, serial),
                    headers={
                        "authorization": f"Bearer {token}",
                        "content-type": "application/json",
                    },
                )
                if answer.status_code != 200:
                    result.delivery_failures.append(f"{answer.status_code}: {answer.text[:200]}")
                else:
                    result.accepted_events += int(answer.json().get("accepted", 0))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        result.seconds = time.monotonic() - started
    return result
