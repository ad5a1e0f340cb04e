"""The inspector over HTTP on the running stack: every provider's sample, replays, no secret shown.

Each registration gets its sample from the page's "Send sample" (as ``hookgate send`` builds
it); then every answer the inspector gives (page, lists, each request opened, the secrets view,
the live stream) is searched for every secret value the stack holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from hookgate_dev.local.inspector import CSRF_HEADER
from hookgate_dev.local.inspector_redact import MASK
from hookgate_dev.local.stack import LocalStack
from tests.e2e.conftest import ROOT, wait_until


@pytest.fixture
def inspected(secret_values: set[str]) -> Iterator[LocalStack]:
    with LocalStack(ROOT, ROOT / "hookgate.yaml", inspect=True) as stack:
        yield stack
        secret_values.update(stack.secret_values())


def _stream_until(client: httpx.Client, url: str, last_seq: int) -> str:
    """Read the live stream until it has sent change ``last_seq`` and a secrets view."""
    seen: list[str] = []
    with client.stream("GET", url, timeout=30) as stream:
        for line in stream.iter_lines():
            seen.append(line)
            text = "\n".join(seen)
            if f"id: {last_seq}" in text and "event: secrets" in text and line == "":
                break
    return "\n".join(seen)


def test_every_sample_shown_and_replayed_without_a_secret(inspected: LocalStack) -> None:
    stack = inspected
    assert stack.inspector is not None
    base, token = stack.inspector.url, stack.inspector.csrf_token
    client = httpx.Client(timeout=30)
    answers: list[str] = []

    def get(path: str) -> Any:
        response = client.get(base + path)
        assert response.status_code == 200, (path, response.text)
        answers.append(response.text)
        return response.json() if path.startswith("api/") else response.text

    def post(path: str, document: dict[str, Any] | None = None) -> Any:
        response = client.post(base + path, json=document or {}, headers={CSRF_HEADER: token})
        answers.append(response.text)
        assert response.is_success, (path, response.text)
        return response.json()

    get("")
    overview = get("api/overview")
    sent: dict[str, int] = {}
    for registration in overview["registrations"]:
        result = post("api/send", {"registration": registration["name"]})
        assert result["status"] == 200, (registration["name"], result)
        sent[registration["name"]] = result["request"]
    assert len(sent) == 8

    def on_bus() -> bool:
        stack.events()
        return all(
            event["on_bus"] is not None
            for request in sent.values()
            for event in get(f"api/requests/{request}")["events"]
        )

    wait_until(on_bus, "every sample's events on the bus", bound=20)
    details = {name: get(f"api/requests/{request}") for name, request in sent.items()}
    _check_verdicts_and_events(details)
    _check_headers_masked(details)

    # A replay, byte for byte: a duplicate (or a replay refusal) and nothing new on the bus.
    replay = post(f"api/requests/{sent['360dialog-demo']}/replay")
    assert replay["status"] == 200
    again = get(f"api/requests/{replay['request']}")
    assert again["summary"]["result"] == "duplicate"
    assert again["summary"]["replay_of"] == sent["360dialog-demo"]
    assert (again["events"], again["verdict"]["duplicates"]) == ([], 1)
    refusal = post(f"api/requests/{sent['sinch-demo']}/replay")
    refused = get(f"api/requests/{refusal['request']}")
    assert (refused["summary"]["status"], refused["verdict"]["reason"]) == (401, "replayed nonce")
    assert "replayed nonce" not in refused["answer"]["text"]  # the provider never sees it

    _check_pasted_secret_masked(stack, get)
    snapshot = get("api/secrets")
    assert {e["registration"] for e in snapshot["registrations"]} == set(sent)
    last_seq = max(e.seq for e in stack.inspector.log.changed_since(0))
    answers.append(_stream_until(client, base + "api/stream", last_seq))

    values = stack.secret_values()
    assert len(values) >= 10
    seen: dict[tuple[str, str], frozenset[str]] = {}  # what the inspector's guard keeps
    assert stack.secret_values(seen) == values
    assert len(seen) >= 8
    assert stack.secret_values(seen) == values  # read from ``seen`` this time
    leaked = [name for name, value in _named(values) if any(value in text for text in answers)]
    assert leaked == []


def _check_pasted_secret_masked(stack: LocalStack, get: Callable[[str], Any]) -> None:
    """A secret pasted into a body (a request by hand, refused) is masked all the same."""
    assert stack.inspector is not None
    pasted = sorted(stack.secret_values())[0]
    by_hand = httpx.post(f"{stack.webhook_base_url}/hmac/hmac-demo", json={"note": pasted})
    assert by_hand.status_code == 401
    [recorded] = [e for e in stack.inspector.log.changed_since(0) if pasted.encode() in e.body]
    shown = get(f"api/requests/{recorded.id}")
    # Compared first, so that a failure never prints the value.
    masked = shown["body"]["text"] == '{"note":"' + MASK + '"}'
    masked_json = shown["body"]["json"] == {"note": MASK}
    assert masked and masked_json, "a secret value pasted into a body is shown"


def _check_verdicts_and_events(details: dict[str, Any]) -> None:
    """Each sample was accepted with the current secret; its events are shown as on the bus."""
    for name, detail in details.items():
        summary = detail["summary"]
        assert (summary["registration"], summary["result"]) == (name, "accepted"), detail
        assert summary["origin"].startswith("sample ") and summary["origin"].endswith("inspector")
        assert detail["verdict"]["stage"] == "current"
        assert detail["events"], name
        for event in detail["events"]:
            landed = event["on_bus"]["detail"]
            assert landed["event_id"] == event["event_id"]
            assert landed["dedupe_key"] == event["dedupe_key"]
            assert landed["verified_with"] == "current"


def _check_headers_masked(details: dict[str, Any]) -> None:
    """The header that carries each provider's secret (or signature) is masked."""
    headers = {name: {h["name"]: h for h in detail["headers"]} for name, detail in details.items()}
    # Where the header value is the secret itself, and where it is a signature over the body.
    for name, header in [
        ("360dialog-demo", "x-hookgate-token"),
        ("insider-demo", "authorization"),
        ("insider-v2-demo", "authorization"),
        ("sinch-demo", "x-sinch-webhook-signature"),
        ("sinch-provisioning-demo", "x-sinch-webhook-signature"),
        ("meta-demo", "x-hub-signature-256"),
        ("standard-webhooks-demo", "webhook-signature"),
        ("hmac-demo", "x-hub-signature-256"),
    ]:
        masked = headers[name][header] == {"name": header, "value": MASK, "redacted": True}
        assert masked, f"{name}: {header} is shown (its value is not printed here)"
    assert headers["sinch-demo"]["content-type"]["value"] == "application/json"


def _named(values: set[str]) -> list[tuple[str, str]]:
    # Never print a secret: a leak is reported by its position in the sorted list.
    return [(f"secret #{i}", value) for i, value in enumerate(sorted(values))]


def test_cross_site_posts_and_rebound_names_are_refused(inspected: LocalStack) -> None:
    assert inspected.inspector is not None
    base = inspected.inspector.url
    rotations = len(inspected.rotations.runs)
    for headers in (
        {},
        {"origin": "http://evil.example", CSRF_HEADER: inspected.inspector.csrf_token},
        {"host": "rebound.example", CSRF_HEADER: inspected.inspector.csrf_token},
    ):
        answer = httpx.post(
            base + "api/rotate", json={"registration": "sinch-demo"}, headers=headers
        )
        assert answer.status_code == 403, (headers.keys(), answer.text)
    assert httpx.get(base, headers={"host": "rebound.example"}).status_code == 403
    assert len(inspected.rotations.runs) == rotations  # nothing was started


def test_drift_check_and_refused_actions(inspected: LocalStack) -> None:
    assert inspected.inspector is not None
    base, token = inspected.inspector.url, {CSRF_HEADER: inspected.inspector.csrf_token}

    def post(path: str, registration: str) -> httpx.Response:
        return httpx.post(base + path, json={"registration": registration}, headers=token)

    drift = post("api/drift", "sinch-demo")
    assert drift.status_code == 200, drift.text
    assert (drift.json()["changes"], drift.json()["error"]) == ([], None)
    assert "= unchanged" in drift.json()["plan"]
    shown = httpx.get(base + "api/secrets").json()["registrations"]
    assert next(e for e in shown if e["registration"] == "sinch-demo")["drift"] == drift.json()
    # A Standard Webhooks sender's secret is set by hand: no rotation here, and the page says why.
    refused = post("api/rotate", "standard-webhooks-demo")
    assert refused.status_code == 409
    assert "set by hand" in refused.json()["error"]
    assert post("api/send", "no-such-registration").status_code == 400
    assert httpx.post(base + "api/requests/999/replay", headers=token).status_code == 404
