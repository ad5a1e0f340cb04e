"""What a receiver's cold start does, checked structurally in a fresh interpreter (never timed).

A fresh Python process imports functions/receiver/app.py as Lambda does, builds the receive
pipeline for one Sinch Conversation registration and creates its three AWS clients (no request:
creating a client makes no network call). Then it reports which pydantic models have built
their validators, which optional distributions were imported, and whether botocore listed every
service it knows, and when the garbage collector ran.
``receiver_bench.py`` (a) measures what these choices save.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLER = ROOT / "functions" / "receiver" / "app.py"

PROBE = """
import gc, importlib.util, json, sys
from botocore.loaders import Loader

listings = []  # botocore's listing of every service it knows, whoever asks for it
everything = Loader.list_available_services
Loader.list_available_services = lambda self, type_name: listings.append(type_name) or everything(
    self, type_name
)
import hookgate  # the package (pluggy, the hookspecs) imports before the handler can pause

collections = []  # the garbage collector's passes from the pause to the first answer
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info["generation"]))
spec = importlib.util.spec_from_file_location("receiver_app", sys.argv[1])
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
imported = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}
from hookgate import aws, runtime
from hookgate.apigw import build_event
from pydantic import BaseModel

runtime.get_receiver()
for service in ("secretsmanager", "dynamodb", "events"):
    aws.client(service)


def models(cls):
    for sub in cls.__subclasses__():
        yield f"{sub.__module__}.{sub.__qualname__}", sub.__pydantic_complete__
        yield from models(sub)


built = dict(models(BaseModel))
event = build_event(  # a registration nobody declared: answered without any AWS call
    method="POST",
    path="/webhooks/sinch_conversation/nobody",
    route_key="POST /webhooks/{provider}/{registration}",
    path_parameters={"provider": "sinch_conversation", "registration": "nobody"},
    headers={"content-type": "application/json"},
    body=b"{}",
)


class Context:
    function_name = "cold"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:cold"
    aws_request_id = "cold"


status = app.lambda_handler(event, Context())["statusCode"]
answered = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(), "status": status}
gc.callbacks.clear()
print(json.dumps({
    "models": built,
    "modules": sorted({name.split(".")[0] for name in sys.modules}),
    "listings": listings,
    "collector": {"collections": collections, "imported": imported, "answered": answered},
}))
"""


@pytest.fixture(scope="module")
def cold_start(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The probe's report (one fresh interpreter for the module's tests)."""
    config = tmp_path_factory.mktemp("cold") / "hookgate.json"
    config.write_text(
        json.dumps(
            {
                "version": 1,
                "registrations": [
                    {
                        "name": "cold",
                        "provider": "sinch_conversation",
                        "secret": "hookgate/cold",
                        "settings": {"project_id": "p", "app_id": "a"},
                    }
                ],
            }
        )
    )
    keep = ("PATH", "HOME", "PYTHONPATH", "VIRTUAL_ENV")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        {
            "HOOKGATE_CONFIG": str(config),
            "HOOKGATE_EVENT_BUS": "bus",
            "HOOKGATE_TABLE": "table",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "cold",
            "AWS_SECRET_ACCESS_KEY": "cold",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE, str(HANDLER)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return report


def test_a_cold_start_builds_only_the_models_of_the_configured_provider(
    cold_start: dict[str, Any],
) -> None:
    report = cold_start
    built = {name for name, complete in report["models"].items() if complete}
    assert built == {
        "hookgate.config.ConfigDocument",
        "hookgate.config.RegistrationDeclaration",
        "hookgate.models.ProviderInfo",
        "hookgate.models.Registration",
        "hookgate_sinch_conversation.settings.SinchConversationSettings",
    }
    # every provider's settings model is defined (its plugin loaded), only the used one built
    defined = set(report["models"])
    for provider in ("360dialog", "hmac", "insider_one", "meta_whatsapp", "standard_webhooks"):
        assert any(name.startswith(f"hookgate_{provider}.settings.") for name in defined)
    assert "hookgate.sync_models.PlannedChange" in defined - built


def test_a_cold_start_imports_neither_boto3_nor_dev_tooling(cold_start: dict[str, Any]) -> None:
    modules = set(cold_start["modules"])
    assert {"botocore", "pydantic", "pluggy", "hookgate_sinch_conversation"} <= modules
    assert not modules & {"boto3", "s3transfer", "yaml", "httpx", "jwt", "hookgate_dev"}


def test_creating_the_clients_never_lists_every_botocore_service(
    cold_start: dict[str, Any],
) -> None:
    assert cold_start["listings"] == []


def test_the_collector_pauses_from_the_import_to_the_first_answer_then_freezes(
    cold_start: dict[str, Any],
) -> None:
    collector = cold_start["collector"]
    assert collector["imported"] == {"enabled": False, "frozen": 0}
    assert collector["collections"] == []
    answered = collector["answered"]
    assert answered["status"] == 404 and answered["enabled"] is True
    assert answered["frozen"] > 20_000  # the modules, classes, models and clients built
