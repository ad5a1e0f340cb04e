"""Insider One: V1 bearer key checks, V2 refused until OAuth2, the tracking key on every event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from hookgate.apigw import build_event, request_from_event
from hookgate.errors import MalformedPayloadError
from hookgate.models import (
    InboundRequest,
    Registration,
    SecretStage,
    SecretVersion,
    SecretVersions,
    Verdict,
)
from hookgate_insider_one import plugin
from hookgate_insider_one.samples import EXPECTED_TYPES, KEY, SAMPLE_PAYLOADS, TEST_SECRET
from hookgate_insider_one.settings import InsiderOneSettings

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def registration(auth: str = "v1") -> Registration:
    return Registration(
        name="insider-demo",
        provider="insider_one",
        secret_id="s",
        settings=InsiderOneSettings.model_validate({"auth": auth}),
    )


def request(
    body: bytes = b"{}", headers: dict[str, str] | None = None, **named: str
) -> InboundRequest:
    event = build_event(
        method="POST",
        path="/webhooks/insider_one/insider-demo",
        route_key="POST /webhooks/{provider}/{registration}",
        path_parameters={},
        headers={**(headers or {}), **named},
        body=body,
    )
    return request_from_event(event, now=NOW)


def secrets(*keys: tuple[SecretStage, str]) -> SecretVersions:
    return SecretVersions(
        secret_id="s",
        versions=tuple(
            SecretVersion(stage=stage, version_id=stage.value, values={"api_key": SecretStr(value)})
            for stage, value in keys
        ),
    )


def verify(**kwargs: object) -> Verdict:
    return plugin.hookgate_verify(now=NOW, tokens=None, **kwargs)  # type: ignore[arg-type]


CURRENT = secrets((SecretStage.CURRENT, TEST_SECRET["api_key"]))


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Authorization": f"Bearer {TEST_SECRET['api_key']}"}, "verified"),
        ({"authorization": f"bearer {TEST_SECRET['api_key']}"}, "verified"),
        ({"authorization": "Bearer wrong-key"}, "bearer token mismatch"),
        ({"authorization": f"Basic {TEST_SECRET['api_key']}"}, "missing bearer token"),
        ({"authorization": "Bearer "}, "missing bearer token"),
        ({}, "missing bearer token"),
    ],
)
def test_v1_bearer_key(headers: dict[str, str], reason: str) -> None:
    verdict = verify(request=request(headers=headers), registration=registration(), secrets=CURRENT)
    assert verdict.reason == reason and verdict.ok == (reason == "verified")


def test_v1_rotation_and_fail_closed() -> None:
    rotating = secrets((SecretStage.CURRENT, "new-key"), (SecretStage.PENDING, "pending-key"))
    verdict = verify(
        request=request(authorization="Bearer pending-key"),
        registration=registration(),
        secrets=rotating,
    )
    assert verdict.ok and verdict.stage is SecretStage.PENDING
    empty = SecretVersions(secret_id="s")
    verdict = verify(
        request=request(authorization="Bearer x"), registration=registration(), secrets=empty
    )
    assert (verdict.ok, verdict.reason) == (False, "no secret configured")


def test_v2_without_a_token_signing_key_fails_closed() -> None:
    verdict = verify(
        request=request(authorization=f"Bearer {TEST_SECRET['api_key']}"),
        registration=registration("v2"),
        secrets=CURRENT,
    )
    assert (verdict.ok, verdict.reason) == (False, "oauth2 not configured")


@pytest.mark.parametrize("name", sorted(SAMPLE_PAYLOADS))
def test_golden_samples_keep_the_tracking_key(name: str) -> None:
    events = plugin.hookgate_parse(
        request=request(SAMPLE_PAYLOADS[name]), registration=registration()
    )
    assert tuple(e.type for e in events) == EXPECTED_TYPES[name]
    expected_key = "" if name == "user_initiated_reply_empty_key" else KEY
    assert all(e.data["key"] == expected_key for e in events)
    assert len({e.dedupe_key for e in events}) == len(events)


def test_empty_validation_probe_yields_no_event_and_errors_carry_codes() -> None:
    assert plugin.hookgate_parse(request=request(b""), registration=registration()) == []
    (failed,) = plugin.hookgate_parse(
        request=request(SAMPLE_PAYLOADS["cloud_api_error"]), registration=registration()
    )
    assert (
        failed.error is not None
        and failed.error.code == "130429"
        and failed.error.title == "OAuthException"
    )
    with pytest.raises(MalformedPayloadError):
        plugin.hookgate_parse(request=request(b"[1]"), registration=registration())
