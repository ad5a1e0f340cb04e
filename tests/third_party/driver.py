"""Run in a subprocess by test_third_party_plugin.py: load plugins as a Lambda would, report.

Reads ``{"settings": {provider: settings}}`` on stdin. Loads providers with hookgate's cached
plugin host (so HOOKGATE_PLUGINS / HOOKGATE_DISABLE_PLUGINS apply), then for every provider in
``settings`` that loaded, signs each sample of its ``samples`` module (found through its
``hookgate.dev`` entry point), verifies and parses it, and checks that a forged request is
refused. Prints one JSON report on stdout.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from hookgate.models import Registration, SecretStage
from hookgate.plugins import ProviderHandle, get_plugin_host
from hookgate_dev.dev_modules import dev_modules
from hookgate_dev.testing import api_gateway_request, other_secret, secret_versions

NOW = datetime.now(UTC)


def exercise(handle: ProviderHandle, settings: dict[str, Any]) -> dict[str, Any]:
    """Verify and parse every sample of ``handle``'s plugin; report what happened."""
    samples = dev_modules(handle.name).samples
    assert samples is not None, f"{handle.name} declares no hookgate.dev samples"
    registration = Registration(
        name="third-party-test",
        provider=handle.name,
        secret_id="hookgate/third-party-test",
        settings=handle.info.settings_model.model_validate(settings),
    )
    good = secret_versions((SecretStage.CURRENT, samples.TEST_SECRET))
    report: dict[str, Any] = {"plugin_module": handle.plugin.__name__, "samples": {}}  # type: ignore[attr-defined]
    for name, body in samples.SAMPLE_PAYLOADS.items():
        headers = samples.signed_headers(body, samples.TEST_SECRET, NOW)
        request = api_gateway_request(handle.name, registration.name, body, headers, NOW)
        verdict = handle.verify(request, registration, good, NOW)
        forged = api_gateway_request(
            handle.name,
            registration.name,
            body,
            samples.signed_headers(body, other_secret(samples.TEST_SECRET), NOW),
            NOW,
        )
        report["samples"][name] = {
            "verified": verdict.ok,
            "stage": verdict.stage.value if verdict.stage else None,
            "forgery_refused": not handle.verify(forged, registration, good, NOW).ok,
            "types": [event.type for event in handle.parse(request, registration)],
            "expected": list(samples.EXPECTED_TYPES[name]),
        }
    return report


def main() -> None:
    """Print the plugin host's providers and failures, and each provider's exercise."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    wanted: dict[str, dict[str, Any]] = json.load(sys.stdin)["settings"]
    host = get_plugin_host()
    print(
        json.dumps(
            {
                "providers": host.names(),
                "failures": dict(host.failures),
                "exercised": {
                    name: exercise(host.get(name), settings)
                    for name, settings in wanted.items()
                    if name in host.providers
                },
            }
        )
    )


if __name__ == "__main__":
    main()
