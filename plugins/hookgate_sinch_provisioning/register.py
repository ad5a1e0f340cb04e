"""Keep a Sinch Provisioning project's webhook as hookgate.yaml declares it.

hookgate owns exactly the webhooks whose ``target`` is the registration's URL. The project limit
of 15 webhooks (seed 001) is checked before anything is created. Responses never include the
secret (seeds 000/001), so sync sets it on create and rotation PATCHes it; sync never rewrites it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hookgate.plugin import Registration, SecretVersion, WebhookPage, WebhookSync
from hookgate_sinch.client import sinch_options
from hookgate_sinch.webhooks import SinchWebhooks
from hookgate_sinch_provisioning.client import SinchProvisioningClient
from hookgate_sinch_provisioning.settings import SinchProvisioningSettings

MAX_WEBHOOKS_PER_PROJECT = 15
PROVIDER = "sinch_provisioning"


def client_for(
    registration: Registration, credentials: SecretVersion | None
) -> SinchProvisioningClient:
    """Return an API client from the registration's settings and its API credentials."""
    settings = registration.settings_as(SinchProvisioningSettings)
    return SinchProvisioningClient(
        **sinch_options(
            registration,
            credentials,
            api_url=settings.api_base_url,
            auth_url=settings.auth_url,
            project_id=settings.project_id,
        )
    )


class ProjectWebhooks(SinchWebhooks[SinchProvisioningClient]):
    """The webhooks of one Sinch project, as the sync engine drives them."""

    provider = PROVIDER
    limit = MAX_WEBHOOKS_PER_PROJECT

    def prepare(self) -> None:
        """Drive the client's project; the secret holds the webhook secret a create sets."""
        self.scope = f"project {self.client.project_id}"
        self.value = self.secret.get("webhook_secret") if self.secret else None
        self.triggers = sorted(self.declared.events) or ["ALL"]

    def page(self, token: str | None) -> WebhookPage:
        """Return one page of the project's webhooks."""
        return self.client.webhook_page(token)

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return the triggers when they differ (the secret is never read back)."""
        same = sorted(webhook.get("triggers") or []) == self.triggers
        return {} if same else {"triggers": self.triggers}

    def refusal(self, existing: list[dict[str, Any]]) -> str | None:
        """Refuse a create without a secret: the Provisioning API requires one."""
        return None if self.value else "no webhook_secret to set"

    def secret_fields(self) -> Mapping[str, Any] | None:
        """Return the secret to PATCH (providers.md §2.3)."""
        return {"secret": self.value} if self.value else None

    def create(self) -> str | None:
        """Create the webhook with its target, secret and triggers."""
        created = self.client.create_webhook(self.webhook_url, self.value or "", self.triggers)
        return str(created.get("id"))


SYNC = WebhookSync(client_for, ProjectWebhooks)
reconcile = SYNC.reconcile
push_secret = SYNC.push_secret
