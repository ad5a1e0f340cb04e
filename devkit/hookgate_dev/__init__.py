"""hookgate-dev: everything that runs hookgate on a developer's machine, never in Lambda.

The ``hookgate`` command (:mod:`hookgate_dev.cli`), the local stack (:mod:`hookgate_dev.local`),
the provider sandboxes (:mod:`hookgate_dev.sandbox`, :mod:`hookgate_dev.providers`) and the
plugin contract suite (:mod:`hookgate_dev.testing`, registered with pytest by the ``pytest11``
entry point). The runtime package :mod:`hookgate` never imports from here.
"""
