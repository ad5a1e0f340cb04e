"""Sinch Conversation API provider for hookgate."""
