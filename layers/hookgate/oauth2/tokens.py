"""Access tokens: HS256 JWTs signed with a key kept (and rotated) in Secrets Manager.

The signing secret holds ``{"kid": "...", "key": "<base64url, 32+ bytes>"}``. Tokens are signed
with the AWSCURRENT key and verified with the current, pending and previous keys (within the
grace window), so the key rotates like any other secret without a token being refused. A token
naming a key the receiver does not know yet (a key that became current after the receiver read
the signing secret) makes the receiver re-read the signing secret, at most once per refresh
interval, and check again.

A token is bound to one registration (``aud``), to that registration's client id (``sub``) and
to the version of the client secret that authenticated the client (``secret_version``). It
verifies only while that version is still in force for the registration (current, pending, or
replaced less than the registration's grace ago) and the client id is still the registration's:
rotating a leaked client secret revokes every token minted with it once its grace has run out.
It expires (``exp``) and has an id (``jti``); checking it needs no database call.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from hookgate.errors import SecretUnavailableError
from hookgate.models import Registration, SecretStage, SecretVersions, Verdict
from hookgate.secret_lifecycle import SIGNING_KEY_GRACE_SECONDS
from hookgate.secrets import SecretStore

ISSUER = "hookgate"
ALGORITHM = "HS256"
LEEWAY_SECONDS = 5
KEY_GRACE_SECONDS = SIGNING_KEY_GRACE_SECONDS
SECRET_VERSION_CLAIM = "secret_version"  # noqa: S105 - a claim name

KeyVersion = tuple[SecretStage, str, bytes]


def _key_bytes(encoded: str) -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return None
    return key if len(key) >= 32 else None


def _usable(versions: SecretVersions) -> list[KeyVersion]:
    found: list[KeyVersion] = []
    for version in versions.versions:
        kid, encoded = version.get("kid"), version.get("key")
        key = _key_bytes(encoded) if encoded else None
        if kid and key:
            found.append((version.stage, kid, key))
    return found


@dataclass
class SigningKeys:
    """The token signing key versions, read through the container's secret cache."""

    store: SecretStore
    secret_id: str

    def versions(self) -> list[KeyVersion]:
        """Return (stage, kid, key) for every usable key version, current first."""
        return _usable(self.store.versions(self.secret_id, KEY_GRACE_SECONDS))

    def refreshed(self) -> list[KeyVersion] | None:
        """Re-read the signing secret after a token named an unknown key.

        Returns None when the store refused (it re-read less than its refresh interval ago), so
        forged key ids never turn into one Secrets Manager call each.
        """
        fresh = self.store.refresh_after_miss(self.secret_id, KEY_GRACE_SECONDS)
        return None if fresh is None else _usable(fresh)

    def current(self) -> tuple[str, bytes]:
        """Return the kid and key that sign new tokens."""
        for stage, kid, key in self.versions():
            if stage is SecretStage.CURRENT:
                return kid, key
        raise SecretUnavailableError("no usable current token signing key")


def _with_kid(keys: list[KeyVersion], kid: str) -> tuple[SecretStage, bytes] | None:
    for stage, candidate, key in keys:
        if hmac.compare_digest(candidate.encode(), kid.encode()):
            return stage, key
    return None


def _in_force(secrets: SecretVersions, version_id: str) -> bool:
    presented = version_id.encode()
    return any(
        hmac.compare_digest(version.version_id.encode(), presented) for version in secrets.versions
    )


@dataclass
class BearerTokens:
    """Issues access tokens and checks the bearer tokens on deliveries."""

    keys: SigningKeys

    def issue(
        self,
        registration: Registration,
        client_id: str,
        scope: str,
        lifetime: int,
        now: datetime,
        *,
        secret_version: str,
    ) -> str:
        """Return a signed access token for ``client_id`` of ``registration``.

        ``secret_version`` is the version id of the client secret the client authenticated
        with: the token verifies only while that version is in force for the registration.
        """
        kid, key = self.keys.current()
        issued = int(now.timestamp())
        claims = {
            "iss": ISSUER,
            "aud": registration.name,
            "sub": client_id,
            "client_id": client_id,
            SECRET_VERSION_CLAIM: secret_version,
            "scope": scope,
            "iat": issued,
            "exp": issued + lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})

    def _key_for(self, kid: str) -> tuple[SecretStage, bytes] | None:
        found = _with_kid(self.keys.versions(), kid)
        if found is None:
            refreshed = self.keys.refreshed()
            found = _with_kid(refreshed, kid) if refreshed is not None else None
        return found

    def check(
        self,
        token: str | None,
        registration: Registration,
        now: datetime,
        secrets: SecretVersions | None = None,
    ) -> Verdict:
        """Accept only an unexpired token hookgate issued for ``registration`` and its client.

        ``secrets`` are the registration's secret versions the caller verifies with (the
        ``secrets`` argument of ``hookgate_verify``); without them they are read through the
        signing keys' store. The token's client-secret version must be among them, and its
        client id must be the registration's.
        """
        if not token:
            return Verdict.reject("missing bearer token", retryable_with_fresh_secrets=False)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return Verdict.reject("malformed bearer token", retryable_with_fresh_secrets=False)
        found = self._key_for(str(kid))
        if found is None:
            # The signing key was just re-read (or recently enough): the registration's
            # secret cannot change this answer.
            return Verdict.reject("unknown token signing key", retryable_with_fresh_secrets=False)
        stage, key = found
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=registration.name,
                issuer=ISSUER,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "require": ["exp", "iat", "sub", "jti", SECRET_VERSION_CLAIM],
                },
            )
        except jwt.InvalidAudienceError:
            return Verdict.reject(
                "token issued for another registration", retryable_with_fresh_secrets=False
            )
        except jwt.PyJWTError:
            return Verdict.reject("invalid bearer token", retryable_with_fresh_secrets=False)
        return self._check_claims(claims, registration, now, secrets) or Verdict.accept(stage)

    def _check_claims(
        self,
        claims: dict[str, Any],
        registration: Registration,
        now: datetime,
        secrets: SecretVersions | None,
    ) -> Verdict | None:
        moment = now.timestamp()
        if (
            int(claims["exp"]) + LEEWAY_SECONDS < moment
            or int(claims["iat"]) - LEEWAY_SECONDS > moment
        ):
            return Verdict.reject("expired bearer token", retryable_with_fresh_secrets=False)
        client_id = registration.client_id
        if client_id is None or not hmac.compare_digest(
            str(claims["sub"]).encode(), client_id.encode()
        ):
            return Verdict.reject(
                "token issued to another client", retryable_with_fresh_secrets=False
            )
        if secrets is None:
            secrets = self.keys.store.versions(
                registration.secret_id, registration.previous_secret_grace_seconds
            )
        if not _in_force(secrets, str(claims[SECRET_VERSION_CLAIM])):
            # A version newer than this receiver's cache verifies after a refresh.
            return Verdict.reject("token's client secret is no longer in force")
        return None
