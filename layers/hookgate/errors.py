"""The exceptions hookgate raises and plugins may raise.

Messages name what is wrong and where; they never contain secret material.
"""

from __future__ import annotations

from collections.abc import Iterable


class HookgateError(Exception):
    """Base class of every error hookgate raises on purpose."""


class ConfigError(HookgateError):
    """hookgate.yaml (or a provider's settings in it) is invalid; nothing may start."""


class UnknownProviderError(HookgateError):
    """A provider name was asked for that no loaded plugin provides."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        """Name the provider asked for and list the valid ones."""
        self.name = name
        self.known = sorted(known)
        super().__init__(
            f"unknown provider {name!r}; loaded providers: {', '.join(self.known) or 'none'}"
        )


class UnknownRegistrationError(HookgateError):
    """A registration name was asked for that hookgate.yaml does not declare."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        """Name the registration asked for and list the declared ones."""
        self.name = name
        self.known = sorted(known)
        super().__init__(
            f"unknown registration {name!r}; declared: {', '.join(self.known) or 'none'}"
        )


class RegistrationUnavailableError(HookgateError):
    """A declared registration cannot serve: its plugin did not load or its settings are invalid.

    Only that registration is affected; its webhooks are answered 503 so the provider retries.
    """

    def __init__(self, name: str, reason: str) -> None:
        """Name the registration and say why it is unavailable."""
        self.name = name
        self.reason = reason
        super().__init__(f"registration {name!r} is unavailable: {reason}")


class PluginLoadError(HookgateError):
    """A plugin could not be imported, registered or described; it is skipped."""


class MalformedPayloadError(HookgateError):
    """A verified request's body cannot be parsed; the caller gets 400.

    Plugins raise it from ``hookgate_parse`` with a message that says what is wrong
    (never the payload itself, which may carry personal data).
    """


class SecretUnavailableError(HookgateError):
    """Secrets Manager could not be read; hookgate failed and the provider should retry."""


class PublishError(HookgateError):
    """Events could not be published to the bus; the provider should retry."""


class DedupeStoreError(HookgateError):
    """The de-duplication store could not be read or written; the provider should retry."""


class InFlightError(HookgateError):
    """The same event is being published by another invocation right now; retry later."""
