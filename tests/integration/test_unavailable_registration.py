"""One registration that cannot serve (its plugin disabled or broken) affects only itself.

The receiver and token handlers run on moto with five registrations, one per provider plus
Insider One V2 (OAuth2), and the 360dialog plugin kept from loading. Before, the whole config
was refused and every provider got 503; now only 360dialog's requests do (with the reason
logged and counted as ``registration_unavailable``), and everything else is served as usual.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from hookgate import runtime
from hookgate.apigw import build_event, webhook_event
from hookgate.runtime import get_sync_engine
from hookgate.sync import render
from hookgate_dev.local.emulator import LocalAccount
from hookgate_dev.providers.hookgate_360dialog import samples as dialog
from hookgate_dev.providers.hookgate_insider_one import samples as insider
from hookgate_dev.providers.hookgate_sinch_conversation import samples as sinch
from hookgate_dev.providers.hookgate_sinch_provisioning import samples as provisioning

from .conftest import LambdaContext, front_on_emulator, load_function
from .test_receiver_metrics import emf_records, views

pytestmark = pytest.mark.integration

REGISTRATIONS: list[dict[str, Any]] = [
    {
        "name": "sinch-demo",
        "provider": "sinch_conversation",
        "secret": "hookgate/sinch-demo",
        "settings": {"project_id": "p-1", "app_id": "01EB37HMH1M6SV18BSNS3G135H"},
    },
    {
        "name": "sinch-provisioning-demo",
        "provider": "sinch_provisioning",
        "secret": "hookgate/sinch-provisioning-demo",
        "settings": {"project_id": provisioning.PROJECT_ID},
    },
    {
        "name": "360dialog-demo",
        "provider": "360dialog",
        "secret": "hookgate/360dialog-demo",
        "settings": {"auth_header": "x-hookgate-token"},
    },
    {
        "name": "insider-demo",
        "provider": "insider_one",
        "secret": "hookgate/insider-demo",
        "settings": {"auth": "v1"},
    },
    {
        "name": "insider-v2",
        "provider": "insider_one",
        "secret": "hookgate/insider-v2",
        "settings": {"auth": "v2"},
        "oauth2": {"expires_in": 600, "grants": ["client_credentials"]},
    },
]
SECRETS: Mapping[str, Mapping[str, str]] = {
    "hookgate/sinch-demo": sinch.TEST_SECRET,
    "hookgate/sinch-provisioning-demo": provisioning.TEST_SECRET,
    "hookgate/insider-demo": insider.TEST_SECRET,
}
REASON = "provider: plugin '360dialog' is disabled (HOOKGATE_DISABLE_PLUGINS or HOOKGATE_PLUGINS)"
SAMPLES = {
    ("sinch_conversation", "sinch-demo"): (sinch, "delivery_report"),
    ("sinch_provisioning", "sinch-provisioning-demo"): (provisioning, "whatsapp_template_approved"),
    ("insider_one", "insider-demo"): (insider, "status_delivered"),
}


def _known_secrets(account: LocalAccount) -> None:
    sm = account.client("secretsmanager")
    for secret_id, values in SECRETS.items():
        sm.put_secret_value(SecretId=secret_id, SecretString=json.dumps(dict(values)))
        account.secret_values[secret_id] = dict(values)


@pytest.fixture(scope="module")
def handlers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalAccount, ModuleType, ModuleType]]:
    config_path = tmp_path_factory.mktemp("unavailable") / "hookgate.yaml"
    config_path.write_text(yaml.safe_dump({"version": 1, "registrations": REGISTRATIONS}))
    os.environ["HOOKGATE_DISABLE_PLUGINS"] = "360dialog"  # before the plugin host loads
    try:
        with front_on_emulator(config_path, None, _known_secrets) as (account, _):
            yield account, load_function("receiver"), load_function("token")
    finally:
        os.environ.pop("HOOKGATE_DISABLE_PLUGINS", None)
        runtime.reset()


def deliver(
    receiver: ModuleType, provider: str, registration: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    event = webhook_event(
        provider, registration, body, {**headers, "content-type": "application/json"}
    )
    answer: dict[str, Any] = receiver.lambda_handler(event, LambdaContext())
    return answer


def test_only_the_unavailable_registration_is_refused_and_it_is_503(
    handlers: tuple[LocalAccount, ModuleType, ModuleType],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account, receiver, token = handlers
    account.drain_events()
    now = datetime.now(UTC)
    for (provider, registration), (samples, name) in SAMPLES.items():
        body = samples.SAMPLE_PAYLOADS[name]
        answer = deliver(
            receiver,
            provider,
            registration,
            body,
            samples.signed_headers(body, samples.TEST_SECRET, now),
        )
        assert answer["statusCode"] == 200, (registration, answer)

    # Insider One V2 still gets tokens, and its webhooks with them are accepted.
    form = urlencode(
        {"grant_type": "client_credentials", **account.secret_values["hookgate/insider-v2"]}
    )
    event = build_event(
        method="POST",
        path="/oauth2/token",
        route_key="POST /oauth2/token",
        path_parameters={},
        headers={"content-type": "application/x-www-form-urlencoded"},
        body=form.encode(),
    )
    issued = token.lambda_handler(event, LambdaContext())
    assert issued["statusCode"] == 200, issued
    bearer = {"authorization": f"Bearer {json.loads(issued['body'])['access_token']}"}
    body = insider.SAMPLE_PAYLOADS["status_read"]
    assert deliver(receiver, "insider_one", "insider-v2", body, bearer)["statusCode"] == 200
    assert len(account.drain_events(wait_seconds=1)) >= len(SAMPLES)

    # The 360dialog registration: 503 (the provider retries), its reason logged and counted.
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    capsys.readouterr()
    caplog.set_level(logging.ERROR)
    body = dialog.SAMPLE_PAYLOADS["status_delivered"]
    answer = deliver(
        receiver,
        "360dialog",
        "360dialog-demo",
        body,
        dialog.signed_headers(body, dialog.TEST_SECRET, now),
    )
    assert (answer["statusCode"], json.loads(answer["body"])) == (
        503,
        {"message": "temporarily unavailable"},
    )
    logged = [r for r in caplog.records if r.getMessage() == "registration unavailable"]
    assert [getattr(r, "reason", None) for r in logged] == [REASON]
    (record,) = emf_records(capsys.readouterr().out)
    assert views(record, "Webhooks") == [{"service": "hookgate", "result": "failed"}]
    assert record["outcome"] == "registration_unavailable"
    assert account.drain_events() == []
    # A path that was never declared is still 404, not 503.
    assert deliver(receiver, "360dialog", "nosuch", body, {})["statusCode"] == 404
    assert deliver(receiver, "sinch_conversation", "360dialog-demo", body, {})["statusCode"] == 404


def test_sync_reports_the_unavailable_registration_and_serves_the_others(
    handlers: tuple[LocalAccount, ModuleType, ModuleType],
) -> None:
    report = get_sync_engine().run("https://hooks.example/webhooks", apply=False)
    assert report.unavailable == {"360dialog-demo": REASON}
    assert {r.registration for r in report.results} == {r["name"] for r in REGISTRATIONS} - {
        "360dialog-demo"
    }
    assert not report.errors
    assert "360dialog-demo\n  ! unavailable: provider: plugin '360dialog'" in render(report)
    assert render(report).endswith(", 1 unavailable.")
    assert report.to_json()["unavailable"] == report.unavailable
    assert report.exit_code() == 1
