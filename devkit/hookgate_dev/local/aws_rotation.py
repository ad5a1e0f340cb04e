"""Secrets Manager rotation as AWS documents it, laid over moto (which differs).

What AWS does, and moto 5.2 does not:

* ``RotateSecret`` is refused while AWSPENDING is on a version that is not AWSCURRENT: "If the
  AWSPENDING staging label is present but not attached to the same version as AWSCURRENT, then
  any later invocation of RotateSecret assumes that a previous rotation request is still in
  progress and returns an error" (Secrets Manager API reference, RotateSecret). moto refuses
  the opposite case and silently drops the stale label. The refused rotation is reattempted
  with its own token, as AWS's error message says it will be.
* The rotation function is invoked once per step (createSecret, setSecret, testSecret,
  finishSecret), each a separate asynchronous invocation with ``SecretId``,
  ``ClientRequestToken`` and ``Step`` ("During rotation, Secrets Manager calls the same function
  several times, each time with different parameters", user guide, Rotation by Lambda
  function). moto tries to run a Lambda container (Docker) and, without one, fails.
  A failed step is retried with the same token: how many times AWS retries is [NOT FOUND] in
  its documentation; here ``step_attempts`` (3). A step that keeps failing leaves the rotation
  in progress (AWSPENDING on the new version), as on AWS.
* ``RotateImmediately=false`` (a RotationSchedule with ``RotateImmediatelyOnUpdate: false``)
  tests the configuration: "Secrets Manager tests the rotation configuration by running the
  testSecret step of the Lambda rotation function. The test creates an AWSPENDING version of
  the secret and then removes it" (API reference, RotateSecret). A failed test fails the call
  here ([GUESS] how AWS reports it to CloudFormation).
* ``ListSecretVersionIds`` gives each version's creation date; moto gives the time of the call.
* ``DescribeSecret``'s ``VersionIdsToStages`` lists "the versions of the secret that have
  staging labels attached" (API reference, DescribeSecret); moto lists every version.
* Staging labels move as the API reference says. "If this operation moves the staging label
  AWSCURRENT from another version to this version, then Secrets Manager also automatically
  moves the staging label AWSPREVIOUS to the version that AWSCURRENT was removed from"
  (PutSecretValue); the other labels of that version stay. moto replaces all of them with
  AWSPREVIOUS, and after ``UpdateSecretVersionStage`` moved AWSCURRENT it still takes the old
  version for the current one, so a later PutSecretValue leaves two versions AWSCURRENT.

Install it around anything that talks to moto in this process (``mock_aws`` or the threaded
moto server): ``with RotationService(...).installed(): ...``. Rotation functions are plain
callables registered by ARN. ``clock`` dates new versions (tests move it by hand).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.secretsmanager import models as sm_models
from moto.secretsmanager.exceptions import (
    InvalidRequestException,
    ResourceNotFoundException,
    SecretNotFoundException,
)

logger = logging.getLogger(__name__)

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
INCOMPLETE = "A previous rotation isn't complete. That rotation will be reattempted."

RotationFunction = Callable[[dict[str, Any]], Any]


@dataclass
class StepAttempt:
    """One invocation of a rotation function, and how it ended."""

    secret: str
    token: str
    step: str
    error: str | None = None


@dataclass
class RotationRun:
    """One rotation (or reattempt): its token, the steps tried, and whether it finished."""

    secret: str
    token: str
    attempts: list[StepAttempt] = field(default_factory=list)
    finished: bool = False
    done: threading.Event = field(default_factory=threading.Event)


def _pending_not_current(secret: Any) -> str | None:
    for version_id, version in secret.versions.items():
        stages = version["version_stages"]
        if "AWSPENDING" in stages and "AWSCURRENT" not in stages:
            return str(version_id)
    return None


@dataclass
class RotationService:
    """Runs rotations the way Secrets Manager does, for the moto backends of this process."""

    clock: Callable[[], float] = time.time
    step_attempts: int = 3
    synchronous: bool = False
    # Invoke every step a second time after it succeeded (an at-least-once delivery).
    repeat_each_step: bool = False
    functions: dict[str, RotationFunction] = field(default_factory=dict)
    runs: list[RotationRun] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _dated: set[tuple[str, str]] = field(default_factory=set)
    _closed: bool = False

    def register_function(self, arn: str, function: RotationFunction) -> None:
        """Make ``function`` the rotation Lambda reached at ``arn``."""
        self.functions[arn] = function

    def run_for(self, token: str) -> RotationRun | None:
        """Return the newest run with ``token``, if any."""
        with self._lock:
            return next((r for r in reversed(self.runs) if r.token == token), None)

    def shut_down(self, timeout: float = 30.0) -> None:
        """Start no further step (reattempts included) and wait for the ones under way."""
        self._closed = True
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait until every run started so far has ended."""
        deadline = time.monotonic() + timeout
        for run in list(self.runs):
            run.done.wait(max(0.0, deadline - time.monotonic()))

    # -- the backend methods ---------------------------------------------------------------

    def _rotate_secret(  # noqa: PLR0917 - moto's backend signature
        self,
        backend: Any,
        secret_id: str,
        client_request_token: str | None = None,
        rotation_lambda_arn: str | None = None,
        rotation_rules: dict[str, Any] | None = None,
        rotate_immediately: bool = True,
    ) -> str:
        if not backend._is_valid_identifier(secret_id):
            raise SecretNotFoundException()
        secret = backend.secrets[secret_id]
        if secret.is_deleted():
            raise InvalidRequestException("You can't perform this operation on a deleted secret.")
        stuck = _pending_not_current(secret)
        if stuck is not None:
            if secret.rotation_lambda_arn in self.functions:
                self._start(secret.name, stuck, secret.rotation_lambda_arn, STEPS)
            raise InvalidRequestException(INCOMPLETE)
        if rotation_lambda_arn:
            secret.rotation_lambda_arn = rotation_lambda_arn
        if rotation_rules:
            days = rotation_rules.get("AutomaticallyAfterDays")
            secret.auto_rotate_after_days = int(days) if days else 0
        if not secret.rotation_lambda_arn:
            raise InvalidRequestException("No Lambda rotation function ARN is associated with it.")
        if secret.rotation_lambda_arn not in self.functions:
            raise ResourceNotFoundException(
                f"Resource not found for ARN '{secret.rotation_lambda_arn}'."
            )
        secret.rotation_enabled = secret.rotation_requested = True
        token = client_request_token or str(uuid.uuid4())
        if rotate_immediately:
            secret.versions[token] = {
                "createdate": self.clock(),
                "version_id": token,
                "version_stages": ["AWSPENDING"],
            }
            self._start(secret.name, token, secret.rotation_lambda_arn, STEPS)
        else:
            self._test_configuration(secret, token)
        secret.last_rotation_date = int(self.clock())
        return json.dumps({"ARN": secret.arn, "Name": secret.name, "VersionId": token})

    def _test_configuration(self, secret: Any, token: str) -> None:
        current = secret.versions[secret.default_version_id]
        secret.versions[token] = {
            "createdate": self.clock(),
            "version_id": token,
            "version_stages": ["AWSPENDING"],
            **{k: current[k] for k in ("secret_string", "secret_binary") if k in current},
        }
        try:
            run = self._start(
                secret.name, token, secret.rotation_lambda_arn, ("testSecret",), background=False
            )
        finally:
            secret.versions[token]["version_stages"].remove("AWSPENDING")
        if not run.finished:
            error = run.attempts[-1].error if run.attempts else "not run"
            raise InvalidRequestException(f"The rotation function's testSecret failed: {error}")

    def _list_secret_version_ids(self, backend: Any, secret_id: str) -> str:
        if not backend._is_valid_identifier(secret_id):
            raise SecretNotFoundException()
        secret = backend.secrets[secret_id]
        versions = [
            {
                "CreatedDate": version["createdate"],
                "VersionId": version_id,
                "VersionStages": list(version["version_stages"]),
            }
            for version_id, version in secret.versions.items()
        ]
        return json.dumps({"ARN": secret.arn, "Name": secret.name, "Versions": versions})

    # -- running the steps -----------------------------------------------------------------

    def _start(
        self,
        secret: str,
        token: str,
        arn: str,
        steps: tuple[str, ...],
        *,
        background: bool = True,
    ) -> RotationRun:
        run = RotationRun(secret=secret, token=token)
        with self._lock:
            self.runs.append(run)
        if background and not self.synchronous:
            threading.Thread(target=self._steps, args=(run, arn, steps), daemon=True).start()
        else:
            self._steps(run, arn, steps)
        return run

    def _steps(self, run: RotationRun, arn: str, steps: tuple[str, ...]) -> None:
        try:
            for step in steps:
                if self._closed or not self._invoke(run, arn, step):
                    return
            run.finished = True
        finally:
            run.done.set()

    def _invoke(self, run: RotationRun, arn: str, step: str) -> bool:
        function = self.functions[arn]
        event = {"SecretId": run.secret, "ClientRequestToken": run.token, "Step": step}
        for _ in range(self.step_attempts):
            attempt = StepAttempt(run.secret, run.token, step)
            run.attempts.append(attempt)
            try:
                function(dict(event))
                if self.repeat_each_step:
                    function(dict(event))
            except Exception as exc:  # a failed invocation: Secrets Manager retries it
                attempt.error = f"{type(exc).__name__}: {exc}"
                logger.info("rotation step failed", extra={"step": step, "error": attempt.error})
                continue
            return True
        return False

    # -- installing ------------------------------------------------------------------------

    @contextmanager
    def installed(self) -> Iterator[RotationService]:
        """Make every moto Secrets Manager backend in this process behave as AWS, for a while."""
        backend_class = sm_models.SecretsManagerBackend
        secret_class = sm_models.FakeSecret
        saved = {
            name: backend_class.__dict__[name]
            for name in (
                "rotate_secret",
                "list_secret_version_ids",
                "_add_secret",
                "update_secret_version_stage",
            )
        }
        saved_reset = secret_class.__dict__["reset_default_version"]
        saved_stages = secret_class.__dict__["_form_version_ids_to_stages"]
        service = self
        original_add = saved["_add_secret"]
        original_update = saved["update_secret_version_stage"]

        def update_secret_version_stage(backend: Any, *args: Any, **kwargs: Any) -> Any:
            result = original_update(backend, *args, **kwargs)
            names = ("secret_id", "version_stage", "remove_from_version_id", "move_to_version_id")
            call = {**dict(zip(names, args, strict=False)), **kwargs}
            if call.get("version_stage") == "AWSCURRENT" and call.get("move_to_version_id"):
                backend.secrets[call["secret_id"]].default_version_id = call["move_to_version_id"]
            return result

        def reset_default_version(secret: Any, secret_version: Any, version_id: str) -> None:
            for version in secret.versions.values():
                stages = version["version_stages"]
                if "AWSPREVIOUS" in stages:
                    stages.remove("AWSPREVIOUS")
            for other_id, version in secret.versions.items():
                stages = version["version_stages"]
                if other_id != version_id and "AWSCURRENT" in stages:
                    stages.remove("AWSCURRENT")
                    stages.append("AWSPREVIOUS")
            secret.versions[version_id] = secret_version
            secret.default_version_id = version_id

        def rotate_secret(backend: Any, *args: Any, **kwargs: Any) -> str:
            return service._rotate_secret(backend, *args, **kwargs)

        def list_secret_version_ids(backend: Any, secret_id: str) -> str:
            return service._list_secret_version_ids(backend, secret_id)

        def add_secret(backend: Any, secret_id: str, *args: Any, **kwargs: Any) -> Any:
            secret, created = original_add(backend, secret_id, *args, **kwargs)
            written = kwargs.get("version_id")
            for version_id, version in secret.versions.items():
                key = (secret.arn, version_id)
                if key not in service._dated or version_id == written:
                    version["createdate"] = service.clock()
                    service._dated.add(key)
            return secret, created

        def version_ids_to_stages(secret: Any) -> dict[str, list[str]]:
            stages = saved_stages(secret)
            return {version_id: labels for version_id, labels in stages.items() if labels}

        replacements = {
            "rotate_secret": rotate_secret,
            "list_secret_version_ids": list_secret_version_ids,
            "_add_secret": add_secret,
            "update_secret_version_stage": update_secret_version_stage,
        }
        for name, method in replacements.items():
            setattr(backend_class, name, method)
        setattr(secret_class, "reset_default_version", reset_default_version)  # noqa: B010
        setattr(secret_class, "_form_version_ids_to_stages", version_ids_to_stages)  # noqa: B010
        try:
            yield self
        finally:
            self.wait_idle(timeout=30)
            for name, method in saved.items():
                setattr(backend_class, name, method)
            setattr(secret_class, "reset_default_version", saved_reset)  # noqa: B010
            setattr(secret_class, "_form_version_ids_to_stages", saved_stages)  # noqa: B010


def utc(seconds: float) -> datetime:
    """Return ``seconds`` since the epoch as an aware datetime (for clocks shared with it)."""
    return datetime.fromtimestamp(seconds, UTC)
