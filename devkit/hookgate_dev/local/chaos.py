"""``hookgate dev --chaos``: rotations while the providers' APIs misbehave, as networks do.

Each rotation the dev loop asks for draws one of:

* ``clean``: nothing goes wrong;
* ``fail-before``: the provider's API answers 500 without applying the change;
* ``fail-after``: it applies the change, then answers 500 (hookgate never hears it worked);
* ``timeout-after``: it applies the change, then answers only after a while, with a 504;
* ``step-twice``: Secrets Manager invokes every rotation step a second time;
* ``hand-put``: instead of rotating, an operator puts a value by hand
  (``aws secretsmanager put-secret-value``) and gives it to the provider once receivers have
  had time to read it (at most once per registration per grace window, as the runbook says).

A fault hits as many API calls as drawn (1, 5 or 14): the client's own retries absorb one, five
fail one attempt of the step, fourteen fail every attempt and leave the rotation in progress,
which, as on AWS, refuses the next RotateSecret and is reattempted with its own token. The
promise under chaos is unchanged: no genuine delivery refused, none lost, none duplicated.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from hookgate import runtime
from hookgate.errors import HookgateError
from hookgate.models import SecretStage
from hookgate_dev.local.stack import PROPAGATION_SECONDS, LocalStack

KINDS = ("clean", "fail-before", "fail-after", "timeout-after", "step-twice", "hand-put")
_WRITES = ["POST", "PUT", "PATCH", "DELETE"]
_FAULTS: dict[str, dict[str, Any]] = {
    "fail-before": {"kind": "status", "status": 500},
    "fail-after": {"kind": "status", "status": 500, "after": True},
    "timeout-after": {"kind": "timeout", "delay": 0.5, "after": True},
}


@dataclass
class Chaos:
    """Draws and applies one misfortune per rotation, and counts what came of it."""

    stack: LocalStack
    rng: random.Random = field(default_factory=random.Random)
    drawn: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    _hand_put_at: dict[str, float] = field(default_factory=dict)

    def rotate(self, registration: str) -> str:
        """Rotate ``registration`` under one drawn misfortune; return a line for the live view."""
        kind = self._draw(registration)
        self.drawn[kind] += 1
        if kind == "hand-put":
            return self._hand_put(registration)
        sandbox = self.stack.sandbox_for(registration)
        if kind in _FAULTS and sandbox is not None:
            count = self.rng.choice([1, 5, 14])
            fault = {"target": "api", "methods": _WRITES, "count": count, **_FAULTS[kind]}
            httpx.post(f"{sandbox.url}/_sandbox/faults", json=fault, timeout=10).raise_for_status()
            kind = f"{kind} x{count}"
        self.stack.rotations.repeat_each_step = kind == "step-twice"
        try:
            version = self.stack.rotate(registration)
        except HookgateError as exc:
            outcome = "in progress" if "previous rotation" in str(exc) else "failed, left pending"
            self.outcomes[outcome] += 1
            return f"  chaos [{kind}] {registration}: {outcome} ({exc})"
        finally:
            self.stack.rotations.repeat_each_step = False
            if sandbox is not None:
                httpx.delete(f"{sandbox.url}/_sandbox/faults", timeout=10).raise_for_status()
        self.outcomes["completed"] += 1
        return f"  chaos [{kind}] rotated {registration}: version {version} is now current"

    def _draw(self, registration: str) -> str:
        grace = self.stack.config.get(registration).previous_secret_grace_seconds
        last = self._hand_put_at.get(registration)
        may_put = grace > 0 and (last is None or time.monotonic() - last >= grace)
        return self.rng.choice([k for k in KINDS if k != "hand-put" or may_put])

    def _hand_put(self, registration: str) -> str:
        """Put a new value by hand; give it to the provider once receivers know it."""
        self._hand_put_at[registration] = time.monotonic()
        configured = self.stack.config.get(registration)
        current = next(
            v
            for v in runtime.secret_store_from_env().read_now(configured.secret_id, 0).versions
            if v.stage is SecretStage.CURRENT
        )
        value = {k: v.get_secret_value() for k, v in current.values.items()}
        for key in self.stack.host.get(configured.provider).info.rotates:
            if key in value:
                value[key] = f"hand-{self.rng.getrandbits(128):032x}"
        sm = self.stack.account.client("secretsmanager")
        version = sm.put_secret_value(SecretId=configured.secret_id, SecretString=json.dumps(value))
        time.sleep(PROPAGATION_SECONDS)  # the runbook: let every receiver read it first
        try:
            self.stack.push_current_secret(configured)
        except HookgateError as exc:
            self.outcomes["hand-put not given to the provider"] += 1
            return f"  chaos [hand-put] {registration}: put, not given to the provider ({exc})"
        self.outcomes["put by hand"] += 1
        return f"  chaos [hand-put] {registration}: version {version['VersionId']} put by hand"

    def summary(self) -> str:
        """Return one line: what was drawn and what came of it."""
        drawn = ", ".join(f"{k} {n}" for k, n in sorted(self.drawn.items()))
        came = ", ".join(f"{k} {n}" for k, n in sorted(self.outcomes.items()))
        return f"chaos: {sum(self.drawn.values())} rotations ({drawn}); {came}"
