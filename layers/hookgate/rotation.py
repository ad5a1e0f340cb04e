"""Secrets Manager rotation: createSecret, setSecret, testSecret, finishSecret.

Exactly the protocol AWS specifies for a rotation function, each step its own invocation:

* every step starts by checking that rotation is enabled and that the ClientRequestToken names a
  version of the secret; a token that is already AWSCURRENT returns at once (a repeated
  finishSecret is harmless); a token that is not AWSPENDING is refused;
* **createSecret** stores a new value under the token, labelled AWSPENDING, unless it already
  has one (idempotent: Secrets Manager retries a failed rotation with the same token). The keys
  the provider rotates get new random values; the others are copied. It never discards another
  version's AWSPENDING: as on AWS, a rotation that did not finish must be resumed (same token)
  or cancelled by the operator (``hookgate rotate --resume`` / ``--cancel``);
* **setSecret** waits until every receiver has re-read the secret (``propagation_seconds``, at
  least their cache TTL), so they accept the pending value, then (holding the registration's
  lease, so sync cannot write an older version meanwhile) labels the version
  ``hookgate-pushed-…`` and calls the plugin's ``hookgate_rotate_secret``. The label comes
  first because a call that failed may still have been applied: from then on the version
  verifies until a later one has become current and the grace has run out, whatever happens
  to this rotation (:mod:`hookgate.secret_lifecycle`). For the token signing key it only waits,
  so a key is known to every receiver before any token is signed with it;
* **testSecret** checks the pending value is complete and that hookgate can push to the
  provider at all, and, where sync manages the webhook, reads the registration back from the
  provider (it must still hold hookgate's webhook). A pending value equal to the current one is
  Secrets Manager's own configuration test (run when a rotation schedule is created without
  rotating): the provider is not asked;
* **finishSecret** labels the version ``hookgate-current-<time>-…``, moves AWSCURRENT to it
  (the old one becomes AWSPREVIOUS, and keeps verifying for the registration's grace counted
  from now) and clears AWSPENDING.
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

from hookgate import secret_lifecycle
from hookgate.aws import error_code
from hookgate.config import HookgateConfig
from hookgate.errors import HookgateError
from hookgate.leases import LeaseBusyError, Leases
from hookgate.models import Registration, SecretStage, SecretVersion, SecretVersions
from hookgate.plugins import PluginHost
from hookgate.sync import webhook_url

logger = logging.getLogger(__name__)

Step = Literal["createSecret", "setSecret", "testSecret", "finishSecret"]
STEPS: tuple[Step, ...] = ("createSecret", "setSecret", "testSecret", "finishSecret")
# Secrets Manager's user guide also spells the steps create_secret, set_secret, ...
_STEP_ALIASES: dict[str, Step] = {
    **{step: step for step in STEPS},
    "create_secret": "createSecret",
    "set_secret": "setSecret",
    "test_secret": "testSecret",
    "finish_secret": "finishSecret",
}
SIGNING_KEY_FIELDS = ("kid", "key")
LEASE_WAIT_SECONDS = 20.0


class RotationError(HookgateError):
    """A rotation step was refused or failed; Secrets Manager retries the rotation later."""


class RotationInProgressError(RotationError):
    """A rotation that did not finish holds AWSPENDING on another version."""


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


def _stages(metadata: Mapping[str, Any]) -> dict[str, list[str]]:
    return {str(k): list(v) for k, v in metadata.get("VersionIdsToStages", {}).items()}


def pending_version(metadata: Mapping[str, Any]) -> str | None:
    """Return the version that holds AWSPENDING without being current: a rotation in flight."""
    for version_id, labels in _stages(metadata).items():
        if "AWSPENDING" in labels and "AWSCURRENT" not in labels:
            return version_id
    return None


@dataclass
class RotationEngine:
    """Runs rotation steps for registration secrets and the token signing key."""

    host: PluginHost
    config: HookgateConfig
    client_factory: Callable[[], Any]
    webhook_base_url: str
    signing_key_secret: str | None = None
    propagation_seconds: float = 0.0
    leases: Leases | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # -- entry points ----------------------------------------------------------------------

    def handle(self, secret_id: str, token: str, step: str) -> None:
        """Run one step as Secrets Manager asks (the rotation Lambda's job)."""
        known = _STEP_ALIASES.get(step)
        if known is None:
            raise RotationError(f"unknown rotation step {step!r}")
        metadata = self._client().describe_secret(SecretId=secret_id)
        if not metadata.get("RotationEnabled"):
            raise RotationError(f"rotation is not enabled for {metadata.get('Name', secret_id)}")
        self._run(metadata, token, known)

    def rotate_now(self, secret_id: str) -> str:
        """Run all four steps with a new token (``hookgate rotate``); return the token.

        Refused, as RotateSecret is on AWS, while another rotation holds AWSPENDING.
        """
        metadata = self._client().describe_secret(SecretId=secret_id)
        stuck = pending_version(metadata)
        if stuck is not None:
            raise RotationInProgressError(
                f"a rotation of {metadata.get('Name', secret_id)} did not finish (version "
                f"{stuck} is AWSPENDING): finish it with --resume, or abandon it with --cancel"
            )
        token = str(uuid.uuid4())
        self._all_steps(secret_id, token, first=True)
        return token

    def resume(self, secret_id: str) -> str:
        """Finish the rotation in flight with its own token; return that token."""
        metadata = self._client().describe_secret(SecretId=secret_id)
        token = pending_version(metadata)
        if token is None:
            raise RotationError(f"no rotation of {metadata.get('Name', secret_id)} is in flight")
        self._all_steps(secret_id, token, first=False)
        return token

    def cancel(self, secret_id: str) -> str | None:
        """Abandon the rotation in flight: take AWSPENDING off its version; return it.

        A version that was already pushed keeps its ``hookgate-pushed`` label, so it goes on
        verifying until a later version has become current and the grace has run out.
        """
        metadata = self._client().describe_secret(SecretId=secret_id)
        token = pending_version(metadata)
        if token is None:
            return None
        self._client().update_secret_version_stage(
            SecretId=metadata["ARN"], VersionStage="AWSPENDING", RemoveFromVersionId=token
        )
        logger.info("rotation cancelled", extra={"secret": metadata.get("Name"), "version": token})
        return token

    def _all_steps(self, secret_id: str, token: str, *, first: bool) -> None:
        for step in STEPS:
            metadata = self._client().describe_secret(SecretId=secret_id)
            self._run(metadata, token, step, new_token=first and step == "createSecret")

    # -- protocol --------------------------------------------------------------------------

    def _run(
        self, metadata: Mapping[str, Any], token: str, step: Step, *, new_token: bool = False
    ) -> None:
        name = str(metadata.get("Name", metadata.get("ARN")))
        stages = _stages(metadata)
        if token not in stages and not new_token:
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
            if error_code(exc) != "ResourceNotFoundException":
                raise
        for version_id, labels in _stages(metadata).items():
            if version_id != token and "AWSPENDING" in labels and "AWSCURRENT" not in labels:
                raise RotationInProgressError(
                    f"a previous rotation of {metadata.get('Name')} isn't complete "
                    f"(version {version_id} is AWSPENDING)"
                )
        self._forget_expired(arn, registration)
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
        self._wait_for_receivers()
        if registration is None:
            return  # the signing key is hookgate's own: no provider to tell
        provider = self.host.get(registration.provider)
        self._check_pushable(registration)
        if self.leases is None:
            self._push(metadata, token, registration)
            return
        try:
            with self.leases.hold(registration.name, wait_seconds=LEASE_WAIT_SECONDS):
                self._push(metadata, token, registration)
        except LeaseBusyError as exc:
            raise RotationError(f"provider {provider.name!r}: {exc}") from None

    def _push(self, metadata: Mapping[str, Any], token: str, registration: Registration) -> None:
        arn = metadata["ARN"]
        provider = self.host.get(registration.provider)
        pending = self._version(arn, token, SecretStage.PENDING)
        current = self._version(arn, None, SecretStage.CURRENT)
        in_force = SecretVersions(secret_id=registration.secret_id, versions=(current, pending))
        url = webhook_url(self.webhook_base_url, registration)
        credentials = (
            self._version(registration.api_secret_id, None, SecretStage.CURRENT)
            if registration.api_secret_id
            else None
        )
        self._label_push(arn, token, _stages(metadata).get(token, []))
        if not provider.rotate_secret(registration, url, pending, in_force, credentials):
            raise RotationError(f"provider {provider.name!r} did not confirm the new secret")

    def _label_push(self, arn: str, token: str, labels: list[str]) -> None:
        """Record that ``token`` is given to the provider now (new label first, then the old)."""
        client = self._client()
        client.update_secret_version_stage(
            SecretId=arn,
            VersionStage=secret_lifecycle.pushed_label(token, self.clock()),
            MoveToVersionId=token,
        )
        for old in secret_lifecycle.labels_of(labels, secret_lifecycle.PUSHED_LABEL):
            client.update_secret_version_stage(
                SecretId=arn, VersionStage=old, RemoveFromVersionId=token
            )

    def _check_pushable(self, registration: Registration) -> None:
        provider = self.host.get(registration.provider)
        if not provider.implements("hookgate_rotate_secret"):
            raise RotationError(f"provider {provider.name!r} cannot take a new secret")
        if provider.info.api_credential_keys and not registration.api_secret_id:
            raise RotationError(
                f"{registration.name}: no api_secret in hookgate.yaml, so the new secret "
                f"cannot be given to {provider.name!r}"
            )

    def _test(
        self, metadata: Mapping[str, Any], token: str, registration: Registration | None
    ) -> None:
        arn = metadata["ARN"]
        pending = self._values(arn, "AWSPENDING", token)
        needed = (
            SIGNING_KEY_FIELDS
            if registration is None
            else _rotated_keys(self.host.get(registration.provider).info.rotates, pending)
        )
        missing = [key for key in needed if not pending.get(key)]
        if missing:
            raise RotationError(f"pending version lacks {', '.join(missing)}")
        if registration is None:
            return
        self._check_pushable(registration)
        if pending != self._values(arn, "AWSCURRENT"):
            self._read_back(arn, token, registration)

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
        stages = _stages(metadata)
        now = self.clock()
        listing = client.list_secret_version_ids(SecretId=arn).get("Versions", [])
        current = next((v for v, labels in stages.items() if "AWSCURRENT" in labels), None)
        for version_id, labels in stages.items():
            staged = {"AWSCURRENT", "AWSPREVIOUS"} & set(labels)
            if version_id != token and staged and not secret_lifecycle.hookgate_labels(labels):
                # Put by hand or created with the secret: say when it became current, so it
                # keeps its grace after it loses its AWS label to this rotation.
                created = next(
                    (
                        secret_lifecycle.created_at(v)
                        for v in listing
                        if v["VersionId"] == version_id
                    ),
                    None,
                )
                client.update_secret_version_stage(
                    SecretId=arn,
                    VersionStage=secret_lifecycle.current_label(version_id, created or now),
                    MoveToVersionId=version_id,
                )
        for label in stages.get(token, []):
            if label.startswith(secret_lifecycle.CURRENT_LABEL):  # an earlier attempt's
                client.update_secret_version_stage(
                    SecretId=arn, VersionStage=label, RemoveFromVersionId=token
                )
        client.update_secret_version_stage(
            SecretId=arn,
            VersionStage=secret_lifecycle.current_label(token, now),
            MoveToVersionId=token,
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

    def _grace(self, registration: Registration | None) -> int:
        if registration is None:
            return secret_lifecycle.SIGNING_KEY_GRACE_SECONDS
        return registration.previous_secret_grace_seconds

    def _forget_expired(self, arn: str, registration: Registration | None) -> None:
        """Remove lifecycle labels that no longer change what verifies (AWS deprecates them)."""
        client = self._client()
        listing = client.list_secret_version_ids(SecretId=arn).get("Versions", [])
        expired = secret_lifecycle.expired_labels(listing, self.clock(), self._grace(registration))
        for version_id, labels in expired.items():
            for label in labels:
                client.update_secret_version_stage(
                    SecretId=arn, VersionStage=label, RemoveFromVersionId=version_id
                )

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

    def _wait_for_receivers(self) -> None:
        """Sleep until every receiver has re-read the secret since its pending value was stored.

        The whole propagation time, on every attempt: the version's CreatedDate can be older
        than its value (RotateSecret creates the version empty), so it proves nothing.
        """
        if self.propagation_seconds > 0:
            self.sleep(self.propagation_seconds)
