"""Load on the local front: signed requests as the sandboxes sign them, sent concurrently.

The load generator builds each request in process from a sandbox's own registered targets and
samples (so every genuine request is signed exactly as the provider would sign it), optionally
mixes in forged ones (the same request with one character of each credential header changed),
and sends them with a bounded number of concurrent connections for a bounded time or count. It
reports throughput, latency percentiles and every answer that was not the expected one;
genuine requests come back as :class:`~hookgate_dev.sandbox.core.Delivery` records, so the local
audit can check that each one reached the bus exactly once.

:class:`EmulatorCallLog` counts the calls the AWS emulator received (moto's request recorder),
to show how many Secrets Manager reads a flood of forged requests caused.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from hookgate_dev.local.stack import LocalStack
from hookgate_dev.sandbox.core import Attempt, Delivery, Target, public_headers, unique_body

# Far above any serial a sandbox's own demo deliveries reach, so ids never collide with them;
# shared by every factory in the process, so a second run never resends a first run's body.
FIRST_SERIAL = 10_000_000
_SERIALS = itertools.count(FIRST_SERIAL)
_SERIALS_LOCK = threading.Lock()
CREDENTIAL_HEADER_MIN_LENGTH = 16
SECRETS_MANAGER_READS = frozenset({"GetSecretValue", "ListSecretVersionIds", "DescribeSecret"})


@dataclass(frozen=True)
class PreparedRequest:
    """One request ready to send, and what it is."""

    provider: str
    target: Target
    sample: str
    body: bytes
    headers: dict[str, str]
    genuine: bool


def _changed(char: str) -> str:
    """Return a different character of the same class (hex and base64 stay valid)."""
    if char.isdigit():
        return str((int(char) + 1) % 10)
    if char.islower():
        return "b" if char == "a" else "a"
    return "B" if char == "A" else "A"


def forge(headers: dict[str, str]) -> dict[str, str]:
    """Return ``headers`` with the middle character of each credential-looking value changed.

    Signatures, header tokens and bearer keys are long; timestamps and content types are not and
    stay as they are, so a forged request fails on its credential, not on its freshness.
    """
    forged = dict(headers)
    for name, value in headers.items():
        if name.lower() == "content-type" or len(value) < CREDENTIAL_HEADER_MIN_LENGTH:
            continue
        middle = len(value) // 2
        for index in sorted(range(len(value)), key=lambda i: abs(i - middle)):
            if value[index].isalnum():
                forged[name] = value[:index] + _changed(value[index]) + value[index + 1 :]
                break
    return forged


class RequestFactory:
    """Builds genuine and forged requests for every sandboxed registration, in turn."""

    def __init__(self, stack: LocalStack) -> None:
        """Collect each sandbox's registered targets (not the ones that only receive clones)."""
        self._sources: list[tuple[str, Target, list[tuple[str, bytes]]]] = []
        for provider, local in stack.sandboxes.items():
            samples = sorted(local.sandbox.samples.items())
            for target in local.sandbox.targets():
                if target.requires is None and samples:
                    self._sources.append((provider, target, samples))
        if not self._sources:
            raise ValueError("no sandbox holds a webhook to send to")
        self._turns = itertools.count()

    def genuine(self) -> PreparedRequest:
        """Return the next distinct, correctly signed request (round robin over targets)."""
        with _SERIALS_LOCK:
            turn, serial = next(self._turns), next(_SERIALS)
        provider, target, samples = self._sources[turn % len(self._sources)]
        sample, template = samples[(turn // len(self._sources)) % len(samples)]
        body = unique_body(template, serial)
        headers = {"content-type": "application/json", **target.headers_for(body)}
        return PreparedRequest(provider, target, sample, body, headers, genuine=True)

    def forged(self) -> PreparedRequest:
        """Return a distinct request whose credential headers were tampered with."""
        request = self.genuine()
        return PreparedRequest(
            request.provider,
            request.target,
            request.sample,
            request.body,
            forge(request.headers),
            genuine=False,
        )


@dataclass
class LoadResult:
    """What a load run sent and got back."""

    duration: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    genuine: list[Delivery] = field(default_factory=list)
    forged: int = 0

    @property
    def requests(self) -> int:
        """Return how many requests got an answer or failed."""
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        """Return requests per second over the run."""
        return self.requests / self.duration if self.duration else 0.0

    def percentile(self, share: float) -> float:
        """Return the latency (ms) below which ``share`` of the requests fell."""
        if not self.latencies_ms:
            return 0.0
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        cuts = statistics.quantiles(self.latencies_ms, n=1000, method="inclusive")
        return cuts[max(0, min(len(cuts) - 1, round(share * 1000) - 1))]

    def summary(self) -> str:
        """Return the figures on one line."""
        answers = ", ".join(f"{k} x{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.requests} requests in {self.duration:.1f} s = {self.throughput:.0f}/s; "
            f"latency p50 {self.percentile(0.5):.1f} ms, p99 {self.percentile(0.99):.1f} ms, "
            f"max {max(self.latencies_ms, default=0.0):.1f} ms; answers: {answers}; "
            f"errors (unexpected answers) {len(self.unexpected)}"
        )


def _expected(request: PreparedRequest, status: int | None) -> bool:
    if status is None:
        return False
    return 200 <= status < 300 if request.genuine else status == 401


async def _send(client: httpx.AsyncClient, request: PreparedRequest, result: LoadResult) -> None:
    started = time.perf_counter()
    status: int | None = None
    answer = ""
    try:
        response = await client.post(
            request.target.url, content=request.body, headers=request.headers
        )
        status, answer = response.status_code, response.text[:200]
    except httpx.HTTPError as exc:
        answer = type(exc).__name__
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    result.statuses[str(status) if status is not None else answer] += 1
    if not _expected(request, status):
        kind = "genuine" if request.genuine else "forged"
        result.unexpected.append(f"{kind} {request.provider}/{request.sample}: {status} {answer}")
    if request.genuine:
        result.genuine.append(
            Delivery(
                webhook_id=request.target.webhook_id,
                target=request.target.url,
                sample=request.sample,
                body=request.body.decode("utf-8", "replace"),
                attempts=[Attempt(status=status, error=None if status else answer)],
                delivered=status is not None and 200 <= status < 300,
                headers=public_headers(request.headers),
            )
        )
    else:
        result.forged += 1


async def _drive(
    factory: RequestFactory,
    concurrency: int,
    duration: float | None,
    total: int | None,
    forged_per_genuine: int,
) -> LoadResult:
    result = LoadResult()
    issued = itertools.count()
    started = time.perf_counter()
    deadline = started + duration if duration is not None else math.inf

    def next_request() -> PreparedRequest | None:
        number = next(issued)
        if (total is not None and number >= total) or time.perf_counter() >= deadline:
            return None
        if forged_per_genuine and number % (forged_per_genuine + 1) != forged_per_genuine:
            return factory.forged()
        return factory.genuine()

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            while (request := next_request()) is not None:
                await _send(client, request, result)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.duration = time.perf_counter() - started
    return result


def run_load(
    stack: LocalStack,
    *,
    concurrency: int = 8,
    duration: float | None = 10.0,
    total: int | None = None,
    forged_per_genuine: int = 0,
) -> LoadResult:
    """Send requests to ``stack``'s front until ``duration`` seconds or ``total`` requests.

    With ``forged_per_genuine`` = N, N forged requests go out for each genuine one. Genuine
    requests must be answered 2xx and forged ones 401; anything else is listed in
    ``unexpected``.
    """
    if duration is None and total is None:
        raise ValueError("give a duration, a total, or both")
    factory = RequestFactory(stack)
    return asyncio.run(_drive(factory, concurrency, duration, total, forged_per_genuine))


def _secret_name(secret_id: str) -> str:
    """Return a secret's name from its name or ARN (``...:secret:<name>-AbCdEf``)."""
    if not secret_id.startswith("arn:"):
        return secret_id
    name = secret_id.split(":secret:", 1)[-1]
    return name.rsplit("-", 1)[0]


@dataclass
class EmulatorCallLog:
    """Records every call the emulator receives between enter and exit (moto's recorder).

    The recorder writes requests (never responses) to a file in moto's working directory;
    ``reset`` empties it at the start and the end, so nothing stays behind.
    """

    endpoint: str
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def _control(self, action: str) -> httpx.Response:
        method = "GET" if action == "download-recording" else "POST"
        response = httpx.request(method, f"{self.endpoint}/moto-api/recorder/{action}", timeout=30)
        response.raise_for_status()
        return response

    def __enter__(self) -> EmulatorCallLog:
        """Start recording afresh."""
        self._control("reset-recording")
        self._control("start-recording")
        return self

    def __exit__(self, *_: object) -> None:
        """Stop, read what was recorded, and empty the recording."""
        self._control("stop-recording")
        text = self._control("download-recording").text
        self._control("reset-recording")
        self.calls = list(_parse_recording(text))

    def secrets_manager_reads(self) -> Counter[tuple[str, str]]:
        """Return the Secrets Manager read calls, per ``(secret name, action)``.

        A cache refresh is one ``ListSecretVersionIds``; ``GetSecretValue`` follows only for a
        version the cache has not seen yet.
        """
        return Counter(
            (secret, action)
            for service, action, secret in self.calls
            if service == "secretsmanager" and action in SECRETS_MANAGER_READS
        )


def _parse_recording(text: str) -> Iterator[tuple[str, str, str]]:
    """Yield ``(service, action, secret name or "")`` for each recorded JSON-protocol call."""
    for line in text.splitlines():
        if not line.strip():
            continue
        entry: dict[str, Any] = json.loads(line)
        headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
        target = str(headers.get("x-amz-target", ""))
        if "." not in target:
            continue
        service, action = target.split(".", 1)
        raw = entry.get("body") or ""
        body = base64.b64decode(raw) if entry.get("body_encoded") else str(raw).encode()
        try:
            document = json.loads(body) if body else {}
        except ValueError:
            document = {}
        secret = document.get("SecretId", "") if isinstance(document, dict) else ""
        yield service.lower(), action, _secret_name(str(secret))
