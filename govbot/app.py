"""The FastAPI application: knowledge service, admin API and web pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from govbot.admin.auth import TokenAuthority
from govbot.admin.kb_store import AuditedStore, DatabaseKnowledgeStore, open_store
from govbot.admin.kb_watch import RevisionWatcher
from govbot.admin.reindexer import Reindexer
from govbot.admin.retention import RetentionJob
from govbot.admin.review import QuestionVectors
from govbot.answering.answerer import Answerer
from govbot.answering.case_classifier import warm_up as warm_up_case_model
from govbot.api import (
    admin_auth,
    admin_documents,
    admin_insights,
    admin_page,
    admin_tickets,
    chat_proxy,
    conversation,
    events,
    knowledge,
    pages,
    proactive,
    rasa_webhooks,
    speech,
)
from govbot.api.pages import WEB_DIR
from govbot.cluster.ring import Ring
from govbot.components import make_searcher, tokenizer_for
from govbot.security.install import install_security
from govbot.settings import Settings, get_settings
from govbot.storage.subscriptions import notify_subscribers
from index.builder import BuildResult, build_index
from knowledge.service_catalogue import load_catalogue

ROUTERS = (
    knowledge.router,
    conversation.router,
    events.router,
    proactive.router,
    admin_auth.router,
    admin_documents.router,
    admin_insights.router,
    admin_tickets.router,
    admin_page.router,
    chat_proxy.router,
    speech.router,
    pages.router,
)


def _reindexer(settings: Settings, app: FastAPI, store: AuditedStore, watcher: RevisionWatcher | None) -> Reindexer:
    embedder = app.state.searcher.embedder
    tokenizer = tokenizer_for(settings)

    def build() -> BuildResult:
        if watcher is not None:
            watcher.built = watcher.revision()
        return build_index(store.folder(), settings.index_dir, lambda: embedder, tokenizer, settings)

    def after(result: BuildResult) -> None:
        app.state.searcher.refresh()  # load the new snapshot here, not in the next citizen's request
        if result.changed:
            notify_subscribers(settings.database_url, result.changed)

    return Reindexer(build, after, settings.reindex_retry_seconds)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the shared HTTP client at shutdown."""
    yield
    await app.state.rasa_client.aclose()


def create_app() -> FastAPI:
    """Build the app; the model and the served snapshot are loaded once, at start-up.

    At start-up the index is brought up to date with the knowledge base (a change saved just before a
    crash is applied now), and records past the retention period are purged, then every few hours.
    """
    settings = get_settings()
    app = FastAPI(title="govbot 示例市政务服务助手", version="0.1.0", lifespan=_lifespan)
    app.state.settings = settings
    app.state.rasa_client = chat_proxy.rasa_client(settings.http_pool)
    app.state.rasa_ring = Ring(settings.rasa_urls)
    app.state.searcher = make_searcher(settings=settings)
    app.state.answerer = Answerer(
        app.state.searcher, settings.scope_rule, settings.event_confidence, load_catalogue(settings.service_catalogue)
    )
    warm_up_case_model()
    app.state.answerer.warm_up()
    app.state.tokens = TokenAuthority.from_settings(settings.admin_tokens, settings.admin_tokens_file)
    app.state.kb_store = store = open_store(settings)
    app.state.question_vectors = QuestionVectors(app.state.searcher.embedder)
    # Other replicas write the same knowledge base when it lives in the database: follow their edits.
    watcher = None
    if isinstance(store, DatabaseKnowledgeStore):
        watcher = RevisionWatcher(store.revision, settings.kb_poll_seconds)
    app.state.reindexer = _reindexer(settings, app, store, watcher)
    app.state.reindexer.request()
    if watcher is not None:
        app.state.kb_watcher = watcher.start(app.state.reindexer)
        app.add_event_handler("shutdown", watcher.stop)
    app.state.retention = RetentionJob(settings).start()
    for router in ROUTERS:
        app.include_router(router)
    if settings.rasa_urls_setting:  # the cluster's gateway also serves Rasa's channel webhooks
        app.include_router(rasa_webhooks.router)
    install_security(app, settings)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
