"""Keep a Sinch Conversation app's webhook as hookgate.yaml declares it.

hookgate owns exactly the webhooks whose ``target`` is the registration's webhook URL; every
other webhook of the app is left alone. The limit of 5 webhooks per app (seed 002) is checked
before anything is created.

Sync compares everything Sinch returns about the kept webhook: ``triggers``, ``target_type``
and, because a wrong one makes every delivery fail hookgate's checks, the verification
settings: ``client_credentials`` (missing, or another ``client_id``, ``endpoint`` or
``token_request_type``) and, when Sinch shows them, ``secret`` and ``client_secret``. Whether
Sinch echoes secrets on reads is [NOT FOUND] (seed 002's examples show them; the sandbox never
does): an absent or masked (``*`` only) value cannot be compared and is left alone; an empty or
different one is drift, repaired with the version the provider must hold (``versions[0]``).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from hookgate.plugin import Registration, SecretVersion, WebhookPage, WebhookSync
from hookgate_sinch.client import sinch_options
from hookgate_sinch.webhooks import SinchWebhooks
from hookgate_sinch_conversation.client import SinchConversationClient
from hookgate_sinch_conversation.settings import SinchConversationSettings

MAX_WEBHOOKS_PER_APP = 5
PROVIDER = "sinch_conversation"


def client_for(
    registration: Registration, credentials: SecretVersion | None
) -> SinchConversationClient:
    """Return an API client from the registration's settings and its API credentials."""
    settings = registration.settings_as(SinchConversationSettings)
    options = sinch_options(
        registration,
        credentials,
        api_url=settings.api_url(),
        auth_url=settings.auth_url,
        project_id=settings.project_id,
    )
    return SinchConversationClient(
        app_id=settings.app_id, timeout=settings.api_timeout_seconds, **options
    )


def _token_url(webhook_url: str) -> str:
    return webhook_url.split("/webhooks/", 1)[0] + "/oauth2/token"


def desired_webhook(
    registration: Registration, webhook_url: str, current: SecretVersion | None
) -> dict[str, Any]:
    """Return the webhook body hookgate wants (with the secret version ``current``)."""
    webhook: dict[str, Any] = {
        "target": webhook_url,
        "target_type": "HTTP",
        "triggers": sorted(registration.events),
    }
    if current is not None and current.get("webhook_secret"):
        webhook["secret"] = current.get("webhook_secret")
    if registration.oauth2 is not None and current is not None:
        webhook["client_credentials"] = {
            "client_id": registration.client_id,
            "client_secret": current.get("client_secret"),
            "endpoint": _token_url(webhook_url),
            "token_request_type": "BASIC",
        }
    return webhook


def _stale_secret(remote: Mapping[str, Any], key: str, wanted: Any) -> bool:
    """Return True when ``remote`` shows ``key`` and it is not ``wanted`` (masks are unknown)."""
    if key not in remote or not isinstance(wanted, str):
        return False
    shown = remote.get(key)
    if not isinstance(shown, str) or not shown:
        return True  # Sinch says there is none: deliveries would fail verification
    if set(shown) == {"*"}:
        return False
    return not hmac.compare_digest(shown.encode(), wanted.encode())


def webhook_differences(remote: Mapping[str, Any], want: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields (with the values hookgate wants) where ``remote`` differs from ``want``.

    ``want`` is :func:`desired_webhook`'s body. A ``client_credentials`` difference sends the
    whole object, as Sinch requires the client id, secret and endpoint together.
    """
    fields: dict[str, Any] = {}
    if sorted(remote.get("triggers") or []) != want["triggers"]:
        fields["triggers"] = want["triggers"]
    if remote.get("target_type", "HTTP") != "HTTP":
        fields["target_type"] = "HTTP"
    if _stale_secret(remote, "secret", want.get("secret")):
        fields["secret"] = want["secret"]
    wanted_credentials = want.get("client_credentials")
    if isinstance(wanted_credentials, Mapping):
        shown = remote.get("client_credentials")
        shown = shown if isinstance(shown, Mapping) else {}
        public = ("client_id", "endpoint")
        stale = any(shown.get(key) != wanted_credentials[key] for key in public)
        stale = stale or shown.get("token_request_type", "BASIC") != "BASIC"
        stale = stale or _stale_secret(
            shown, "client_secret", wanted_credentials.get("client_secret")
        )
        if stale:
            fields["client_credentials"] = dict(wanted_credentials)
    return fields


class AppWebhooks(SinchWebhooks[SinchConversationClient]):
    """The webhooks of one Sinch Conversation app, as the sync engine drives them."""

    provider = PROVIDER
    limit = MAX_WEBHOOKS_PER_APP

    def prepare(self) -> None:
        """Drive the client's app towards :func:`desired_webhook` with the secret."""
        self.scope = f"app {self.client.app_id}"
        self.want = desired_webhook(self.declared, self.webhook_url, self.secret)

    def page(self, token: str | None) -> WebhookPage:
        """Return the app's webhooks (Sinch lists them on one page)."""
        return WebhookPage(self.client.list_webhooks())

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return :func:`webhook_differences` against the desired body."""
        return webhook_differences(webhook, self.want)

    def secret_fields(self) -> Mapping[str, Any] | None:
        """Return the webhook secret (and, for OAuth2, the client credentials) to PATCH."""
        if not self.want.get("secret"):
            return None
        fields: dict[str, Any] = {"secret": self.want["secret"]}
        if self.declared.oauth2 is not None:
            fields["client_credentials"] = self.want["client_credentials"]
        return fields

    def create(self) -> str | None:
        """Create the desired webhook."""
        return str(self.client.create_webhook(dict(self.want)).get("id"))


SYNC = WebhookSync(client_for, AppWebhooks)
reconcile = SYNC.reconcile
push_secret = SYNC.push_secret
