"""360dialog WhatsApp Business API provider for hookgate."""
