"""The inspector's view of secrets, rotations and sync: names, version ids and times, never a value.

Per registration: the versions in force now (as the receivers compute them, through
:mod:`hookgate.secret_lifecycle`), when a replaced version stops verifying, every rotation the
emulator's Secrets Manager ran on its secret with its four steps, and the sync plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from hookgate import secret_lifecycle
from hookgate.sync import SyncReport, render
from hookgate_dev.local.aws_rotation import STEPS, RotationRun

_STAGE_NAMES = {"AWSCURRENT": "current", "AWSPENDING": "pending", "AWSPREVIOUS": "previous"}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def versions_in_force(
    listing: Sequence[Mapping[str, Any]], now: datetime, grace_seconds: int
) -> list[dict[str, Any]]:
    """Return the versions that verify now, best first, each with when it stops verifying.

    ``accepted_until`` is None for the current and pending versions, and for a replaced version
    no later one has yet become current after it was given out (``until`` says so).
    """
    states = {s.version_id: s for s in secret_lifecycle.version_states(listing)}
    retired = secret_lifecycle.retired_at(list(states.values()))
    rows = []
    for stage, version_id in secret_lifecycle.in_force(listing, now, grace_seconds):
        state = states[version_id]
        ended = retired.get(version_id)
        until: datetime | None = None
        if stage.value == "AWSPREVIOUS" and ended is not None:
            until = ended + timedelta(seconds=max(grace_seconds, 0))
        if stage.value != "AWSPREVIOUS":
            note = "in force"
        elif until is None:
            note = "until a later version has become current, then for the grace"
        else:
            note = f"grace ends {until.isoformat()}"
        rows.append(
            {
                "stage": _STAGE_NAMES[stage.value],
                "version_id": version_id,
                "created": _iso(state.created),
                "became_current": _iso(state.became_current),
                "accepted_until": _iso(until),
                "until": note,
            }
        )
    return rows


def created_dates(listing: Iterable[Mapping[str, Any]]) -> dict[str, datetime]:
    """Return when each listed version was created (a rotation's token is its version id)."""
    dates = {}
    for version in listing:
        created = secret_lifecycle.created_at(version)
        if created is not None:
            dates[str(version["VersionId"])] = created
    return dates


def rotation_timeline(
    runs: Iterable[RotationRun], secret_id: str, first_seen: Mapping[str, datetime]
) -> list[dict[str, Any]]:
    """Return the rotations of ``secret_id``, newest first, each with its four steps.

    ``started`` is ``first_seen`` of the run's token (its version's creation, or when the
    inspector first saw it). A step is ``done``, ``failed`` (every attempt failed; the last
    error kept), ``running`` (tried, the run not over) or ``not reached``; ``attempts`` counts
    the invocations.
    """
    timeline = []
    for run in runs:
        if run.secret != secret_id and not secret_id.endswith(f":{run.secret}"):
            continue
        over = run.done.is_set()
        attempts = list(run.attempts)
        # An attempt is recorded as it starts: the last one of a run still going, without an
        # error yet, is the invocation under way.
        in_flight = attempts[-1] if attempts and not over and attempts[-1].error is None else None
        tested_only = bool(attempts) and {a.step for a in attempts} == {"testSecret"}
        kind = "configuration test" if tested_only else "rotation"
        steps = []
        for step in ("testSecret",) if tested_only else STEPS:
            tried = [a for a in attempts if a.step == step]
            if any(a.error is None and a is not in_flight for a in tried):
                status, error = "done", None
            elif tried:  # under way, or every attempt so far failed (retried while not over)
                status = "failed" if over else "running"
                error = tried[-1].error
            else:
                status, error = "not reached", None
            steps.append({"step": step, "status": status, "attempts": len(tried), "error": error})
        state = "finished" if run.finished else ("failed" if over else "in progress")
        # A configuration test's version is re-dated by the emulator's next write: no time.
        seen = first_seen.get(run.token) if kind == "rotation" else None
        timeline.append(
            {
                "token": run.token,
                "kind": kind,
                "state": state,
                "started": _iso(seen),
                "steps": steps,
            }
        )
    timeline.reverse()
    return timeline


def sync_plan(report: SyncReport | None, registration: str) -> str | None:
    """Return the sync plan (as ``hookgate plan`` prints it) for one registration, if any."""
    if report is None:
        return None
    results = [r for r in report.results if r.registration == registration]
    unavailable = {k: v for k, v in report.unavailable.items() if k == registration}
    if not results and not unavailable:
        return None
    return render(SyncReport(applied=report.applied, results=results, unavailable=unavailable))


def drift_of(report: SyncReport, registration: str) -> list[str]:
    """Return one line per change the provider needs for ``registration`` (empty: in line)."""
    return [
        f"{c.action} {c.target or c.remote_id or 'a webhook'}: {c.reason}"
        for c in report.drift
        if c.registration == registration
    ]
