"""Find a provider's development modules (sample deliveries, sandbox) by its declared entry point.

A distribution declares them in the entry point group ``hookgate.dev``: the name is the provider's
name (as its ``hookgate_provider`` hook reports it), the value a module (or any object) with the
attributes ``samples`` and/or ``sandbox``, each a module laid out like the built-in providers'
(see docs/plugins.md). The built-in providers declare theirs in devkit/pyproject.toml, so none of
this code or data is in the runtime wheel or the Lambda layer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

from hookgate.errors import HookgateError

GROUP = "hookgate.dev"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DevModules:
    """A provider's development modules; either is None when the provider declares none."""

    samples: ModuleType | None = None
    sandbox: ModuleType | None = None


def dev_modules(provider: str) -> DevModules:
    """Return the modules ``provider``'s entry point in :data:`GROUP` names.

    No entry point means none (the provider has no samples and no sandbox); one that fails to
    load is logged by name and counts as none, so it takes no other provider's down with it.
    Two distributions claiming the same provider is an error.
    """
    found = entry_points(group=GROUP, name=provider)
    if not found:
        return DevModules()
    if len(found) > 1:
        claims = ", ".join(sorted(entry.value for entry in found))
        raise HookgateError(f"provider {provider!r}: {len(found)} {GROUP} entry points ({claims})")
    (entry,) = found
    try:
        declared = entry.load()
    except Exception as exc:
        logger.warning(
            "%s entry point %s = %s failed to load: %s: %s",
            GROUP,
            provider,
            entry.value,
            type(exc).__name__,
            exc,
        )
        return DevModules()
    samples = getattr(declared, "samples", None)
    sandbox = getattr(declared, "sandbox", None)
    return DevModules(
        samples=samples if isinstance(samples, ModuleType) else None,
        sandbox=sandbox if isinstance(sandbox, ModuleType) else None,
    )
