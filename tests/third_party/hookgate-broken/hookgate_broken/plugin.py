"""This module raises on import, as a plugin with a bug (or a missing dependency) would."""

raise RuntimeError("hookgate-broken fails on import on purpose")
