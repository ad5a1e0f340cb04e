"""hookgate: receive provider webhooks, verify them, normalise them, publish them to EventBridge.

Plugin authors need only :data:`hookimpl` from here, plus :mod:`hookgate.models` and
:mod:`hookgate.errors`; the hooks to implement are documented in :mod:`hookgate.hookspecs`.
"""

from hookgate.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]
