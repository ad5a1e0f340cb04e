"""Access tokens: HS256 JWTs signed with a key kept (and rotated) in Secrets Manager.

The signing secret holds ``{"kid": "...", "key": "<base64url, 32+ bytes>"}``. Tokens are signed
with the AWSCURRENT key and verified with the current, pending and previous keys (within the
grace window), so the key rotates like any other secret without a token being refused. A token
is bound to one registration (``aud``) and one client (``sub``), expires (``exp``) and has an
id (``jti``); checking it needs no database call.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

import jwt

from hookgate.errors import SecretUnavailableError
from hookgate.models import Registration, SecretStage, Verdict
from hookgate.secrets import SecretStore

ISSUER = "hookgate"
ALGORITHM = "HS256"
LEEWAY_SECONDS = 5
KEY_GRACE_SECONDS = 2 * 3600  # longer than the longest token lifetime (3600 s)


def _key_bytes(encoded: str) -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return None
    return key if len(key) >= 32 else None


@dataclass
class SigningKeys:
    """The token signing key versions, read through the container's secret cache."""

    store: SecretStore
    secret_id: str

    def versions(self) -> list[tuple[SecretStage, str, bytes]]:
        """Return (stage, kid, key) for every usable key version, current first."""
        found: list[tuple[SecretStage, str, bytes]] = []
        for version in self.store.versions(self.secret_id, KEY_GRACE_SECONDS).versions:
            kid, encoded = version.get("kid"), version.get("key")
            key = _key_bytes(encoded) if encoded else None
            if kid and key:
                found.append((version.stage, kid, key))
        return found

    def current(self) -> tuple[str, bytes]:
        """Return the kid and key that sign new tokens."""
        for stage, kid, key in self.versions():
            if stage is SecretStage.CURRENT:
                return kid, key
        raise SecretUnavailableError("no usable current token signing key")


@dataclass
class BearerTokens:
    """Issues access tokens and checks the bearer tokens on deliveries."""

    keys: SigningKeys

    def issue(
        self, registration: Registration, client_id: str, scope: str, lifetime: int, now: datetime
    ) -> str:
        """Return a signed access token for ``client_id`` of ``registration``."""
        kid, key = self.keys.current()
        issued = int(now.timestamp())
        claims = {
            "iss": ISSUER,
            "aud": registration.name,
            "sub": client_id,
            "client_id": client_id,
            "scope": scope,
            "iat": issued,
            "exp": issued + lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})

    def check(self, token: str | None, registration: Registration, now: datetime) -> Verdict:
        """Accept only an unexpired token issued by hookgate for ``registration``."""
        if not token:
            return Verdict.reject("missing bearer token", retryable_with_fresh_secrets=False)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return Verdict.reject("malformed bearer token", retryable_with_fresh_secrets=False)
        matching = [
            (stage, key)
            for stage, k, key in self.keys.versions()
            if hmac.compare_digest(k, str(kid))
        ]
        if not matching:
            return Verdict.reject("unknown token signing key")
        stage, key = matching[0]
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
                    "require": ["exp", "iat", "sub", "jti"],
                },
            )
        except jwt.InvalidAudienceError:
            return Verdict.reject(
                "token issued for another registration", retryable_with_fresh_secrets=False
            )
        except jwt.PyJWTError:
            return Verdict.reject("invalid bearer token", retryable_with_fresh_secrets=False)
        moment = now.timestamp()
        if (
            int(claims["exp"]) + LEEWAY_SECONDS < moment
            or int(claims["iat"]) - LEEWAY_SECONDS > moment
        ):
            return Verdict.reject("expired bearer token", retryable_with_fresh_secrets=False)
        return Verdict.accept(stage)
