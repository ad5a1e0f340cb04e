"""Standard Webhooks for hookgate: one provider for every sender that follows the specification."""
