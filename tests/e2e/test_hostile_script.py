"""benchmarks/hostile.py, at its smallest: the full-size hostile checks still run and pass."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_the_hostile_script_passes_and_prints_its_counts() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKGATE_", "AWS_"))}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(ROOT / "benchmarks" / "hostile.py"),
            "--rounds",
            "1",
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        env={**env, "POWERTOOLS_LOG_LEVEL": "CRITICAL"},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[-1] == "PASS"
    for name in ("360dialog", "insider_one", "sinch_conversation", "sinch_provisioning"):
        assert f"hostile JSON, {name}: " in done.stdout
    assert "hostile JSON, token endpoint: 3 x 400" in lines
    assert "hostile JSON: 0 event(s) reached the bus (target: 0)" in lines
    assert "360dialog disabled: its URL answered 3 x 503" in lines
