"""With Powertools tracing on, no access token (nor client secret) reaches a trace.

The probe (token_trace_probe.py) runs in its own process: it issues a token through the token
handler as shipped and records every X-Ray entity the SDK would send to the daemon. Its control
wraps the same handler in a Tracer that captures responses, proving the recording sees a token
when one is captured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("token_trace_probe.py")


def test_no_token_reaches_a_trace(secret_values: set[str]) -> None:
    finished = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(PROBE)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    results: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    secret_values.add(results["client_secret"])
    shipped, control = results["shipped"], results["control"]
    secret_values.update((shipped["token"], control["token"]))
    assert shipped["status"] == control["status"] == 200
    names = [json.loads(entity)["name"] for entity in shipped["entities"]]
    assert "## lambda_handler" in names  # the handler was traced
    traced = "\n".join(shipped["entities"])
    assert shipped["token"] not in traced
    assert results["client_secret"] not in traced
    assert "access_token" not in traced
    # The control captures the response: the recording would have seen a leak.
    assert any(control["token"] in entity for entity in control["entities"])
