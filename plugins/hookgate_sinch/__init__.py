"""Code both Sinch providers share: API authentication, the client base, the callback signature.

Not a plugin (no hooks, no entry point): ``hookgate_sinch_conversation`` and
``hookgate_sinch_provisioning`` import it, so neither imports the other.
"""
