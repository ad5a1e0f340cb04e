"""WhatsApp Cloud API samples and sandbox, as its ``hookgate.dev`` entry point names them."""

from hookgate_dev.providers.hookgate_meta_whatsapp import samples, sandbox

__all__ = ["samples", "sandbox"]
