"""One emulated account per module: the receiver and token handlers with five registrations.

Registrations: Sinch Conversation, Sinch Provisioning, 360dialog and Insider One V1 with the
plugins' published test secrets (so tests can sign genuine requests), and Insider One V2 with
OAuth2 and generated client credentials. The handlers are called in process with API Gateway
v2 events; the same account also serves the local front for schemathesis.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from hookgate_dev.local.emulator import LocalAccount
from hookgate_dev.providers.hookgate_360dialog.samples import TEST_SECRET as DIALOG_SECRET
from hookgate_dev.providers.hookgate_insider_one.samples import TEST_SECRET as INSIDER_SECRET
from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET as SINCH_SECRET
from hookgate_dev.providers.hookgate_sinch_provisioning.samples import (
    PROJECT_ID as PROVISIONING_PROJECT,
)
from hookgate_dev.providers.hookgate_sinch_provisioning.samples import (
    TEST_SECRET as PROVISIONING_SECRET,
)
from tests.integration.conftest import LambdaContext, front_on_emulator, load_function

ROOT = Path(__file__).resolve().parents[2]
MAX_BODY_BYTES = 64 * 1024  # the receiver's limit here (HOOKGATE_MAX_BODY_BYTES), to stay quick

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
        "settings": {"project_id": PROVISIONING_PROJECT},
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
        "oauth2": {"expires_in": 600, "grants": ["client_credentials", "refresh_token"]},
    },
]
KNOWN_SECRETS = {
    "hookgate/sinch-demo": SINCH_SECRET,
    "hookgate/sinch-provisioning-demo": PROVISIONING_SECRET,
    "hookgate/360dialog-demo": DIALOG_SECRET,
    "hookgate/insider-demo": INSIDER_SECRET,
}

settings.register_profile(
    "hostile",
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = settings.get_profile("hostile")


@dataclass
class Api:
    """The running account, its front, the handlers and every secret value it holds."""

    account: LocalAccount
    url: str
    receiver: ModuleType
    token: ModuleType
    secrets: set[str]

    def receive(self, event: dict[str, Any]) -> dict[str, Any]:
        """Call the receiver handler as API Gateway would."""
        answer: dict[str, Any] = self.receiver.lambda_handler(event, LambdaContext())
        return answer

    def issue(self, event: dict[str, Any]) -> dict[str, Any]:
        """Call the token handler as API Gateway would."""
        answer: dict[str, Any] = self.token.lambda_handler(event, LambdaContext())
        return answer

    def client(self, registration: str) -> dict[str, str]:
        """Return a registration's current secret values."""
        return self.account.secret_values[f"hookgate/{registration}"]


def _known_secrets(account: LocalAccount) -> None:
    sm = account.client("secretsmanager")
    for secret_id, values in KNOWN_SECRETS.items():
        sm.put_secret_value(SecretId=secret_id, SecretString=json.dumps(dict(values)))
        account.secret_values[secret_id] = dict(values)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    config_path = tmp_path_factory.mktemp("hostile") / "hookgate.yaml"
    config_path.write_text(yaml.safe_dump({"version": 1, "registrations": REGISTRATIONS}))
    environment = {"HOOKGATE_MAX_BODY_BYTES": str(MAX_BODY_BYTES), "POWERTOOLS_LOG_LEVEL": "DEBUG"}
    with front_on_emulator(config_path, environment, _known_secrets) as (account, url):
        secret_texts = {
            str(v)
            for secret in account.secret_values.values()
            for k, v in secret.items()
            if k not in {"client_id", "kid"} and len(str(v)) >= 8
        }
        receiver, token = load_function("receiver"), load_function("token")
        yield Api(account, url, receiver, token, secret_texts)


@pytest.fixture(autouse=True)
def scanned_for_secrets(api: Api, secret_values: set[str]) -> None:
    """Every secret value of the account joins the suite-wide scan of captured output."""
    secret_values.update(api.secrets)
