"""Whether template.yaml's rotation schedules match what hookgate can rotate.

A RotationSchedule on a secret hookgate cannot give to its provider fails on its first run and
leaves the rotation in progress, which on AWS refuses every later one. Each registration secret
is scheduled exactly when hookgate can push a new value: its provider takes one
(``hookgate_rotate_secret``) and, where its API needs credentials, hookgate.yaml names an
``api_secret``. The token signing key (the rotation function's ``HOOKGATE_SIGNING_KEY_SECRET``)
is hookgate's own and always scheduled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hookgate.config import HookgateConfig
from hookgate.models import Registration
from hookgate.plugins import PluginHost
from hookgate_dev.local.template import functions, resources_of_type

SECRET_RESOURCE = "AWS::SecretsManager::Secret"  # noqa: S105 - a resource type
SCHEDULE = "AWS::SecretsManager::RotationSchedule"


def can_rotate(registration: Registration, host: PluginHost) -> bool:
    """Return whether hookgate can give ``registration`` a new secret."""
    provider = host.get(registration.provider)
    if not provider.implements("hookgate_rotate_secret"):
        return False
    if not provider.info.rotation_enabled(registration.settings):
        return False
    return bool(registration.api_secret_id or not provider.info.api_credential_keys)


def _ref(value: Any) -> str | None:
    return str(value["Ref"]) if isinstance(value, Mapping) and "Ref" in value else None


def rotation_schedule_problems(
    template: Mapping[str, Any], config: HookgateConfig, host: PluginHost
) -> list[str]:
    """Return every disagreement between the template's schedules and what can rotate."""
    names = {
        logical: str(props.get("Name", logical))
        for logical, props in resources_of_type(template, SECRET_RESOURCE).items()
    }
    scheduled = {
        _ref(props.get("SecretId")): logical
        for logical, props in resources_of_type(template, SCHEDULE).items()
    }
    rotation = functions(template).get("RotationFunction", {})
    signing_key = _ref(
        rotation.get("Environment", {}).get("Variables", {}).get("HOOKGATE_SIGNING_KEY_SECRET")
    )
    by_secret = {r.secret_id: r for r in config.registrations.values()}
    problems: list[str] = []
    for logical, name in names.items():
        schedule = scheduled.get(logical)
        registration = by_secret.get(name)
        if logical == signing_key:
            if schedule is None:
                problems.append(f"{logical} (the token signing key) has no RotationSchedule")
        elif registration is None:
            if schedule is not None:
                problems.append(
                    f"{schedule} rotates {logical}, which no registration's `secret` names"
                )
        elif can_rotate(registration, host) and schedule is None:
            problems.append(
                f"registration {registration.name!r}: hookgate can rotate its secret, but "
                f"template.yaml schedules no rotation of {logical} (add a RotationSchedule)"
            )
        elif not can_rotate(registration, host) and schedule is not None:
            problems.append(
                f"registration {registration.name!r}: {schedule} rotates {logical}, but hookgate "
                "cannot give its provider a new secret (no api_secret in hookgate.yaml, or the "
                "provider takes none): every rotation would fail and stay in progress"
            )
    for ref, schedule in scheduled.items():
        if ref not in names:
            problems.append(f"{schedule} rotates {ref}, which is not a secret of the template")
    return problems
