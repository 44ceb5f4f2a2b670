"""Identity and access: generated secrets, web sessions, the internal service token, gateway signatures."""
