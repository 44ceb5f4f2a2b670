"""Personal data protection: masking before anything is stored or logged."""
