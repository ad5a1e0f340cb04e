"""Run the token handler with Powertools tracing on, recording every trace entity it sends.

Run as a separate process by test_token_traces.py: turning the Tracer on patches botocore and
sets X-Ray SDK state for the whole process, which must not leak into other tests. Prints one
JSON object: the access tokens issued and the serialised trace entities, for the handler as
shipped and, as a control that the recording sees what a Tracer captures, for the same handler
wrapped once more by a Tracer that captures responses.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


class Recording:
    """An X-Ray emitter that keeps what it would send to the daemon."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send_entity(self, entity: Any) -> None:
        self.sent.append(entity.serialize())

    def set_daemon_address(self, address: str | None) -> None:
        """The recorder calls this when configured; nothing to do."""

    @property
    def ip(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return 2000


def main() -> None:
    """Issue tokens through the traced handler and print what the traces held."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "LAMBDA_TASK_ROOT": tempfile.mkdtemp(),  # Powertools traces only "in Lambda"
            "POWERTOOLS_TRACE_DISABLED": "false",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_SERVICE_NAME": "hookgate",
            "HOOKGATE_SIGNING_KEY_SECRET": "hookgate/oauth2-signing-key",
            # What Lambda sets for a sampled invocation: the SDK hangs subsegments under it.
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;"
            "Parent=53995c3f42cd8ad8;Sampled=1",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from aws_lambda_powertools import Tracer
    from aws_xray_sdk.core import xray_recorder  # type: ignore[import-untyped]
    from moto import mock_aws

    from hookgate.apigw import build_event
    from tests.integration.conftest import LambdaContext, load_function, write_config

    config = write_config(
        Path(tempfile.mkdtemp()),
        [
            {
                "name": "insider-v2",
                "provider": "insider_one",
                "secret": "hookgate/insider-v2",
                "settings": {"auth": "v2"},
                "oauth2": {"expires_in": 600},
            }
        ],
    )
    os.environ["HOOKGATE_CONFIG"] = str(config)
    client_secret = base64.urlsafe_b64encode(os.urandom(24)).decode()
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        sm.create_secret(
            Name="hookgate/oauth2-signing-key", SecretString=json.dumps({"kid": "k", "key": key})
        )
        sm.create_secret(
            Name="hookgate/insider-v2",
            SecretString=json.dumps({"client_id": "insider-v2", "client_secret": client_secret}),
        )
        recording = Recording()
        xray_recorder.configure(emitter=recording, context_missing="IGNORE_ERROR")
        app = load_function("token")
        capturing = Tracer(service="hookgate").capture_lambda_handler(
            app.lambda_handler, capture_response=True
        )
        basic = base64.b64encode(f"insider-v2:{client_secret}".encode()).decode()
        results: dict[str, Any] = {"client_secret": client_secret}
        for name, handler in (("shipped", app.lambda_handler), ("control", capturing)):
            recording.sent.clear()
            event = build_event(
                method="POST",
                path="/oauth2/token",
                route_key="POST /oauth2/token",
                path_parameters={},
                headers={
                    "authorization": f"Basic {basic}",
                    "content-type": "application/x-www-form-urlencoded",
                },
                body=b"grant_type=client_credentials",
            )
            answer = handler(event, LambdaContext(function_name="hookgate-token"))
            results[name] = {
                "status": answer["statusCode"],
                "token": json.loads(answer["body"]).get("access_token"),
                "entities": list(recording.sent),
            }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
