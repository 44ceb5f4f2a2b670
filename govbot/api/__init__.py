"""HTTP routes of the FastAPI app, one router per concern."""
