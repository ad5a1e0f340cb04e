"""The built-in providers' development modules, one package per plugin package of the same name.

Each package's ``samples`` (test secret, signer, sample bodies, expected types) and ``sandbox``
(the provider's webhook API on loopback) are found through the ``hookgate.dev`` entry points that
devkit/pyproject.toml declares (:mod:`hookgate_dev.dev_modules`), not by their module names.
"""
