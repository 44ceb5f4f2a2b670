"""The FastAPI application: knowledge service, admin API and web pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from govbot.answering.answerer import Answerer
from govbot.api import chat_proxy, conversation, knowledge, pages, speech
from govbot.api.pages import WEB_DIR
from govbot.components import make_searcher
from govbot.settings import get_settings


def create_app() -> FastAPI:
    """Build the app; the model and the served snapshot are loaded once, at start-up."""
    settings = get_settings()
    app = FastAPI(title="govbot 示例市政务服务助手", version="0.1.0")
    app.state.settings = settings
    app.state.searcher = make_searcher(settings=settings)
    app.state.answerer = Answerer(app.state.searcher)
    for router in (knowledge.router, conversation.router, chat_proxy.router, speech.router, pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
