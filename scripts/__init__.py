"""Developer scripts (sample events); importable by the tests."""
