"""Builds the receive pipeline from the Lambda environment, once per container.

Environment: ``HOOKGATE_CONFIG`` (hookgate.yaml path), ``HOOKGATE_EVENT_BUS``, ``HOOKGATE_TABLE``,
``HOOKGATE_OVERSIZE_BUCKET`` (optional), ``HOOKGATE_SECRET_CACHE_SECONDS`` (default 120),
``HOOKGATE_SECRET_REFRESH_SECONDS`` (least time between refreshes after a miss, default 30),
``HOOKGATE_MAX_BODY_BYTES`` (default 4 MiB); for sync and rotation ``HOOKGATE_WEBHOOK_BASE_URL``;
for rotation ``HOOKGATE_SIGNING_KEY_SECRET`` and ``HOOKGATE_ROTATION_PROPAGATION_SECONDS`` (how
long setSecret waits for receivers to see a new secret; default: the secret cache TTL + 15 s;
sync waits as long before it writes a changed secret); for sync and rotation ``HOOKGATE_TABLE``
(the registration leases that keep them from writing one provider at once).
"""

from __future__ import annotations

import logging
import math
import os
from functools import cache
from typing import TYPE_CHECKING

from hookgate import aws
from hookgate.config import HookgateConfig, get_config
from hookgate.dedupe import DedupeStore
from hookgate.errors import ConfigError
from hookgate.plugins import get_plugin_host
from hookgate.publish import Publisher
from hookgate.receive import DEFAULT_MAX_BODY_BYTES, Receiver
from hookgate.secrets import (
    DEFAULT_REFRESH_INTERVAL_SECONDS,
    DEFAULT_TTL_SECONDS,
    SecretStore,
)

if TYPE_CHECKING:
    from hookgate.leases import Leases
    from hookgate.oauth2.endpoint import TokenEndpoint
    from hookgate.oauth2.tokens import BearerTokens
    from hookgate.rotation import RotationEngine
    from hookgate.sync import SyncEngine

logger = logging.getLogger(__name__)


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"environment variable {name} is not set")
    return value


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be a number") from None
    if not math.isfinite(value):  # a NaN TTL would compare False with every age
        raise ConfigError(f"environment variable {name} must be a finite number")
    return value


def secret_cache_ttl() -> float:
    """Return how long receivers cache a secret (``HOOKGATE_SECRET_CACHE_SECONDS``)."""
    return _number("HOOKGATE_SECRET_CACHE_SECONDS", DEFAULT_TTL_SECONDS)


def secret_store_from_env() -> SecretStore:
    """Return a Secrets Manager backed store with the cache settings from the environment."""
    return SecretStore(
        lambda: aws.client("secretsmanager"),
        ttl=secret_cache_ttl(),
        refresh_interval=_number(
            "HOOKGATE_SECRET_REFRESH_SECONDS", DEFAULT_REFRESH_INTERVAL_SECONDS
        ),
    )


@cache
def _secret_store() -> SecretStore:
    return secret_store_from_env()


def bearer_tokens(store: SecretStore) -> BearerTokens | None:
    """Return the token signer/checker, or None when no signing key secret is configured."""
    from hookgate.oauth2.tokens import BearerTokens, SigningKeys  # noqa: PLC0415 - PyJWT

    secret_id = os.environ.get("HOOKGATE_SIGNING_KEY_SECRET")
    return BearerTokens(SigningKeys(store, secret_id)) if secret_id else None


@cache
def get_token_endpoint() -> TokenEndpoint:
    """Return the container's OAuth2 token endpoint; raises ConfigError when misconfigured."""
    from hookgate.oauth2.endpoint import TokenEndpoint  # noqa: PLC0415

    store = _secret_store()
    tokens = bearer_tokens(store)
    if tokens is None:
        raise ConfigError("environment variable HOOKGATE_SIGNING_KEY_SECRET is not set")
    return TokenEndpoint(config=get_config(), secrets=store, tokens=tokens)


def grace_window_problems(config: HookgateConfig, cache_ttl: float) -> dict[str, str]:
    """Return, by registration name, each grace window a cached secret could outlast.

    After a rotation finishes, a receiver may keep verifying from its cache for up to the TTL,
    and a provider may still send with the old secret meanwhile; a previous secret dropped
    before that would refuse genuine deliveries. A grace of 0 (never accept the previous
    version) is the operator's explicit choice and allowed.
    """
    return {
        registration.name: (
            f"previous_secret_grace_seconds ({grace}) must be longer than the secret cache TTL "
            f"({cache_ttl:g} s, HOOKGATE_SECRET_CACHE_SECONDS)"
        )
        for registration in config.registrations.values()
        if 0 < (grace := registration.previous_secret_grace_seconds) <= cache_ttl
    }


def check_grace_windows(config: HookgateConfig, cache_ttl: float) -> None:
    """Raise ConfigError for the first grace window a cached secret could outlast."""
    for name, problem in grace_window_problems(config, cache_ttl).items():
        raise ConfigError(f"registration {name!r}: {problem}")


def _available(config: HookgateConfig, cache_ttl: float) -> HookgateConfig:
    """Return ``config`` with the registrations whose grace window is unsafe made unavailable."""
    problems = grace_window_problems(config, cache_ttl)
    for name, problem in problems.items():
        logger.error("registration unavailable: %s", problem, extra={"registration": name})
    return config.without(problems)


@cache
def get_receiver() -> Receiver:
    """Return the container's receive pipeline; raises ConfigError when misconfigured."""
    store = _secret_store()
    config = _available(get_config(), store.ttl)
    needs_tokens = any(r.oauth2 is not None for r in config.registrations.values())
    return Receiver(
        host=get_plugin_host(),
        config=config,
        secrets=store,
        tokens=bearer_tokens(store) if needs_tokens else None,
        dedupe=DedupeStore(_required("HOOKGATE_TABLE"), lambda: aws.client("dynamodb")),
        publisher=Publisher(
            _required("HOOKGATE_EVENT_BUS"),
            lambda: aws.client("events"),
            s3_client_factory=lambda: aws.client("s3"),
            oversize_bucket=os.environ.get("HOOKGATE_OVERSIZE_BUCKET") or None,
        ),
        max_body_bytes=int(_number("HOOKGATE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
    )


def leases_from_env() -> Leases | None:
    """Return the registration leases in ``HOOKGATE_TABLE``, or None when no table is set."""
    from hookgate.leases import Leases  # noqa: PLC0415 - not the receiver's: its cold start

    table = os.environ.get("HOOKGATE_TABLE")
    return Leases(table, lambda: aws.client("dynamodb")) if table else None


def propagation_seconds() -> float:
    """Return how long a new secret version takes to reach every receiver's cache."""
    ttl = _number("HOOKGATE_SECRET_CACHE_SECONDS", DEFAULT_TTL_SECONDS)
    return _number("HOOKGATE_ROTATION_PROPAGATION_SECONDS", ttl + 15)


@cache
def get_sync_engine() -> SyncEngine:
    """Return the container's sync engine; raises ConfigError when misconfigured."""
    from hookgate.sync import SyncEngine  # noqa: PLC0415 - not the receiver's: its cold start

    return SyncEngine(
        host=get_plugin_host(),
        config=get_config(),
        secrets=secret_store_from_env(),
        leases=leases_from_env(),
        propagation_seconds=propagation_seconds(),
    )


def webhook_base_url() -> str:
    """Return the deployed webhook base URL (``HOOKGATE_WEBHOOK_BASE_URL``)."""
    return _required("HOOKGATE_WEBHOOK_BASE_URL")


def event_bus_name() -> str:
    """Return the bus name (``HOOKGATE_EVENT_BUS``)."""
    return _required("HOOKGATE_EVENT_BUS")


@cache
def get_rotation_engine() -> RotationEngine:
    """Return the container's rotation engine; raises ConfigError when misconfigured."""
    from hookgate.rotation import RotationEngine  # noqa: PLC0415 - not the receiver's

    return RotationEngine(
        host=get_plugin_host(),
        config=get_config(),
        client_factory=lambda: aws.client("secretsmanager"),
        webhook_base_url=webhook_base_url(),
        signing_key_secret=os.environ.get("HOOKGATE_SIGNING_KEY_SECRET") or None,
        propagation_seconds=propagation_seconds(),
        leases=leases_from_env(),
    )


def reset() -> None:
    """Forget every per-container object (tests, and the local stack between runs).

    A cold start's pause of the garbage collector ends here too, if no handler ended it.
    """
    from hookgate import coldstart, config, plugins  # noqa: PLC0415

    coldstart.resume()
    for cached in (
        get_receiver,
        get_token_endpoint,
        get_sync_engine,
        get_rotation_engine,
        _secret_store,
        config.get_config,
        plugins.get_plugin_host,
        aws.client,
        aws._session,
    ):
        cached.cache_clear()
