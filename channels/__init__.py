"""Channels: the web chat and the elderly-friendly plain-text / voice mode (custom Rasa input channel)."""
