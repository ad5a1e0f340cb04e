"""Example Co webhooks for hookgate: the example provider plugin of docs/plugins.md."""
