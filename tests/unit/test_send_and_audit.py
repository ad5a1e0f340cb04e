"""``hookgate send``'s request building and the audit's split of sandbox and hand-sent requests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from hookgate.config import HookgateConfig, load_config
from hookgate.errors import HookgateError
from hookgate.models import InboundRequest, SecretStage, SecretVersion, SecretVersions
from hookgate.plugins import PluginHost, get_plugin_host
from hookgate_dev.local.audit import audit, sent_by_hand
from hookgate_dev.local.front import FrontRequest
from hookgate_dev.providers.hookgate_insider_one.samples import SAMPLE_PAYLOADS
from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET
from hookgate_dev.sandbox.core import Attempt, Delivery
from hookgate_dev.send import build_request, token_url_for

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
URL = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/insider_one/insider-v2-demo"
BODY = SAMPLE_PAYLOADS["accepted"]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return get_plugin_host()


@pytest.fixture(scope="module")
def config(host: PluginHost) -> HookgateConfig:
    return load_config(ROOT / "hookgate.yaml", host)


def test_the_token_url_sits_beside_the_webhooks() -> None:
    assert token_url_for(URL) == "https://abc.execute-api.eu-west-1.amazonaws.com/oauth2/token"
    assert token_url_for("http://127.0.0.1:9/stage/webhooks/a/b") == (
        "http://127.0.0.1:9/stage/oauth2/token"
    )
    with pytest.raises(HookgateError, match="give --token-url"):
        token_url_for("https://example.test/hooks/a/b")


def test_an_oauth2_registration_gets_a_token_with_its_client_credentials(
    host: PluginHost, config: HookgateConfig
) -> None:
    asked: list[tuple[str, str, str]] = []

    def fetch(url: str, client_id: str, client_secret: str) -> str:
        asked.append((url, client_id, client_secret))
        return "token-1"

    registration = config.get("insider-v2-demo")
    secret = {"client_id": "insider-v2-demo", "client_secret": "s3"}
    built = build_request(host, registration, secret, BODY, URL, now=NOW, fetch_token=fetch)
    assert asked == [(token_url_for(URL), "insider-v2-demo", "s3")]
    assert dict(built.headers) == {
        "content-type": "application/json",
        "authorization": "Bearer token-1",
    }
    assert "s3" not in repr(built)


def test_a_signed_request_verifies_with_the_plugins_verifier(
    host: PluginHost, config: HookgateConfig
) -> None:
    registration = config.get("sinch-demo")
    body = b'{"app_id":"x"}'
    built = build_request(
        host, registration, TEST_SECRET, body, URL, now=NOW, fetch_token=_no_token
    )
    values = {k: SecretStr(v) for k, v in TEST_SECRET.items()}
    versions = SecretVersions(
        secret_id="s",
        versions=(SecretVersion(stage=SecretStage.CURRENT, version_id="v", values=values),),
    )
    request = InboundRequest(
        method="POST", path="/webhooks/x/y", headers=dict(built.headers), body=body, received_at=NOW
    )
    verdict = host.get("sinch_conversation").verify(request, registration, versions, NOW)
    assert verdict.ok, verdict.reason
    flipped = InboundRequest(
        method="POST",
        path="/webhooks/x/y",
        headers=dict(built.headers),
        body=body.replace(b"x", b"y"),
        received_at=NOW,
    )
    assert not host.get("sinch_conversation").verify(flipped, registration, versions, NOW).ok


def _no_token(url: str, client_id: str, client_secret: str) -> str:
    raise AssertionError("no token for a registration without oauth2")


def test_a_secret_without_the_providers_keys_names_the_keys_not_the_values(
    host: PluginHost, config: HookgateConfig
) -> None:
    registration = config.get("insider-demo")
    with pytest.raises(HookgateError, match=r"has: other\)$") as raised:
        build_request(
            host, registration, {"other": "v4lue"}, BODY, URL, now=NOW, fetch_token=_no_token
        )
    assert "v4lue" not in str(raised.value)


PATH = "/webhooks/insider_one/insider-demo"


def _delivery(body: bytes, *statuses: int | None) -> Delivery:
    delivery = Delivery(webhook_id="w", target=f"http://127.0.0.1:1{PATH}", sample="s")
    delivery.body = body.decode()
    delivery.attempts = [Attempt(status=status) for status in statuses]
    delivery.delivered = statuses[-1] == 200
    return delivery


def test_every_attempt_that_reached_the_front_is_the_sandboxs_and_the_rest_are_by_hand() -> None:
    retried = _delivery(BODY, 503, None, 200)  # the middle attempt never reached the front
    received = [FrontRequest("POST", PATH, BODY, 503), FrontRequest("POST", PATH, BODY, 200)]
    assert sent_by_hand(received, [retried]) == []
    third = FrontRequest("POST", PATH, BODY, 200)
    assert sent_by_hand([*received, third], [retried]) == [third]
    token = FrontRequest("POST", "/oauth2/token", b"grant_type=client_credentials", 200)
    assert sent_by_hand([token, FrontRequest("GET", PATH, b"", 200)], []) == []


def test_hand_sent_events_are_the_users_and_refusals_do_not_fail_the_audit(
    host: PluginHost, config: HookgateConfig
) -> None:
    request = InboundRequest(method="POST", path=PATH, headers={}, body=BODY, received_at=NOW)
    events = host.get("insider_one").parse(request, config.get("insider-demo"))
    bus = [{"detail": {"event_id": e.event_id, "verified_with": "current"}} for e in events]
    received = [FrontRequest("POST", PATH, BODY, 200), FrontRequest("POST", PATH, b"{}", 401)]
    report = audit([], bus, config, host, received)
    assert report.clean and report.unexpected == []
    assert (report.sent_by_hand, report.refused_by_hand, report.by_hand_events) == (2, 1, 1)
    assert report.summary().endswith("sent by hand: 2 (refused 1), their events on the bus 1")
    assert audit([], bus, config, host).unexpected == [events[0].event_id]
