"""hookgate: receive provider webhooks, verify them, normalise them, publish them to EventBridge.

Plugin authors import everything they need from :mod:`hookgate.plugin`; the hooks to implement
are documented in :mod:`hookgate.hookspecs`. :data:`hookimpl` stays importable from here.
"""

from hookgate.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]
