"""Insider One WhatsApp provider for hookgate (V1 bearer key; V2 OAuth2)."""
