"""The local stack end to end: ``hookgate dev`` serves, demo deliveries become bus events."""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookgate import runtime
from hookgate.local.dev import DevOptions, run_dev

ROOT = Path(__file__).resolve().parents[2]


def _forget_process_caches() -> None:
    runtime.reset()


@pytest.fixture(autouse=True)
def isolated_process_state() -> Iterator[None]:
    """run_dev configures this process as the local stack; put everything back afterwards."""
    saved = dict(os.environ)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "HOOKGATE_CONFIG", "POWERTOOLS_LOG_LEVEL"):
        os.environ.pop(name, None)
    _forget_process_caches()
    yield
    os.environ.clear()
    os.environ.update(saved)
    _forget_process_caches()


def test_demo_traffic_arrives_once_each_as_normalised_events(tmp_path: Path) -> None:
    out, events = io.StringIO(), tmp_path / "events.jsonl"
    stop = threading.Event()
    options = DevOptions(
        root=ROOT,
        config=ROOT / "hookgate.yaml",
        demo_interval=0.05,
        events_out=events,
        duration=4.0,
    )
    assert run_dev(options, out, stop) == 0, out.getvalue()
    text = out.getvalue()
    assert "hookgate dev ready in" in text
    assert not re.search(r"^  rejected \d{3} ", text, re.MULTILINE), text
    published = [json.loads(line) for line in events.read_text().splitlines()]
    assert len(published) >= 5
    keys = [e["event_id"] for e in published]  # unique per provider, registration and event
    assert len(keys) == len(set(keys)), "an event reached the bus twice"
    assert {e["verified_with"] for e in published} == {"current"}
    assert {e["provider"] for e in published} == {
        "sinch_conversation",
        "sinch_provisioning",
        "360dialog",
        "insider_one",
    }
