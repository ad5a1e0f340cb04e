"""``hookgate send`` against ``hookgate dev --no-demo``: the lines dev prints, pasted as printed.

Each registration gets one webhook built as its provider builds it (Sinch's signature,
360dialog's custom header, Insider's V1 bearer key, an OAuth2 token fetched from the token URL
for Insider V2), with the secret the local stack generated. Requests sent by hand are reported
as the user's and never fail the run, refused ones included; the handlers' JSON log lines go to
the file the banner names, not into the live view.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import yaml

from hookgate_dev.local.dev import DevOptions, run_dev
from tests.e2e.conftest import BOUND_SECONDS, ROOT, wait_until

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))


def _run(line: str) -> subprocess.CompletedProcess[str]:
    """Run a printed ``VAR=value … hookgate send …`` line without a shell."""
    words = shlex.split(line)
    at = words.index("hookgate")
    environment = dict(word.split("=", 1) for word in words[:at])
    return subprocess.run(  # noqa: S603 - our own command, as hookgate dev printed it
        [HOOKGATE, *words[at + 1 :]],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
        check=False,
    )


def test_printed_send_lines_deliver_and_are_reported_as_the_users(tmp_path: Path) -> None:
    out, stop, log_file = io.StringIO(), threading.Event(), tmp_path / "dev.log"
    options = DevOptions(
        root=ROOT,
        config=ROOT / "hookgate.yaml",
        demo=False,
        duration=BOUND_SECONDS * 2,
        log_file=log_file,
    )
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run_dev(options, out, stop)))
    runner.start()
    try:
        wait_until(lambda: "handler logs (JSON)" in out.getvalue(), "hookgate dev ready")
        lines = [
            line.strip()
            for line in out.getvalue().splitlines()
            if " hookgate send " in line and "=" in line
        ]
        registrations = yaml.safe_load((ROOT / "hookgate.yaml").read_text())["registrations"]
        assert [line.split(" hookgate send ")[1].split()[0] for line in lines] == [
            entry["name"] for entry in registrations
        ]
        for line in lines:
            done = _run(line)
            assert done.returncode == 0, done.stdout + done.stderr
            assert re.search(r"-> 200 \{\"accepted\":[1-9]", done.stdout), done.stdout
        url = re.search(r"--url (\S+/insider-demo)", out.getvalue())
        assert url is not None
        refused = httpx.post(url.group(1), content=b"{}", timeout=BOUND_SECONDS)
        assert refused.status_code == 401
        wait_until(
            lambda: sum(" [current] " in line for line in out.getvalue().splitlines()) >= 5,
            "the hand-sent events in the live view",
        )
    finally:
        stop.set()
        runner.join(BOUND_SECONDS)
    text = out.getvalue()
    assert codes == [0], text
    assert "unexpected 0" in text and "deliveries 0 (" in text
    assert "sent by hand: 9 (refused 1), their events on the bus 8" in text, text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("{")]
    assert '"message":"webhook rejected"' in log_file.read_text(encoding="utf-8")


def test_an_unknown_sample_is_a_clear_error_naming_the_samples(tmp_path: Path) -> None:
    config = tmp_path / "hookgate.yaml"
    config.write_text(
        "version: 1\nregistrations:\n  - name: acme\n    provider: insider_one\n"
        "    secret: nowhere\n    settings: {auth: v1, sub_product: conversational}\n"
    )
    done = subprocess.run(  # noqa: S603 - our own command
        [HOOKGATE, "send", "acme", "--config", str(config), "--sample", "no-such-sample"],
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
        check=False,
    )
    assert done.returncode == 1
    assert "no sample 'no-such-sample' for insider_one (samples: " in done.stderr
