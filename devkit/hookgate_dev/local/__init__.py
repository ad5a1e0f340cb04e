"""The local stack: the whole product on one machine, no AWS account and no Docker."""
