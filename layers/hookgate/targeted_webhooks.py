"""Reconciling webhooks at a provider that lists them with their target URL (Sinch's APIs).

hookgate owns exactly the webhooks whose target is the registration's URL: the first is kept
in line with the declaration, any further one is a duplicate and deleted; every other webhook
belongs to someone else and is never touched. A provider limit on the number of webhooks is
checked before anything is created. When a call fails after others succeeded, the error says
which changes were already made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from hookgate.errors import ConfigError
from hookgate.models import Registration
from hookgate.provider_http import ProviderAPIError
from hookgate.sync_models import ApplyInterruptedError, PlannedChange


class WebhookAPI(Protocol):
    """The webhook calls of a provider client."""

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Return every webhook of the scope (app, project), across pages."""
        ...

    def update_webhook(self, webhook_id: str, fields: dict[str, Any]) -> Any:
        """Change ``fields`` of one webhook."""
        ...

    def delete_webhook(self, webhook_id: str) -> Any:
        """Delete one webhook."""
        ...


@dataclass
class TargetedWebhooks:
    """One registration's webhooks at one provider, owned by their target URL."""

    api: WebhookAPI
    registration: Registration
    provider: str
    webhook_url: str
    title: str  # the provider as people name it, for messages: "Sinch"
    limit: int
    scope: str  # what the limit counts webhooks of, for messages: "app 01EB…"
    _applied: list[PlannedChange] = field(default_factory=list)

    def owned(self, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the webhooks that target the registration's URL."""
        return [w for w in existing if w.get("target") == self.webhook_url]

    def reconcile(
        self,
        *,
        differences: Callable[[Mapping[str, Any]], dict[str, Any]],
        create: Callable[[], Mapping[str, Any]],
        apply: bool,
        create_problem: str | None = None,
    ) -> list[PlannedChange]:
        """Plan (and with ``apply``, make) the changes; see the module text.

        ``differences(webhook)`` returns the fields to set on the kept webhook, with the values
        hookgate wants; ``create()`` creates the webhook and returns the provider's answer;
        ``create_problem`` refuses a create (a missing value hookgate would need to send).
        """
        self._applied = []
        try:
            return self._changes(differences, create, apply, create_problem)
        except ProviderAPIError as exc:
            if self._applied:
                raise ApplyInterruptedError(str(exc), list(self._applied)) from exc
            raise

    def _changes(
        self,
        differences: Callable[[Mapping[str, Any]], dict[str, Any]],
        create: Callable[[], Mapping[str, Any]],
        apply: bool,
        create_problem: str | None,
    ) -> list[PlannedChange]:
        existing = self.api.list_webhooks()
        owned = self.owned(existing)
        if not owned:
            if len(existing) >= self.limit:
                raise ConfigError(
                    f"registration {self.registration.name!r}: {self.scope} already has "
                    f"{len(existing)} webhooks ({self.title} allows {self.limit})"
                )
            if create_problem:
                raise ConfigError(f"registration {self.registration.name!r}: {create_problem}")
            change = self._change("create", None, "no webhook targets this URL")
            if apply:
                created = create()
                change = self._done(change, remote_id=str(created.get("id")))
            return [change]
        keep, *duplicates = owned
        wanted = differences(keep)
        if wanted:
            change = self._change(
                "update", keep.get("id"), "differs from hookgate.yaml", tuple(wanted)
            )
            if apply:
                self.api.update_webhook(str(keep["id"]), wanted)
                change = self._done(change)
        else:
            change = self._change("unchanged", keep.get("id"), "matches")
        changes = [change]
        for duplicate in duplicates:
            change = self._change(
                "delete", duplicate.get("id"), "a second webhook targets this URL"
            )
            if apply:
                self.api.delete_webhook(str(duplicate["id"]))
                change = self._done(change)
            changes.append(change)
        return changes

    def push(self, fields: dict[str, Any]) -> bool:
        """Set ``fields`` (a new secret) on every owned webhook; False when there is none."""
        owned = self.owned(self.api.list_webhooks())
        for webhook in owned:
            self.api.update_webhook(str(webhook["id"]), fields)
        return bool(owned)

    def _change(
        self,
        action: str,
        remote_id: Any,
        reason: str,
        changed_fields: tuple[str, ...] = (),
    ) -> PlannedChange:
        return PlannedChange.model_validate(
            {
                "registration": self.registration.name,
                "provider": self.provider,
                "target": self.webhook_url,
                "action": action,
                "remote_id": None if remote_id is None else str(remote_id),
                "reason": reason,
                "changed_fields": changed_fields,
            }
        )

    def _done(self, change: PlannedChange, **update: Any) -> PlannedChange:
        done = change.model_copy(update={"applied": True, **update})
        self._applied.append(done)
        return done
