"""WhatsApp Cloud API webhooks straight from Meta, for hookgate."""
