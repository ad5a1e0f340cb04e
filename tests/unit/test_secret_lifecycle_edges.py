"""The secret lifecycle's pure functions, edge by edge: labels, dates, retirement, grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hookgate.models import SecretStage
from hookgate.secret_lifecycle import (
    CURRENT_LABEL,
    PUSHED_LABEL,
    SIGNING_KEY_GRACE_SECONDS,
    VersionState,
    created_at,
    current_label,
    expired_labels,
    hookgate_labels,
    in_force,
    labels_of,
    pushed_label,
    retired_at,
    version_states,
)

T0 = datetime(2027, 1, 1, tzinfo=UTC)  # 1798761600 s since the epoch
T0_MS = 1_798_761_600_000


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def listed(version_id: str, created: Any, *stages: str) -> dict[str, Any]:
    return {"VersionId": version_id, "CreatedDate": created, "VersionStages": list(stages)}


def sorted_labels(expired: dict[str, list[str]]) -> dict[str, list[str]]:
    return {version_id: sorted(labels) for version_id, labels in expired.items()}


def ids(chosen: list[tuple[SecretStage, str]]) -> list[str]:
    return [version_id for _, version_id in chosen]


def test_labels_spell_the_time_in_whole_milliseconds_then_the_version() -> None:
    assert PUSHED_LABEL == "hookgate-pushed-" and CURRENT_LABEL == "hookgate-current-"
    assert pushed_label("v-1", T0) == f"hookgate-pushed-{T0_MS}-v-1"
    assert current_label("v-1", T0) == f"hookgate-current-{T0_MS}-v-1"
    assert pushed_label("v", at(1.2346)) == f"hookgate-pushed-{T0_MS + 1234}-v"  # truncated
    assert current_label("v", at(0.0019)) == f"hookgate-current-{T0_MS + 1}-v"
    assert SIGNING_KEY_GRACE_SECONDS == 7200


def test_labels_are_told_apart_by_prefix_only() -> None:
    stages = [
        "AWSCURRENT",
        f"hookgate-pushed-{T0_MS}-a",
        f"hookgate-current-{T0_MS}-a",
        "hookgate-other",
        f"x-hookgate-pushed-{T0_MS}-a",
    ]
    assert labels_of(stages, PUSHED_LABEL) == [f"hookgate-pushed-{T0_MS}-a"]
    assert labels_of(stages, CURRENT_LABEL) == [f"hookgate-current-{T0_MS}-a"]
    assert hookgate_labels(stages) == stages[1:3]
    assert hookgate_labels(["AWSPREVIOUS"]) == []


def test_a_label_time_is_the_latest_well_formed_one_whatever_the_version_id() -> None:
    # A version id may hold dashes (a UUID); a malformed time is ignored, not fatal.
    uuid_id = "0b6e-41d2-9c"
    states = version_states(
        [
            listed(
                uuid_id,
                at(0),
                f"hookgate-pushed-{T0_MS + 5000}-{uuid_id}",
                f"hookgate-pushed-{T0_MS + 9000}-{uuid_id}",
                f"hookgate-pushed-{T0_MS + 7000}-{uuid_id}",
                f"hookgate-pushed-soon-{uuid_id}",
                f"hookgate-current-{T0_MS + 3000}-{uuid_id}",
                f"hookgate-current-{T0_MS + 2000}-{uuid_id}",
                f"hookgate-current-x{T0_MS + 4000}-{uuid_id}",
            )
        ]
    )
    (state,) = states
    assert state.pushed_at == at(9)
    assert state.became_current == at(3)
    assert state.start == at(9)


def test_created_dates_are_read_as_aws_and_moto_give_them() -> None:
    assert created_at({"CreatedDate": 1_798_761_600}) == T0
    assert created_at({"CreatedDate": 1_798_761_600.5}) == at(0.5)
    assert created_at({"CreatedDate": datetime(2027, 1, 1)}) == T0  # naive: UTC
    berlin = datetime(2027, 1, 1, 1, tzinfo=UTC).astimezone()
    assert created_at({"CreatedDate": berlin}) is berlin
    assert created_at({"CreatedDate": True}) is None
    assert created_at({"CreatedDate": "2027-01-01"}) is None
    assert created_at({}) is None


def test_a_version_state_reads_stages_holding_and_start() -> None:
    hand, pushed, current_pushed, idle, pending = version_states(
        [
            listed("hand", at(0), "AWSPREVIOUS"),
            listed("pushed", at(1), pushed_label("pushed", at(5))),
            listed("cur", at(2), "AWSCURRENT", pushed_label("cur", at(3))),
            listed("idle", at(3)),
            listed("pend", at(4), "AWSPENDING"),
        ]
    )
    assert (hand.held, hand.became_current, hand.pushed_at, hand.start) == (
        True,
        at(0),
        None,
        at(0),
    )
    assert (pushed.held, pushed.became_current, pushed.start) == (True, None, at(5))
    # Current with a label of ours but no current label: not "put by hand", so no date.
    assert (current_pushed.held, current_pushed.became_current) == (True, None)
    assert current_pushed.current and not current_pushed.pending
    assert (idle.held, idle.became_current, idle.start) == (False, None, None)
    assert pending.pending and not pending.current and not pending.held
    assert hand.version_id == "hand" and hand.stages == frozenset({"AWSPREVIOUS"})
    assert hand.created == at(0)
    both = VersionState("v", frozenset(), None, True, at(7), at(6))
    assert both.start == at(7)


def test_versions_are_ordered_by_creation_undated_first_ties_in_listing_order() -> None:
    states = version_states(
        [
            listed("late", at(9)),
            listed("tie-1", at(5)),
            {"VersionId": "undated"},  # no labels: AWS leaves VersionStages out
            listed("tie-2", at(5)),
            listed("early", at(1)),
        ]
    )
    assert [s.version_id for s in states] == ["undated", "early", "tie-1", "tie-2", "late"]
    assert states[0].stages == frozenset() and not states[0].held


def test_retirement_is_the_first_promotion_strictly_after_the_start() -> None:
    states = version_states(
        [
            listed("a", at(0), current_label("a", at(10))),
            listed("b", at(1), current_label("b", at(10))),  # same instant: retires nobody
            listed("c", at(2), current_label("c", at(30))),
            listed("d", at(3), current_label("d", at(20))),
            listed("never", at(4)),
        ]
    )
    assert retired_at(states) == {"a": at(20), "b": at(20), "c": None, "d": at(30), "never": None}


def test_in_force_orders_current_pending_then_previous_newest_first() -> None:
    listing = [
        listed("old", at(0), current_label("old", at(0))),
        listed("mid", at(10), "AWSPREVIOUS", current_label("mid", at(10))),
        listed("cur", at(20), "AWSCURRENT", "AWSPENDING", current_label("cur", at(20))),
        listed("next", at(30), "AWSPENDING", pushed_label("next", at(31))),
        listed("ghost", at(40)),  # nobody holds it
    ]
    chosen = in_force(listing, at(20), 1)
    assert chosen == [
        (SecretStage.CURRENT, "cur"),
        (SecretStage.PENDING, "next"),
        (SecretStage.PREVIOUS, "mid"),
    ]
    # "old" retired at 10: in force until 10 + grace, exclusive.
    assert ids(in_force(listing, at(10 + 9.999), 10)) == ["cur", "next", "mid", "old"]
    assert ids(in_force(listing, at(10 + 10), 10)) == ["cur", "next", "mid"]
    # A negative grace counts as none, it never reaches into the past.
    assert ids(in_force(listing, at(19.999), -5)) == ["cur", "next", "mid"]
    assert ids(in_force(listing, at(20), -5)) == ["cur", "next"]


def test_expired_labels_only_of_unstaged_versions_past_their_grace() -> None:
    listing = [
        listed("a", at(0), current_label("a", at(0)), pushed_label("a", at(0))),
        listed("b", at(10), current_label("b", at(10))),
        listed("c", at(20), "AWSPREVIOUS", current_label("c", at(20))),
        listed("d", at(30), "AWSCURRENT", current_label("d", at(30))),
        listed("e", at(40), "AWSPENDING"),
    ]
    labels_a = sorted([current_label("a", at(0)), pushed_label("a", at(0))])
    # a retired at 10, b at 20; c is staged (previous), d current, e has no label of ours.
    assert expired_labels(listing, at(10 + 4.999), 5) == {}
    assert sorted_labels(expired_labels(listing, at(10 + 5), 5)) == {"a": labels_a}
    assert sorted_labels(expired_labels(listing, at(20 + 5), 5)) == {
        "a": labels_a,
        "b": [current_label("b", at(10))],
    }
    assert sorted_labels(expired_labels(listing, at(10 + 0.001), -1)) == {"a": labels_a}


def test_expired_labels_are_kept_while_a_staged_version_started_before_they_became_current() -> (
    None
):
    # "p" (previous, pushed at 5) is retired by "b" becoming current at 10; if b's label went,
    # p would retire only at 30, a different answer. So b's label stays while p is staged.
    listing = [
        listed("p", at(0), "AWSPREVIOUS", pushed_label("p", at(5))),
        listed("b", at(1), current_label("b", at(10))),
        listed("c", at(2), "AWSCURRENT", current_label("c", at(30))),
        listed("d", at(3), current_label("d", at(4))),  # current before p's start: may go
    ]
    d_labels = [current_label("d", at(4))]
    assert expired_labels(listing, at(10**6), 5) == {"d": d_labels}
    # Once p started at the very moment b became current, b decides nothing for it.
    listing[0]["VersionStages"] = ["AWSPREVIOUS", pushed_label("p", at(10))]
    assert expired_labels(listing, at(10**6), 5) == {
        "b": [current_label("b", at(10))],
        "d": d_labels,
    }


@pytest.mark.parametrize("grace", [0, 1])
def test_an_unretired_held_version_is_in_force_whatever_the_grace(grace: int) -> None:
    listing = [
        listed("cur", at(0), "AWSCURRENT"),
        listed("pushed", at(5), pushed_label("pushed", at(5))),
    ]
    assert ids(in_force(listing, at(10**7), grace)) == ["cur", "pushed"]
    assert expired_labels(listing, at(10**7), grace) == {}
