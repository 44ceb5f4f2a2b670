"""Throughput without a running stack: a question is embedded at most once per process and the NLU's vector is
reused exactly; HTTP clients are shared and closed; long conversations roll over into bounded Rasa sessions."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from govbot.answering.answerer import Answerer
from govbot.components import make_searcher
from govbot.http_client import SharedClient
from govbot.privacy.masked_tracker_store import mask_event
from index.query_text import clean_query
from index.query_vector import PARSE_KEY, CarriedVector, decode, vector_for
from tests.security.inprocess import BASE_URL, running_app

QUESTION = "身份证丢了怎么补办"


@pytest.fixture(scope="module")
def answerer(sample_index, settings) -> Answerer:
    return Answerer(make_searcher(sample_index, settings), settings.scope_rule)


def _embedded(answerer: Answerer, **options) -> tuple[int, dict]:
    """How many query texts one answer embedded, and the answer."""
    embedder = answerer.searcher.embedder
    before = embedder.queries_embedded
    answer = answerer.answer(QUESTION, **options).to_dict()
    return embedder.queries_embedded - before, answer


def test_a_question_is_embedded_once_for_search_and_passages(answerer):
    count, answer = _embedded(answerer)
    assert answer["decision"] == "answer" and answer["passages"]
    assert count == 1


def test_a_carried_vector_is_used_instead_of_embedding_and_gives_the_same_answer(answerer):
    _, plain = _embedded(answerer)
    vector = answerer.searcher.embedder.embed_queries([clean_query(QUESTION)])[0]
    count, reused = _embedded(answerer, query_vector=vector)
    assert count == 0
    assert reused == plain


def test_a_followup_reuses_the_carried_vector_for_its_passages(answerer):
    _, first = _embedded(answerer)
    vector = answerer.searcher.embedder.embed_queries(["那要多少钱？"])[0]
    before = answerer.searcher.embedder.queries_embedded
    answer = answerer.answer("那要多少钱？", current_doc=first["doc_id"], followup=True, query_vector=vector)
    assert answer.doc_id == first["doc_id"] and answer.passages
    assert answerer.searcher.embedder.queries_embedded == before


def test_carried_vector_round_trip_is_exact_and_bad_vectors_are_refused():
    rng = np.random.default_rng(7)
    vector = rng.normal(size=384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    carried = CarriedVector("护照怎么办", vector).to_dict()
    restored = decode(carried["text"], carried["vector"], 384)
    assert restored is not None and np.array_equal(restored.vector, vector)
    assert vector_for(restored, "护照怎么办") is restored.vector
    assert vector_for(restored, "护照怎么办？") is None  # another text: embedded afresh
    assert decode("x", carried["vector"], 768) is None  # another model's size
    assert decode("x", CarriedVector("x", vector * 2).to_dict()["vector"], 384) is None  # not normalised
    assert decode("x", "not base64!", 384) is None


def test_the_vector_is_not_stored_with_the_conversation():
    parse = {"text": "你好", PARSE_KEY: {"text": "你好", "vector": "AA=="}}
    event = {"event": "user", "text": "你好", "parse_data": parse}
    stored = mask_event(event)
    assert PARSE_KEY not in stored["parse_data"] and stored["parse_data"]["text"] == "你好"
    assert PARSE_KEY in event["parse_data"]  # the event in memory is left as it was


def test_shared_client_is_one_per_loop_and_closed():
    created: list[httpx.AsyncClient] = []

    def factory() -> httpx.AsyncClient:
        created.append(httpx.AsyncClient())
        return created[-1]

    shared = SharedClient(factory)

    async def use() -> None:
        assert shared.get() is shared.get() is created[0]
        await shared.aclose()
        assert created[0].is_closed

    asyncio.run(use())
    assert shared.created == 1


def test_the_app_uses_one_rasa_client_for_every_chat_and_closes_it(tmp_path_factory, sample_index):
    root = tmp_path_factory.mktemp("shared-client")
    with running_app(root, sample_index, rasa_url="http://127.0.0.1:9", rate_chat="off") as app:
        with TestClient(app, base_url=BASE_URL) as client:
            statuses = [client.post("/api/chat", json={"message": "你好"}).status_code for _ in range(3)]
            assert statuses == [503, 503, 503]  # nothing listens there; answered, not crashed
            shared = app.state.rasa_client
            assert shared.created == 1
            inner = shared._client
        assert inner.is_closed  # closed at shutdown


def test_a_long_conversation_rolls_over_with_its_slots_and_loads_a_bounded_session(tmp_path, monkeypatch):
    from cryptography.fernet import Fernet
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from govbot.privacy.masked_tracker_store import MaskedSQLTrackerStore
    from govbot.privacy.protector import get_protector
    from govbot.settings import PROJECT_ROOT, get_settings

    monkeypatch.setenv("GOVBOT_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("GOVBOT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("GOVBOT_TRACKER_SESSION_EVENTS", "30")
    get_settings.cache_clear()
    get_protector.cache_clear()
    try:
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        store = MaskedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
        loaded = []
        for turn in range(40):
            tracker = asyncio.run(store.retrieve("citizen")) or DialogueStateTracker("citizen", domain.slots)
            loaded.append(len(tracker.events))
            if turn == 0:
                tracker.update(SlotSet("suggested_docs", ["id-card"]))  # set once, before any roll-over
            for event in (
                UserUttered(f"第{turn}个问题", {"name": "ask_question", "confidence": 0.9}),
                ActionExecuted("action_answer_question"),
                SlotSet("current_doc", f"doc-{turn}"),
                BotUttered(f"第{turn}个回答"),
                ActionExecuted("action_listen"),
            ):
                tracker.update(event)
            asyncio.run(store.save(tracker))
        assert max(loaded) <= 30 + 5 + 5  # one turn past the limit, plus the carried-over start
        restored = asyncio.run(store.retrieve("citizen"))
        assert restored.get_slot("current_doc") == "doc-39"
        assert restored.get_slot("suggested_docs") == ["id-card"]  # carried over through every new session
        full = asyncio.run(store.retrieve_full_tracker("citizen"))
        user_texts = [e.text for e in full.events if isinstance(e, UserUttered)]
        assert user_texts == [f"第{turn}个问题" for turn in range(40)]  # nothing lost, only split into sessions
    finally:
        get_settings.cache_clear()
        get_protector.cache_clear()


RESPONSES = (
    {"events": [{"event": "slot", "name": "current_doc", "value": "guide-x", "timestamp": None}], "responses": []},
    {"events": [], "responses": [{"text": "您好", "custom": {"answer": {"decision": "answer"}}}]},
    {"events": [{"event": "nonsense"}], "responses": []},
    {"events": "not a list"},
    {"responses": [42]},
)


@pytest.mark.parametrize("response", RESPONSES)
def test_rasa_server_validates_action_responses_as_rasa_does(response):
    """The compiled validator accepts and refuses exactly what ``jsonschema.validate`` on Rasa's schema does."""
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    from govbot.rasa_server import validate_action_result

    try:
        validate(response, RemoteAction.action_response_format_spec())
        expected = None
    except ValidationError as error:
        expected = error.message
    try:
        assert validate_action_result(RemoteAction("action_answer", None), response) is True
        assert expected is None
    except ValidationError as error:
        assert expected is not None and error.message.startswith(expected)
        assert "Failed to validate Action server response" in error.message


def test_the_rasa_command_runs_rasa_through_govbot_rasa_server(settings, tmp_path):
    from rasa.core.actions.action import RemoteAction

    from govbot.rasa_server import install, validate_action_result
    from govbot.supervisor import rasa_command

    command = rasa_command(settings, tmp_path / "model.tar.gz", 5005)
    assert command[1:4] == ["-m", "govbot.rasa_server", "run"]
    install()
    assert RemoteAction._validate_action_result is validate_action_result
