"""The token endpoint under attack on the local stack: the real client is never refused.

benchmarks/token_flood.py runs the same for 30 s and prints its counts; this keeps a few seconds
of it in the test command. The attackers share the client's id and address (127.0.0.1).
"""

from __future__ import annotations

from hookgate_dev.local.stack import LocalStack
from hookgate_dev.local.token_flood import authlib_fetcher, run_token_flood
from hookgate_dev.providers.hookgate_insider_one.samples import SAMPLE_PAYLOADS

REGISTRATION = "insider-v2-demo"


def test_a_flood_of_wrong_secrets_never_refuses_the_real_client(stack: LocalStack) -> None:
    registration = stack.config.get(REGISTRATION)
    assert registration.client_id == REGISTRATION  # hookgate.yaml declares no other
    secret = stack.account.secret_values[registration.secret_id]
    token_url = f"{stack.front_url}/oauth2/token"
    result = run_token_flood(
        token_url=token_url,
        webhook_url=f"{stack.webhook_base_url}/insider_one/{REGISTRATION}",
        client_id=REGISTRATION,
        fetch_token=authlib_fetcher(token_url, REGISTRATION, secret["client_secret"]),
        body=SAMPLE_PAYLOADS["status_read"],
        duration=4.0,
        interval=0.25,
        attackers=3,
    )
    print(result.summary())
    assert result.token_failures == [] and result.delivery_failures == []
    assert result.token_requests >= 5 and result.deliveries == result.token_requests
    assert result.accepted_events == result.deliveries  # one distinct event each
    assert sum(result.attacker.values()) >= 200  # a flood, not a trickle
    assert set(result.attacker) <= {401, 429} and result.attacker[429] > 0
    assert result.attacker_errors == {}
    assert result.clean
