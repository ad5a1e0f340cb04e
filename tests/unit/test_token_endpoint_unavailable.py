"""A client whose registration cannot serve (plugin broken, settings refused) gets 503, not 401.

401 ``invalid_client`` tells a provider its credentials are wrong, so it may stop or ask for new
ones; the fault is hookgate's, so the answer says to retry. No secret is read for it.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from hookgate.config import parse_config
from hookgate.models import InboundRequest
from hookgate.oauth2.endpoint import TokenEndpoint
from hookgate.oauth2.tokens import BearerTokens, SigningKeys
from hookgate.plugins import load_plugins
from hookgate.secrets import SecretStore

CONFIG = """
version: 1
registrations:
  - name: insider-v2
    provider: insider_one
    secret: hookgate/insider-v2
    settings: {auth: v9}
    oauth2: {client_id: partner-client}
"""


class NoSecretsManager:
    """A Secrets Manager client that must not be called."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"no Secrets Manager call expected, got {name}")


def test_an_unavailable_registrations_client_gets_503_and_retry_after() -> None:
    config = parse_config(CONFIG, "hookgate.yaml", load_plugins())
    assert config.unavailable["insider-v2"].client_id == "partner-client"
    store = SecretStore(NoSecretsManager)
    endpoint = TokenEndpoint(
        config=config, secrets=store, tokens=BearerTokens(SigningKeys(store, "hookgate/key"))
    )
    basic = base64.b64encode(b"partner-client:whatever").decode()
    request = InboundRequest(
        method="POST",
        path="/oauth2/token",
        headers={
            "authorization": f"Basic {basic}",
            "content-type": "application/x-www-form-urlencoded",
        },
        body=b"grant_type=client_credentials",
        received_at=datetime.now(UTC),
    )
    answer = endpoint.handle(request)
    assert (answer.status, answer.body["error"]) == (503, "temporarily_unavailable")
    assert answer.headers["retry-after"] == "60"
    assert answer.headers["cache-control"] == "no-store"
    unknown = base64.b64encode(b"someone-else:whatever").decode()
    other = request.model_copy(update={"headers": {"authorization": f"Basic {unknown}"}})
    assert endpoint.handle(other).status == 401
