"""``hookgate dev`` end to end: the README's first command, as the README runs it.

The stack comes up, every sandbox delivers through the front, secrets rotate while traffic
flows, and at the end every delivery is on the bus exactly once. The run is stopped once it
has shown that (a condition, with a bound), not after a fixed time.
"""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path
from typing import Any

from hookgate_dev.local.dev import DevOptions, run_dev
from tests.e2e.conftest import BOUND_SECONDS, ROOT, wait_until

PROVIDERS = {
    "sinch_conversation",
    "sinch_provisioning",
    "360dialog",
    "insider_one",
    "meta_whatsapp",
    "standard_webhooks",
    "hmac",
}


def test_dev_streams_every_provider_and_loses_nothing_while_rotating(tmp_path: Path) -> None:
    out, events, stop = io.StringIO(), tmp_path / "events.jsonl", threading.Event()
    options = DevOptions(
        root=ROOT,
        config=ROOT / "hookgate.yaml",
        demo_interval=0.1,
        events_out=events,
        duration=BOUND_SECONDS,  # a bound: the run is stopped once it has shown enough
        rotate_every=1.0,
    )
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run_dev(options, out, stop)))
    runner.start()

    def published() -> list[dict[str, Any]]:
        text = events.read_text() if events.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.endswith("}")]

    def shown_enough() -> bool:
        rotations = re.findall(r"rotated \S+: version \S+ is now current", out.getvalue())
        seen = published()
        return (
            len(rotations) >= 2 and {e["provider"] for e in seen} == PROVIDERS and len(seen) >= 20
        )

    try:
        wait_until(lambda: shown_enough() or not runner.is_alive(), "traffic and rotations")
    finally:
        stop.set()
        runner.join(BOUND_SECONDS)
    text = out.getvalue()
    print(text[-600:])
    assert codes == [0], text
    assert re.search(r"hookgate dev ready in (\d+\.\d) s", text), text
    assert re.search(r"inspector \(open it\): +http://127\.0\.0\.1:\d+/_hookgate/\n", text), text
    assert "REJECTED" not in text
    summary = re.search(
        r"stopped: deliveries (\d+) \(delivered (\d+), lost 0, rejected attempts 0\)", text
    )
    assert summary and int(summary.group(1)) > 0, text
    assert "duplicated 0, missing 0, unexpected 0" in text
    assert {e["provider"] for e in published()} == PROVIDERS
    ids = [e["event_id"] for e in published()]
    assert len(ids) == len(set(ids)), "an event reached the bus twice"


def test_no_demo_serves_without_traffic(tmp_path: Path) -> None:
    out = io.StringIO()
    options = DevOptions(root=ROOT, config=ROOT / "hookgate.yaml", demo=False, duration=0.5)
    assert run_dev(options, out, threading.Event()) == 0, out.getvalue()
    # The stack's own set-up (Insider V1's URL check) is not a delivery of the run.
    assert "stopped: deliveries 0 (delivered 0" in out.getvalue()
    assert "sent by hand" not in out.getvalue()


def test_ctrl_c_stops_every_part_and_frees_the_ports() -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "hookgate_dev.cli", "dev", "--interval", "0.2"]
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_ENDPOINT_URL", "HOOKGATE_CONFIG"}}
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("  front (HttpApi routes):"):
            break
    front = re.search(r"http://127\.0\.0\.1:(\d+)", lines[-1])
    assert front, "".join(lines)
    port = int(front.group(1))
    time.sleep(2)  # let traffic flow
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    text = "".join(lines) + rest
    assert process.returncode == 0, text[-2000:]
    assert "stopped: deliveries" in text and "lost 0" in text
    assert "Traceback" not in text
    with socket.socket() as probe:  # the front's port is free again
        probe.bind(("127.0.0.1", port))
