"""Insider One WhatsApp provider for hookgate."""
