"""The FastAPI application: knowledge service, admin API and web pages."""

from __future__ import annotations

from fastapi import FastAPI

from govbot.answering.answerer import Answerer
from govbot.api import conversation, knowledge
from govbot.components import make_searcher
from govbot.settings import get_settings


def create_app() -> FastAPI:
    """Build the app; the model and the served snapshot are loaded once, at start-up."""
    settings = get_settings()
    app = FastAPI(title="govbot 示例市政务服务助手", version="0.1.0")
    app.state.settings = settings
    app.state.searcher = make_searcher(settings=settings)
    app.state.answerer = Answerer(app.state.searcher)
    app.include_router(knowledge.router)
    app.include_router(conversation.router)
    return app
