"""The inspector's parts that need no stack: redaction, who may call it, the record, the views."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from hookgate.secret_lifecycle import current_label, pushed_label
from hookgate_dev.local.aws_rotation import RotationRun, StepAttempt
from hookgate_dev.local.inspector import CSRF_HEADER, SECURITY_HEADERS, Inspector, _Split
from hookgate_dev.local.inspector_log import Exchange, ExchangeLog, webhook_route
from hookgate_dev.local.inspector_redact import (
    MASK,
    PROVIDER_HEADERS,
    SecretGuard,
    listed_headers,
    redact_pairs,
    secret_bearing,
)
from hookgate_dev.local.inspector_secrets import rotation_timeline, versions_in_force

# -- redaction ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "x-sinch-webhook-signature",
        "X-Hub-Signature-256",
        "webhook-signature",
        "x-hookgate-token",
        "x-api-key",
        "Cookie",
        "x-shopify-hmac-sha256",
        "hub.verify_token",
    ],
)
def test_generic_names_are_secret_bearing(name: str) -> None:
    assert secret_bearing(name)


@pytest.mark.parametrize(
    "name", ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "host"]
)
def test_other_names_are_shown(name: str) -> None:
    assert not secret_bearing(name)


def test_a_header_the_registration_names_is_masked_whatever_it_is_called() -> None:
    listed = listed_headers("360dialog", {"auth_header": "X-Custom-Auth", "channel": "phone"})
    assert listed == {"x-360dialog-signature", "x-custom-auth"}
    rows = redact_pairs([("X-Custom-Auth", "the-value"), ("x-custom-authx", "shown")], listed)
    assert rows == [
        {"name": "X-Custom-Auth", "value": MASK, "redacted": True},
        {"name": "x-custom-authx", "value": "shown", "redacted": False},
    ]


def test_every_built_in_provider_has_a_list() -> None:
    assert set(PROVIDER_HEADERS) == {
        "sinch_conversation",
        "sinch_provisioning",
        "360dialog",
        "insider_one",
        "meta_whatsapp",
        "standard_webhooks",
        "hmac",
    }
    assert listed_headers("unknown", {}) == set()


def test_the_guard_masks_known_values_anywhere_and_ignores_short_ones() -> None:
    guard = SecretGuard(["s3cr3t-value", "short", "s3cr3t-value-longer"])
    data = {"a": ["x s3cr3t-value-longer y", {"s3cr3t-value": 1}], "b": "short", "n": 3}
    assert guard.clean(data) == {"a": [f"x {MASK} y", {MASK: 1}], "b": "short", "n": 3}
    guard.update([])
    assert guard.clean("s3cr3t-value") == "s3cr3t-value"
    assert SecretGuard(["12345678"]).clean("a12345678b") == f"a{MASK}b"
    assert SecretGuard(["1234567"]).clean("a1234567b") == "a1234567b"


# -- who may call it ---------------------------------------------------------------------------


def _scope(
    method: str = "GET", client: str = "127.0.0.1", host: str = "127.0.0.1:8000", **headers: str
) -> dict[str, Any]:
    pairs = [("host", host), *((k.replace("_", "-"), v) for k, v in headers.items())]
    return {
        "type": "http",
        "method": method,
        "client": (client, 40000),
        "server": ("127.0.0.1", 8000),
        "headers": [(k.encode(), v.encode()) for k, v in pairs],
    }


@pytest.fixture
def inspector() -> Inspector:
    stack = SimpleNamespace(
        secret_values=lambda seen, client: set(), account=SimpleNamespace(client=lambda _: None)
    )
    return Inspector(stack)  # type: ignore[arg-type]


def _allowed(inspector: Inspector, scope: dict[str, Any]) -> bool:
    try:
        inspector._check(scope)
    except Exception:
        return False
    return True


def test_reads_from_loopback_through_the_fronts_own_name(inspector: Inspector) -> None:
    assert _allowed(inspector, _scope())
    assert _allowed(inspector, _scope(host="localhost:8000"))
    assert _allowed(inspector, _scope(client="::1", host="[::1]:8000"))
    assert not _allowed(inspector, _scope(client="192.168.1.5"))
    assert not _allowed(inspector, _scope(host="127.0.0.1:8001"))
    assert not _allowed(inspector, _scope(host="rebound.example:8000"))
    assert not _allowed(inspector, {**_scope(), "client": None})


def test_a_post_needs_the_token_and_the_same_origin(inspector: Inspector) -> None:
    token = inspector.csrf_token
    good = {CSRF_HEADER.replace("-", "_"): token}
    assert _allowed(inspector, _scope("POST", **good))
    assert _allowed(inspector, _scope("POST", origin="http://127.0.0.1:8000", **good))
    assert _allowed(inspector, _scope("POST", sec_fetch_site="same-origin", **good))
    assert not _allowed(inspector, _scope("POST"))
    assert not _allowed(inspector, _scope("POST", **{CSRF_HEADER.replace("-", "_"): token[:-1]}))
    assert not _allowed(inspector, _scope("POST", **{CSRF_HEADER.replace("-", "_"): token + "x"}))
    assert not _allowed(inspector, _scope("POST", origin="http://evil.example", **good))
    assert not _allowed(inspector, _scope("POST", origin="http://127.0.0.1:8001", **good))
    assert not _allowed(inspector, _scope("POST", sec_fetch_site="cross-site", **good))
    assert not _allowed(inspector, _scope("POST", sec_fetch_site="same-site", **good))
    assert Inspector(SimpleNamespace()).csrf_token != token  # type: ignore[arg-type]


def _call(inspector: Inspector, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def fetch(front: Any) -> httpx.Response:
        app = _Split(inspector._guarded(inspector._app()), front)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            return await c.request(method, path, **kwargs)

    async def front(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return asyncio.run(fetch(front))


def test_the_page_carries_its_token_and_a_strict_policy(inspector: Inspector) -> None:
    page = _call(inspector, "GET", "/_hookgate/")
    assert page.status_code == 200
    assert f'content="{inspector.csrf_token}"' in page.text
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the policy would block it
    assert _call(inspector, "GET", "/_hookgate/static/inspector.js").status_code == 200
    assert _call(inspector, "GET", "/_hookgate/static/index.html").status_code == 404
    assert _call(inspector, "GET", "/_hookgate/static/..%2fstack.py").status_code == 404
    assert _call(inspector, "GET", "/webhooks/x/y").status_code == 204  # the front's


def test_a_refused_post_is_a_403_with_the_reason(inspector: Inspector) -> None:
    refused = _call(inspector, "POST", "/_hookgate/api/send", content=b"{}")
    assert refused.status_code == 403
    assert "X-Hookgate-CSRF" in refused.text
    assert refused.headers["x-frame-options"] == "DENY"
    bad_json = _call(
        inspector,
        "POST",
        "/_hookgate/api/send",
        content=b"not json",
        headers={CSRF_HEADER: inspector.csrf_token},
    )
    assert bad_json.status_code == 400
    assert "registration" in bad_json.json()["error"]


# -- the record --------------------------------------------------------------------------------


def _exchange(path: str = "/webhooks/p/r", body: bytes = b"{}") -> Exchange:
    return Exchange(
        id=0,
        at=datetime.now(UTC),
        method="POST",
        path=path,
        query="",
        provider="p",
        registration="r",
        headers=[],
        body=body,
    )


def test_webhook_routes() -> None:
    assert webhook_route("/webhooks/sinch_conversation/sinch-demo") == (
        "sinch_conversation",
        "sinch-demo",
    )
    for other in ("/oauth2/token", "/webhooks/x", "/webhooks/x/y/z", "/webhooks//y", "/a/b/c"):
        assert webhook_route(other) is None


def test_labels_name_the_matching_exchange_once_and_changes_are_ordered() -> None:
    log = ExchangeLog(limit=2)
    label = log.expect("/webhooks/p/r", b"{}", "replay of #1", 1)
    other = log.add(_exchange(body=b"[]"))
    taken = log.add(_exchange())
    again = log.add(_exchange())
    assert (other.origin, taken.origin, again.origin) == ("", "replay of #1", "")
    assert (taken.replay_of, label.taken) == (1, taken.id)
    assert [e.id for e in log.changed_since(0)] == [taken.id, again.id]  # the limit: 2
    assert log.get(other.id) is None
    assert log.changed_since(again.seq) == []
    forgotten = log.expect("/webhooks/p/r", b"{}", "sample")
    log.forget(forgotten)
    assert log.add(_exchange()).origin == ""


def test_a_bus_event_marks_its_request_changed() -> None:
    log = ExchangeLog()
    exchange = log.add(_exchange())
    exchange.outcome = SimpleNamespace(events=[SimpleNamespace(event_id="e1")])  # type: ignore[assignment]
    log._producer["e1"] = exchange.id
    seq = exchange.seq
    log.saw_on_bus([{"detail": {"event_id": "e1"}}, {"detail": {}}, {"detail": "x"}])
    assert exchange.seq > seq
    assert log.on_bus("e1") == {"detail": {"event_id": "e1"}}
    assert log.on_bus("e2") is None


# -- secrets and rotations ---------------------------------------------------------------------


def test_versions_in_force_say_when_a_replaced_one_stops() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    old, new, pending = now - timedelta(hours=2), now - timedelta(minutes=10), now
    listing = [
        {"VersionId": "v1", "VersionStages": ["AWSPREVIOUS"], "CreatedDate": old},
        {
            "VersionId": "v2",
            "VersionStages": ["AWSCURRENT", current_label("v2", new)],
            "CreatedDate": new,
        },
        {"VersionId": "v3", "VersionStages": ["AWSPENDING"], "CreatedDate": pending},
    ]
    rows = versions_in_force(listing, now, grace_seconds=3600)
    assert [(r["stage"], r["version_id"]) for r in rows] == [
        ("current", "v2"),
        ("pending", "v3"),
        ("previous", "v1"),
    ]
    assert rows[2]["accepted_until"] == (new + timedelta(seconds=3600)).isoformat()
    assert rows[0]["accepted_until"] is None
    # One second past the grace, the replaced version is no longer in force.
    later = new + timedelta(seconds=3601)
    assert [r["version_id"] for r in versions_in_force(listing, later, 3600)] == ["v2", "v3"]
    # Given out, and nothing became current after: in force until one does.
    pushed = [
        {"VersionId": "v1", "VersionStages": ["AWSCURRENT"], "CreatedDate": old},
        {"VersionId": "v9", "VersionStages": [pushed_label("v9", new)], "CreatedDate": new},
    ]
    held = versions_in_force(pushed, now, 60)[1]
    assert (held["version_id"], held["accepted_until"]) == ("v9", None)
    assert held["until"].startswith("until a later version")


def _run(steps: Sequence[tuple[str, str | None]], *, over: bool, finished: bool) -> RotationRun:
    run = RotationRun(secret="hookgate/x", token="tok")
    run.attempts = [StepAttempt("hookgate/x", "tok", step, error) for step, error in steps]
    run.finished = finished
    if over:
        run.done.set()
    return run


def _statuses(run: RotationRun) -> list[str]:
    [entry] = rotation_timeline([run], "hookgate/x", {})
    return [f"{s['step']}:{s['status']}" for s in entry["steps"]]


def test_rotation_steps_as_they_go() -> None:
    under_way = _run([("createSecret", None), ("setSecret", None)], over=False, finished=False)
    assert _statuses(under_way) == [
        "createSecret:done",
        "setSecret:running",
        "testSecret:not reached",
        "finishSecret:not reached",
    ]
    retrying = _run([("createSecret", None), ("setSecret", "boom")], over=False, finished=False)
    assert _statuses(retrying)[1] == "setSecret:running"
    failed = _run(
        [("createSecret", None), *[("setSecret", "HTTPError: 500")] * 3], over=True, finished=False
    )
    [entry] = rotation_timeline([failed], "hookgate/x", {})
    assert entry["state"] == "failed"
    assert entry["steps"][1] == {
        "step": "setSecret",
        "status": "failed",
        "attempts": 3,
        "error": "HTTPError: 500",
    }
    steps = [(s, None) for s in ("createSecret", "setSecret", "testSecret", "finishSecret")]
    done = _run(steps, over=True, finished=True)
    assert all(s.endswith(":done") for s in _statuses(done))
    test_only = _run([("testSecret", None)], over=True, finished=True)
    seen = {"tok": datetime(2026, 1, 1, tzinfo=UTC)}
    [entry] = rotation_timeline([test_only], "arn:aws:secretsmanager:r:1:secret:hookgate/x", seen)
    assert (entry["kind"], len(entry["steps"]), entry["started"]) == ("configuration test", 1, None)
    assert (
        rotation_timeline([done], "hookgate/x", seen)[0]["started"] == "2026-01-01T00:00:00+00:00"
    )
    assert rotation_timeline([done], "hookgate/y", {}) == []
