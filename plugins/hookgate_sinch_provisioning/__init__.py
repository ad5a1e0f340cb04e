"""Sinch Provisioning API provider for hookgate."""
