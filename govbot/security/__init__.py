"""Web hardening: request limits, rate limits, security headers, error handlers."""
