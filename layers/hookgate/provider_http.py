"""Calls to provider management APIs: timeouts, bounded retries, typed errors.

Every provider client sends its requests through :func:`send`. A 429 or 5xx answer, a timeout
or a connection failure is retried with exponential backoff (honouring ``Retry-After``) a
bounded number of times; what still fails, or any other 4xx, raises
:class:`ProviderAPIError` carrying the provider's own error code and message, parsed from its
error body by the client's ``parse_error`` function (never by matching message text).
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from hookgate.errors import HookgateError

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a provider call."""

    attempts: int = 4
    initial_wait: float = 0.2
    max_wait: float = 8.0
    max_total: float = 30.0


class ProviderAPIError(HookgateError):
    """A provider API call failed; ``status`` is the HTTP status (0 when none was received)."""

    def __init__(
        self, provider: str, operation: str, status: int, code: str | None, message: str
    ) -> None:
        """Describe the failure of ``operation`` at ``provider``."""
        self.provider = provider
        self.operation = operation
        self.status = status
        self.code = code
        self.detail = message
        what = f"HTTP {status}" if status else "no response"
        code_text = f" {code}" if code else ""
        super().__init__(f"{provider}: {operation} failed: {what}{code_text}: {message}")

    @property
    def retryable(self) -> bool:
        """True when the provider may accept the same call later (429, 5xx, no response)."""
        return self.status == 0 or self.status in RETRYABLE_STATUS


ErrorParser = Callable[[httpx.Response], tuple[str | None, str]]
ErrorFields = Callable[[Mapping[str, Any], str], tuple[str | None, str] | None]
"""Reads ``(code, message)`` from a JSON error object (and the reason phrase); None: not one."""


def parse_error_with(response: httpx.Response, fields: ErrorFields) -> tuple[str | None, str]:
    """Decode an error answer's JSON object and read it with ``fields``; else the reason phrase."""
    reason = response.reason_phrase or "error"
    try:
        body: Any = response.json()
    except ValueError:
        return None, reason
    found = fields(body, reason) if isinstance(body, Mapping) else None
    return found if found is not None else (None, reason)


def common_error_fields(body: Mapping[str, Any], reason: str) -> tuple[str | None, str]:
    """Read the common shapes: ``{"error": {...}}`` or a flat object with a code and message."""
    nested = body.get("error")
    inner: Mapping[str, Any] = nested if isinstance(nested, Mapping) else body
    code = inner.get("status") or inner.get("errorCode") or inner.get("code")
    message = inner.get("message") or inner.get("error") or reason
    return (str(code) if code is not None else None), str(message)


def default_error_parser(response: httpx.Response) -> tuple[str | None, str]:
    """Read ``code``/``message`` from a JSON error body, falling back to the reason phrase."""
    return parse_error_with(response, common_error_fields)


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Return the wait a ``Retry-After`` header asks for (seconds or an HTTP date), if any."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # "nan" or "inf" is no wait at all: ignored, the backoff applies
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Retryable(Exception):
    def __init__(self, error: ProviderAPIError, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        backoff = min(policy.max_wait, policy.initial_wait * 2.0 ** (state.attempt_number - 1))
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait is not None:
            return float(min(policy.max_wait, max(backoff, exc.wait)))
        return float(backoff)

    return wait


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    operation: str,
    parse_error: ErrorParser = default_error_parser,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request with retries; return the 2xx response or raise ProviderAPIError."""
    policy = policy or RetryPolicy()

    def attempt() -> httpx.Response:
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            error = ProviderAPIError(provider, operation, 0, None, "timed out")
            raise _Retryable(error, None) from None
        except httpx.TransportError as exc:
            error = ProviderAPIError(provider, operation, 0, None, f"{type(exc).__name__}")
            raise _Retryable(error, None) from None
        if response.is_success:
            return response
        code, message = parse_error(response)
        error = ProviderAPIError(provider, operation, response.status_code, code, message)
        if error.retryable:
            raise _Retryable(error, retry_after_seconds(response))
        raise error

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_total),
        wait=_wait(policy),
        retry=retry_if_exception(lambda exc: isinstance(exc, _Retryable)),
        sleep=sleep,
        reraise=True,
    )
    try:
        response: httpx.Response = retrying(attempt)
    except _Retryable as exc:
        raise exc.error from None
    return response


class ProviderClient:
    """The mechanics every provider API client shares; a subclass supplies the primitives.

    The base owns the HTTP connections (closed by :meth:`close` or on leaving a ``with``
    block), sends every call through :func:`send` (timeouts, retries, typed errors) and turns
    an error answer into ``(code, message)``: it decodes the JSON body and asks
    :meth:`error_fields` for the provider's own fields, falling back to the reason phrase. A
    subclass names its :attr:`provider`, may add headers to every call (:meth:`auth_headers`)
    and reads its error body shape in :meth:`error_fields`.
    """

    provider: str = "provider"

    def __init__(
        self,
        *,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Use ``http`` (its timeouts are then the caller's) or a new client with ``timeout``."""
        self._http = http or httpx.Client(timeout=timeout)
        self._sleep = sleep

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> Self:
        """Use as a context manager that closes the client."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    def error_fields(self, body: Mapping[str, Any], reason: str) -> tuple[str | None, str] | None:
        """Return ``(code, message)`` from a JSON error object, or None when it is not one.

        ``reason`` is the HTTP reason phrase, for a body without a message. The default reads
        the common shapes (:func:`common_error_fields`).
        """
        return common_error_fields(body, reason)

    def parse_error(self, response: httpx.Response) -> tuple[str | None, str]:
        """Return the provider's ``(code, message)`` for an error answer."""
        return parse_error_with(response, self.error_fields)

    def auth_headers(self) -> dict[str, str]:
        """Return the headers that authenticate a call (none by default)."""
        return {}

    def call(self, method: str, url: str, operation: str, **kwargs: Any) -> Any:
        """Send one authenticated call and return its JSON body (``{}`` when it has none)."""
        headers = {**self.auth_headers(), **kwargs.pop("headers", {})}
        response = send(
            self._http,
            method,
            url,
            provider=self.provider,
            operation=operation,
            parse_error=self.parse_error,
            sleep=self._sleep,
            headers=headers,
            **kwargs,
        )
        return response.json() if response.content else {}


def using[C: ProviderClient, T](
    client: C | None, make: Callable[[], C], work: Callable[[C], T]
) -> T:
    """Run ``work`` with ``client``, or with a client from ``make`` that is closed afterwards."""
    if client is not None:
        return work(client)
    with make() as made:
        return work(made)
