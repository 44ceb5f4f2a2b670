"""Custom Rasa actions. They are thin: each one calls the knowledge service and renders its reply."""

from actions.knowledge_client import attach

attach()  # close the shared knowledge-service client when the action server stops
