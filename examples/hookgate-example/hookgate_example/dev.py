"""Example Co's development modules, named by the ``hookgate.dev`` entry point: its samples."""

from hookgate_example import samples

__all__ = ["samples"]
