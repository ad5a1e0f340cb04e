"""The receiver's GET on a webhook URL: the provider's handshake (Meta's hub.challenge), or 405.

Through the receiver Lambda on moto: the HTTP answer (status, content type, body), the
pipeline's outcome (its fields feed the metrics and the log line) and the log line itself.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hookgate.apigw import build_event
from hookgate.config import load_config
from hookgate.models import HandshakeResponse, InboundRequest, ProviderInfo, Registration
from hookgate.plugin import hookimpl
from hookgate.plugins import load_plugins
from hookgate.receive import Outcome
from hookgate.runtime import get_receiver
from hookgate_dev.providers.hookgate_meta_whatsapp.samples import TEST_SECRET as META_SECRET
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

from .conftest import Account, LambdaContext, write_config

TOKEN = META_SECRET["verify_token"]
GOOD = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}


@pytest.fixture
def account(sinch_account: Account, tmp_path: Path) -> Account:
    """The Sinch account plus a Meta registration whose secret exists and one whose does not."""
    sinch_account.secretsmanager.create_secret(
        Name="hookgate/meta", SecretString=json.dumps(dict(META_SECRET))
    )
    write_config(
        tmp_path,
        [
            {
                "name": "sinch-demo",
                "provider": "sinch_conversation",
                "secret": "hookgate/sinch-demo",
                "settings": {"project_id": "p-1", "app_id": "01EB37HMH1M6SV18BSNS3G135H"},
            },
            {"name": "meta", "provider": "meta_whatsapp", "secret": "hookgate/meta"},
            {"name": "meta-unset", "provider": "meta_whatsapp", "secret": "hookgate/meta-unset"},
        ],
    )
    return sinch_account


def get_event(provider: str, registration: str, query: dict[str, str]) -> dict[str, Any]:
    return build_event(
        method="GET",
        path=f"/webhooks/{provider}/{registration}",
        route_key="GET /webhooks/{provider}/{registration}",
        path_parameters={"provider": provider, "registration": registration},
        headers={},
        body=b"",
        query=query,
    )


def inbound(registration: str, query: dict[str, str]) -> InboundRequest:
    return InboundRequest(
        method="GET",
        path=f"/webhooks/meta_whatsapp/{registration}",
        headers={},
        query=query,
        body=b"",
        received_at=datetime.now(UTC),
        source_ip="127.0.0.1",
    )


def test_a_matching_token_gets_the_challenge_back_as_plain_text(
    account: Account, receiver_app: ModuleType
) -> None:
    response = receiver_app.lambda_handler(
        get_event("meta_whatsapp", "meta", GOOD), LambdaContext()
    )
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/plain"
    assert response["body"] == "1158201444"
    assert account.drain() == []

    outcome = get_receiver().handshake(inbound("meta", GOOD), "meta_whatsapp", "meta")
    assert outcome == Outcome(
        status=200,
        outcome="handshake",
        provider="meta_whatsapp",
        registration="meta",
        text="1158201444",
        content_type="text/plain",
    )


def test_a_wrong_token_is_refused_with_the_providers_answer_and_logged(
    account: Account, receiver_app: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    query = {**GOOD, "hub.verify_token": TOKEN + "x"}
    with caplog.at_level(logging.INFO):
        response = receiver_app.lambda_handler(
            get_event("meta_whatsapp", "meta", query), LambdaContext()
        )
    assert (response["statusCode"], response["body"]) == (403, "forbidden")
    assert response["headers"]["content-type"] == "text/plain"
    [line] = [r for r in caplog.records if r.getMessage() == "webhook handshake"]
    assert line.levelno == logging.WARNING
    assert (line.status, line.provider, line.registration) == (403, "meta_whatsapp", "meta")  # type: ignore[attr-defined]
    assert TOKEN not in caplog.text

    outcome = get_receiver().handshake(inbound("meta", query), "meta_whatsapp", "meta")
    assert outcome == Outcome(
        status=403,
        outcome="handshake",
        provider="meta_whatsapp",
        registration="meta",
        text="forbidden",
        content_type="text/plain",
    )


def test_a_provider_without_a_handshake_answers_405_use_post(
    account: Account, receiver_app: ModuleType
) -> None:
    response = receiver_app.lambda_handler(
        get_event("sinch_conversation", "sinch-demo", GOOD), LambdaContext()
    )
    assert response["statusCode"] == 405
    assert response["headers"]["content-type"] == "application/json"
    assert json.loads(response["body"]) == {"message": "use POST"}

    outcome = get_receiver().handshake(
        inbound("sinch-demo", GOOD), "sinch_conversation", "sinch-demo"
    )
    assert outcome == Outcome(
        status=405,
        outcome="method_not_allowed",
        provider="sinch_conversation",
        registration="sinch-demo",
        body={"message": "use POST"},
    )


@pytest.mark.parametrize(
    ("provider", "registration"),
    [
        ("meta_whatsapp", "nobody"),
        ("nobody", "meta"),
        ("sinch_conversation", "meta"),
        ("meta_whatsapp", "sinch-demo"),
    ],
)
def test_an_unknown_or_mismatched_webhook_is_404_before_any_handshake(
    account: Account,
    receiver_app: ModuleType,
    caplog: pytest.LogCaptureFixture,
    provider: str,
    registration: str,
) -> None:
    response = receiver_app.lambda_handler(get_event(provider, registration, GOOD), LambdaContext())
    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == {"message": "no such webhook"}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hookgate.receive"):
        outcome = get_receiver().handshake(inbound(registration, GOOD), provider, registration)
    assert outcome == Outcome(status=404, outcome="not_found", body={"message": "no such webhook"})
    (line,) = [r for r in caplog.records if r.name == "hookgate.receive"]
    assert line.levelname == "INFO"
    if "nobody" in (provider, registration):
        assert line.getMessage() == "unknown webhook path"
        assert "nobody" in line.reason  # type: ignore[attr-defined]
    else:
        assert line.getMessage() == "registration belongs to another provider"
        assert (line.registration, line.provider) == (registration, provider)  # type: ignore[attr-defined]


def test_an_unreadable_secret_is_503_and_echoes_nothing(
    account: Account, receiver_app: ModuleType
) -> None:
    response = receiver_app.lambda_handler(
        get_event("meta_whatsapp", "meta-unset", GOOD), LambdaContext()
    )
    assert response["statusCode"] == 503
    assert json.loads(response["body"]) == {"message": "temporarily unavailable"}
    assert "1158201444" not in response["body"]

    outcome = get_receiver().handshake(inbound("meta-unset", GOOD), "meta_whatsapp", "meta-unset")
    assert outcome == Outcome(
        status=503,
        outcome="secret_unavailable",
        provider="meta_whatsapp",
        registration="meta-unset",
        body={"message": "temporarily unavailable"},
    )


def test_the_previous_token_still_works_within_the_grace_after_a_change(
    account: Account, receiver_app: ModuleType
) -> None:
    account.secretsmanager.put_secret_value(
        SecretId="hookgate/meta",
        SecretString=json.dumps({**META_SECRET, "verify_token": "new-token"}),
    )
    for token in ("new-token", TOKEN):
        query = {**GOOD, "hub.verify_token": token}
        response = receiver_app.lambda_handler(
            get_event("meta_whatsapp", "meta", query), LambdaContext()
        )
        assert (response["statusCode"], response["body"]) == (200, "1158201444")


class RegistrationEcho:
    """A stand-in ``meta_whatsapp`` plugin whose handshake answers with what it was given."""

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        return ProviderInfo(
            name="meta_whatsapp",
            title="echo",
            settings_model=MetaWhatsAppSettings,
            supports_handshake=True,
        )

    @hookimpl
    def hookgate_handshake(self, registration: Registration) -> HandshakeResponse:
        return HandshakeResponse(
            status_code=200, body=f"{registration.name}:{registration.secret_id}"
        )


def test_the_plugin_is_handed_the_registration_the_url_names(account: Account) -> None:
    receiver = get_receiver()
    receiver.host = load_plugins(use_entry_points=False, extra=[RegistrationEcho()])
    outcome = receiver.handshake(inbound("meta", GOOD), "meta_whatsapp", "meta")
    assert (outcome.status, outcome.text) == (200, "meta:hookgate/meta")


def test_a_registration_whose_plugin_did_not_load_is_503_with_the_reason_logged(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = get_receiver()
    receiver.host = load_plugins(block=["meta_whatsapp"])
    receiver.config = load_config(os.environ["HOOKGATE_CONFIG"], receiver.host)
    (reason,) = {u.reason for u in receiver.config.unavailable.values()}
    assert reason
    with caplog.at_level(logging.INFO):
        outcome = receiver.handshake(inbound("meta", GOOD), "meta_whatsapp", "meta")
    assert outcome == Outcome(
        status=503,
        outcome="registration_unavailable",
        provider="meta_whatsapp",
        registration="meta",
        reason=reason,
        body={"message": "temporarily unavailable"},
    )
    (line,) = [r for r in caplog.records if r.getMessage() == "registration unavailable"]
    assert line.levelname == "ERROR"
    assert (line.provider, line.registration, line.reason) == ("meta_whatsapp", "meta", reason)  # type: ignore[attr-defined]

    other = receiver.handshake(inbound("meta", GOOD), "sinch_conversation", "meta")
    assert (other.status, other.outcome) == (404, "not_found")
    served = receiver.handshake(inbound("sinch-demo", GOOD), "sinch_conversation", "sinch-demo")
    assert (served.status, served.outcome) == (405, "method_not_allowed")
