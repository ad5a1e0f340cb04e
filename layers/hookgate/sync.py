"""Sync: make every provider's webhooks match hookgate.yaml — plan, apply, report drift.

For each declared registration the provider plugin's ``hookgate_register`` compares what the
provider has with what is declared. A plan lists create / update / delete / unchanged with a
reason and the names (never the values) of the fields that differ. Exit codes follow
``terraform plan -detailed-exitcode``: 0 nothing to change, 2 changes (plan), 1 an error.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hookgate import secret_lifecycle
from hookgate.config import HookgateConfig
from hookgate.errors import HookgateError
from hookgate.leases import Leases
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.plugins import PluginHost
from hookgate.secrets import SecretStore
from hookgate.sync_models import NOT_DRIFT, ApplyInterruptedError, PlannedChange

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
LEASE_WAIT_SECONDS = 20.0
_SYMBOLS = {"create": "+", "update": "~", "delete": "-", "unchanged": "=", "unmanaged": "?"}


def webhook_url(base_url: str, registration: Registration) -> str:
    """Return the URL a provider delivers ``registration``'s webhooks to."""
    return f"{base_url.rstrip('/')}/{registration.provider}/{registration.name}"


@dataclass
class RegistrationResult:
    """The outcome of syncing one registration."""

    registration: str
    provider: str
    changes: list[PlannedChange] = field(default_factory=list)
    error: str | None = None


@dataclass
class SyncReport:
    """The outcome of a plan or an apply over several registrations."""

    applied: bool
    results: list[RegistrationResult] = field(default_factory=list)
    # Declared registrations that could not be synced at all (their plugin did not load, their
    # settings are invalid), with the reason: not in ``results``, but an error all the same.
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def drift(self) -> list[PlannedChange]:
        """Return every change the provider needs (what differs from the declaration)."""
        return [c for r in self.results for c in r.changes if c.action not in NOT_DRIFT]

    @property
    def errors(self) -> dict[str, str]:
        """Return the registrations that failed, with the reason."""
        return {r.registration: r.error for r in self.results if r.error}

    def exit_code(self) -> int:
        """Return 1 on any error or unavailable registration, else 2 when a plan found changes."""
        if self.errors or self.unavailable:
            return EXIT_ERROR
        if not self.applied and self.drift:
            return EXIT_CHANGES
        return EXIT_OK

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "applied": self.applied,
            "results": [
                {
                    "registration": r.registration,
                    "provider": r.provider,
                    "error": r.error,
                    "changes": [c.model_dump(mode="json") for c in r.changes],
                }
                for r in self.results
            ],
            "unavailable": dict(self.unavailable),
            "summary": dict(Counter(c.action for r in self.results for c in r.changes)),
        }


def render(report: SyncReport) -> str:
    """Return the report as text that reads like ``terraform plan``."""
    lines: list[str] = []
    for result in report.results:
        lines.append(f"{result.registration} ({result.provider})")
        for change in result.changes:
            fields = f" [{', '.join(change.changed_fields)}]" if change.changed_fields else ""
            ident = change.remote_id or "(new)"
            target = f" -> {change.target}" if change.target else ""
            done = " (applied)" if change.applied else ""
            lines.append(
                f"  {_SYMBOLS[change.action]} {change.action:<9} {ident}{target}{fields}: "
                f"{change.reason}{done}"
            )
        if result.error:
            lines.append(f"  ! error: {result.error}")
    for name, reason in sorted(report.unavailable.items()):
        lines.append(f"{name}\n  ! unavailable: {reason}")
    counts = Counter(c.action for r in report.results for c in r.changes)
    verb = "Applied" if report.applied else "Plan"
    lines.append(
        f"{verb}: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['unchanged']} unchanged"
        + (f", {counts['unmanaged']} not managed" if counts["unmanaged"] else "")
        + (f", {len(report.errors)} failed" if report.errors else "")
        + (f", {len(report.unavailable)} unavailable" if report.unavailable else "")
        + "."
    )
    return "\n".join(lines)


class SecretNotSettledError(HookgateError):
    """The newest secret version is too new for every receiver to know it yet."""


@dataclass
class SyncEngine:
    """Runs ``hookgate_register`` for the declared registrations.

    An apply may write the registration's secret to the provider (a webhook re-created or
    repaired). It does so holding the registration's lease (``leases``), so a rotation cannot
    push a newer version meanwhile, and it writes the version the provider must hold: the
    pending one when a rotation has already pushed it, else the current one, and only once
    that version is older than ``propagation_seconds`` (every receiver has read it).
    """

    host: PluginHost
    config: HookgateConfig
    secrets: SecretStore
    leases: Leases | None = None
    propagation_seconds: float = 0.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def _api_credentials(self, registration: Registration) -> SecretVersion | None:
        if not registration.api_secret_id:
            return None
        versions = self.secrets.versions(registration.api_secret_id, grace_seconds=0)
        return versions.versions[0] if versions.versions else None

    def run(self, base_url: str, *, apply: bool, only: Collection[str] | None = None) -> SyncReport:
        """Plan (or apply) every registration, or only those named in ``only``."""
        report = SyncReport(applied=apply)
        if only:
            for name in only:
                if name not in self.config.unavailable:
                    self.config.get(name)  # unknown names fail before any provider call
        for name, unavailable in self.config.unavailable.items():
            if not only or name in only:
                report.unavailable[name] = unavailable.reason
                logger.error(
                    "sync skipped an unavailable registration",
                    extra={"registration": name, "error": unavailable.reason},
                )
        for registration in self.config.registrations.values():
            if not only or registration.name in only:
                report.results.append(self._sync_one(registration, base_url, apply=apply))
        return report

    def _sync_one(
        self, registration: Registration, base_url: str, *, apply: bool
    ) -> RegistrationResult:
        result = RegistrationResult(registration.name, registration.provider)
        provider = self.host.get(registration.provider)
        if provider.info.api_credential_keys and not registration.api_secret_id:
            result.changes = [_unmanaged(registration, "no api_secret in hookgate.yaml")]
            return result
        if not provider.implements("hookgate_register"):
            # A provider without a webhook API (its plugin has no register hook): not an
            # error, which would raise SyncFailedAlarm every run and stop `hookgate dev`.
            why = f"provider {provider.name!r} offers no webhook management"
            result.changes = [_unmanaged(registration, why)]
            return result
        try:
            if apply and self.leases is not None:
                with self.leases.hold(registration.name, wait_seconds=LEASE_WAIT_SECONDS):
                    result.changes = self._register(registration, base_url, apply=True)
            else:
                result.changes = self._register(registration, base_url, apply=apply)
        except ApplyInterruptedError as exc:
            result.changes = list(exc.applied)
            result.error = f"apply stopped part-way, changes above were made: {exc}"
        except HookgateError as exc:
            result.error = str(exc)
        if result.error:
            logger.error(
                "sync failed", extra={"registration": registration.name, "error": result.error}
            )
        return result

    def _register(
        self, registration: Registration, base_url: str, *, apply: bool
    ) -> list[PlannedChange]:
        provider = self.host.get(registration.provider)
        grace = registration.previous_secret_grace_seconds
        if apply:
            secrets = self.secrets.read_now(registration.secret_id, grace)
            secrets = self._to_write(registration, secrets)
        else:
            secrets = self.secrets.versions(registration.secret_id, grace)
        return provider.register(
            registration,
            webhook_url(base_url, registration),
            secrets,
            self._api_credentials(registration),
            apply,
        )

    def _to_write(self, registration: Registration, secrets: SecretVersions) -> SecretVersions:
        """Put first the version a write must give the provider; refuse one too new."""
        states = secret_lifecycle.version_states(self.secrets.last_listing(registration.secret_id))
        pushed = [s for s in states if s.pending and not s.current and s.pushed_at is not None]
        current = next((s for s in states if s.current), None)
        # The version given out last: a rotation's push, or a newer value made current since.
        floor = datetime.min.replace(tzinfo=UTC)
        candidates = [*pushed, *([current] if current else [])]
        newest = max(candidates, key=lambda s: s.start or floor, default=None)
        chosen = newest.version_id if newest else None
        older = [s for s in states if s.held and newest and s.version_id != newest.version_id]
        if newest is not None and newest is current and older and self.propagation_seconds > 0:
            since = current.became_current or current.created
            age = (self.clock() - since).total_seconds() if since else None
            if age is not None and age < self.propagation_seconds:
                raise SecretNotSettledError(
                    f"{registration.name}: the current secret changed {age:.0f} s ago; receivers "
                    f"may not know it for {self.propagation_seconds:g} s, so it is not written "
                    "to the provider yet (the next sync will)"
                )
        first = [v for v in secrets.versions if v.version_id == chosen]
        rest = [v for v in secrets.versions if v.version_id != chosen]
        return SecretVersions(secret_id=secrets.secret_id, versions=(*first, *rest))


def _unmanaged(registration: Registration, why: str) -> PlannedChange:
    return PlannedChange(
        registration=registration.name,
        provider=registration.provider,
        action="unmanaged",
        reason=f"{why}: sync leaves this webhook to you",
    )


DRIFT_SOURCE = "hookgate.sync"
DRIFT_DETAIL_TYPE = "registration.drift"


def publish_drift(report: SyncReport, bus_name: str, events_client: Any) -> int:
    """Publish one event per drifted webhook (and per failed registration) to the bus.

    Returns how many entries were published. Details carry field names, never values.
    """
    entries = [
        {
            "Source": DRIFT_SOURCE,
            "DetailType": DRIFT_DETAIL_TYPE,
            "Detail": change.model_dump_json(),
            "EventBusName": bus_name,
        }
        for change in report.drift
    ]
    entries += [
        {
            "Source": DRIFT_SOURCE,
            "DetailType": "registration.sync_failed",
            "Detail": json.dumps({"registration": name, "error": error}),
            "EventBusName": bus_name,
        }
        for name, error in {**report.errors, **report.unavailable}.items()
    ]
    published = 0
    for start in range(0, len(entries), 10):
        response = events_client.put_events(Entries=entries[start : start + 10])
        published += len(entries[start : start + 10]) - int(response.get("FailedEntryCount", 0))
    return published
