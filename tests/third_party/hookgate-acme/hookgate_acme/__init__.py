"""Acme webhooks for hookgate: an example third-party provider plugin."""
