"""Provider sandboxes: real HTTP servers that behave like the providers' webhook APIs.

Each provider's sandbox module has ``build_sandbox() -> Sandbox``; this package holds
what they share: fault injection, webhook delivery with retries, the ``/_sandbox`` control
routes and a threaded uvicorn runner. Used by tests, by ``hookgate sandbox`` and by the local
stack; never deployed to Lambda.
"""
