"""Meta subscription sync: the Graph calls the client makes, the settings, the diff of fields."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import ValidationError

from hookgate.models import Registration, SecretStage
from hookgate.provider_http import ProviderAPIError
from hookgate_dev.testing.kit import secret_versions
from hookgate_meta_whatsapp.client import GraphSubscriptionsClient
from hookgate_meta_whatsapp.register import AppSubscription
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

APP = "1234"
URL = "https://hooks.example/webhooks/meta_whatsapp/meta"


def _client(answers: list[httpx.Response], seen: list[httpx.Request]) -> GraphSubscriptionsClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return GraphSubscriptionsClient(
        api_url="https://graph.example/v21.0/",
        app_id=APP,
        app_secret="app-secret-value",
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=lambda _: None,
    )


def test_the_app_token_travels_in_a_header_never_in_the_url() -> None:
    seen: list[httpx.Request] = []
    client = _client(
        [httpx.Response(200, json={"data": [{"object": "page"}, "junk"]}), httpx.Response(200)],
        seen,
    )
    assert client.subscriptions() == [{"object": "page"}]
    client.subscribe("whatsapp_business_account", URL, ["a", "b"], "vt")
    assert [r.headers["authorization"] for r in seen] == ["Bearer 1234|app-secret-value"] * 2
    assert [str(r.url) for r in seen] == ["https://graph.example/v21.0/1234/subscriptions"] * 2
    assert [r.method for r in seen] == ["GET", "POST"]
    assert parse_qs(seen[1].content.decode()) == {
        "object": ["whatsapp_business_account"],
        "callback_url": [URL],
        "fields": ["a,b"],
        "verify_token": ["vt"],
    }


def test_a_graph_error_body_gives_its_code_and_message() -> None:
    error = {
        "error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}
    }
    client = _client([httpx.Response(400, json=error)], [])
    with pytest.raises(ProviderAPIError) as failed:
        client.subscriptions()
    assert (failed.value.status, failed.value.code, failed.value.detail) == (
        400,
        "190",
        "Invalid OAuth access token",
    )
    assert "app-secret-value" not in str(failed.value)


def test_sync_subscription_needs_the_app_id() -> None:
    with pytest.raises(ValidationError, match="sync_subscription needs app_id"):
        MetaWhatsAppSettings(sync_subscription=True)
    assert MetaWhatsAppSettings(app_id=APP, sync_subscription=True).sync_subscription
    assert not MetaWhatsAppSettings().sync_subscription, "set by hand unless asked"


@pytest.mark.parametrize(
    ("listed", "events", "differs"),
    [
        ([{"name": "messages", "version": "v21.0"}], (), False),
        ([], (), True),
        ([{"name": "messages"}, "junk"], (), False),
        ([{"name": "messages"}], ("messages", "flows"), True),
        ([{"name": "flows"}, {"name": "messages"}], ("messages", "flows"), False),
    ],
)
def test_fields_are_compared_by_name(
    listed: list[object], events: tuple[str, ...], differs: bool
) -> None:
    registration = Registration(
        name="meta",
        provider="meta_whatsapp",
        secret_id="s",
        events=events,
        settings=MetaWhatsAppSettings(app_id=APP, sync_subscription=True),
    )
    secret = secret_versions((SecretStage.CURRENT, {"verify_token": "vt"})).versions[0]
    subscription = AppSubscription(_client([], []), registration, URL, secret)
    wanted = subscription.differences({"callback_url": URL, "fields": listed})
    assert wanted == ({"fields": sorted(events) or ["messages"]} if differs else {})
