"""Per-client rate limits: a burst gets 429 with a Chinese message and Retry-After; other clients are unaffected."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.security.inprocess import AUTH, BASE_URL, running_app


@pytest.fixture(scope="module")
def app(sample_index, tmp_path_factory):
    rates = {
        "rate_chat": "3/minute",
        "rate_search": "4/minute",
        "rate_tts": "2/minute",
        "rate_admin_failures": "3/hour",
    }
    with running_app(tmp_path_factory.mktemp("rate"), sample_index, rasa_url="http://127.0.0.1:9", **rates) as app:
        yield app


def client_at(app, address: str) -> TestClient:
    return TestClient(app, base_url=BASE_URL, client=(address, 40000))


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert response.json()["detail"].startswith(("请求过于频繁", "登录失败次数过多"))
    assert 1 <= int(response.headers["retry-after"]) <= 3600


def test_search_burst(app):
    client = client_at(app, "10.0.0.1")
    statuses = [client.get("/search", params={"q": "护照"}).status_code for _ in range(4)]
    assert statuses == [200] * 4
    assert_limited(client.get("/search", params={"q": "护照"}))
    assert client_at(app, "10.0.0.2").get("/search", params={"q": "护照"}).status_code == 200


def test_chat_burst_counts_both_channels(app):
    client = client_at(app, "10.0.0.3")
    message = {"sender": "rate-test", "message": "你好"}
    statuses = [client.post(path, json=message).status_code for path in ("/api/chat", "/api/elder", "/api/chat")]
    assert 429 not in statuses
    assert_limited(client.post("/api/elder", json=message))


def test_tts_burst(app):
    client = client_at(app, "10.0.0.4")
    assert [client.get("/tts", params={"text": "您好"}).status_code for _ in range(2)] == [200, 200]
    assert_limited(client.get("/tts", params={"text": "您好"}))


def test_admin_auth_failures_lock_the_client_out(app):
    client = client_at(app, "10.0.0.5")
    for _ in range(5):  # successes are not counted
        assert client.get("/admin/documents", headers=AUTH).status_code == 200
    wrong = {"Authorization": "Bearer wrong-token-guess"}
    assert [client.get("/admin/documents", headers=wrong).status_code for _ in range(3)] == [401] * 3
    assert_limited(client.get("/admin/documents", headers=wrong))
    assert_limited(client.get("/admin/review", headers=AUTH))
    assert client_at(app, "10.0.0.6").get("/admin/documents", headers=AUTH).status_code == 200


def _replica(redis_url: str) -> TestClient:
    """A minimal app behind the rate-limit middleware, as one app replica would be."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from govbot.security.rate_limit import RateLimitMiddleware, Rule

    inner = Starlette(routes=[Route("/api/chat", lambda request: PlainTextResponse("ok"), methods=["POST"])])
    limited = RateLimitMiddleware(inner, [Rule("chat", "3/minute", ("/api/chat",))], redis_url=redis_url)
    return TestClient(limited, base_url=BASE_URL, client=("10.0.1.1", 40000))


def test_replicas_sharing_redis_count_a_client_together_and_pass_when_it_is_down(caplog):
    from tests.servers import redis_server

    with redis_server() as redis:
        first, second = _replica(redis.url()), _replica(redis.url())
        statuses = [client.post("/api/chat").status_code for client in (first, second, first)]
        assert statuses == [200, 200, 200]
        assert_limited(second.post("/api/chat"))
        assert _replica("").post("/api/chat").status_code == 200  # memory counters are the process's own
    with caplog.at_level("WARNING", logger="govbot.security"):
        assert first.post("/api/chat").status_code == 200  # Redis gone: not refused, not an error
    assert "counter store unreachable" in caplog.text
