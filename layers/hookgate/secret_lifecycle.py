"""Which versions of a secret someone may still sign with, read from its version listing.

Secrets Manager records a version's labels and creation date, not when it was given to a
provider or when it stopped being current. hookgate records both as staging labels of its own,
so that every receiver learns them from the one ``ListSecretVersionIds`` call it makes anyway:

* ``hookgate-pushed-<epoch ms>-<version id>``: the rotation last gave this version to the
  provider then (set *before* each call, since a call that timed out may have been applied);
* ``hookgate-current-<epoch ms>-<version id>``: this version became current then (finishSecret).

From those, a version is **held** (the provider, or a token signer, may be using it) when it is
AWSCURRENT or AWSPREVIOUS, or carries either label. Its **start** is the last moment it was
given out: its last push or the moment it became current, whichever is later. A held version is
**retired** when another version becomes current after that start, and keeps verifying for the
registration's grace after that. So a version pushed by a rotation that then failed keeps
verifying until a later version has become current and the grace after that has run out,
however long that takes, and in whatever order versions were created, resumed or put by hand.

A version with no hookgate label that is current or previous was put by hand (or created with
the secret): it became current when it was created. A version with no label at all (a rotation
cancelled before it pushed anything, or one deprecated long ago) is held by nobody and never
verifies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hookgate.models import SecretStage

PUSHED_LABEL = "hookgate-pushed-"
CURRENT_LABEL = "hookgate-current-"
# The token signing key's versions stay accepted this long after they stopped signing: longer
# than the longest token lifetime (3600 s), so every token outlives its key's retirement.
SIGNING_KEY_GRACE_SECONDS = 2 * 3600


def pushed_label(version_id: str, at: datetime) -> str:
    """Return the label that says ``version_id`` was given to a provider at ``at``."""
    return f"{PUSHED_LABEL}{int(at.timestamp() * 1000)}-{version_id}"


def current_label(version_id: str, at: datetime) -> str:
    """Return the label that says ``version_id`` became current at ``at``."""
    return f"{CURRENT_LABEL}{int(at.timestamp() * 1000)}-{version_id}"


def labels_of(stages: Iterable[str], prefix: str) -> list[str]:
    """Return the labels among ``stages`` that start with ``prefix``."""
    return [s for s in stages if s.startswith(prefix)]


def hookgate_labels(stages: Iterable[str]) -> list[str]:
    """Return the hookgate lifecycle labels among ``stages``."""
    return [s for s in stages if s.startswith((PUSHED_LABEL, CURRENT_LABEL))]


def _label_time(stages: Iterable[str], prefix: str) -> datetime | None:
    """Return the latest time among the ``prefix`` labels (None when there is none)."""
    times = []
    for stage in labels_of(stages, prefix):
        millis, _, _ = stage.removeprefix(prefix).partition("-")
        if millis.isdigit():
            times.append(datetime.fromtimestamp(int(millis) / 1000, UTC))
    return max(times, default=None)


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
    pushed_at: datetime | None

    @property
    def start(self) -> datetime | None:
        """Return the last moment the version was given out (pushed, or made current)."""
        times = [t for t in (self.became_current, self.pushed_at) if t is not None]
        return max(times, default=None)

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
    became = _label_time(stages, CURRENT_LABEL)
    if became is None and staged and not ours:
        became = created  # put by hand, or created with the secret: current from the start
    return VersionState(
        version_id=str(version["VersionId"]),
        stages=stages,
        created=created,
        held=staged or bool(ours),
        became_current=became,
        pushed_at=_label_time(stages, PUSHED_LABEL),
    )


def version_states(listing: Iterable[Mapping[str, Any]]) -> list[VersionState]:
    """Return every listed version's state, oldest first (listing order breaks ties)."""
    states = [_state(v) for v in listing]
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(states, key=lambda s: s.created or floor)


def retired_at(states: list[VersionState]) -> dict[str, datetime | None]:
    """Return, per version, when another became current after its start (None: not yet)."""
    promotions = [(s.version_id, s.became_current) for s in states if s.became_current]
    retired: dict[str, datetime | None] = {}
    for state in states:
        start = state.start
        later = [
            at
            for version_id, at in promotions
            if version_id != state.version_id and start is not None and at > start
        ]
        retired[state.version_id] = min(later, default=None)
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
    than the grace ago, qualify, and only when no such staged version started before they
    became current: the versions whose retirement they decided are then retired past their
    grace too, so removing the labels changes no answer of :func:`in_force`.
    """
    states = version_states(listing)
    retired = retired_at(states)
    grace = timedelta(seconds=max(grace_seconds, 0))
    aws_stages = {stage.value for stage in SecretStage}
    staged_starts = [s.start for s in states if s.stages & aws_stages and s.start is not None]
    expired: dict[str, list[str]] = {}
    for state in states:
        ended = retired[state.version_id]
        labels = hookgate_labels(state.stages)
        if not labels or state.stages & aws_stages or ended is None or now < ended + grace:
            continue
        became = state.became_current
        if became is not None and any(start < became for start in staged_starts):
            continue
        expired[state.version_id] = labels
    return expired
