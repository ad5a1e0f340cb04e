"""Registration secrets from Secrets Manager, by staging label, cached per container.

A refresh reads the version list (one ``ListSecretVersionIds`` call) and fetches only versions
not seen before: a version's value never changes, so values are cached by version id for the
life of the container. A verification miss may force a refresh, but at most once per
``refresh_interval`` per secret, so forged requests never cost one Secrets Manager call each.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from hookgate.errors import SecretUnavailableError
from hookgate.models import SecretStage, SecretVersion, SecretVersions

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 60.0
DEFAULT_REFRESH_INTERVAL_SECONDS = 30.0

# Retired versions still inside their grace window that verify, newest first.
MAX_RETIRED_VERSIONS = 3


@dataclass
class _Entry:
    versions: SecretVersions | None
    error: str | None
    fetched_at: float


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
        self._values: dict[str, dict[str, SecretStr]] = {}
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

    def _fresh_for(self, entry: _Entry) -> float:
        return self._refresh_interval if entry.error else self._ttl

    @staticmethod
    def _result(entry: _Entry) -> SecretVersions:
        if entry.versions is None:
            raise SecretUnavailableError(entry.error or "secret unavailable")
        return entry.versions

    def _fetch(self, secret_id: str, grace_seconds: int) -> _Entry:
        try:
            versions = self._read(secret_id, grace_seconds)
            entry = _Entry(versions=versions, error=None, fetched_at=self._monotonic())
        except SecretUnavailableError as exc:
            logger.error("cannot read secret", extra={"secret_id": secret_id, "error": str(exc)})
            entry = _Entry(versions=None, error=str(exc), fetched_at=self._monotonic())
        self._entries[secret_id] = entry
        return entry

    def _read(self, secret_id: str, grace_seconds: int) -> SecretVersions:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        client = self._client_factory()
        try:
            self.api_calls += 1
            listing = client.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)
            chosen = self._in_force(listing.get("Versions", []), grace_seconds)
            versions = []
            for stage, version_id in chosen:
                values = self._values.get(version_id)
                if values is None:
                    values = self._get_value(client, secret_id, version_id)
                    if values is None:
                        continue
                    self._values[version_id] = values
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
        return SecretVersions(secret_id=secret_id, versions=tuple(versions))

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

    @staticmethod
    def _stages(listing: list[Mapping[str, Any]]) -> dict[SecretStage, Mapping[str, Any]]:
        by_stage: dict[SecretStage, Mapping[str, Any]] = {}
        for version in listing:
            for label in version.get("VersionStages", []):
                if label in SecretStage.__members__.values():
                    by_stage[SecretStage(label)] = version
        return by_stage

    def _in_force(
        self, listing: list[Mapping[str, Any]], grace_seconds: int
    ) -> list[tuple[SecretStage, str]]:
        """Return the versions that verify now: current, pending, and the recently retired.

        A version is retired when the one created after it was made; it keeps verifying for
        ``grace_seconds`` from then (labelled previous). That covers every version retired in
        the window, not only the one Secrets Manager labels AWSPREVIOUS: after two rotations
        in quick succession, a token or delivery signed two versions back still verifies.
        """
        by_stage = self._stages(listing)
        current, pending = by_stage.get(SecretStage.CURRENT), by_stage.get(SecretStage.PENDING)
        chosen: list[tuple[SecretStage, str]] = []
        live: set[str] = set()
        for stage, version in ((SecretStage.CURRENT, current), (SecretStage.PENDING, pending)):
            if version is not None and version["VersionId"] not in live:
                chosen.append((stage, str(version["VersionId"])))
                live.add(str(version["VersionId"]))
        if current is None or grace_seconds <= 0:
            return chosen
        now = self._wall_clock()
        grace = timedelta(seconds=grace_seconds)
        # Oldest first; versions made in the same instant keep the listing's order.
        ordered = sorted(listing, key=lambda v: _created(v) or datetime.min.replace(tzinfo=UTC))
        retired: list[tuple[SecretStage, str]] = []
        for index, version in enumerate(ordered):
            version_id = str(version["VersionId"])
            if version_id in live:
                continue
            successor = next(
                (_created(v) for v in ordered[index + 1 :] if _created(v) is not None), None
            )
            retired_at = successor or _created(current)
            if retired_at is None or now < retired_at + grace:
                retired.append((SecretStage.PREVIOUS, version_id))
        chosen.extend(reversed(retired[-MAX_RETIRED_VERSIONS:]))  # newest first
        return chosen


def _created(version: Mapping[str, Any]) -> datetime | None:
    created = version.get("CreatedDate")
    if not isinstance(created, datetime):
        return None
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)
