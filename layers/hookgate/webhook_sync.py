"""The sync engine: one reconcile loop for every provider whose webhooks can be listed.

A plugin describes its provider's webhook API for one registration by subclassing
:class:`ProviderWebhooks` (list a page, say what differs, create, update, delete); the engine
does the rest, the same way for every provider:

* **list** every webhook of the scope (app, project, phone number), following the pages;
* **ownership**: hookgate owns exactly the webhooks :meth:`ProviderWebhooks.owns` claims (by
  default, those whose target is the registration's URL). The first is kept in line with the
  declaration; any further one is a duplicate and deleted. Every other webhook belongs to
  someone else and is never touched;
* **limits**: a provider limit on the number of webhooks, and any other reason the plugin gives
  to refuse a create, is checked before anything is written;
* **diff and write**: create, update (naming the fields, never their values) or leave alone;
  with ``apply``, make the change and mark it applied;
* **interruption**: when a call fails after others succeeded, the error says which changes
  were already made (:class:`~hookgate.sync_models.ApplyInterruptedError`).

:func:`push` gives every owned webhook a new secret (a rotation's setSecret step).
:class:`WebhookSync` turns a plugin's client factory and :class:`ProviderWebhooks` factory into
its ``hookgate_register`` and ``hookgate_rotate_secret`` implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.provider_http import ProviderAPIError, ProviderClient, using
from hookgate.sync_models import Action, ApplyInterruptedError, PlannedChange

Webhook = Mapping[str, Any]
MAX_PAGES = 100  # a loop guard against a provider that keeps answering a next page, not a limit


@dataclass(frozen=True)
class WebhookPage:
    """One page of a provider's webhook list and the token of the next page (None: the last)."""

    webhooks: list[dict[str, Any]]
    next_token: str | None = None


class ProviderWebhooks[C]:
    """A provider's webhook API for one registration: the primitives the engine drives.

    Subclass it and implement :meth:`page` (or :meth:`list_all`), :meth:`differences`,
    :meth:`create` and :meth:`update`; override the others when the provider differs from the
    defaults. A subclass is built as ``Subclass(client, registration, webhook_url, secret)``
    (what :class:`WebhookSync` does); one that needs more derives it in :meth:`prepare`, which
    the constructor calls last, instead of repeating the constructor.

    :ivar client: the provider client (``C``) the calls go through.
    :ivar declared: the declared registration.
    :ivar secret: the secret version the provider must be given (None: the secret has none).

    :ivar registration: the registration's name, for plans and messages.
    :ivar webhook_url: the URL the provider must deliver to.
    :ivar provider: the provider name, for plans.
    :ivar title: the provider as people name it, for messages (``"Sinch"``).
    :ivar limit: how many webhooks the scope allows (None: no documented limit).
    :ivar scope: what the limit counts webhooks of, for messages (``"app 01EB…"``).
    :ivar target_field: the key of a listed webhook that holds its delivery URL.
    :ivar removes_duplicates: False when only the first owned webhook is hookgate's and any
        further one is left alone (a provider whose duplicates hookgate never deleted).
    :ivar missing_reason: why a create is planned, for the plan.
    """

    registration: str
    webhook_url: str
    provider: str
    title: str = ""
    limit: int | None = None
    scope: str = ""
    target_field: str = "target"
    removes_duplicates: bool = True
    missing_reason: str = "no webhook targets this URL"

    def __init__(
        self,
        client: C,
        registration: Registration,
        webhook_url: str,
        secret: SecretVersion | None,
    ) -> None:
        """Drive ``client``'s webhooks for ``registration`` towards ``webhook_url``."""
        self.client = client
        self.declared = registration
        self.registration = registration.name
        self.webhook_url = webhook_url
        self.secret = secret
        self.prepare()

    def prepare(self) -> None:
        """Derive what the subclass needs from the attributes above (default: nothing).

        Raise ConfigError here when the registration cannot be synced as declared.
        """

    def page(self, token: str | None) -> WebhookPage:
        """Return the page of webhooks ``token`` names (None: the first)."""
        raise NotImplementedError

    def list_all(self) -> list[dict[str, Any]]:
        """Return every webhook of the scope, following the pages."""
        return all_pages(self.page)

    def owns(self, webhook: Webhook) -> bool:
        """Return True when ``webhook`` is hookgate's: by default, it targets ``webhook_url``."""
        return webhook.get(self.target_field) == self.webhook_url

    def remote_id(self, webhook: Webhook) -> str | None:
        """Return the provider's id of ``webhook``."""
        value = webhook.get("id")
        return None if value is None else str(value)

    def planned_id(self) -> str | None:
        """Return the remote id a planned create will have, when it is known in advance."""
        return None

    def differences(self, webhook: Webhook) -> Mapping[str, Any]:
        """Return the fields of the kept ``webhook`` to change, with the values hookgate wants."""
        raise NotImplementedError

    def refusal(self, existing: list[dict[str, Any]]) -> str | None:
        """Return why no webhook may be created (a value hookgate would need is missing)."""
        del existing
        return None

    def note(self, action: Action) -> str:
        """Return what the plan should add to the reason of ``action`` ("" for nothing)."""
        del action
        return ""

    def secret_fields(self) -> Mapping[str, Any] | None:
        """Return the fields that give the provider the secret (None: there is none to give).

        :func:`push` sets them on every owned webhook; the default, ``{}``, suits a provider
        whose :meth:`update` always writes the whole webhook with the secret.
        """
        return {}

    def create(self) -> str | None:
        """Create hookgate's webhook; return its remote id when the provider gives one."""
        raise NotImplementedError

    def update(self, webhook: Webhook, fields: Mapping[str, Any]) -> None:
        """Set ``fields`` on ``webhook``."""
        raise NotImplementedError

    def delete(self, webhook: Webhook) -> None:
        """Delete ``webhook`` (a duplicate of hookgate's)."""
        raise NotImplementedError


def all_pages(page: Callable[[str | None], WebhookPage]) -> list[dict[str, Any]]:
    """Return the webhooks of every page, from the first until one names no next page."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        listed = page(token)
        found.extend(listed.webhooks)
        token = listed.next_token
        if not token:
            break
    return found


def owned(api: ProviderWebhooks[Any], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the webhooks hookgate owns among ``existing`` (only the first, without removal)."""
    mine = [webhook for webhook in existing if api.owns(webhook)]
    return mine if api.removes_duplicates else mine[:1]


@dataclass
class _Plan:
    api: ProviderWebhooks[Any]
    apply: bool
    applied: list[PlannedChange] = field(default_factory=list)

    def change(
        self, action: Action, remote_id: str | None, reason: str, fields: tuple[str, ...] = ()
    ) -> PlannedChange:
        note = self.api.note(action)
        return PlannedChange(
            registration=self.api.registration,
            provider=self.api.provider,
            target=self.api.webhook_url,
            action=action,
            remote_id=remote_id,
            reason=f"{reason}; {note}" if note else reason,
            changed_fields=fields,
        )

    def done(self, change: PlannedChange, **update: Any) -> PlannedChange:
        made = change.model_copy(update={"applied": True, **update})
        self.applied.append(made)
        return made


def reconcile(api: ProviderWebhooks[Any], *, apply: bool) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the changes; see the module text."""
    plan = _Plan(api, apply)
    try:
        return _changes(plan)
    except ProviderAPIError as exc:
        if plan.applied:
            raise ApplyInterruptedError(str(exc), list(plan.applied)) from exc
        raise


def _changes(plan: _Plan) -> list[PlannedChange]:
    api = plan.api
    existing = api.list_all()
    mine = owned(api, existing)
    if not mine:
        if api.limit is not None and len(existing) >= api.limit:
            raise ConfigError(
                f"registration {api.registration!r}: {api.scope} already has "
                f"{len(existing)} webhooks ({api.title} allows {api.limit})"
            )
        problem = api.refusal(existing)
        if problem:
            raise ConfigError(f"registration {api.registration!r}: {problem}")
        change = plan.change("create", api.planned_id(), api.missing_reason)
        if plan.apply:
            created = api.create()
            change = plan.done(change, remote_id=created or change.remote_id)
        return [change]
    keep, *duplicates = mine
    wanted = api.differences(keep)
    if wanted:
        change = plan.change(
            "update", api.remote_id(keep), "differs from hookgate.yaml", tuple(wanted)
        )
        if plan.apply:
            api.update(keep, wanted)
            change = plan.done(change)
    else:
        change = plan.change("unchanged", api.remote_id(keep), "matches")
    changes = [change]
    for duplicate in duplicates:
        change = plan.change(
            "delete", api.remote_id(duplicate), "a second webhook targets this URL"
        )
        if plan.apply:
            api.delete(duplicate)
            change = plan.done(change)
        changes.append(change)
    return changes


def push(api: ProviderWebhooks[Any]) -> bool:
    """Give every owned webhook the secret (:meth:`~ProviderWebhooks.secret_fields`).

    Returns False when there is no secret to give or no webhook of hookgate's.
    """
    fields = api.secret_fields()
    if fields is None:
        return False
    mine = owned(api, api.list_all())
    for webhook in mine:
        api.update(webhook, fields)
    return bool(mine)


class WebhookSync[C: ProviderClient]:
    """A plugin's register and rotate hooks, built on the engine from two factories.

    ``client_for(registration, api_credentials)`` returns the provider client (a
    :class:`~hookgate.provider_http.ProviderClient`, closed after use);
    ``webhooks(client, registration, webhook_url, secret)`` returns the plugin's
    :class:`ProviderWebhooks` for one registration, where ``secret`` is the version the
    provider must be given (None when the secret has no version). A plugin's hooks call
    :meth:`reconcile` and :meth:`push_secret`; tests may pass an open ``client``.
    """

    def __init__(
        self,
        client_for: Callable[[Registration, SecretVersion | None], C],
        webhooks: Callable[[C, Registration, str, SecretVersion | None], ProviderWebhooks[C]],
    ) -> None:
        """Keep the two factories."""
        self.client_for = client_for
        self.webhooks = webhooks

    def reconcile(
        self,
        registration: Registration,
        webhook_url: str,
        secrets: SecretVersions,
        credentials: SecretVersion | None,
        apply: bool,
        *,
        client: C | None = None,
    ) -> list[PlannedChange]:
        """Plan (and with ``apply``, make) the changes, writing the first secret version."""
        current = secrets.versions[0] if secrets.versions else None
        return using(
            client,
            lambda: self.client_for(registration, credentials),
            lambda api: reconcile(
                self.webhooks(api, registration, webhook_url, current), apply=apply
            ),
        )

    def push_secret(
        self,
        registration: Registration,
        webhook_url: str,
        new_secret: SecretVersion,
        credentials: SecretVersion | None,
        *,
        client: C | None = None,
    ) -> bool:
        """Give hookgate's webhooks ``new_secret``; False when there is nothing to update."""
        return using(
            client,
            lambda: self.client_for(registration, credentials),
            lambda api: push(self.webhooks(api, registration, webhook_url, new_secret)),
        )
