"""Security controls: sessions, service tokens, signatures, secrets, request limits, headers, error handlers."""
