"""Rotation steps one by one in the lifecycle world: refusals word for word, labels, logs."""

from __future__ import annotations

import base64
import json
import logging
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from hookgate import hookimpl
from hookgate.config import parse_config
from hookgate.leases import Leases
from hookgate.models import ProviderInfo, Registration, SecretVersion, SecretVersions
from hookgate.plugins import load_plugins
from hookgate.rotation import (
    RotationEngine,
    RotationError,
    RotationInProgressError,
    new_signing_key,
    pending_version,
)
from hookgate.secret_lifecycle import CURRENT_LABEL, PUSHED_LABEL, current_label, pushed_label
from hookgate_dev.local.aws_rotation import utc
from tests.lifecycle_world import (
    BASE_URL,
    FUNCTION_ARN,
    REGION,
    SECRET,
    SIGNING_KEY,
    START,
    TABLE,
    URL,
    Settings,
    World,
    world,
)

pytestmark = pytest.mark.usefixtures("aws_credentials")


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def by_hand(w: World, secret: str = SECRET) -> str:
    """Start a rotation whose steps the test runs itself; return its token."""
    w.service.functions[FUNCTION_ARN] = lambda event: None
    return w.rotate(secret)


def current_version(w: World, secret: str = SECRET) -> str:
    return next(v for v, labels in w.stages(secret).items() if "AWSCURRENT" in labels)


def ours(labels: list[str], prefix: str) -> list[str]:
    return [label for label in labels if label.startswith(prefix)]


def test_the_user_guides_step_names_run_each_step_and_every_step_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with world() as w:
        token = by_hand(w)
        with caplog.at_level(logging.INFO, logger="hookgate.rotation"):
            for step in ("create_secret", "set_secret", "test_secret", "finish_secret"):
                w.engine.handle(SECRET, token, step)
            w.engine.handle(SECRET, token, "set_secret")
        assert "AWSCURRENT" in w.stages()[token]
        new = w.value()["webhook_secret"]
        assert w.provider.holds == new
        logged = [
            (r.getMessage(), r.__dict__.get("step"), r.__dict__["secret"])
            for r in caplog.records
            if r.name == "hookgate.rotation"
        ]
        assert logged == [
            ("rotation step", "createSecret", SECRET),
            ("rotation step", "setSecret", SECRET),
            ("rotation step", "testSecret", SECRET),
            ("rotation step", "finishSecret", SECRET),
            ("rotation finished", None, SECRET),
            ("rotation step skipped: version already current", "setSecret", SECRET),
        ]
        assert caplog.records[-2].__dict__["version"] == token
        assert new not in caplog.text and "v1-secret" not in caplog.text


def test_refusals_name_the_version_and_the_secret() -> None:
    with world() as w:
        w.sm.create_secret(Name="hookgate/unknown", SecretString='{"webhook_secret": "x"}')
        with pytest.raises(
            ClientError,
            match="RotationError: "
            + re.escape("no registration in hookgate.yaml uses secret hookgate/unknown")
            + "$",
        ):
            w.sm.rotate_secret(
                SecretId="hookgate/unknown",
                RotationLambdaARN=FUNCTION_ARN,
                RotationRules={"AutomaticallyAfterDays": 30},
                RotateImmediately=False,
            )
        token = by_hand(w)
        with pytest.raises(RotationError) as unknown:
            w.engine.handle(SECRET, "not-a-version", "setSecret")
        assert str(unknown.value) == f"version not-a-version of {SECRET} has no stage for rotation"
        with pytest.raises(RotationInProgressError) as busy:
            w.engine.rotate_now(SECRET)
        assert str(busy.value) == (
            f"a rotation of {SECRET} did not finish (version {token} is AWSPENDING): "
            "finish it with --resume, or abandon it with --cancel"
        )
        for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
            w.engine.handle(SECRET, token, step)
        old = next(v for v, labels in w.stages().items() if "AWSPREVIOUS" in labels)
        with pytest.raises(RotationError) as not_pending:
            w.engine.handle(SECRET, old, "setSecret")
        assert str(not_pending.value) == f"version {old} of {SECRET} is not pending rotation"


def test_rotate_now_runs_all_steps_with_a_new_token() -> None:
    with world() as w:
        old = current_version(w)
        token = w.engine.rotate_now(SECRET)
        assert token != old and current_version(w) == token
        assert w.provider.holds == w.value()["webhook_secret"]
        assert "AWSPREVIOUS" in w.stages()[old]


def test_a_rotation_started_meanwhile_stops_create_secret() -> None:
    # rotate_now found no rotation in flight; one started before its createSecret ran.
    with world() as w:
        stuck = by_hand(w)
        metadata = w.sm.describe_secret(SecretId=SECRET)
        with pytest.raises(RotationInProgressError) as busy:
            w.engine._run(
                metadata, "another-token-0000000000000000000000", "createSecret", new_token=True
            )
        assert str(busy.value) == (
            f"a previous rotation of {SECRET} isn't complete (version {stuck} is AWSPENDING)"
        )
        w.engine.handle(SECRET, stuck, "createSecret")  # its own token goes on
        assert set(w.value("AWSPENDING")) == {"webhook_secret"}


def test_cancel_takes_awspending_off_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    with world() as w:
        token = by_hand(w)
        with caplog.at_level(logging.INFO, logger="hookgate.rotation"):
            assert w.engine.cancel(SECRET) == token
        assert "AWSPENDING" not in w.stages()[token]
        (record,) = [r for r in caplog.records if r.name == "hookgate.rotation"]
        assert record.getMessage() == "rotation cancelled"
        assert (record.__dict__["secret"], record.__dict__["version"]) == (SECRET, token)


def test_set_secret_labels_the_push_first_and_gives_the_provider_both_versions() -> None:
    with world(propagation=75) as w:
        token = by_hand(w)
        current = current_version(w)
        w.engine.handle(SECRET, token, "createSecret")
        started = w.clock.now
        w.engine.handle(SECRET, token, "setSecret")
        assert w.clock.now == started + 75
        assert w.provider.pushes == [(token, [f"current:{current}", f"pending:{token}"], "api-key")]
        w.clock.sleep(5)
        w.provider.confirms = False
        with pytest.raises(RotationError) as refused:
            w.engine.handle(SECRET, token, "setSecret")
        assert str(refused.value) == "provider 'pusher' did not confirm the new secret"
        labels = w.stages()[token]
        assert ours(labels, PUSHED_LABEL) == [pushed_label(token, w.clock.wall())]
        assert "AWSPENDING" in labels


def test_set_secret_without_leases_pushes_once() -> None:
    with world() as w:
        w.engine.leases = None
        token = by_hand(w)
        for step in ("createSecret", "setSecret"):
            w.engine.handle(SECRET, token, step)
        assert w.provider.writes == [w.value("AWSPENDING")["webhook_secret"]]


def test_set_secret_gives_up_after_the_lease_wait_and_pushes_nothing() -> None:
    with world(propagation=75) as w:
        token = by_hand(w)
        w.engine.handle(SECRET, token, "createSecret")
        other = Leases(TABLE, lambda: boto3.client("dynamodb", region_name=REGION), clock=w.clock)
        with other.hold("demo"):
            started = w.clock.now
            with pytest.raises(RotationError) as refused:
                w.engine.handle(SECRET, token, "setSecret")
            assert w.clock.now == started + 75 + 20  # the propagation, then the lease wait
        assert str(refused.value) == (
            "provider 'pusher': demo: another sync or rotation is writing its secret to the "
            "provider; try again shortly"
        )
        assert refused.value.__cause__ is None
        assert w.provider.writes == [] and not ours(w.stages()[token], PUSHED_LABEL)


def test_the_propagation_wait_is_skipped_only_when_there_is_none() -> None:
    with world() as w:
        slept: list[float] = []
        w.engine.sleep = slept.append
        for propagation in (0.0, 0.5):
            w.engine.propagation_seconds = propagation
            token = by_hand(w, SIGNING_KEY)
            for step in ("createSecret", "setSecret"):
                w.engine.handle(SIGNING_KEY, token, step)
            w.engine.cancel(SIGNING_KEY)
        assert slept == [0.5]
        assert w.provider.writes == []  # the signing key is nobody else's


def test_a_provider_that_cannot_take_a_secret_is_refused_before_anything_is_written() -> None:
    with world() as w:
        token = by_hand(w)
        w.engine.handle(SECRET, token, "createSecret")
        w.provider.hookgate_rotate_secret = None  # type: ignore[assignment,method-assign]
        with pytest.raises(RotationError) as refused:
            w.engine.handle(SECRET, token, "setSecret")
        assert str(refused.value) == "provider 'pusher' cannot take a new secret"
        assert not ours(w.stages()[token], PUSHED_LABEL)


def test_a_registration_without_its_api_secret_is_refused_in_words() -> None:
    with world() as w:
        w.sm.create_secret(Name="hookgate/no-api", SecretString='{"webhook_secret": "x"}')
        w.engine.config = parse_config(
            "version: 1\nregistrations:\n"
            "  - {name: bare, provider: pusher, secret: hookgate/no-api}\n",
            "hookgate.yaml",
            w.engine.host,
        )
        message = (
            "bare: no api_secret in hookgate.yaml, so the new secret cannot be given to 'pusher'"
        )
        with pytest.raises(ClientError, match="RotationError: " + re.escape(message) + "$"):
            w.sm.rotate_secret(
                SecretId="hookgate/no-api",
                RotationLambdaARN=FUNCTION_ARN,
                RotationRules={"AutomaticallyAfterDays": 30},
                RotateImmediately=False,
            )


def test_test_secret_names_every_missing_key() -> None:
    with world() as w:
        token = by_hand(w)
        w.sm.put_secret_value(
            SecretId=SECRET,
            ClientRequestToken=token,
            SecretString=json.dumps({"webhook_secret": "", "other": "x"}),
            VersionStages=["AWSPENDING"],
        )
        with pytest.raises(RotationError) as incomplete:
            w.engine.handle(SECRET, token, "testSecret")
        assert str(incomplete.value) == "pending version lacks webhook_secret"
        key_token = by_hand(w, SIGNING_KEY)
        w.sm.put_secret_value(
            SecretId=SIGNING_KEY,
            ClientRequestToken=key_token,
            SecretString=json.dumps({"kid": "", "other": "x"}),
            VersionStages=["AWSPENDING"],
        )
        with pytest.raises(RotationError) as incomplete:
            w.engine.handle(SIGNING_KEY, key_token, "testSecret")
        assert str(incomplete.value) == "pending version lacks kid, key"


def test_test_secret_reads_back_without_applying_and_only_for_a_new_value() -> None:
    with world() as w:
        assert w.provider.registers == []  # the schedules' configuration tests asked nobody
        w.provider.has_webhook = False
        w.sm.rotate_secret(SecretId=SECRET, RotateImmediately=False)  # same value: not asked
        assert w.provider.registers == []
        w.provider.has_webhook = True
        token = by_hand(w)
        current = current_version(w)
        for step in ("createSecret", "setSecret", "testSecret"):
            w.engine.handle(SECRET, token, step)
        assert w.provider.registers == [
            (URL, [f"pending:{token}", f"current:{current}"], "api-key", False)
        ]
        w.provider.has_webhook = False
        writes = list(w.provider.writes)
        with pytest.raises(RotationError) as lost:
            w.engine.handle(SECRET, token, "testSecret")
        assert str(lost.value) == (
            "demo: the provider no longer holds hookgate's webhook, so the new secret reached "
            "nothing (run `hookgate apply`)"
        )
        assert w.provider.writes == writes and not w.provider.has_webhook


def test_finish_secret_keeps_one_current_label_and_dates_the_first_version_by_creation() -> None:
    with world() as w:
        first = current_version(w)
        token = by_hand(w)
        for step in ("createSecret", "setSecret", "testSecret"):
            w.engine.handle(SECRET, token, step)
        stale = current_label(token, utc(START + 1))  # an earlier finishSecret's, cut short
        w.sm.update_secret_version_stage(SecretId=SECRET, VersionStage=stale, MoveToVersionId=token)
        w.clock.sleep(7)
        w.engine.handle(SECRET, token, "finishSecret")
        stages = w.stages()
        assert ours(stages[token], CURRENT_LABEL) == [current_label(token, w.clock.wall())]
        assert sorted(stages[first]) == sorted(["AWSPREVIOUS", current_label(first, utc(START))])
        assert "AWSPENDING" not in stages[token] and "AWSCURRENT" in stages[token]


def test_new_values_keep_the_keys_not_rotated() -> None:
    with world() as w:
        w.sm.put_secret_value(
            SecretId=SECRET, SecretString=json.dumps({"webhook_secret": "a", "note": "kept"})
        )
        w.rotate()
        value = w.value()
        assert value["note"] == "kept" and value["webhook_secret"] not in {"a", "kept"}
        w.rotate(SIGNING_KEY)
        key = w.value(secret=SIGNING_KEY)
        assert set(key) == {"kid", "key"} and key["kid"] != "k0" and key["key"] != "a" * 43


def test_a_signing_key_is_sixteen_hex_then_32_random_bytes_unpadded() -> None:
    one, two = new_signing_key(), new_signing_key()
    assert set(one) == {"kid", "key"} and one != two
    assert len(one["kid"]) == 16 and int(one["kid"], 16) >= 0
    assert len(one["key"]) == 43 and "=" not in one["key"]
    assert len(base64.urlsafe_b64decode(one["key"] + "=")) == 32


def test_a_current_value_that_is_not_a_json_object_stops_the_rotation() -> None:
    with world() as w:
        w.sm.put_secret_value(SecretId=SECRET, SecretString="[1, 2]")
        token = by_hand(w)
        with pytest.raises(RotationError) as refused:
            w.engine.handle(SECRET, token, "createSecret")
        assert str(refused.value) == "the secret value is not a JSON object"


def test_a_binary_current_value_rotates_to_a_json_object() -> None:
    with world() as w:
        w.sm.put_secret_value(SecretId=SECRET, SecretBinary=b"\x00")
        token = by_hand(w)
        current = current_version(w)
        w.engine.handle(SECRET, token, "createSecret")
        pending = w.value("AWSPENDING")
        assert set(pending) == {"webhook_secret"} and len(pending["webhook_secret"]) == 48
        w.engine.handle(SECRET, token, "setSecret")
        assert w.provider.pushes == [(token, [f"current:{current}", f"pending:{token}"], "api-key")]


def test_the_signing_key_is_known_by_its_arn_too() -> None:
    with world() as w:
        w.engine.signing_key_secret = w.sm.describe_secret(SecretId=SIGNING_KEY)["ARN"]
        old = w.value(secret=SIGNING_KEY)["kid"]
        w.rotate(SIGNING_KEY)
        assert w.value(secret=SIGNING_KEY)["kid"] != old
        assert w.provider.writes == []


class CancelledAt:
    """Secrets Manager, where the operator cancels the rotation just before a given describe."""

    def __init__(self, sm: Any, describe: int) -> None:
        self.sm = sm
        self.describe = describe
        self.described = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sm, name)

    def describe_secret(self, **kwargs: Any) -> Any:
        self.described += 1
        if self.described == self.describe:
            metadata = self.sm.describe_secret(**kwargs)
            token = pending_version(metadata)
            assert token is not None
            self.sm.update_secret_version_stage(
                SecretId=metadata["ARN"], VersionStage="AWSPENDING", RemoveFromVersionId=token
            )
        return self.sm.describe_secret(**kwargs)


def test_a_rotation_cancelled_between_its_steps_is_not_pushed() -> None:
    # rotate_now describes the secret once to check, then once before each step: the operator
    # cancels after createSecret, so the version has no label left and is not listed.
    with world() as w:
        proxy = CancelledAt(w.sm, 3)
        w.engine.client_factory = lambda: proxy
        with pytest.raises(RotationError, match=r"^version \S+ of hookgate/demo has no stage"):
            w.engine.rotate_now(SECRET)
        assert w.provider.writes == []


def test_resume_of_a_rotation_cancelled_meanwhile_does_nothing() -> None:
    with world() as w:
        by_hand(w)
        proxy = CancelledAt(w.sm, 2)  # resume's own describe, then the one before createSecret
        w.engine.client_factory = lambda: proxy
        with pytest.raises(RotationError, match=r"^version \S+ of hookgate/demo has no stage"):
            w.engine.resume(SECRET)
        assert w.provider.writes == []
        assert not any("AWSPENDING" in labels for labels in w.stages().values())


def test_awspending_left_on_the_current_version_is_no_rotation_in_flight() -> None:
    # A rotation function that does not clear AWSPENDING in finishSecret leaves it there.
    with world() as w:
        arn = w.sm.describe_secret(SecretId=SECRET)["ARN"]
        w.sm.update_secret_version_stage(
            SecretId=SECRET, VersionStage="AWSPENDING", MoveToVersionId=current_version(w)
        )
        with pytest.raises(RotationError) as idle:
            w.engine.resume(arn)
        assert str(idle.value) == f"no rotation of {SECRET} is in flight"
        assert w.engine.cancel(SECRET) is None
        token = w.engine.rotate_now(arn)
        assert current_version(w) == token


def test_messages_name_the_secret_even_when_it_is_given_by_arn() -> None:
    with world() as w:
        arn = w.sm.describe_secret(SecretId=SECRET)["ARN"]
        token = by_hand(w)
        with pytest.raises(RotationInProgressError) as busy:
            w.engine.rotate_now(arn)
        assert str(busy.value).startswith(f"a rotation of {SECRET} did not finish (version {token}")


def test_handle_refuses_an_unknown_step_and_a_secret_without_rotation_in_words() -> None:
    with world() as w:
        token = current_version(w)
        with pytest.raises(RotationError) as unknown:
            w.engine.handle(SECRET, token, "dropSecret")
        assert str(unknown.value) == "unknown rotation step 'dropSecret'"
        arn = w.sm.create_secret(Name="hookgate/plain", SecretString="{}")["ARN"]
        with pytest.raises(RotationError) as disabled:
            w.engine.handle(arn, token, "createSecret")
        assert str(disabled.value) == "rotation is not enabled for hookgate/plain"
    assert pending_version({"Name": "no versions yet"}) is None


def test_a_provider_that_cannot_be_read_back_is_not_asked() -> None:
    with world() as w:
        token = by_hand(w)
        for step in ("createSecret", "setSecret"):
            w.engine.handle(SECRET, token, step)
        w.provider.hookgate_register = None  # type: ignore[assignment,method-assign]
        w.provider.has_webhook = False
        w.engine.handle(SECRET, token, "testSecret")
        assert w.provider.registers == []


def test_finish_secret_dates_every_staged_version_put_by_hand_by_its_creation() -> None:
    with world() as w:
        first = current_version(w)
        w.clock.sleep(100)
        second = w.hand_put("typed-by-hand")
        w.clock.sleep(100)
        token = by_hand(w)
        for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
            w.engine.handle(SECRET, token, step)
        stages = w.stages()
        assert ours(stages[first], CURRENT_LABEL) == [current_label(first, utc(START))]
        assert ours(stages[second], CURRENT_LABEL) == [current_label(second, utc(START + 100))]
        assert "AWSPREVIOUS" in stages[second] and "AWSCURRENT" in stages[token]


def test_finish_secret_leaves_versions_that_only_carry_someone_elses_label() -> None:
    with world() as w:
        first = current_version(w)
        w.hand_put("second")
        w.hand_put("third")  # the first version has lost AWSPREVIOUS: no label is left
        w.sm.update_secret_version_stage(
            SecretId=SECRET, VersionStage="ops-note", MoveToVersionId=first
        )
        w.rotate()
        assert w.stages()[first] == ["ops-note"]


class KeylessProvider:
    """A provider that takes a new secret without API credentials of its own."""

    def __init__(self) -> None:
        self.pushes: list[tuple[str, str | None, bool]] = []

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        """Describe the provider."""
        return ProviderInfo(
            name="keyless",
            title="Keyless",
            settings_model=Settings,
            secret_keys=("webhook_secret",),
            rotates=("webhook_secret",),
        )

    @hookimpl
    def hookgate_rotate_secret(
        self,
        registration: Registration,
        webhook_url: str,
        new_secret: SecretVersion,
        secrets: SecretVersions,
        api_credentials: SecretVersion | None,
    ) -> bool:
        """Take ``new_secret``."""
        self.pushes.append(
            (registration.name, new_secret.get("webhook_secret"), api_credentials is None)
        )
        return True


def test_a_provider_without_api_credentials_is_given_the_secret_with_none() -> None:
    with world() as w:
        keyless = KeylessProvider()
        host = load_plugins(use_entry_points=False, extra=[keyless])
        config = parse_config(
            "version: 1\nregistrations:\n"
            "  - {name: solo, provider: keyless, secret: hookgate/solo}\n",
            "hookgate.yaml",
            host,
        )
        engine = RotationEngine(
            host=host,
            config=config,
            client_factory=lambda: w.sm,
            webhook_base_url=BASE_URL,
            sleep=w.clock.sleep,
            clock=w.clock.wall,
        )
        arn = f"{FUNCTION_ARN}-solo"
        w.service.register_function(
            arn,
            lambda event: engine.handle(
                event["SecretId"], event["ClientRequestToken"], event["Step"]
            ),
        )
        w.sm.create_secret(Name="hookgate/solo", SecretString='{"webhook_secret": "old"}')
        w.sm.rotate_secret(
            SecretId="hookgate/solo",
            RotationLambdaARN=arn,
            RotationRules={"AutomaticallyAfterDays": 1},
        )
        new = w.value(secret="hookgate/solo")["webhook_secret"]
        assert new != "old" and keyless.pushes == [("solo", new, True)]
