"""A plugin's register and rotate hooks, delegating to its register module on first use.

Most provider plugins implement ``hookgate_register`` and ``hookgate_rotate_secret`` the same
way: import the plugin's register module (it imports httpx, which a receiver's cold start must
not pay for) and call its ``reconcile`` and ``push_secret``. :func:`sync_hooks` writes those two
implementations once::

    hookgate_register, hookgate_rotate_secret = sync_hooks("hookgate_acme.register")

The register module defines ``reconcile(registration, webhook_url, secrets, api_credentials,
apply, *, client=None)`` and ``push_secret(registration, webhook_url, new_secret,
api_credentials, *, client=None)``, as a :class:`hookgate.webhook_sync.WebhookSync` provides.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hookgate.hookspecs import hookimpl

if TYPE_CHECKING:
    from hookgate.models import Registration, SecretVersion, SecretVersions
    from hookgate.sync_models import PlannedChange

RegisterHook = Callable[..., "list[PlannedChange]"]
RotateHook = Callable[..., bool]


def sync_hooks(module: str) -> tuple[RegisterHook, RotateHook]:
    """Return ``hookgate_register`` and ``hookgate_rotate_secret`` calling into ``module``."""

    def register() -> Any:
        return importlib.import_module(module)

    @hookimpl
    def hookgate_register(
        registration: Registration,
        webhook_url: str,
        secrets: SecretVersions,
        api_credentials: SecretVersion | None,
        apply: bool,
    ) -> list[PlannedChange]:
        changes: list[PlannedChange] = register().reconcile(
            registration, webhook_url, secrets, api_credentials, apply
        )
        return changes

    @hookimpl
    def hookgate_rotate_secret(
        registration: Registration,
        webhook_url: str,
        new_secret: SecretVersion,
        api_credentials: SecretVersion | None,
    ) -> bool:
        return bool(register().push_secret(registration, webhook_url, new_secret, api_credentials))

    hookgate_register.__doc__ = f"Reconcile the provider's webhooks (``{module}.reconcile``)."
    hookgate_rotate_secret.__doc__ = f"Push the new secret (``{module}.push_secret``)."
    return hookgate_register, hookgate_rotate_secret
