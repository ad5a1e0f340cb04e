"""Registration secrets from Secrets Manager, by staging label, cached per container.

A refresh reads the version list (one ``ListSecretVersionIds`` call) and fetches only versions
not seen before: a version's value never changes, so values are cached by (secret, version id)
for the life of the container. Which versions verify is decided from the listing alone, by
:mod:`hookgate.secret_lifecycle`. A verification miss may force a refresh, but at most once per
``refresh_interval`` per secret, so forged requests never cost one Secrets Manager call each.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from hookgate import secret_lifecycle
from hookgate.errors import SecretUnavailableError
from hookgate.models import SecretStage, SecretVersion, SecretVersions

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 120.0
DEFAULT_REFRESH_INTERVAL_SECONDS = 30.0


@dataclass
class _Entry:
    versions: SecretVersions | None
    error: str | None
    fetched_at: float
    listing: list[dict[str, Any]] | None = None


def _parse_secret_string(secret_id: str, text: str | None) -> dict[str, SecretStr]:
    if not text:
        return {}
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        logger.error("secret value is not a JSON object", extra={"secret_id": secret_id})
        return {}
    return {str(k): SecretStr(str(v)) for k, v in document.items() if v is not None}


class SecretStore:
    """Reads and caches the secret versions that may verify a registration's requests."""

    def __init__(
        self,
        client_factory: Callable[[], Any],
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create a store; ``client_factory`` returns a boto3 Secrets Manager client."""
        self._client_factory = client_factory
        self._ttl = ttl
        self._refresh_interval = refresh_interval
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._entries: dict[str, _Entry] = {}
        self._values: dict[tuple[str, str], dict[str, SecretStr]] = {}
        self._lock = threading.Lock()
        self.api_calls = 0

    @property
    def ttl(self) -> float:
        """Return how long (seconds) a read secret is used before it is read again."""
        return self._ttl

    def versions(self, secret_id: str, grace_seconds: int) -> SecretVersions:
        """Return the cached versions of ``secret_id``, refreshing once the TTL has passed.

        Raises SecretUnavailableError when Secrets Manager cannot be read; the failure is cached
        for the refresh interval so that a flood of requests does not turn into a flood of calls.
        """
        with self._lock:
            entry = self._entries.get(secret_id)
            now = self._monotonic()
            if entry is None or now - entry.fetched_at >= self._fresh_for(entry):
                entry = self._fetch(secret_id, grace_seconds)
            return self._result(entry)

    def refresh_after_miss(self, secret_id: str, grace_seconds: int) -> SecretVersions | None:
        """Re-read ``secret_id`` after a verification miss, if the last read is old enough.

        Returns the fresh versions, or None when a refresh happened less than the refresh
        interval ago (the caller keeps its verdict).
        """
        with self._lock:
            entry = self._entries.get(secret_id)
            if entry is not None and self._monotonic() - entry.fetched_at < self._refresh_interval:
                return None
            return self._result(self._fetch(secret_id, grace_seconds))

    def read_now(self, secret_id: str, grace_seconds: int) -> SecretVersions:
        """Read ``secret_id`` now, whatever the cache holds (a writer about to use it)."""
        with self._lock:
            return self._result(self._fetch(secret_id, grace_seconds))

    def last_listing(self, secret_id: str) -> list[dict[str, Any]]:
        """Return the version listing the last read of ``secret_id`` was decided from."""
        with self._lock:
            entry = self._entries.get(secret_id)
            return list(entry.listing or []) if entry is not None else []

    def _fresh_for(self, entry: _Entry) -> float:
        return self._refresh_interval if entry.error else self._ttl

    @staticmethod
    def _result(entry: _Entry) -> SecretVersions:
        if entry.versions is None:
            raise SecretUnavailableError(entry.error or "secret unavailable")
        return entry.versions

    def _fetch(self, secret_id: str, grace_seconds: int) -> _Entry:
        try:
            versions, listing = self._read(secret_id, grace_seconds)
            entry = _Entry(versions, None, self._monotonic(), listing)
        except SecretUnavailableError as exc:
            logger.error("cannot read secret", extra={"secret_id": secret_id, "error": str(exc)})
            entry = _Entry(versions=None, error=str(exc), fetched_at=self._monotonic())
        self._entries[secret_id] = entry
        return entry

    def _read(
        self, secret_id: str, grace_seconds: int
    ) -> tuple[SecretVersions, list[dict[str, Any]]]:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        client = self._client_factory()
        try:
            self.api_calls += 1
            listing = list(client.list_secret_version_ids(SecretId=secret_id).get("Versions", []))
            chosen = self._in_force(listing, grace_seconds)
            versions = []
            for stage, version_id in chosen:
                values = self._values.get((secret_id, version_id))
                if values is None:
                    values = self._get_value(client, secret_id, version_id)
                    if values is None:
                        continue
                    self._values[secret_id, version_id] = values
                versions.append(SecretVersion(stage=stage, version_id=version_id, values=values))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            raise SecretUnavailableError(f"Secrets Manager error {code} for {secret_id}") from None
        except BotoCoreError as exc:
            raise SecretUnavailableError(
                f"Secrets Manager unreachable for {secret_id}: {type(exc).__name__}"
            ) from None
        except Exception as exc:  # an emulator or SDK fault: still "cannot read, retry"
            raise SecretUnavailableError(
                f"Secrets Manager failed for {secret_id}: {type(exc).__name__}"
            ) from None
        return SecretVersions(secret_id=secret_id, versions=tuple(versions)), listing

    def _get_value(
        self, client: Any, secret_id: str, version_id: str
    ) -> dict[str, SecretStr] | None:
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.api_calls += 1
            response = client.get_secret_value(SecretId=secret_id, VersionId=version_id)
        except ClientError as exc:
            # A version staged before its value was stored (a rotation's first step).
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise
        return _parse_secret_string(secret_id, response.get("SecretString"))

    def _in_force(
        self, listing: list[Mapping[str, Any]], grace_seconds: int
    ) -> list[tuple[SecretStage, str]]:
        """Return the versions that verify now (see :mod:`hookgate.secret_lifecycle`)."""
        return secret_lifecycle.in_force(listing, self._wall_clock(), grace_seconds)
