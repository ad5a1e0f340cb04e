"""Meta subscription sync against the Meta sandbox, with a receiver answering the handshake.

The sandbox keeps a subscription only after its verification request reached the callback URL
and the receiver echoed the challenge for the registration's verify token, as Meta does; every
test reads the sandbox's state afterwards rather than trusting the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hookgate.errors import ConfigError
from hookgate.models import InboundRequest, Registration, SecretStage, SecretVersions
from hookgate.plugins import load_plugins
from hookgate.provider_http import ProviderAPIError
from hookgate.sync_models import PlannedChange
from hookgate_dev.providers.hookgate_meta_whatsapp import sandbox
from hookgate_dev.providers.hookgate_meta_whatsapp.samples import TEST_SECRET
from hookgate_dev.sandbox.server import BackgroundServer
from hookgate_dev.testing.kit import secret_versions
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

pytestmark = pytest.mark.integration

PROVIDER = load_plugins().get("meta_whatsapp")
SECRETS = secret_versions((SecretStage.CURRENT, dict(TEST_SECRET)))
PATH = "/webhooks/meta_whatsapp/meta"


@dataclass
class World:
    graph: str
    receiver: str
    in_force: list[SecretVersions]

    @property
    def callback(self) -> str:
        return f"{self.receiver}{PATH}"

    def registration(self, *, events: tuple[str, ...] = (), sync: bool = True) -> Registration:
        settings = MetaWhatsAppSettings(
            app_id=sandbox.APP_ID, sync_subscription=sync, graph_api_url=self.graph
        )
        return Registration(
            name="meta",
            provider="meta_whatsapp",
            secret_id="hookgate/meta",
            events=events,
            settings=settings,
        )

    def state(self) -> dict[str, list[dict[str, object]]]:
        state: dict[str, list[dict[str, object]]] = httpx.get(f"{self.graph}/_sandbox/state").json()
        return state

    def listed(self) -> list[dict[str, object]]:
        answer = httpx.get(
            f"{self.graph}/{sandbox.APP_ID}/subscriptions",
            params={"access_token": f"{sandbox.APP_ID}|{TEST_SECRET['app_secret']}"},
        )
        data: list[dict[str, object]] = answer.json()["data"]
        return data


def _receiver(in_force: list[SecretVersions]) -> Starlette:
    """Answer the handshake with the versions ``in_force[0]`` holds (a test may swap them)."""

    async def handshake(request: Request) -> Response:
        inbound = InboundRequest(
            method="GET",
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.query_params),
            body=b"",
            received_at=datetime.now(UTC),
        )
        registration = Registration(
            name="meta", provider="meta_whatsapp", secret_id="s", settings=MetaWhatsAppSettings()
        )
        answer = PROVIDER.handshake(inbound, registration, in_force[0])
        assert answer is not None
        return PlainTextResponse(answer.body, answer.status_code)

    async def anyone(request: Request) -> Response:  # someone else's endpoint: echoes any token
        return PlainTextResponse(request.query_params.get("hub.challenge", ""))

    return Starlette(routes=[Route(PATH, handshake, methods=["GET"]), Route("/elsewhere", anyone)])


@pytest.fixture
def world() -> Iterator[World]:
    meta = sandbox.build_sandbox(key_id="unused", key_secret="unused")
    in_force = [SECRETS]
    with BackgroundServer(_receiver(in_force)) as receiver, BackgroundServer(meta.app) as graph:
        yield World(graph.url, receiver.url, in_force)


def _sync(
    world: World, registration: Registration, *, apply: bool, secrets: SecretVersions = SECRETS
) -> list[PlannedChange]:
    return PROVIDER.register(registration, world.callback, secrets, None, apply)


def test_apply_subscribes_the_app_after_meta_verified_the_callback(world: World) -> None:
    registration = world.registration()
    [planned] = _sync(world, registration, apply=False)
    assert (planned.action, planned.remote_id, planned.applied) == (
        "create",
        "whatsapp_business_account",
        False,
    )
    assert world.listed() == [], "a plan writes nothing"
    [made] = _sync(world, registration, apply=True)
    assert (made.action, made.applied) == ("create", True)
    assert world.state()["verifications"] == [{"url": world.callback, "status": 200, "ok": True}]
    [subscription] = world.listed()
    assert subscription["callback_url"] == world.callback
    assert [f["name"] for f in subscription["fields"]] == ["messages"]  # type: ignore[attr-defined]
    [again] = _sync(world, registration, apply=True)
    assert (again.action, again.reason, again.applied) == ("unchanged", "matches", False)
    assert len(world.state()["verifications"]) == 1, "nothing was posted again"


def test_declared_events_become_the_subscribed_fields(world: World) -> None:
    _sync(world, world.registration(), apply=True)
    wanted = world.registration(events=("messages", "message_template_status_update"))
    [planned] = _sync(world, wanted, apply=False)
    assert (planned.action, planned.changed_fields) == ("update", ("fields",))
    [made] = _sync(world, wanted, apply=True)
    assert made.applied
    [subscription] = world.listed()
    names = sorted(f["name"] for f in subscription["fields"])  # type: ignore[attr-defined]
    assert names == ["message_template_status_update", "messages"]
    assert _sync(world, wanted, apply=False)[0].action == "unchanged"


def test_a_subscription_for_another_callback_is_never_taken_over(world: World) -> None:
    elsewhere = f"{world.receiver}/elsewhere"
    sandbox.subscribe(world.graph, elsewhere, TEST_SECRET, {}, {})
    with pytest.raises(ConfigError, match="delivers to another callback URL") as refused:
        _sync(world, world.registration(), apply=True)
    assert "'meta'" in str(refused.value)
    assert [s["callback_url"] for s in world.listed()] == [elsewhere]


def test_a_wrong_verify_token_is_meta_s_error_and_keeps_nothing(world: World) -> None:
    wrong = secret_versions((SecretStage.CURRENT, {**TEST_SECRET, "verify_token": "not-ours"}))
    with pytest.raises(ProviderAPIError) as failed:
        _sync(world, world.registration(), apply=True, secrets=wrong)
    assert (failed.value.status, failed.value.code) == (400, "2200")
    assert "not-ours" not in str(failed.value) and TEST_SECRET["app_secret"] not in str(
        failed.value
    )
    assert world.listed() == []
    assert world.state()["verifications"] == [{"url": world.callback, "status": 403, "ok": False}]


def test_another_app_secret_is_refused_by_graph(world: World) -> None:
    _sync(world, world.registration(), apply=True)  # the app "is created" with TEST_SECRET
    other = secret_versions((SecretStage.CURRENT, {**TEST_SECRET, "app_secret": "other-secret"}))
    with pytest.raises(ProviderAPIError) as refused:
        _sync(world, world.registration(), apply=False, secrets=other)
    assert (refused.value.status, refused.value.code) == (400, "190")
    assert "other-secret" not in str(refused.value)


def test_without_sync_subscription_the_subscription_is_unmanaged_and_meta_is_not_called(
    world: World,
) -> None:
    [change] = _sync(world, world.registration(sync=False), apply=True)
    assert (change.action, change.applied) == ("unmanaged", False)
    assert "sync_subscription is false" in change.reason
    assert world.state()["verifications"] == [] and world.listed() == []


def test_a_secret_without_a_verify_token_refuses_a_create_in_the_plan(world: World) -> None:
    bare = secret_versions((SecretStage.CURRENT, {"app_secret": TEST_SECRET["app_secret"]}))
    with pytest.raises(ConfigError, match="'meta': its secret has no verify_token"):
        _sync(world, world.registration(), apply=False, secrets=bare)
    assert world.listed() == []
    assert world.state()["verifications"] == []


NEW_TOKEN = "rotated-verify-token-0001"


def _pending() -> SecretVersions:
    return secret_versions((SecretStage.PENDING, {**TEST_SECRET, "verify_token": NEW_TOKEN}))


def _rotate(world: World, registration: Registration) -> bool:
    [pending] = _pending().versions
    return PROVIDER.rotate_secret(registration, world.callback, pending, SECRETS)


def test_meta_rotates_only_the_verify_token() -> None:
    assert PROVIDER.info.rotates == ("verify_token",)


def test_rotation_posts_the_new_verify_token_and_meta_verifies_it(world: World) -> None:
    _sync(world, world.registration(), apply=True)
    world.in_force[0] = _pending()  # the receiver knows only the new token: the old cannot pass
    assert _rotate(world, world.registration()) is True
    assert world.state()["verifications"][-1] == {"url": world.callback, "status": 200, "ok": True}
    assert len(world.state()["verifications"]) == 2
    [subscription] = world.listed()
    assert subscription["callback_url"] == world.callback


def test_a_token_the_receiver_does_not_accept_yet_fails_the_step_and_keeps_the_old(
    world: World,
) -> None:
    _sync(world, world.registration(), apply=True)  # the receiver knows only the old token
    with pytest.raises(ProviderAPIError) as refused:
        _rotate(world, world.registration())
    assert (refused.value.status, refused.value.code) == (400, "2200")
    assert NEW_TOKEN not in str(refused.value)
    assert world.state()["verifications"][-1]["ok"] is False
    assert [s["callback_url"] for s in world.listed()] == [world.callback]
    world.in_force[0] = SECRETS
    [still] = _sync(world, world.registration(), apply=False)
    assert still.action == "unchanged"


def test_a_verify_token_set_by_hand_cannot_rotate_and_meta_is_not_called(world: World) -> None:
    with pytest.raises(ConfigError, match="'meta': the verify token is set by hand"):
        _rotate(world, world.registration(sync=False))
    assert world.state()["verifications"] == [] and world.listed() == []


def test_without_a_subscription_of_hookgate_s_nothing_is_posted(world: World) -> None:
    elsewhere = f"{world.receiver}/elsewhere"
    sandbox.subscribe(world.graph, elsewhere, TEST_SECRET, {}, {})
    before = len(world.state()["verifications"])
    assert _rotate(world, world.registration()) is False
    assert len(world.state()["verifications"]) == before
    assert [s["callback_url"] for s in world.listed()] == [elsewhere]
