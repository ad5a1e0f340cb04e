"""hookgate.coldstart: the garbage collector paused once per process, then resumed with a freeze.

The collector's state is process-wide, so each case runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

CASES = {
    "pause_then_resume": """
coldstart.pause()
record("paused")
coldstart.pause()
record("paused again")
coldstart.resume()
record("resumed")
coldstart.resume()
record("resumed again")
coldstart.pause()
record("paused after a freeze")
""",
    "collector_off": """
gc.disable()
coldstart.pause()
record("paused")
coldstart.resume()
record("resumed")
""",
    "reset_resumes": """
coldstart.pause()
from hookgate import runtime
runtime.reset()
record("reset")
""",
}

SCRIPT = """
import gc, json
from hookgate import coldstart

states = []


def record(label):
    states.append([label, gc.isenabled(), coldstart.paused(), gc.get_freeze_count() > 0])


record("start")
{case}
print(json.dumps(states))
"""


def _run(case: str) -> list[list[Any]]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT.replace("{case}", CASES[case])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    states: list[list[Any]] = json.loads(result.stdout)
    return states


@pytest.fixture(scope="module")
def runs() -> dict[str, list[list[Any]]]:
    """Each case's states: [label, collector enabled, paused, anything frozen]."""
    return {case: _run(case) for case in CASES}


def test_a_pause_lasts_until_resume_which_freezes_once(runs: dict[str, list[list[Any]]]) -> None:
    assert runs["pause_then_resume"] == [
        ["start", True, False, False],
        ["paused", False, True, False],
        ["paused again", False, True, False],
        ["resumed", True, False, True],
        ["resumed again", True, False, True],
        ["paused after a freeze", True, False, True],  # once per process
    ]


def test_a_collector_already_off_stays_off(runs: dict[str, list[list[Any]]]) -> None:
    assert runs["collector_off"] == [
        ["start", True, False, False],
        ["paused", False, False, False],
        ["resumed", False, False, False],
    ]


def test_runtime_reset_ends_a_pause(runs: dict[str, list[list[Any]]]) -> None:
    assert runs["reset_resumes"] == [["start", True, False, False], ["reset", True, False, True]]
