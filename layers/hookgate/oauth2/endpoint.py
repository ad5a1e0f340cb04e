"""The RFC 6749 token endpoint providers call with their client credentials.

Grants ``client_credentials`` and ``refresh_token``; client authentication by HTTP Basic
(client_secret_basic) or in the body (client_secret_post); bodies form-encoded or JSON (Insider
One's format is [NOT FOUND], so both are accepted). Errors use RFC 6749 §5.2's codes and never
say which part of the credentials was wrong. Every answer carries ``Cache-Control: no-store``.

The client id names the registration through hookgate.yaml (``oauth2.client_id``, by default
the registration's name), so finding the client reads no secret at all: an unknown or guessed
client id costs no Secrets Manager call, and an unreadable secret of one registration changes
no answer another registration's client gets. The client secret is compared in constant time
with the current and the pending version of the client's own secret (a rotation in flight),
never a replaced one; a refresh token must belong to the same version. The token is bound to
that version (see :mod:`hookgate.oauth2.tokens`).

Correct credentials always get a token. A caller (client id and source address) that keeps
failing is answered 429 with ``Retry-After`` for a growing while (:mod:`.backoff`).
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from hookgate import safe_json
from hookgate.config import HookgateConfig
from hookgate.errors import MalformedPayloadError
from hookgate.models import (
    InboundRequest,
    OAuth2Settings,
    Registration,
    SecretStage,
    SecretVersion,
)
from hookgate.oauth2.backoff import Caller, FailureBackoff
from hookgate.oauth2.tokens import BearerTokens
from hookgate.secrets import SecretStore

GRANTS = ("client_credentials", "refresh_token")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
UNKNOWN_SOURCE = "unknown"


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


def _form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
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
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 underneath
            raise _invalid_client(basic=True) from None
        raw_id, sep, raw_secret = decoded.partition(":")
        if not sep:
            raise _invalid_client(basic=True)
        return unquote_plus(raw_id), unquote_plus(raw_secret), True
    if in_body and params.get("client_id"):
        return params["client_id"], params["client_secret"], False
    raise _invalid_client()


def _invalid_client(*, basic: bool = False, retry_after: int = 0) -> OAuthError:
    headers = {"www-authenticate": 'Basic realm="hookgate"'} if basic else {}
    if retry_after:
        return OAuthError(
            "invalid_client",
            "client authentication failed; too many failures, retry later",
            429,
            **headers,
            **{"retry-after": str(retry_after)},
        )
    return OAuthError("invalid_client", "client authentication failed", 401, **headers)


def _matching_version(
    versions: tuple[SecretVersion, ...], key: str, value: str
) -> SecretVersion | None:
    """Return the current or pending version whose ``key`` equals ``value`` (constant time)."""
    presented = value.encode()
    for version in versions:
        if version.stage in (SecretStage.CURRENT, SecretStage.PENDING):
            expected = version.get(key)
            if expected and hmac.compare_digest(expected.encode(), presented):
                return version
    return None


@dataclass
class TokenEndpoint:
    """Answers ``POST /oauth2/token``."""

    config: HookgateConfig
    secrets: SecretStore
    tokens: BearerTokens
    backoff: FailureBackoff = field(default_factory=FailureBackoff)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _clients: dict[str, Registration] = field(init=False, repr=False)
    _unavailable: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Map each OAuth2 client id to its registration (config validation keeps them unique)."""
        self._clients = {
            registration.client_id: registration
            for registration in self.config.registrations.values()
            if registration.client_id is not None
        }
        self._unavailable = frozenset(
            u.client_id for u in self.config.unavailable.values() if u.client_id is not None
        )

    def handle(self, request: InboundRequest) -> TokenResponse:
        """Issue a token, or answer with an RFC 6749 error."""
        try:
            return self._handle(request)
        except OAuthError as exc:
            body = {"error": exc.error, "error_description": exc.description}
            outcome = "throttled" if exc.status == 429 else exc.error
            return TokenResponse(exc.status, body, {**NO_STORE, **exc.headers}, outcome=outcome)

    def _refused(self, caller: Caller, error: OAuthError) -> OAuthError:
        """Count a failed authentication; a caller already locked gets 429 instead."""
        wait = self.backoff.retry_after(caller)
        self.backoff.failed(caller)
        if wait and error.error == "invalid_client":
            return _invalid_client(basic="www-authenticate" in error.headers, retry_after=wait)
        if wait:
            error.status = 429
            error.headers = {**error.headers, "retry-after": str(wait)}
        return error

    def _authenticate(
        self, client_id: str, client_secret: str
    ) -> tuple[Registration, OAuth2Settings, SecretVersion] | None:
        registration = self._clients.get(client_id)
        if registration is None or registration.oauth2 is None:
            return None
        versions = self.secrets.versions(
            registration.secret_id, registration.previous_secret_grace_seconds
        )
        version = _matching_version(versions.versions, "client_secret", client_secret)
        return None if version is None else (registration, registration.oauth2, version)

    def _handle(self, request: InboundRequest) -> TokenResponse:
        if request.method != "POST":
            raise OAuthError("invalid_request", "use POST")
        params = parameters(request)
        client_id, client_secret, basic = client_credentials(request, params)
        caller = (client_id, request.source_ip or UNKNOWN_SOURCE)
        if client_id in self._unavailable:
            # hookgate's fault (its plugin or settings), not the client's: retry, not re-key.
            raise OAuthError(
                "temporarily_unavailable",
                "this client's registration cannot serve right now; try again later",
                status=503,
                **{"retry-after": "60"},
            )
        found = self._authenticate(client_id, client_secret)
        if found is None:
            raise self._refused(caller, _invalid_client(basic=basic))
        registration, settings, version = found
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
            if _matching_version((version,), "refresh_token", refresh) is None:
                raise self._refused(
                    caller, OAuthError("invalid_grant", "the refresh token is not valid")
                )
        requested = params.get("scope", "").split()
        if any(scope not in settings.scopes for scope in requested):
            raise OAuthError("invalid_scope", "a requested scope is not allowed")
        scope = " ".join(requested) if requested else " ".join(settings.scopes)
        self.backoff.succeeded(caller)
        token = self.tokens.issue(
            registration,
            client_id,
            scope,
            settings.expires_in,
            self.clock(),
            secret_version=version.version_id,
        )
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": settings.expires_in,
            "scope": scope,
        }
        return TokenResponse(200, body, dict(NO_STORE))
