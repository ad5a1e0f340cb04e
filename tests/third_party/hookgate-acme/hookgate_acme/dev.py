"""Acme's development modules, named by its ``hookgate.dev`` entry point: its samples."""

from hookgate_acme import samples

__all__ = ["samples"]
