"""The RFC 6749 token endpoint providers call with their client credentials.

Grants ``client_credentials`` and ``refresh_token``; client authentication by HTTP Basic
(client_secret_basic) or in the body (client_secret_post); bodies form-encoded or JSON (Insider
One's format is [NOT FOUND], so both are accepted). Errors follow RFC 6749 §5.2 and never say
which part of the credentials was wrong. Every answer carries ``Cache-Control: no-store``.

The client id names the registration: the map from client id to registration is built from the
OAuth2 registrations' secrets (cached), so an unknown or guessed client id costs no Secrets
Manager call. Client secrets and refresh tokens are compared in constant time against the
current and the pending secret version (a rotation in flight). Repeated failures for one client
id are refused with 429 for a growing while.
"""

from __future__ import annotations

import base64
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from hookgate import safe_json
from hookgate.config import HookgateConfig
from hookgate.errors import MalformedPayloadError
from hookgate.models import InboundRequest, Registration, SecretStage, SecretVersions
from hookgate.oauth2.tokens import BearerTokens
from hookgate.secrets import SecretStore

GRANTS = ("client_credentials", "refresh_token")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


@dataclass
class TokenResponse:
    """An HTTP answer of the token endpoint."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    outcome: str = "issued"


class OAuthError(Exception):
    """An RFC 6749 error response."""

    def __init__(self, error: str, description: str, status: int = 400, **headers: str) -> None:
        """Carry the error code, a safe description, the status and extra headers."""
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers


@dataclass
class FailureLimiter:
    """Counts failed client authentications per client id; refuses while locked out.

    After ``threshold`` failures in a row a client id is locked for ``base_lock`` seconds,
    doubling with each further failure up to ``max_lock``. A success resets it. Per container:
    an attacker spread over many containers is still slowed in each of them.
    """

    threshold: int = 5
    base_lock: float = 10.0
    max_lock: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, client_id: str) -> int:
        """Return the seconds ``client_id`` must still wait (0 when it may try)."""
        with self._lock:
            _, until = self._failures.get(client_id, (0, 0.0))
            return max(0, int(until - self.clock() + 0.999))

    def failed(self, client_id: str) -> None:
        """Record a failure."""
        with self._lock:
            count, _ = self._failures.get(client_id, (0, 0.0))
            count += 1
            until = 0.0
            if count >= self.threshold:
                until = self.clock() + min(
                    self.max_lock, self.base_lock * 2 ** (count - self.threshold)
                )
            self._failures[client_id] = (count, until)
            if len(self._failures) > 10_000:  # bounded memory under a flood of random ids
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, client_id: str) -> None:
        """Forget the failures of ``client_id``."""
        with self._lock:
            self._failures.pop(client_id, None)


def _form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "the body is not form-encoded") from None
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise OAuthError("invalid_request", "a parameter is repeated")
    return dict(pairs)


def _json_body(body: bytes) -> dict[str, str]:
    try:
        document = safe_json.load_object(body)
    except MalformedPayloadError as exc:  # not JSON, too deep (no recursion), NaN, repeated keys
        raise OAuthError("invalid_request", f"the {exc}") from None
    params: dict[str, str] = {}
    for name, value in document.items():
        if isinstance(value, list) and name in {"scope", "scopes"}:
            params["scope"] = " ".join(str(v) for v in value)
        elif isinstance(value, str | int):
            params[str(name)] = str(value)
    return params


def parameters(request: InboundRequest) -> dict[str, str]:
    """Return the request's parameters from a form-encoded or JSON body."""
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    if media == "application/json":
        return _json_body(request.body)
    if media in {"application/x-www-form-urlencoded", ""}:
        return _form(request.body)
    raise OAuthError("invalid_request", "use application/x-www-form-urlencoded or JSON")


def client_credentials(request: InboundRequest, params: Mapping[str, str]) -> tuple[str, str, bool]:
    """Return (client_id, client_secret, used_basic) from Basic auth or the body, not both."""
    authorization = (request.header("authorization") or "").strip()
    scheme, _, encoded = authorization.partition(" ")
    in_body = "client_secret" in params
    if scheme.lower() == "basic":
        if in_body:
            raise OAuthError("invalid_request", "use one client authentication method")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 underneath
            raise _invalid_client(basic=True) from None
        raw_id, sep, raw_secret = decoded.partition(":")
        if not sep:
            raise _invalid_client(basic=True)
        return unquote_plus(raw_id), unquote_plus(raw_secret), True
    if in_body and params.get("client_id"):
        return params["client_id"], params["client_secret"], False
    raise _invalid_client(basic=False)


def _invalid_client(*, basic: bool) -> OAuthError:
    if basic:
        return OAuthError(
            "invalid_client",
            "client authentication failed",
            401,
            **{"www-authenticate": 'Basic realm="hookgate"'},
        )
    return OAuthError("invalid_client", "client authentication failed", 401)


def _matches(versions: SecretVersions, key: str, value: str) -> bool:
    presented = value.encode("utf-8")
    return any(
        hmac.compare_digest(expected.encode("utf-8"), presented)
        for version, expected in versions.candidates(key)
        if version.stage in (SecretStage.CURRENT, SecretStage.PENDING)
    )


@dataclass
class TokenEndpoint:
    """Answers ``POST /oauth2/token``."""

    config: HookgateConfig
    secrets: SecretStore
    tokens: BearerTokens
    limiter: FailureLimiter = field(default_factory=FailureLimiter)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def _registration_for(self, client_id: str) -> tuple[Registration, SecretVersions] | None:
        for registration in self.config.registrations.values():
            if registration.oauth2 is None:
                continue
            versions = self.secrets.versions(
                registration.secret_id, registration.previous_secret_grace_seconds
            )
            if _matches(versions, "client_id", client_id):
                return registration, versions
        return None

    def handle(self, request: InboundRequest) -> TokenResponse:
        """Issue a token, or answer with an RFC 6749 error."""
        try:
            return self._handle(request)
        except OAuthError as exc:
            body = {"error": exc.error, "error_description": exc.description}
            return TokenResponse(exc.status, body, {**NO_STORE, **exc.headers}, outcome=exc.error)

    def _handle(self, request: InboundRequest) -> TokenResponse:
        if request.method != "POST":
            raise OAuthError("invalid_request", "use POST")
        params = parameters(request)
        client_id, client_secret, basic = client_credentials(request, params)
        wait = self.limiter.retry_after(client_id)
        if wait:
            return TokenResponse(
                429,
                {"error": "slow_down", "error_description": "too many failed attempts"},
                {**NO_STORE, "retry-after": str(wait)},
                outcome="throttled",
            )
        found = self._registration_for(client_id)
        if found is None or not _matches(found[1], "client_secret", client_secret):
            self.limiter.failed(client_id)
            raise _invalid_client(basic=basic)
        registration, versions = found
        settings = registration.oauth2
        if settings is None:  # _registration_for only returns OAuth2 registrations
            raise _invalid_client(basic=basic)
        grant = params.get("grant_type")
        if not grant:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant not in GRANTS:
            raise OAuthError("unsupported_grant_type", "use client_credentials or refresh_token")
        if grant not in settings.grants:
            raise OAuthError("unauthorized_client", "this client may not use that grant")
        if grant == "refresh_token":
            refresh = params.get("refresh_token")
            if not refresh:
                raise OAuthError("invalid_request", "refresh_token is required")
            if not _matches(versions, "refresh_token", refresh):
                self.limiter.failed(client_id)
                raise OAuthError("invalid_grant", "the refresh token is not valid")
        requested = params.get("scope", "").split()
        if any(scope not in settings.scopes for scope in requested):
            raise OAuthError("invalid_scope", "a requested scope is not allowed")
        scope = " ".join(requested) if requested else " ".join(settings.scopes)
        self.limiter.succeeded(client_id)
        token = self.tokens.issue(registration, client_id, scope, settings.expires_in, self.clock())
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": settings.expires_in,
            "scope": scope,
        }
        return TokenResponse(200, body, dict(NO_STORE))
