"""Custom Rasa actions. They are thin: each one calls the knowledge service and renders its reply."""
