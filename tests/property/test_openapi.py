"""docs/openapi.yaml describes the HTTP API exactly, and the real handlers keep to it.

schemathesis generates requests from the document (valid and invalid ones) and sends them to the
local front, which routes them as template.yaml's HttpApi does into the real handlers; each
answer must be a documented status with a documented body, and never a server error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
import yaml
from hypothesis import settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from hookgate_dev.local.template import http_routes, load_template

from .conftest import HOSTILE, Api

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.yaml"
schema = schemathesis.openapi.from_path(DOCUMENT)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def documented_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_the_document_names_exactly_the_templates_routes() -> None:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    routes = {
        (route.method, route.path) for route in http_routes(load_template(ROOT / "template.yaml"))
    }
    assert documented_routes(document) == routes


@schema.parametrize()
@settings(HOSTILE, max_examples=60)
def test_the_handlers_answer_as_documented(case: schemathesis.Case[Any], api: Api) -> None:
    case.call_and_validate(base_url=api.url, checks=CHECKS)
