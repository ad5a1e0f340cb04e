"""The distributions here are installed and run by tests/integration/test_third_party_plugin.py.

Their own tests need them installed, so the project's test run does not collect them.
"""

collect_ignore_glob = ["hookgate-*"]
