"""Security tests for issue 10."""
