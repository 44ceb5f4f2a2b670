"""Access control on a running `govbot run` (one stack for the module, with a gateway secret set):
private web sessions, a signed plain-text webhook, Rasa's API token, the internal service token, loopback
listeners, and (last, because it ends the stack) children dying with a SIGKILLed supervisor."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from govbot.security import signatures
from govbot.security.sessions import COOKIE
from tests.conftest import copy_index
from tests.stack import Stack, texts

GATEWAY_SECRET = "gateway-secret-for-the-security-tests"
INTERNAL_PATHS = {
    "/answer": {"question": "护照怎么办", "sender": "x"},
    "/feedback": {"sender": "x", "useful": False, "question": "护照"},
    "/tickets": {"sender": "x", "transcript": [{"role": "user", "text": "伪造工单"}]},
    "/subscriptions": {"sender": "x", "topics": ["养老服务"]},
    "/subscriptions/cancel": {"sender": "x"},
    "/match": {"answers": {}},
}


@pytest.fixture(scope="module")
def secured(sample_index, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("secured") / "var"
    copy_index(sample_index, var_dir / "index")
    running = Stack(var_dir, extra_env={"GOVBOT_GATEWAY_SECRET": GATEWAY_SECRET})
    running.start()
    yield running
    running.stop()


def _listen_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (IPv4 table, dotted)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, _, hex_port = fields[1].partition(":")
        if fields[3] == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(b) for b in reversed(bytes.fromhex(address))))
    return found


def _web(method: str, url: str, cookie: str | None = None, **options) -> httpx.Response:
    """One request from a browser holding ``cookie`` (or none)."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    return httpx.request(method, url, headers=headers, timeout=30, **options)


def _user_texts(history: list[dict]) -> list[str]:
    return [m["text"] for m in history if m["role"] == "user"]


def test_history_belongs_to_its_own_session(secured):
    history, chat = f"{secured.app_url}/api/history", f"{secured.app_url}/api/chat"
    first = _web("GET", history)
    assert first.json() == []
    flags = first.headers["set-cookie"].lower()
    assert "httponly" in flags and "samesite=strict" in flags and "secure" not in flags
    alice = first.cookies[COOKIE]
    reply = _web("POST", chat, alice, json={"message": "护照要带什么材料", "sender": "web-victim"})
    assert "【普通护照办理】" in texts(reply.json()) and "set-cookie" not in reply.headers
    assert _user_texts(_web("GET", history, alice).json()) == ["护照要带什么材料"]
    victim = f"web-{alice.split('.', 1)[0]}"
    snoop = _web("GET", history, params={"sender": victim})
    assert snoop.json() == []
    bob = snoop.cookies[COOKIE]
    assert bob != alice and _web("GET", history, bob, params={"sender": victim}).json() == []
    _web("POST", chat, bob, json={"message": "社保卡丢了怎么补办", "sender": victim})
    assert _user_texts(_web("GET", history, bob).json()) == ["社保卡丢了怎么补办"]
    assert _user_texts(_web("GET", history, alice).json()) == ["护照要带什么材料"]
    forged = alice.rsplit(".", 1)[0] + ".AAAA"
    assert _web("GET", history, forged).json() == []


def test_plaintext_webhook_needs_the_gateway_signature(secured):
    url = f"{secured.rasa_url}/webhooks/plaintext/webhook"
    body = json.dumps({"sender": "gateway-1", "message": "你好"}).encode()
    headers = {"Content-Type": "application/json"}
    assert httpx.post(url, content=body, headers=headers, timeout=30).status_code == 401
    wrong = signatures.sign("not-the-secret", body)
    assert httpx.post(url, content=body, headers={**headers, signatures.HEADER: wrong}, timeout=30).status_code == 401
    tampered = {**headers, signatures.HEADER: signatures.sign(GATEWAY_SECRET, body)}
    assert httpx.post(url, content=body.replace(b"gateway-1", b"gateway-2"), headers=tampered).status_code == 401
    good = httpx.post(url, content=body, headers=tampered, timeout=30)
    assert good.status_code == 200 and "请回复数字" in good.json()["text"]
    with httpx.Client(base_url=secured.app_url, timeout=30) as web:
        assert "请回复数字" in web.post("/api/elder", json={"message": "你好"}).json()["text"]


def test_rasa_api_needs_its_token_and_listens_on_loopback(secured):
    rasa = secured.rasa_url
    assert httpx.get(f"{rasa}/conversations/x/tracker").status_code == 401
    assert httpx.get(f"{rasa}/conversations/x/tracker", params={"token": "wrong"}).status_code == 401
    assert httpx.put(f"{rasa}/model", json={"model_file": "/tmp/x.tar.gz"}).status_code == 401
    assert httpx.post(f"{rasa}/model/parse", json={"text": "你好"}).status_code == 401
    assert httpx.get(f"{rasa}/status").status_code == 401
    token = {"token": secured.rasa_token}
    assert httpx.get(f"{rasa}/conversations/x/tracker", params=token).status_code == 200
    assert httpx.get(f"{rasa}/status", params=token).status_code == 200
    assert _listen_addresses(secured.rasa_port) == {"127.0.0.1"}
    assert _listen_addresses(secured.actions_port) == {"127.0.0.1"}


def test_internal_endpoints_need_the_service_token(secured):
    app = secured.app_url
    for path, payload in INTERNAL_PATHS.items():
        for headers in ({}, {"X-Govbot-Internal": "wrong-token"}):
            response = httpx.post(f"{app}{path}", json=payload, headers=headers, timeout=30)
            assert response.status_code == 401, path
            assert "服务令牌" in response.json()["detail"]
    allowed = httpx.post(f"{app}/match", json={"answers": {}}, headers=secured.internal_headers, timeout=30)
    assert allowed.status_code == 200 and "text" in allowed.json()
    assert httpx.get(f"{app}/search", params={"q": "护照"}, timeout=30).status_code == 200
    assert httpx.get(f"{app}/documents/passport", timeout=30).status_code == 200
    # The dialogue itself still reaches them (the action server sends the token).
    assert "【普通护照办理】" in texts(secured.send("internal-1", "护照要带什么材料"))
    assert (secured.var_dir / "secrets" / "internal_token").stat().st_mode & 0o777 == 0o600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ", 1)[1][0] != "Z"


def test_children_die_with_a_killed_supervisor(secured):
    """Runs last: it ends the module's stack."""
    pids = [secured.service_pid(name) for name in ("knowledge", "actions", "rasa")]
    ports = [secured.app_port, secured.rasa_port, secured.actions_port]
    assert all(_alive(pid) for pid in pids)
    os.kill(secured.process.pid, signal.SIGKILL)
    secured.process.wait(10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (any(_alive(p) for p in pids) or any(_listen_addresses(p) for p in ports)):
        time.sleep(0.2)
    assert not [p for p in pids if _alive(p)]
    assert not [p for p in ports if _listen_addresses(p)]
