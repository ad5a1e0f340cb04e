"""Models of a sync plan: what must change at a provider to match hookgate.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from hookgate.errors import HookgateError

Action = Literal["create", "update", "delete", "unchanged", "unmanaged"]
NOT_DRIFT: frozenset[str] = frozenset({"unchanged", "unmanaged"})
"""Actions that say the provider needs nothing: in line, or out of sync's reach."""


class PlannedChange(BaseModel):
    """One change (or confirmation) for one webhook at a provider.

    ``changed_fields`` names the fields that differ, never their values, so a plan can be
    printed and stored without revealing a secret.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    registration: str
    provider: str
    action: Action
    remote_id: str | None = None
    target: str | None = None
    reason: str
    changed_fields: tuple[str, ...] = ()
    applied: bool = False


class ApplyInterruptedError(HookgateError):
    """Applying stopped part-way; ``applied`` lists the changes made before the failure."""

    def __init__(self, message: str, applied: list[PlannedChange]) -> None:
        """Say what failed and keep what was already done."""
        super().__init__(message)
        self.applied = applied
