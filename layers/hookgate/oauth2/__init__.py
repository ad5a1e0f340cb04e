"""OAuth2 for providers that call back with client credentials: token endpoint and bearer checks."""
