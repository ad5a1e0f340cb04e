"""A configurable HMAC provider for hookgate: senders that sign with a shared key."""
