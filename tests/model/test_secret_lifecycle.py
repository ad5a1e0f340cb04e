"""The secret lifecycle, proven over random interleavings (a hypothesis state machine).

Rules drive, in any order: rotations through Secrets Manager (the provider's API failing before
or after applying, each step possibly invoked twice), the operator resuming or cancelling a
rotation left in progress, values put by hand (the operator gives the provider the value a
propagation time later), sync runs repairing a drifted or lost webhook, signing-key rotations,
tokens issued by a token function with its own cache, and time passing. Receivers are caches of
different ages. After every step the invariants hold:

1. the secret the provider signs with now verifies at every receiver;
2. every unexpired token's key is known to every receiver;
3. a secret the provider held (while no newer version was current) verifies at every receiver
   for the grace after the last moment it was seen held.

``HOOKGATE_MODEL_EXAMPLES`` (default 20) sets how many random programs run; a failure prints
the shortest program hypothesis found.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from hookgate.errors import HookgateError
from hookgate.oauth2.tokens import SigningKeys
from hookgate.secrets import SecretStore
from tests.lifecycle_world import (
    BASE_URL,
    FAULTS,
    SECRET,
    SIGNING_KEY,
    World,
    verifies,
    world,
)

TOKEN_LIFETIME = 3600
EXAMPLES = int(os.environ.get("HOOKGATE_MODEL_EXAMPLES", "20"))

# (cache TTL, rotation propagation wait, refresh-after-miss interval): the defaults (120 s, the
# TTL + 15 s, 30 s) and the 60 s cache hookgate shipped with before (docs/cost.md).
CACHE_SETTINGS = [(120.0, 135.0, 30.0), (60.0, 75.0, 30.0)]

faults = st.lists(st.sampled_from(FAULTS), max_size=4)


class SecretLifecycle(RuleBasedStateMachine):
    """hookgate's secret lifecycle against everything that can happen to it."""

    def __init__(self) -> None:
        super().__init__()
        self.resources = ExitStack()
        self.w: World | None = None
        self.propagation = 0.0
        self.receivers: list[SecretStore] = []
        self.signers: list[SigningKeys] = []
        self.tokens: list[tuple[str, float]] = []
        self.needed: dict[str, float] = {}
        self.values: dict[str, str] = {}
        self.adoption: tuple[str, float] | None = None
        self.hand_puts = 0
        self.last_put = float("-inf")

    # -- set-up ----------------------------------------------------------------------------

    @initialize(
        grace=st.sampled_from([300, 3600]),
        receivers=st.integers(2, 4),
        cache=st.sampled_from(CACHE_SETTINGS),
    )
    def start(self, grace: int, receivers: int, cache: tuple[float, float, float]) -> None:
        """Build the world and its receivers."""
        ttl, self.propagation, refresh = cache
        self.w = self.resources.enter_context(
            world(grace=grace, ttl=ttl, propagation=self.propagation)
        )
        self.receivers = [self.w.receiver(refresh) for _ in range(receivers)]
        self.signers = [SigningKeys(self.w.receiver(refresh), SIGNING_KEY) for _ in range(2)]
        self.observe()

    def teardown(self) -> None:
        """Leave moto as it was."""
        self.resources.close()

    @property
    def world(self) -> World:
        assert self.w is not None
        return self.w

    # -- what happens ----------------------------------------------------------------------

    @rule(planned=faults, twice=st.booleans())
    def rotate(self, planned: list[str], twice: bool) -> None:
        """Secrets Manager rotates (or, while one is in progress, reattempts that one)."""
        w = self.world
        w.provider.faults.extend(planned)
        w.service.repeat_each_step = twice
        try:
            w.rotate()
        except ClientError as exc:
            assert "previous rotation isn't complete" in str(exc)
        finally:
            w.service.repeat_each_step = False
            w.provider.faults.clear()
        self.observe()

    @rule(planned=faults)
    def resume(self, planned: list[str]) -> None:
        """The operator runs ``hookgate rotate --resume``."""
        w = self.world
        w.provider.faults.extend(planned)
        try:
            w.engine.resume(SECRET)
        except HookgateError:
            pass  # nothing in progress, or the provider failed again
        finally:
            w.provider.faults.clear()
        self.observe()

    @rule()
    def cancel(self) -> None:
        """The operator runs ``hookgate rotate --cancel``."""
        self.world.engine.cancel(SECRET)
        self.observe()

    @precondition(
        lambda self: (
            self.adoption is None
            and self.w is not None
            and self.w.clock.now - self.last_put >= self.w.grace
        )
    )
    @rule()
    def put_by_hand(self) -> None:
        """The operator puts a value, and gives it to the provider a propagation time later.

        At most once per grace window, as the README's runbook says: between two puts by hand
        nothing records when the first stopped being current.
        """
        self.hand_puts += 1
        self.last_put = self.world.clock.now
        value = f"typed-by-hand-{self.hand_puts}"
        self.world.hand_put(value)
        self.adoption = (value, self.world.clock.now + self.propagation)
        self.observe()

    @rule(drifted=st.booleans(), lost=st.booleans(), fault=st.sampled_from(FAULTS))
    def sync(self, drifted: bool, lost: bool, fault: str) -> None:
        """Sync runs while the webhook drifted or was deleted at the provider."""
        w = self.world
        w.provider.drifted = drifted
        if lost:
            w.provider.has_webhook = False
        w.provider.faults.append(fault)
        w.sync.run(BASE_URL, apply=True)  # errors are reported, never raised
        w.provider.faults.clear()
        self.observe()

    @rule()
    def rotate_signing_key(self) -> None:
        """The token signing key rotates on its schedule."""
        self.world.rotate(SIGNING_KEY)
        self.observe()

    @rule(signer=st.integers(0, 1))
    def issue_token(self, signer: int) -> None:
        """A token function (its own cache) signs a token with its current key."""
        kid, _ = self.signers[signer].current()
        self.tokens.append((kid, self.world.clock.now + TOKEN_LIFETIME))
        self.observe()

    @rule(seconds=st.sampled_from([1, 20, 45, 61, 150, 400, 1000, 4000]))
    def wait(self, seconds: float) -> None:
        """Time passes."""
        self.world.clock.sleep(seconds)
        self.observe()

    # -- what must hold --------------------------------------------------------------------

    def observe(self) -> None:
        """Note which secret the provider holds, and apply the operator's pending hand-over."""
        w = self.world
        if self.adoption is not None and w.clock.now >= self.adoption[1]:
            value, self.adoption = self.adoption[0], None
            if value == w.value()["webhook_secret"]:  # unless a rotation replaced it meanwhile
                w.provider.holds = value
        held = w.provider.holds
        if held is None or not w.provider.has_webhook:
            return
        order = self._creation_order()
        current = w.value()["webhook_secret"]
        if held == current or order.get(held, -1) >= order.get(current, -1):
            self.needed[held] = w.clock.now

    def _creation_order(self) -> dict[str, int]:
        w = self.world
        listing = w.sm.list_secret_version_ids(SecretId=SECRET)["Versions"]
        dated = sorted(enumerate(listing), key=lambda item: (item[1]["CreatedDate"], item[0]))
        order: dict[str, int] = {}
        for position, (_, version) in enumerate(dated):
            value = self._value_of(version["VersionId"])
            if value is not None:
                order[value] = position
        return order

    def _value_of(self, version_id: str) -> str | None:
        if version_id not in self.values:
            try:
                text = self.world.sm.get_secret_value(SecretId=SECRET, VersionId=version_id)
            except ClientError:
                return None  # created empty by RotateSecret; no value yet
            document: dict[str, Any] = json.loads(text["SecretString"])
            self.values[version_id] = str(document.get("webhook_secret"))
        return self.values[version_id]

    @invariant()
    def the_providers_secret_verifies_everywhere(self) -> None:
        """Invariant 1."""
        w = self.w
        if w is None or not w.provider.has_webhook:
            return
        for receiver in self.receivers:
            assert verifies(receiver, w.provider.holds, w.grace), (
                f"the provider signs with a secret a receiver refuses at t={w.clock.now}"
            )

    @invariant()
    def every_live_token_verifies_everywhere(self) -> None:
        """Invariant 2."""
        w = self.w
        if w is None:
            return
        live = {kid for kid, expires in self.tokens if w.clock.now < expires}
        for receiver in self.receivers:
            known = {kid for _, kid, _ in SigningKeys(receiver, SIGNING_KEY).versions()}
            assert live <= known, f"tokens with keys {live - known} refused at t={w.clock.now}"

    @invariant()
    def held_secrets_keep_their_grace(self) -> None:
        """Invariant 3."""
        w = self.w
        if w is None:
            return
        for value, last_seen in self.needed.items():
            if w.clock.now < last_seen + w.grace:
                for receiver in self.receivers:
                    assert verifies(receiver, value, w.grace), (
                        f"a secret held {w.clock.now - last_seen:.0f} s ago was refused "
                        f"(grace {w.grace} s)"
                    )


SecretLifecycle.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


TestSecretLifecycle = SecretLifecycle.TestCase
