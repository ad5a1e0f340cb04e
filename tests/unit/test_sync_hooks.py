"""sync_hooks: a plugin's register and rotate hooks import its register module on first use."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from hookgate.plugins import load_plugins
from hookgate.sync_hooks import sync_hooks

MODULE = "hookgate_test_fake_register"


def test_the_hooks_import_the_module_only_when_called_and_pass_every_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, tuple[Any, ...]]] = []
    planned: list[Any] = ["planned"]

    def reconcile(*args: Any) -> list[Any]:
        calls.append(("reconcile", args))
        return planned

    def push_secret(*args: Any) -> int:
        calls.append(("push_secret", args))
        return 1

    fake = types.ModuleType(MODULE)
    fake.reconcile = reconcile  # type: ignore[attr-defined]
    fake.push_secret = push_secret  # type: ignore[attr-defined]
    register, rotate = sync_hooks(MODULE)
    assert (register.__name__, rotate.__name__) == ("hookgate_register", "hookgate_rotate_secret")
    assert MODULE in (register.__doc__ or "") and MODULE in (rotate.__doc__ or "")
    with pytest.raises(ModuleNotFoundError):
        register("r", "u", "s", "c", True)  # nothing imported at creation; missing at call
    monkeypatch.setitem(sys.modules, MODULE, fake)
    assert register("r", "u", "s", "c", True) is planned
    assert rotate("r", "u", "n", "c") is True
    assert calls == [
        ("reconcile", ("r", "u", "s", "c", True)),
        ("push_secret", ("r", "u", "n", "c")),
    ]


@pytest.mark.parametrize(
    "provider", ["360dialog", "insider_one", "sinch_conversation", "sinch_provisioning"]
)
def test_the_built_in_sync_plugins_implement_both_hooks(provider: str) -> None:
    handle = load_plugins().get(provider)
    assert handle.implements("hookgate_register") and handle.implements("hookgate_rotate_secret")
