"""The plugin host: entry-point loading, isolation of broken plugins, lookup by name."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from pydantic import BaseModel

from hookgate import hookimpl
from hookgate.errors import UnknownProviderError
from hookgate.models import ProviderInfo, Verdict
from hookgate.plugins import load_plugins


class _Settings(BaseModel):
    pass


def _provider(name: str) -> object:
    class Plugin:
        @staticmethod
        @hookimpl
        def hookgate_provider() -> ProviderInfo:
            return ProviderInfo(name=name, title=name, settings_model=_Settings)

        @staticmethod
        @hookimpl
        def hookgate_verify() -> Verdict:
            return Verdict.reject(f"{name} says no")

    Plugin.__name__ = f"plugin_{name}"
    return Plugin()


def test_builtin_providers_load_through_entry_points() -> None:
    host = load_plugins()
    assert {"sinch_conversation"} <= set(host.names())
    assert host.get("sinch_conversation").info.name == "sinch_conversation"


def test_unknown_provider_names_the_valid_ones() -> None:
    host = load_plugins(use_entry_points=False, extra=[_provider("alpha"), _provider("beta")])
    with pytest.raises(
        UnknownProviderError, match=r"unknown provider 'gamma'; loaded providers: alpha, beta"
    ):
        host.get("gamma")


def test_dispatch_calls_only_the_named_provider() -> None:
    host = load_plugins(use_entry_points=False, extra=[_provider("alpha"), _provider("beta")])
    blank = cast(Any, SimpleNamespace())
    verdict = host.get("beta").verify(request=blank, registration=blank, secrets=blank, now=blank)
    assert verdict.reason == "beta says no"


def test_an_implementation_taking_some_or_all_arguments_gets_them_by_name() -> None:
    class Plugin:
        @staticmethod
        @hookimpl
        def hookgate_provider() -> ProviderInfo:
            return ProviderInfo(name="gamma", title="gamma", settings_model=_Settings)

        @staticmethod
        @hookimpl
        def hookgate_verify(now: Any, request: Any) -> Verdict:
            return Verdict.reject(f"{request} at {now}")

        @staticmethod
        @hookimpl
        def hookgate_parse(registration: Any, request: Any) -> list[Any]:
            return [request, registration]

    handle = load_plugins(use_entry_points=False, extra=[Plugin()]).get("gamma")
    blank = cast(Any, "-")
    verdict = handle.verify(request=cast(Any, "req"), registration=blank, secrets=blank, now=blank)
    assert verdict.reason == "req at -"
    parsed: list[Any] = list(handle.parse(request=cast(Any, "req"), registration=cast(Any, "reg")))
    assert parsed == ["req", "reg"]


def test_a_wrapping_implementation_still_wraps() -> None:
    class Plugin:
        @staticmethod
        @hookimpl
        def hookgate_provider() -> ProviderInfo:
            return ProviderInfo(name="delta", title="delta", settings_model=_Settings)

        @staticmethod
        @hookimpl(wrapper=True)
        def hookgate_verify() -> Any:
            verdict = yield
            return verdict or Verdict.reject("wrapped")

    handle = load_plugins(use_entry_points=False, extra=[Plugin()]).get("delta")
    blank = cast(Any, SimpleNamespace())
    verdict = handle.verify(request=blank, registration=blank, secrets=blank, now=blank)
    assert verdict.reason == "wrapped"


def test_plugin_with_misspelled_hook_is_skipped_and_reported() -> None:
    class Misspelled:
        @staticmethod
        @hookimpl
        def hookgate_verfy() -> None:  # not a hook
            return None

    host = load_plugins(use_entry_points=False, extra=[Misspelled(), _provider("alpha")])
    assert host.names() == ["alpha"]
    assert "hookgate_verfy" in host.failures["Misspelled"]


def test_plugin_whose_description_fails_is_skipped() -> None:
    class Broken:
        @staticmethod
        @hookimpl
        def hookgate_provider() -> ProviderInfo:
            raise RuntimeError("boom")

    Broken.__name__ = "broken"
    host = load_plugins(use_entry_points=False, extra=[Broken(), _provider("alpha")])
    assert host.names() == ["alpha"]
    assert "boom" in host.failures["broken"]


def test_duplicate_provider_name_is_refused() -> None:
    first, second = _provider("alpha"), _provider("alpha")
    type(second).__name__ = "second_alpha"
    host = load_plugins(use_entry_points=False, extra=[first, second])
    assert host.names() == ["alpha"]
    assert any("already" in r or "another plugin" in r for r in host.failures.values())


def test_allow_and_block_lists_filter_entry_points() -> None:
    assert load_plugins(allow={"sinch_conversation"}).names() == ["sinch_conversation"]
    assert "sinch_conversation" not in load_plugins(block={"sinch_conversation"}).names()
