"""A provider's samples and sandbox are found through its ``hookgate.dev`` entry point.

Third-party declarations are real distributions on ``sys.path`` (a ``.dist-info`` directory
with ``entry_points.txt`` beside a package), found by ``importlib.metadata`` as installed ones are.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookgate.errors import HookgateError
from hookgate_dev.dev_modules import GROUP, DevModules, dev_modules

BUILTIN = {
    "sinch_conversation": "hookgate_sinch_conversation",
    "sinch_provisioning": "hookgate_sinch_provisioning",
    "360dialog": "hookgate_360dialog",
    "insider_one": "hookgate_insider_one",
    "meta_whatsapp": "hookgate_meta_whatsapp",
    "standard_webhooks": "hookgate_standard_webhooks",
    "hmac": "hookgate_hmac",
}


@pytest.mark.parametrize("provider", sorted(BUILTIN))
def test_each_builtin_provider_declares_its_samples_and_sandbox(provider: str) -> None:
    found = dev_modules(provider)
    package = f"hookgate_dev.providers.{BUILTIN[provider]}"
    assert found.samples is importlib.import_module(f"{package}.samples")
    assert found.sandbox is importlib.import_module(f"{package}.sandbox")
    assert found.samples.SAMPLE_PAYLOADS
    assert callable(found.sandbox.build_sandbox)


def test_a_provider_without_an_entry_point_has_neither() -> None:
    assert dev_modules("no_such_provider") == DevModules(samples=None, sandbox=None)
    assert dev_modules("Sinch_Conversation") == DevModules()  # names are exact


def _distribution(
    site: Path, name: str, entry_points: dict[str, str], modules: dict[str, str]
) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(source)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("devmod_")]:
        del sys.modules[name]


def test_a_third_party_declares_only_samples(site: Path) -> None:
    _distribution(
        site,
        "acme_dev",
        {"acme": "devmod_acme"},
        {
            "devmod_acme": "import devmod_acme_samples as samples\n",
            "devmod_acme_samples": "SAMPLE_PAYLOADS = {'one': b'{}'}\n",
        },
    )
    found = dev_modules("acme")
    assert found.sandbox is None
    assert found.samples is not None
    assert found.samples.__name__ == "devmod_acme_samples"
    assert found.samples.SAMPLE_PAYLOADS == {"one": b"{}"}


def test_an_attribute_that_is_not_a_module_is_not_taken(site: Path) -> None:
    _distribution(
        site,
        "odd_dev",
        {"odd": "devmod_odd"},
        {"devmod_odd": "samples = {'one': b'{}'}\nimport json as sandbox\n"},
    )
    found = dev_modules("odd")
    assert found.samples is None
    assert found.sandbox is not None and found.sandbox.__name__ == "json"


def test_a_declaration_that_fails_to_import_is_logged_and_counts_as_none(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _distribution(
        site,
        "broken_dev",
        {"broken": "devmod_broken"},
        {"devmod_broken": "raise RuntimeError('broken on purpose')\n"},
    )
    with caplog.at_level(logging.WARNING, logger="hookgate_dev.dev_modules"):
        assert dev_modules("broken") == DevModules()
    assert caplog.messages == [
        "hookgate.dev entry point broken = devmod_broken failed to load: "
        "RuntimeError: broken on purpose"
    ]
    # another provider's declaration is unaffected
    assert dev_modules("hmac").samples is not None


def test_two_distributions_claiming_one_provider_is_an_error(site: Path) -> None:
    _distribution(site, "first_dev", {"twice": "devmod_first"}, {"devmod_first": ""})
    _distribution(site, "second_dev", {"twice": "devmod_second"}, {"devmod_second": ""})
    with pytest.raises(HookgateError) as raised:
        dev_modules("twice")
    assert str(raised.value) == (
        "provider 'twice': 2 hookgate.dev entry points (devmod_first, devmod_second)"
    )
