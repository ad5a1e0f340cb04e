"""The HMAC provider's samples and sandbox, as its ``hookgate.dev`` entry point names them."""

from hookgate_dev.providers.hookgate_hmac import samples, sandbox

__all__ = ["samples", "sandbox"]
