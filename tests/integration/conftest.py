"""Integration fixtures come from tests/support/stack.py (shared with the browser tests)."""
