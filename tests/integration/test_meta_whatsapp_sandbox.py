"""The Meta sandbox against a receiver answering with the plugin's handshake, over real HTTP.

Meta keeps a subscription only after the callback URL echoed ``hub.challenge`` for the verify
token; then it delivers bodies signed with ``X-Hub-Signature-256``, which the plugin verifies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hookgate.models import InboundRequest, Registration, SecretStage
from hookgate.plugins import load_plugins
from hookgate_dev.providers.hookgate_meta_whatsapp import sandbox
from hookgate_dev.providers.hookgate_meta_whatsapp.samples import TEST_SECRET
from hookgate_dev.sandbox.server import BackgroundServer
from hookgate_dev.testing.kit import secret_versions
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

pytestmark = pytest.mark.integration

PROVIDER = load_plugins().get("meta_whatsapp")
REGISTRATION = Registration(
    name="meta",
    provider="meta_whatsapp",
    secret_id="hookgate/meta",
    settings=MetaWhatsAppSettings(),
)
SECRETS = secret_versions((SecretStage.CURRENT, dict(TEST_SECRET)))


def _receiver(verdicts: list[bool]) -> Starlette:
    async def webhook(request: Request) -> Response:
        inbound = InboundRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.query_params),
            body=await request.body(),
            received_at=datetime.now(UTC),
        )
        if request.method == "GET":
            answer = PROVIDER.handshake(inbound, REGISTRATION, SECRETS)
            assert answer is not None
            return PlainTextResponse(answer.body, answer.status_code)
        verdict = PROVIDER.verify(inbound, REGISTRATION, SECRETS, inbound.received_at)
        verdicts.append(verdict.ok)
        return PlainTextResponse("ok" if verdict.ok else "no", 200 if verdict.ok else 401)

    return Starlette(
        routes=[Route("/webhooks/meta_whatsapp/meta", webhook, methods=["GET", "POST"])]
    )


@pytest.fixture
def servers() -> Iterator[tuple[str, str, list[bool]]]:
    verdicts: list[bool] = []
    meta = sandbox.build_sandbox(key_id="unused", key_secret="unused")
    with BackgroundServer(_receiver(verdicts)) as receiver, BackgroundServer(meta.app) as graph:
        yield graph.url, f"{receiver.url}/webhooks/meta_whatsapp/meta", verdicts


def test_a_wrong_verify_token_keeps_no_subscription(servers: tuple[str, str, list[bool]]) -> None:
    graph, callback, _ = servers
    with pytest.raises(httpx.HTTPStatusError) as refused:
        sandbox.subscribe(graph, callback, {**TEST_SECRET, "verify_token": "wrong"}, {}, {})
    assert refused.value.response.json()["error"]["code"] == 2200
    listed = httpx.get(
        f"{graph}/{sandbox.APP_ID}/subscriptions",
        params={"access_token": f"{sandbox.APP_ID}|{TEST_SECRET['app_secret']}"},
    )
    assert listed.json() == {"data": []}


def test_a_verified_subscription_receives_deliveries_the_plugin_accepts(
    servers: tuple[str, str, list[bool]],
) -> None:
    graph, callback, verdicts = servers
    sandbox.subscribe(graph, callback, TEST_SECRET, {}, {})
    state = httpx.get(f"{graph}/_sandbox/state").json()
    assert state["subscriptions"] == [
        {"object": "whatsapp_business_account", "callback_url": callback}
    ]
    assert state["verifications"] == [{"url": callback, "status": 200, "ok": True}]
    answer = httpx.post(
        f"{graph}/_sandbox/deliver", json={"sample": "statuses", "count": 2, "unique": True}
    )
    assert [d["delivered"] for d in answer.json()["deliveries"]] == [True, True]
    assert verdicts == [True, True]
    # Another app secret in the access token is refused: the app keeps the secret it has.
    other = httpx.get(
        f"{graph}/{sandbox.APP_ID}/subscriptions",
        params={"access_token": f"{sandbox.APP_ID}|other"},
    )
    assert other.status_code == 400
