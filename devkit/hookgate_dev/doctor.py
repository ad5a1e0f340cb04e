"""``hookgate doctor``: what is wrong with a deployed (or local) stack, one finding a line.

Per registration: whether its secret exists and holds every key its provider reads, whether its
``api_secret`` exists and holds the provider's API credentials, whether a rotation is in progress
(AWSPENDING on a version that is not current: on AWS every later rotation is refused until it is
finished or cancelled) with the command that resolves it, when it last rotated, which replaced
versions are still accepted and until when, and, with a base URL, what sync would change at the
provider. The token signing key too, when named. Never a secret value: only key names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from hookgate import secret_lifecycle
from hookgate.aws import error_code
from hookgate.config import HookgateConfig
from hookgate.models import Registration
from hookgate.plugins import PluginHost
from hookgate.rotation import pending_version

Level = Literal["ok", "info", "problem"]


@dataclass(frozen=True)
class Finding:
    """One line of the report."""

    subject: str
    level: Level
    message: str
    fix: str | None = None


@dataclass
class Doctor:
    """Examines the secrets (and, with ``plan``, the providers) behind each registration."""

    config: HookgateConfig
    host: PluginHost
    client_factory: Callable[[], Any]
    signing_key_secret: str | None = None
    rotate_command: str = "hookgate rotate"
    plan: Callable[[Registration], list[Any]] | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def examine(self) -> list[Finding]:
        """Return every finding, registration by registration, then the signing key."""
        findings: list[Finding] = []
        for name, unavailable in self.config.unavailable.items():
            findings.append(Finding(name, "problem", f"unavailable: {unavailable.reason}"))
        for registration in self.config.registrations.values():
            findings += self._registration(registration)
        if self.signing_key_secret:
            findings += self._secret(
                "signing-key",
                self.signing_key_secret,
                ("kid", "key"),
                secret_lifecycle.SIGNING_KEY_GRACE_SECONDS,
                "signing-key",
            )
        return findings

    def _registration(self, registration: Registration) -> list[Finding]:
        provider = self.host.get(registration.provider)
        name = registration.name
        findings = self._secret(
            name,
            registration.secret_id,
            provider.info.secret_keys,
            registration.previous_secret_grace_seconds,
            name,
        )
        if registration.api_secret_id:
            findings += self._keys(
                name, registration.api_secret_id, provider.info.api_credential_keys, "api_secret"
            )
        elif provider.info.api_credential_keys:
            findings.append(
                Finding(name, "info", "no api_secret: sync and rotation leave this webhook alone")
            )
        if self.plan is not None and registration.api_secret_id:
            findings += _drift(registration, self.plan)
        return findings

    def _secret(
        self, subject: str, secret_id: str, keys: tuple[str, ...], grace: int, target: str
    ) -> list[Finding]:
        findings = self._keys(subject, secret_id, keys, "secret")
        if any(f.level == "problem" for f in findings):
            return findings
        client = self.client_factory()
        metadata = client.describe_secret(SecretId=secret_id)
        stuck = pending_version(metadata)
        if stuck is not None:
            findings.append(
                Finding(
                    subject,
                    "problem",
                    f"a rotation is in progress (version {stuck} is AWSPENDING); Secrets "
                    "Manager refuses every other rotation until it is finished or cancelled",
                    f"{self.rotate_command} {target} --resume   (or --cancel to abandon it)",
                )
            )
        last = metadata.get("LastRotatedDate")
        if isinstance(last, datetime):
            findings.append(Finding(subject, "info", f"last rotated {_when(last)}"))
        elif metadata.get("RotationEnabled"):
            findings.append(Finding(subject, "info", "rotation scheduled, never rotated yet"))
        listing = client.list_secret_version_ids(SecretId=secret_id).get("Versions", [])
        findings += self._grace(subject, listing, grace)
        return findings

    def _keys(
        self, subject: str, secret_id: str, keys: tuple[str, ...], what: str
    ) -> list[Finding]:
        client = self.client_factory()
        try:
            text = client.get_secret_value(SecretId=secret_id).get("SecretString") or ""
        except Exception as exc:
            code = error_code(exc) or type(exc).__name__
            return [Finding(subject, "problem", f"{what} {secret_id} cannot be read: {code}")]
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            return [Finding(subject, "problem", f"{what} {secret_id} is not a JSON object")]
        missing = [key for key in keys if not document.get(key)]
        if missing:
            return [
                Finding(
                    subject,
                    "problem",
                    f"{what} {secret_id} lacks {', '.join(missing)}",
                    f"aws secretsmanager put-secret-value --secret-id {secret_id} "
                    "--secret-string '{...}' (every key above)",
                )
            ]
        return [Finding(subject, "ok", f"{what} {secret_id} holds {', '.join(keys) or 'a value'}")]

    def _grace(self, subject: str, listing: list[Any], grace: int) -> list[Finding]:
        states = secret_lifecycle.version_states(listing)
        retired = secret_lifecycle.retired_at(states)
        now = self.clock()
        findings = []
        for state in states:
            if state.current or state.pending or not state.held:
                continue
            ended = retired[state.version_id]
            if ended is None:
                findings.append(
                    Finding(
                        subject,
                        "info",
                        f"version {state.version_id} was given out and no later one has become "
                        "current: accepted until one has, then for the grace",
                    )
                )
            elif now < ended + timedelta(seconds=grace):
                until = ended + timedelta(seconds=grace)
                findings.append(
                    Finding(
                        subject,
                        "info",
                        f"replaced version {state.version_id} accepted until {_when(until)}",
                    )
                )
        return findings


def _drift(registration: Registration, plan: Callable[[Registration], list[Any]]) -> list[Finding]:
    try:
        changes = plan(registration)
    except Exception as exc:  # the provider's API: reported, never a traceback
        return [Finding(registration.name, "problem", f"sync plan failed: {exc}")]
    drift = [c for c in changes if c.action in ("create", "update", "delete")]
    if not drift:
        return [Finding(registration.name, "ok", "the provider holds the declared webhook")]
    return [
        Finding(
            registration.name,
            "problem",
            f"sync would {c.action} {c.target or 'a webhook'}: {c.reason}",
            f"hookgate apply {registration.name}",
        )
        for c in drift
    ]


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render(findings: list[Finding]) -> str:
    """Return the report: one line a finding, a fix indented under a problem."""
    marks = {"ok": "ok     ", "info": "info   ", "problem": "PROBLEM"}
    lines = []
    for finding in findings:
        lines.append(f"{marks[finding.level]} {finding.subject}: {finding.message}")
        if finding.fix:
            lines.append(f"        fix: {finding.fix}")
    problems = sum(f.level == "problem" for f in findings)
    lines.append(f"{problems} problem(s)")
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    """Return the findings as a JSON document."""
    return json.dumps({"findings": [asdict(f) for f in findings]}, indent=2)
