"""``hookgate dev --chaos``: rotations meet drawn faults while traffic flows; nothing is lost.

The README's promise under chaos: the run ends with exit 0 and an audit of 0 refused genuine
deliveries, 0 lost, 0 duplicated, whatever the provider's API did to the rotations (answered 500
before or after applying, answered late, steps invoked twice, values put by hand). A short,
seeded run here; the README's 150 s run is the long form.
"""

from __future__ import annotations

import io
import re
import threading

from hookgate_dev.local.dev import DevOptions, run_dev
from tests.e2e.conftest import BOUND_SECONDS, ROOT, wait_until


def test_chaos_rotations_refuse_and_lose_nothing() -> None:
    out, stop = io.StringIO(), threading.Event()
    options = DevOptions(
        root=ROOT,
        config=ROOT / "hookgate.yaml",
        demo_interval=0.2,
        duration=BOUND_SECONDS,
        rotate_every=0.2,
        chaos=True,
        chaos_seed=7,
    )
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run_dev(options, out, stop)))
    runner.start()

    def drawn() -> list[str]:
        return re.findall(r"chaos \[([a-z-]+)", out.getvalue())

    try:
        wait_until(
            lambda: (len(drawn()) >= 6 and len(set(drawn())) >= 3) or not runner.is_alive(),
            "six rotations under at least three kinds of fault",
        )
    finally:
        stop.set()
        runner.join(BOUND_SECONDS)
    text = out.getvalue()
    print("\n".join(line for line in text.splitlines() if "chaos" in line or "stopped" in line))
    assert codes == [0], text[-3000:]
    assert "REJECTED" not in text
    assert re.search(r"^chaos: \d+ rotations \(", text, re.MULTILINE), text[-2000:]
    assert re.search(
        r"stopped: deliveries (\d+) \(delivered \1, lost 0, rejected attempts 0\); events "
        r"expected (\d+), on the bus \2 \(duplicated 0, missing 0, unexpected 0\)",
        text,
    ), text[-2000:]
