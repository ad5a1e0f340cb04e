"""Secrets Manager rotation: createSecret, setSecret, testSecret, finishSecret.

Exactly the protocol AWS specifies for a rotation function:

* every step starts by checking that rotation is enabled and that the ClientRequestToken names a
  version of the secret; a token that is already AWSCURRENT returns at once (a repeated
  finishSecret is harmless); a token that is not AWSPENDING is refused;
* **createSecret** stores a new value under the token, labelled AWSPENDING, unless it already
  exists (idempotent). The keys the provider rotates that the secret holds get new random
  values; the others are copied.
  A stale AWSPENDING label left on another version by an earlier, failed rotation is removed
  first, so no rotation is ever stranded behind it;
* **setSecret** waits until every receiver has re-read the secret (``propagation_seconds``, at
  least their cache TTL), so they accept the pending value, then calls the plugin's
  ``hookgate_rotate_secret`` to give it to the provider. A failure fails the step: AWSCURRENT
  stays in force and accepted, and the next attempt (same or new token) starts over safely;
* **testSecret** checks the pending value is complete and, where sync manages the webhook,
  reads the registration back from the provider (it must still hold hookgate's webhook);
* **finishSecret** moves AWSCURRENT to the pending version (the old one becomes AWSPREVIOUS,
  which receivers keep accepting for the registration's grace window) and clears AWSPENDING.

The token signing key (``signing_key_secret``) rotates the same way with no provider call.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets as random_source
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import SecretStr

from hookgate.config import HookgateConfig
from hookgate.errors import HookgateError
from hookgate.models import Registration, SecretStage, SecretVersion, SecretVersions
from hookgate.plugins import PluginHost
from hookgate.sync import webhook_url

logger = logging.getLogger(__name__)

Step = Literal["createSecret", "setSecret", "testSecret", "finishSecret"]
STEPS: tuple[Step, ...] = ("createSecret", "setSecret", "testSecret", "finishSecret")
SIGNING_KEY_FIELDS = ("kid", "key")


class RotationError(HookgateError):
    """A rotation step was refused or failed; Secrets Manager retries the rotation later."""


def new_secret_value() -> str:
    """Return a new random secret: 48 URL-safe characters (288 bits)."""
    return random_source.token_urlsafe(36)


def new_signing_key() -> dict[str, str]:
    """Return a new token signing key: a key id and 32 random bytes, base64url-encoded."""
    key = base64.urlsafe_b64encode(random_source.token_bytes(32)).rstrip(b"=").decode()
    return {"kid": uuid.uuid4().hex[:16], "key": key}


def _rotated_keys(rotates: tuple[str, ...], held: Mapping[str, str]) -> tuple[str, ...]:
    """Return the rotatable keys the secret holds (all of them when it holds none).

    One provider's registrations differ: an Insider V1 secret holds an ``api_key``, a V2 one
    ``client_id``/``client_secret``; only the keys in use get new values.
    """
    return tuple(key for key in rotates if key in held) or rotates


def _error_code(exc: Exception) -> str | None:
    response: Any = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, Mapping) else None


@dataclass
class RotationEngine:
    """Runs rotation steps for registration secrets and the token signing key."""

    host: PluginHost
    config: HookgateConfig
    client_factory: Callable[[], Any]
    webhook_base_url: str
    signing_key_secret: str | None = None
    propagation_seconds: float = 0.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # -- entry points ----------------------------------------------------------------------

    def handle(self, secret_id: str, token: str, step: str) -> None:
        """Run one step as Secrets Manager asks (the rotation Lambda's job)."""
        if step not in STEPS:
            raise RotationError(f"unknown rotation step {step!r}")
        metadata = self._client().describe_secret(SecretId=secret_id)
        if not metadata.get("RotationEnabled"):
            raise RotationError(f"rotation is not enabled for {metadata.get('Name', secret_id)}")
        self._run(metadata, token, step, allow_new_token=False)

    def rotate_now(self, secret_id: str) -> str:
        """Run all four steps with a new token (``hookgate rotate``); return the token."""
        token = str(uuid.uuid4())
        for step in STEPS:
            metadata = self._client().describe_secret(SecretId=secret_id)
            self._run(metadata, token, step, allow_new_token=step == "createSecret")
        return token

    # -- protocol --------------------------------------------------------------------------

    def _run(
        self, metadata: Mapping[str, Any], token: str, step: str, *, allow_new_token: bool
    ) -> None:
        name = str(metadata.get("Name", metadata.get("ARN")))
        stages = metadata.get("VersionIdsToStages", {})
        if token not in stages and not allow_new_token:
            raise RotationError(f"version {token} of {name} has no stage for rotation")
        labels = stages.get(token, ["AWSPENDING"])
        if "AWSCURRENT" in labels:
            logger.info(
                "rotation step skipped: version already current",
                extra={"secret": name, "step": step},
            )
            return
        if "AWSPENDING" not in labels:
            raise RotationError(f"version {token} of {name} is not pending rotation")
        registration = self._registration_for(metadata)
        logger.info("rotation step", extra={"secret": name, "step": step})
        if step == "createSecret":
            self._create(metadata, token, registration)
        elif step == "setSecret":
            self._set(metadata, token, registration)
        elif step == "testSecret":
            self._test(metadata, token, registration)
        else:
            self._finish(metadata, token)

    def _create(
        self, metadata: Mapping[str, Any], token: str, registration: Registration | None
    ) -> None:
        arn = metadata["ARN"]
        client = self._client()
        try:
            client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            return  # created by an earlier attempt with this token
        except Exception as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
        for version_id, labels in metadata.get("VersionIdsToStages", {}).items():
            if version_id != token and "AWSPENDING" in labels:
                client.update_secret_version_stage(
                    SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=version_id
                )
        current = self._values(arn, "AWSCURRENT")
        if registration is None:
            new_values: dict[str, str] = {**current, **new_signing_key()}
        else:
            rotated = _rotated_keys(self.host.get(registration.provider).info.rotates, current)
            new_values = {**current, **{key: new_secret_value() for key in rotated}}
        client.put_secret_value(
            SecretId=arn,
            ClientRequestToken=token,
            SecretString=json.dumps(new_values),
            VersionStages=["AWSPENDING"],
        )

    def _set(
        self, metadata: Mapping[str, Any], token: str, registration: Registration | None
    ) -> None:
        if registration is None:
            return  # the signing key is hookgate's own: no provider to tell
        self._wait_for_receivers(metadata["ARN"], token)
        provider = self.host.get(registration.provider)
        pending = self._version(metadata["ARN"], token, SecretStage.PENDING)
        current = self._version(metadata["ARN"], None, SecretStage.CURRENT)
        in_force = SecretVersions(secret_id=registration.secret_id, versions=(current, pending))
        url = webhook_url(self.webhook_base_url, registration)
        if not provider.implements("hookgate_rotate_secret"):
            raise RotationError(f"provider {provider.name!r} cannot take a new secret")
        credentials = (
            self._version(registration.api_secret_id, None, SecretStage.CURRENT)
            if registration.api_secret_id
            else None
        )
        if not provider.rotate_secret(registration, url, pending, in_force, credentials):
            raise RotationError(f"provider {provider.name!r} did not confirm the new secret")

    def _test(
        self, metadata: Mapping[str, Any], token: str, registration: Registration | None
    ) -> None:
        pending = self._values(metadata["ARN"], "AWSPENDING", token)
        needed = (
            SIGNING_KEY_FIELDS
            if registration is None
            else _rotated_keys(self.host.get(registration.provider).info.rotates, pending)
        )
        missing = [key for key in needed if not pending.get(key)]
        if missing:
            raise RotationError(f"pending version lacks {', '.join(missing)}")
        if registration is not None:
            self._read_back(metadata["ARN"], token, registration)

    def _read_back(self, arn: str, token: str, registration: Registration) -> None:
        """Check at the provider that the webhook given the new secret is still there.

        No provider lets a secret itself be read back or test-delivered, so this is the
        strongest check there is.
        """
        provider = self.host.get(registration.provider)
        if not registration.api_secret_id or not provider.implements("hookgate_register"):
            return
        pending = self._version(arn, token, SecretStage.PENDING)
        current = self._version(arn, None, SecretStage.CURRENT)
        credentials = self._version(registration.api_secret_id, None, SecretStage.CURRENT)
        url = webhook_url(self.webhook_base_url, registration)
        plan = provider.register(
            registration,
            url,
            SecretVersions(secret_id=registration.secret_id, versions=(pending, current)),
            credentials,
            False,
        )
        if any(change.action == "create" for change in plan):
            raise RotationError(
                f"{registration.name}: the provider no longer holds hookgate's webhook, so the "
                "new secret reached nothing (run `hookgate apply`)"
            )

    def _finish(self, metadata: Mapping[str, Any], token: str) -> None:
        arn = metadata["ARN"]
        client = self._client()
        current = next(
            (
                v
                for v, labels in metadata.get("VersionIdsToStages", {}).items()
                if "AWSCURRENT" in labels
            ),
            None,
        )
        client.update_secret_version_stage(
            SecretId=arn,
            VersionStage="AWSCURRENT",
            MoveToVersionId=token,
            RemoveFromVersionId=current,
        )
        client.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=token
        )
        logger.info("rotation finished", extra={"secret": metadata.get("Name"), "version": token})

    # -- helpers ---------------------------------------------------------------------------

    def _client(self) -> Any:
        return self.client_factory()

    def _registration_for(self, metadata: Mapping[str, Any]) -> Registration | None:
        names = {metadata.get("Name"), metadata.get("ARN")}
        if self.signing_key_secret and self.signing_key_secret in names:
            return None
        for registration in self.config.registrations.values():
            if registration.secret_id in names:
                return registration
        raise RotationError(f"no registration in hookgate.yaml uses secret {metadata.get('Name')}")

    def _values(self, arn: str, stage: str, version_id: str | None = None) -> dict[str, str]:
        kwargs: dict[str, str] = {"SecretId": arn, "VersionStage": stage}
        if version_id:
            kwargs["VersionId"] = version_id
        text = self._client().get_secret_value(**kwargs).get("SecretString") or "{}"
        document = json.loads(text)
        if not isinstance(document, dict):
            raise RotationError("the secret value is not a JSON object")
        return {str(k): str(v) for k, v in document.items()}

    def _version(self, arn: str, version_id: str | None, stage: SecretStage) -> SecretVersion:
        kwargs: dict[str, str] = {"SecretId": arn, "VersionStage": stage.value}
        if version_id:
            kwargs["VersionId"] = version_id
        response = self._client().get_secret_value(**kwargs)
        values = json.loads(response.get("SecretString") or "{}")
        return SecretVersion(
            stage=stage,
            version_id=str(response["VersionId"]),
            values={str(k): SecretStr(str(v)) for k, v in values.items()},
        )

    def _wait_for_receivers(self, arn: str, token: str) -> None:
        if self.propagation_seconds <= 0:
            return
        versions = self._client().list_secret_version_ids(SecretId=arn).get("Versions", [])
        created = next(
            (v.get("CreatedDate") for v in versions if v.get("VersionId") == token), None
        )
        if not isinstance(created, datetime):
            self.sleep(self.propagation_seconds)
            return
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        remaining = self.propagation_seconds - (self.clock() - created).total_seconds()
        if remaining > 0:
            self.sleep(remaining)
