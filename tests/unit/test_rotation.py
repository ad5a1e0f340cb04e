"""Rotation as Secrets Manager runs it (each step its own invocation) and what must verify.

Every test runs in :mod:`tests.lifecycle_world`: moto made to behave as AWS documents rotation,
the real engine, receivers' caches, leases, and a provider whose API fails on demand.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from hookgate.config import parse_config
from hookgate.leases import Leases
from hookgate.oauth2.tokens import SigningKeys
from hookgate.rotation import (
    STEPS,
    RotationError,
    RotationInProgressError,
    _rotated_keys,
)
from hookgate.secret_lifecycle import PUSHED_LABEL
from hookgate.secrets import SecretStore
from hookgate_dev.local.aws_rotation import INCOMPLETE
from tests.lifecycle_world import (
    FAIL_AFTER,
    FAIL_BEFORE,
    FUNCTION_ARN,
    REGION,
    SECRET,
    SIGNING_KEY,
    TABLE,
    TIMEOUT_AFTER,
    World,
    verifies,
    world,
)

pytestmark = pytest.mark.usefixtures("aws_credentials")


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def held_by_provider(w: World) -> str:
    assert w.provider.holds is not None
    return w.provider.holds


def fresh(w: World) -> SecretStore:
    return w.receiver()


def test_a_rotation_pushes_then_promotes_and_keeps_the_old_secret_for_its_grace() -> None:
    with world(grace=600) as w:
        old = held_by_provider(w)
        token = w.rotate()
        new = w.value()["webhook_secret"]
        assert w.provider.holds == new != old and len(new) == 48
        assert w.value("AWSPREVIOUS")["webhook_secret"] == old
        labels = w.stages()[token]
        assert "AWSCURRENT" in labels
        assert [x for x in labels if x.startswith(PUSHED_LABEL) and x.endswith(token)]
        assert not any("AWSPENDING" in stage for stage in w.stages().values())
        finished = w.clock.now
        w.clock.now = finished + 600 - 0.001
        assert verifies(fresh(w), old, w.grace)
        w.clock.now = finished + 600
        assert not verifies(fresh(w), old, w.grace)
        assert verifies(fresh(w), new, w.grace)


def test_every_step_is_idempotent_and_refusals_are_clear() -> None:
    with world() as w:
        w.service.functions[FUNCTION_ARN] = lambda event: None  # Secrets Manager calls nobody
        token = w.rotate()
        for step in STEPS:
            w.engine.handle(SECRET, token, step)
            w.engine.handle(SECRET, token, step)
        new = w.value()["webhook_secret"]
        assert w.provider.holds == new and w.provider.writes == [new, new]
        for step in STEPS:  # once current, every step returns at once
            w.engine.handle(SECRET, token, step)
        assert w.provider.writes == [new, new]
        with pytest.raises(RotationError, match="has no stage for rotation"):
            w.engine.handle(SECRET, "not-a-version", "createSecret")
        with pytest.raises(RotationError, match="unknown rotation step"):
            w.engine.handle(SECRET, token, "dropSecret")
        w.engine.handle(SECRET, token, "create_secret")  # the user guide's spelling: current
        w.sm.create_secret(Name="hookgate/plain", SecretString="{}")
        with pytest.raises(RotationError, match="rotation is not enabled for hookgate/plain"):
            w.engine.handle("hookgate/plain", token, "createSecret")


@pytest.mark.parametrize("fault", [FAIL_AFTER, TIMEOUT_AFTER])
def test_a_pushed_version_verifies_until_a_later_one_is_current_and_its_grace_ran_out(
    fault: str,
) -> None:
    """Review finding 1: a retried rotation stranded the version the provider held."""
    with world(grace=600) as w:
        receiver = w.receiver()
        w.provider.faults.extend([fault] * 3)  # applied, then failed: every attempt
        stuck = w.rotate()
        v2 = held_by_provider(w)
        assert "AWSPENDING" in w.stages()[stuck] and verifies(receiver, v2, w.grace)

        # As on AWS, a new rotation is refused and the stuck one is reattempted: it fails again.
        w.provider.faults.extend([FAIL_BEFORE] * 3)
        with pytest.raises(ClientError, match="previous rotation isn't complete"):
            w.rotate()
        with pytest.raises(RotationInProgressError, match="--resume"):
            w.engine.rotate_now(SECRET)

        # The operator abandons it: v2 is no longer pending, yet the provider may hold it.
        assert w.engine.cancel(SECRET) == stuck
        w.clock.sleep(10 * 3600)
        assert verifies(fresh(w), v2, w.grace)

        w.rotate()  # a later push succeeds
        finished = w.clock.now
        assert held_by_provider(w) == w.value()["webhook_secret"]
        w.clock.now = finished + 600 - 0.001
        assert verifies(fresh(w), v2, w.grace)
        w.clock.now = finished + 600
        assert not verifies(fresh(w), v2, w.grace)


def test_grace_counts_from_when_the_old_version_stopped_being_current() -> None:
    """Review finding 2: the grace counted from createSecret, long before finishSecret."""
    with world(grace=3600) as w:
        old = held_by_provider(w)
        w.provider.faults.extend([FAIL_BEFORE] * 3)
        token = w.rotate()
        w.clock.sleep(5000)  # longer than the grace: the rotation kept failing
        assert w.engine.resume(SECRET) == token
        finished = w.clock.now
        assert "AWSCURRENT" in w.stages()[token]
        w.clock.now = finished + 3600 - 0.001
        assert verifies(fresh(w), old, w.grace)
        w.clock.now = finished + 3600
        assert not verifies(fresh(w), old, w.grace)


def test_a_hand_put_value_leaves_the_old_one_its_grace() -> None:
    """Review finding 7: after a stuck rotation, put-secret-value refused the old one at once."""
    with world(grace=3600) as w:
        old = held_by_provider(w)
        w.provider.faults.extend([FAIL_BEFORE] * 3)
        stuck = w.rotate()
        w.clock.sleep(5000)
        w.hand_put("typed-by-the-operator")
        put_at = w.clock.now
        w.clock.now = put_at + 3600 - 0.001
        assert verifies(fresh(w), old, w.grace)
        assert w.engine.cancel(SECRET) == stuck
        w.clock.now = put_at + 3600
        assert not verifies(fresh(w), old, w.grace)
        assert verifies(fresh(w), "typed-by-the-operator", w.grace)


def test_two_rotations_within_the_grace_keep_both_older_versions() -> None:
    with world(grace=3600) as w:
        first = held_by_provider(w)
        w.rotate()
        second = held_by_provider(w)
        w.clock.sleep(100)
        w.rotate()
        last = w.clock.now
        store = fresh(w)
        assert verifies(store, first, w.grace) and verifies(store, second, w.grace)
        w.clock.now = last + 3600
        store = fresh(w)
        assert not verifies(store, first, w.grace) and not verifies(store, second, w.grace)


def test_lifecycle_labels_of_long_retired_versions_are_removed() -> None:
    with world(grace=600) as w:
        for _ in range(8):
            w.rotate()
            w.clock.sleep(1000)
        labelled = [v for v, labels in w.stages().items() if labels]
        assert len(labelled) <= 3  # current, previous and the one created last time
        assert [v.stage.short for v in fresh(w).versions(SECRET, 600).versions] == ["current"]


def test_signing_key_rotation_waits_until_every_receiver_knows_the_new_key() -> None:
    """Review finding 3: the new key signed tokens before receivers had read it."""
    with world(ttl=60, propagation=75) as w:
        receiver = SigningKeys(w.receiver(), SIGNING_KEY)
        assert [kid for _, kid, _ in receiver.versions()] == ["k0"]
        started = w.clock.now
        w.rotate(SIGNING_KEY)
        assert w.clock.now - started >= 75  # setSecret waited for the receivers' caches
        signer = SigningKeys(w.receiver(), SIGNING_KEY)
        new_kid, _ = signer.current()
        assert new_kid != "k0"
        assert new_kid in [kid for _, kid, _ in receiver.versions()]


def test_values_are_cached_per_secret_not_per_version_id_alone() -> None:
    """Review finding 4: two secrets whose versions share a token got each other's values."""
    with world() as w:
        for name, value in (("hookgate/a", "value-of-a"), ("hookgate/b", "value-of-b")):
            w.sm.create_secret(
                Name=name,
                ClientRequestToken="shared-token-0000000000000000000000",
                SecretString=json.dumps({"webhook_secret": value}),
            )
        store = w.receiver()
        assert store.versions("hookgate/a", 0).versions[0].get("webhook_secret") == "value-of-a"
        assert store.versions("hookgate/b", 0).versions[0].get("webhook_secret") == "value-of-b"


def test_schedule_creation_runs_test_secret_and_refuses_what_cannot_rotate() -> None:
    """Review findings 5 and 6, as AWS behaves when a RotationSchedule is created."""
    with world() as w:
        tests = [a for run in w.service.runs for a in run.attempts]
        assert [a.step for a in tests] == ["testSecret", "testSecret"]
        assert not any("AWSPENDING" in labels for labels in w.stages().values())
        # A registration without an api_secret cannot be given a new secret: refused at once.
        w.sm.create_secret(Name="hookgate/no-api", SecretString='{"webhook_secret": "x"}')
        host = w.engine.host
        w.engine.config = parse_config(
            "version: 1\nregistrations:\n"
            "  - {name: bare, provider: pusher, secret: hookgate/no-api}\n",
            "hookgate.yaml",
            host,
        )
        with pytest.raises(ClientError, match=r"no api_secret in hookgate\.yaml"):
            w.sm.rotate_secret(
                SecretId="hookgate/no-api",
                RotationLambdaARN=FUNCTION_ARN,
                RotationRules={"AutomaticallyAfterDays": 30},
                RotateImmediately=False,
            )


def test_resume_finishes_the_stuck_rotation_with_its_own_token() -> None:
    with world() as w:
        w.provider.faults.extend([FAIL_BEFORE] * 6)
        stuck = w.rotate()
        with pytest.raises(ClientError, match=INCOMPLETE.split(".")[0]):
            w.rotate()  # reattempted by "Secrets Manager", failing once more
        w.provider.faults.clear()
        assert w.engine.resume(SECRET) == stuck
        assert "AWSCURRENT" in w.stages()[stuck]
        with pytest.raises(RotationError, match="no rotation of hookgate/demo is in flight"):
            w.engine.resume(SECRET)
        assert w.engine.cancel(SECRET) is None


def test_test_secret_reads_the_registration_back_from_the_provider() -> None:
    with world() as w:
        w.service.functions[FUNCTION_ARN] = lambda event: None
        token = w.rotate()
        for step in ("createSecret", "setSecret"):
            w.engine.handle(SECRET, token, step)
        w.provider.has_webhook = False
        with pytest.raises(RotationError, match="no longer holds hookgate's webhook"):
            w.engine.handle(SECRET, token, "testSecret")


def test_sync_writes_the_version_a_rotation_pushed_not_the_current_one() -> None:
    """Review finding 8 (part): sync repaired a webhook with a version about to retire."""
    with world(grace=600) as w:
        w.provider.faults.extend([FAIL_AFTER] * 3)
        w.rotate()
        pushed = held_by_provider(w)
        w.provider.drifted, w.provider.holds = True, "garbage"
        report = w.sync.run("https://api.example/webhooks", apply=True)
        assert not report.errors
        assert w.provider.holds == pushed != w.value()["webhook_secret"]


def test_sync_waits_while_a_rotation_holds_the_lease() -> None:
    """Review finding 8 (part): sync and rotation must not write one provider at once."""
    with world() as w:
        other = Leases(TABLE, lambda: boto3.client("dynamodb", region_name=REGION), clock=w.clock)
        w.provider.drifted = True
        before = list(w.provider.writes)
        with other.hold("demo"):
            report = w.sync.run("https://api.example/webhooks", apply=True)
        assert "another sync or rotation" in report.errors["demo"]
        assert w.provider.writes == before
        assert not w.sync.run("https://api.example/webhooks", apply=True).errors
        assert len(w.provider.writes) == len(before) + 1


def test_sync_does_not_write_a_secret_changed_less_than_the_propagation_time_ago() -> None:
    with world(propagation=75) as w:
        w.hand_put("brand-new")
        w.provider.drifted = True
        report = w.sync.run("https://api.example/webhooks", apply=True)
        assert "receivers may not know it" in report.errors["demo"]
        assert w.provider.holds != "brand-new"
        w.clock.sleep(75)
        assert not w.sync.run("https://api.example/webhooks", apply=True).errors
        assert w.provider.holds == "brand-new"


def test_only_the_rotatable_keys_a_secret_holds_get_new_values() -> None:
    insider = ("api_key", "client_secret", "refresh_token")
    assert _rotated_keys(insider, {"api_key": "v1-key"}) == ("api_key",)
    assert _rotated_keys(insider, {"client_id": "c", "client_secret": "s"}) == ("client_secret",)
    assert _rotated_keys(insider, {}) == insider  # an empty secret gets every key
