"""Standard Webhooks's samples and sandbox, as its ``hookgate.dev`` entry point names them."""

from hookgate_dev.providers.hookgate_standard_webhooks import samples, sandbox

__all__ = ["samples", "sandbox"]
