"""The sync engine (hookgate.webhook_sync) over an in-memory provider: ownership, limits, pages.

The fake below is a provider's webhook API kept in a dict; every test reads the provider's state
afterwards, so a change the plan claims but did not make (or made without claiming) fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, SecretStr

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretStage, SecretVersion, SecretVersions
from hookgate.provider_http import ProviderAPIError, ProviderClient
from hookgate.sync_models import ApplyInterruptedError
from hookgate.webhook_sync import (
    ProviderWebhooks,
    WebhookPage,
    WebhookSync,
    all_pages,
    push,
    reconcile,
)

URL = "https://hooks.example/webhooks/acme/demo"
ELSEWHERE = "https://other.example/hook"


class FakeWebhooks(ProviderWebhooks[None]):
    """A provider that lists ``page_size`` webhooks per page and keeps them in ``hooks``."""

    provider = "acme"
    title = "Acme"
    scope = "app 1"

    def __init__(self, hooks: list[dict[str, Any]], *, limit: int | None = 3, page_size: int = 2):
        self.registration = "demo"
        self.webhook_url = URL
        self.limit = limit
        self.hooks = {str(h["id"]): dict(h) for h in hooks}
        self.page_size = page_size
        self.pages_read: list[str | None] = []
        self.want = ["A", "B"]
        self.fail_on: str | None = None
        self.next_id = 100

    def page(self, token: str | None) -> WebhookPage:
        self.pages_read.append(token)
        start = int(token or 0)
        rows = list(self.hooks.values())[start : start + self.page_size]
        more = start + self.page_size < len(self.hooks)
        return WebhookPage(rows, str(start + self.page_size) if more else None)

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        return {} if webhook.get("triggers") == self.want else {"triggers": self.want}

    def _maybe_fail(self, what: str) -> None:
        if self.fail_on == what:
            raise ProviderAPIError("acme", what, 500, None, "boom")

    def create(self) -> str | None:
        self._maybe_fail("create")
        self.next_id += 1
        self.hooks[str(self.next_id)] = {"id": self.next_id, "target": URL, "triggers": self.want}
        return str(self.next_id)

    def update(self, webhook: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        self._maybe_fail("update")
        self.hooks[str(webhook["id"])].update(fields)

    def delete(self, webhook: Mapping[str, Any]) -> None:
        self._maybe_fail("delete")
        del self.hooks[str(webhook["id"])]


def _hook(ident: int, target: str = URL, triggers: list[str] | None = None) -> dict[str, Any]:
    return {"id": ident, "target": target, "triggers": triggers or ["A", "B"]}


def test_plan_creates_when_nothing_targets_the_url_and_apply_makes_it() -> None:
    api = FakeWebhooks([_hook(1, ELSEWHERE)])
    [planned] = reconcile(api, apply=False)
    assert (planned.action, planned.remote_id, planned.applied) == ("create", None, False)
    assert planned.reason == "no webhook targets this URL"
    assert (planned.registration, planned.provider, planned.target) == ("demo", "acme", URL)
    assert len(api.hooks) == 1, "a plan writes nothing"
    [made] = reconcile(api, apply=True)
    assert (made.action, made.remote_id, made.applied) == ("create", "101", True)
    assert api.hooks["1"] == _hook(1, ELSEWHERE), "the foreign webhook is untouched"


def test_kept_webhook_is_updated_duplicates_deleted_foreign_ones_untouched() -> None:
    foreign = _hook(1, ELSEWHERE, ["X"])
    api = FakeWebhooks([foreign, _hook(2, triggers=["A"]), _hook(3)], limit=5)
    changes = reconcile(api, apply=True)
    assert [(c.action, c.remote_id, c.changed_fields, c.applied) for c in changes] == [
        ("update", "2", ("triggers",), True),
        ("delete", "3", (), True),
    ]
    assert [c.reason for c in changes] == [
        "differs from hookgate.yaml",
        "a second webhook targets this URL",
    ]
    assert api.hooks == {"1": foreign, "2": _hook(2)}
    [again] = reconcile(api, apply=False)
    assert (again.action, again.remote_id, again.reason) == ("unchanged", "2", "matches")


def test_without_duplicate_removal_only_the_first_owned_webhook_is_hookgates() -> None:
    api = FakeWebhooks([_hook(1), _hook(2, triggers=["Z"])])
    api.removes_duplicates = False
    assert [c.action for c in reconcile(api, apply=True)] == ["unchanged"]
    assert api.hooks["2"]["triggers"] == ["Z"], "the second one is left alone"
    api.secret_fields = lambda: {"secret": "s2"}  # type: ignore[method-assign]
    assert push(api)
    assert "secret" in api.hooks["1"] and "secret" not in api.hooks["2"]


def test_every_page_is_read_before_deciding() -> None:
    # Ours is on the third page: a create planned from the first page would be a duplicate.
    api = FakeWebhooks([_hook(1, ELSEWHERE), _hook(2, ELSEWHERE), _hook(3)], limit=None)
    assert [c.action for c in reconcile(api, apply=False)] == ["unchanged"]
    assert api.pages_read == [None, "2"]


@pytest.mark.parametrize(("existing", "refused"), [(2, False), (3, True)])
def test_the_limit_is_checked_before_a_create(existing: int, refused: bool) -> None:
    api = FakeWebhooks([_hook(i, f"{ELSEWHERE}/{i}") for i in range(existing)])
    if refused:
        with pytest.raises(
            ConfigError, match=r"'demo': app 1 already has 3 webhooks \(Acme allows 3\)"
        ):
            reconcile(api, apply=True)
        assert len(api.hooks) == existing
    else:
        assert reconcile(api, apply=True)[0].applied


def test_the_limit_does_not_stop_an_update_of_an_owned_webhook() -> None:
    api = FakeWebhooks([_hook(1, ELSEWHERE), _hook(2, ELSEWHERE), _hook(3, triggers=["A"])])
    assert [c.action for c in reconcile(api, apply=True)] == ["update"]


def test_a_refusal_stops_the_create_and_names_the_registration() -> None:
    api = FakeWebhooks([])
    api.refusal = lambda existing: "no webhook_secret to set"  # type: ignore[method-assign]
    with pytest.raises(ConfigError, match=r"^registration 'demo': no webhook_secret to set$"):
        reconcile(api, apply=True)
    assert api.hooks == {}


def test_a_note_is_added_to_every_reason_and_a_planned_id_is_kept() -> None:
    api = FakeWebhooks([])
    api.note = lambda action: f"note for {action}"  # type: ignore[method-assign]
    api.planned_id = lambda: "the-one"  # type: ignore[method-assign]
    api.create = lambda: None  # type: ignore[method-assign]
    [planned] = reconcile(api, apply=False)
    assert (planned.remote_id, planned.reason) == (
        "the-one",
        "no webhook targets this URL; note for create",
    )
    assert reconcile(api, apply=True)[0].remote_id == "the-one"


def test_a_failure_after_a_write_reports_what_was_already_made() -> None:
    api = FakeWebhooks([_hook(1, triggers=["A"]), _hook(2)])
    api.fail_on = "delete"
    with pytest.raises(ApplyInterruptedError, match="boom") as info:
        reconcile(api, apply=True)
    assert [(c.action, c.applied) for c in info.value.applied] == [("update", True)]


def test_a_failure_before_any_write_is_the_provider_error_itself() -> None:
    api = FakeWebhooks([_hook(1, triggers=["A"])])
    api.fail_on = "update"
    with pytest.raises(ProviderAPIError, match="boom"):
        reconcile(api, apply=True)


def test_push_sets_the_secret_fields_on_every_owned_webhook_only() -> None:
    api = FakeWebhooks([_hook(1, ELSEWHERE), _hook(2), _hook(3)], limit=None)
    api.secret_fields = lambda: {"secret": "s2"}  # type: ignore[method-assign]
    assert push(api)
    assert [h.get("secret") for h in api.hooks.values()] == [None, "s2", "s2"]


def test_push_is_false_without_a_secret_or_without_an_owned_webhook() -> None:
    api = FakeWebhooks([_hook(1)])
    api.secret_fields = lambda: None  # type: ignore[method-assign]
    assert not push(api)
    assert api.pages_read == [], "nothing to give: no call at all"
    foreign = FakeWebhooks([_hook(1, ELSEWHERE)])
    assert not push(foreign)
    assert "secret" not in foreign.hooks["1"]


def test_paging_stops_at_the_loop_guard() -> None:
    tokens: list[str | None] = []

    def endless(token: str | None) -> WebhookPage:
        tokens.append(token)
        return WebhookPage([{"id": len(tokens)}], "more")

    assert len(all_pages(endless)) == 100
    assert tokens[:2] == [None, "more"]


def test_a_webhook_listed_without_an_id_has_no_remote_id() -> None:
    api = FakeWebhooks([])
    api.hooks = {"x": {"target": URL, "triggers": ["A", "B"]}}
    [kept] = reconcile(api, apply=False)
    assert (kept.action, kept.remote_id) == ("unchanged", None)


class _Client(ProviderClient):
    provider = "acme"


class _Sync:
    """Records the clients WebhookSync makes and the secret version each factory call gets."""

    def __init__(self) -> None:
        self.made: list[_Client] = []
        self.secrets: list[SecretVersion | None] = []

    def client_for(self, registration: Registration, credentials: SecretVersion | None) -> _Client:
        self.made.append(_Client(http=httpx.Client(transport=httpx.MockTransport(_no_call))))
        return self.made[-1]

    def webhooks(
        self, client: _Client, registration: Registration, url: str, secret: SecretVersion | None
    ) -> ProviderWebhooks[Any]:
        self.secrets.append(secret)
        api = FakeWebhooks([_hook(1, triggers=["A"])])
        api.secret_fields = lambda: None if secret is None else {"secret": secret.get("k")}  # type: ignore[method-assign]
        return api


def _no_call(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the fake provider makes no HTTP call")


class _Settings(BaseModel):
    pass


REGISTRATION = Registration(name="demo", provider="acme", secret_id="s", settings=_Settings())


def _version(value: str) -> SecretVersion:
    return SecretVersion(stage=SecretStage.CURRENT, version_id="v1", values={"k": SecretStr(value)})


def test_webhook_sync_makes_and_closes_a_client_and_writes_the_first_version() -> None:
    sync = _Sync()
    hooks = WebhookSync(sync.client_for, sync.webhooks)
    versions = SecretVersions(secret_id="s", versions=(_version("one"),))
    [change] = hooks.reconcile(REGISTRATION, URL, versions, None, True)
    assert (change.action, change.applied) == ("update", True)
    assert [s.get("k") if s else None for s in sync.secrets] == ["one"]
    assert len(sync.made) == 1 and sync.made[0]._http.is_closed
    empty = SecretVersions(secret_id="s", versions=())
    assert hooks.reconcile(REGISTRATION, URL, empty, None, False)[0].action == "update"
    assert sync.secrets[-1] is None, "no version: the factory is told so"
    assert hooks.push_secret(REGISTRATION, URL, _version("two"), None)
    assert sync.secrets[-1] is not None and sync.secrets[-1].get("k") == "two"


def test_webhook_sync_uses_a_given_client_and_leaves_it_open() -> None:
    sync = _Sync()
    hooks = WebhookSync(sync.client_for, sync.webhooks)
    given = _Client(http=httpx.Client(transport=httpx.MockTransport(_no_call)))
    versions = SecretVersions(secret_id="s", versions=(_version("one"),))
    hooks.reconcile(REGISTRATION, URL, versions, None, False, client=given)
    hooks.push_secret(REGISTRATION, URL, _version("two"), None, client=given)
    assert sync.made == [], "no client made when one is given"
    assert not given._http.is_closed
