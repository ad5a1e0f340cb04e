"""Which versions of a secret someone may still sign with, read from its version listing.

Secrets Manager records a version's labels and creation date, not when it was given to a
provider or when it stopped being current. hookgate records both as staging labels of its own,
so that every receiver learns them from the one ``ListSecretVersionIds`` call it makes anyway:

* ``hookgate-pushed-<version id>``: the rotation is about to give this version to the provider
  (set *before* the call, since a call that timed out may still have been applied);
* ``hookgate-current-<epoch ms>-<version id>``: this version became current then (finishSecret).

From those, a version is **held** (the provider, or a token signer, may be using it) when it is
AWSCURRENT or AWSPREVIOUS, or carries either label. A held version is **retired** at the moment
a version created after it became current, and keeps verifying for the registration's grace
after that. So a version pushed by a rotation that then failed keeps verifying until a later
version has become current and the grace after that has run out, however long that takes.

A version with no hookgate label that is current or previous was put by hand (or created with
the secret): it became current when it was created.

A version whose ``hookgate-pushed`` label is set but that never became current is retired only
by a later one becoming current; a version with no label at all (a rotation cancelled before it
pushed anything, or one deprecated long ago) is held by nobody and never verifies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hookgate.models import SecretStage

PUSHED_LABEL = "hookgate-pushed-"
CURRENT_LABEL = "hookgate-current-"


def pushed_label(version_id: str) -> str:
    """Return the label that marks ``version_id`` as given to a provider."""
    return f"{PUSHED_LABEL}{version_id}"


def current_label(version_id: str, at: datetime) -> str:
    """Return the label that says ``version_id`` became current at ``at``."""
    return f"{CURRENT_LABEL}{int(at.timestamp() * 1000)}-{version_id}"


def hookgate_labels(stages: Iterable[str]) -> list[str]:
    """Return the hookgate lifecycle labels among ``stages``."""
    return [s for s in stages if s.startswith((PUSHED_LABEL, CURRENT_LABEL))]


def _became_current_label(stages: Iterable[str]) -> datetime | None:
    for stage in stages:
        if stage.startswith(CURRENT_LABEL):
            millis, _, _ = stage.removeprefix(CURRENT_LABEL).partition("-")
            if millis.isdigit():
                return datetime.fromtimestamp(int(millis) / 1000, UTC)
    return None


def created_at(version: Mapping[str, Any]) -> datetime | None:
    """Return a listed version's CreatedDate as an aware datetime, if it has one."""
    created = version.get("CreatedDate")
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        return datetime.fromtimestamp(created, UTC)
    if not isinstance(created, datetime):
        return None
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class VersionState:
    """What the listing says about one version."""

    version_id: str
    stages: frozenset[str]
    created: datetime | None
    held: bool
    became_current: datetime | None

    @property
    def current(self) -> bool:
        """Return whether the version is AWSCURRENT."""
        return SecretStage.CURRENT.value in self.stages

    @property
    def pending(self) -> bool:
        """Return whether the version is AWSPENDING."""
        return SecretStage.PENDING.value in self.stages


def _state(version: Mapping[str, Any]) -> VersionState:
    stages = frozenset(str(s) for s in version.get("VersionStages", []))
    created = created_at(version)
    ours = hookgate_labels(stages)
    staged = bool(stages & {SecretStage.CURRENT.value, SecretStage.PREVIOUS.value})
    became = _became_current_label(stages)
    if became is None and staged and not ours:
        became = created  # put by hand, or created with the secret: current from the start
    return VersionState(
        version_id=str(version["VersionId"]),
        stages=stages,
        created=created,
        held=staged or bool(ours),
        became_current=became,
    )


def version_states(listing: Iterable[Mapping[str, Any]]) -> list[VersionState]:
    """Return every listed version's state, oldest first (listing order breaks ties)."""
    states = [_state(v) for v in listing]
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(states, key=lambda s: s.created or floor)


def retired_at(states: list[VersionState]) -> dict[str, datetime | None]:
    """Return, per version, when a version created after it became current (None: not yet)."""
    retired: dict[str, datetime | None] = {}
    earliest: datetime | None = None
    for state in reversed(states):  # newest first: carry the earliest later "became current"
        retired[state.version_id] = earliest
        if state.became_current is not None and (
            earliest is None or state.became_current < earliest
        ):
            earliest = state.became_current
    return retired


def in_force(
    listing: Iterable[Mapping[str, Any]], now: datetime, grace_seconds: int
) -> list[tuple[SecretStage, str]]:
    """Return the versions that must verify now, best first: current, pending, then the rest.

    The rest (labelled previous) are held versions not yet retired, or retired less than
    ``grace_seconds`` ago, newest first.
    """
    states = version_states(listing)
    retired = retired_at(states)
    grace = timedelta(seconds=max(grace_seconds, 0))
    chosen: list[tuple[SecretStage, str]] = []
    chosen += [(SecretStage.CURRENT, s.version_id) for s in states if s.current]
    chosen += [(SecretStage.PENDING, s.version_id) for s in states if s.pending and not s.current]
    for state in reversed(states):
        if state.current or state.pending or not state.held:
            continue
        ended = retired[state.version_id]
        if ended is None or now < ended + grace:
            chosen.append((SecretStage.PREVIOUS, state.version_id))
    return chosen


def expired_labels(
    listing: Iterable[Mapping[str, Any]], now: datetime, grace_seconds: int
) -> dict[str, list[str]]:
    """Return, per version, the hookgate labels that no longer matter and may be removed.

    Only versions that are neither current, pending nor previous, and that were retired more
    than the grace ago, qualify: every version older than such a one is retired too, so
    removing its labels changes no answer of :func:`in_force`.
    """
    states = version_states(listing)
    retired = retired_at(states)
    grace = timedelta(seconds=max(grace_seconds, 0))
    aws_stages = {stage.value for stage in SecretStage}
    expired: dict[str, list[str]] = {}
    for state in states:
        ended = retired[state.version_id]
        labels = hookgate_labels(state.stages)
        staged = bool(state.stages & aws_stages)
        if labels and not staged and ended is not None and now >= ended + grace:
            expired[state.version_id] = labels
    return expired
