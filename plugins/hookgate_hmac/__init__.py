"""A configurable HMAC provider for hookgate: the long tail of senders that sign with a shared key."""
