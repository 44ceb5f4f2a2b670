"""The cluster profile, started once with `govbot cluster`: real PostgreSQL and Redis, nginx, two replicas each of
the app, the action server and Rasa, all on loopback.

A conversation alternates between the two apps and keeps its context; killing its Rasa replica mid-conversation
hands it to the other; an edit through one app is answered through the other within 5 s; and no conversation is
handled by two Rasa replicas at once.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from govbot.cluster.layout import Layout
from tests.conftest import SAMPLE_KB, copy_index
from tests.processes import BIN, free_port, free_ports, start, stop, wait_http

START_TIMEOUT = 900.0
EDITOR = "cluster-editor-token-0123456789abcdef"
HANDLED = re.compile(r"conversation (\w+) handled by (\S+)")
pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")


class Cluster:
    def __init__(self, var_dir: Path, sample_index: Path):
        self.var_dir = var_dir
        self.layout = Layout(var_dir / "cluster", free_port(), free_ports(40), 2)
        copy_index(sample_index, var_dir / "index")
        shutil.copytree(SAMPLE_KB, var_dir / "kb")
        self.env = {
            "GOVBOT_VAR_DIR": str(var_dir),
            "GOVBOT_KB_DIR": str(var_dir / "kb"),
            "GOVBOT_CLUSTER_PORT": str(self.layout.gateway_port),
            "GOVBOT_CLUSTER_PORT_BASE": str(self.layout.port_base),
            "GOVBOT_ADMIN_TOKENS": f"{EDITOR}:editor",
            "GOVBOT_RATE_CHAT": "off",
            "GOVBOT_RATE_SEARCH": "off",
        }
        self.process = start([str(BIN / "govbot"), "cluster"], self.env, var_dir / "cluster.log")
        urls = [f"{self.layout.gateway_url}/health"]
        urls += [f"http://127.0.0.1:{port}/" for port in self.layout.rasa_ports()]
        urls += [f"http://127.0.0.1:{port}/health" for port in self.layout.actions_ports()]
        try:
            for url in urls:
                wait_http(url, START_TIMEOUT, self.process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{(var_dir / 'cluster.log').read_text(errors='replace')[-3000:]}") from None

    def app(self, i: int) -> str:
        return f"http://127.0.0.1:{self.layout.app_ports()[i]}"

    def _handled(self, i: int) -> list[tuple[str, str]]:
        log = self.layout.logs / f"app-{i}.log"
        return HANDLED.findall(log.read_text(errors="replace")) if log.exists() else []

    def mark(self) -> dict[int, int]:
        """Where each app's log of forwarded messages stands now."""
        return {i: len(self._handled(i)) for i in (1, 2)}

    def handled_since(self, mark: dict[int, int]) -> list[tuple[str, str]]:
        """(conversation hash, Rasa URL) of every message forwarded by either app since ``mark``."""
        return [item for i in (1, 2) for item in self._handled(i)[mark[i] :]]

    def rasa_pid(self, url: str) -> tuple[str, int]:
        port = int(url.rsplit(":", 1)[1])
        name = f"rasa-{self.layout.rasa_ports().index(port) + 1}"
        return name, int((self.layout.logs / f"{name}.pid").read_text())


@pytest.fixture(scope="module")
def cluster(sample_index) -> Iterator[Cluster]:
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)  # PostgreSQL runs as the `postgres` user under root: it must reach its folder
        running = Cluster(Path(folder) / "var", sample_index)
        try:
            yield running
        finally:
            stop(running.process, signal.SIGINT, timeout=120)


def _chat(client: httpx.Client, base: str, message: str) -> list[dict]:
    response = client.post(f"{base}/api/chat", json={"message": message}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def _doc_ids(messages: list[dict]) -> set[str]:
    return {m["custom"].get("doc_id") for m in messages if isinstance(m.get("custom"), dict)} - {None}


def test_each_app_serves_retrieval_from_its_own_qdrant(cluster):
    for i in (0, 1):
        health = httpx.get(f"{cluster.app(i)}/health", timeout=30).json()
        assert health["backend"] == "qdrant" and health["documents"] > 50


def test_a_conversation_alternating_between_the_apps_keeps_its_context(cluster):
    with httpx.Client() as client:  # one cookie jar: one citizen, whose requests land on either app
        first = _chat(client, cluster.app(0), "身份证丢了怎么补办")
        assert "id-card" in _doc_ids(first)
        follow_up = _chat(client, cluster.app(1), "要带什么材料")
        assert "id-card" in _doc_ids(follow_up)
        assert any("申请材料" in p["section"] for m in follow_up for p in (m.get("custom") or {}).get("passages", []))
        history = client.get(f"{cluster.layout.gateway_url}/api/history", timeout=30).json()
    users = [m["text"] for m in history if m["role"] == "user"]
    assert users == ["身份证丢了怎么补办", "要带什么材料"]
    assert sum(m["role"] == "bot" for m in history) >= 2


def test_killing_the_conversations_rasa_replica_hands_it_to_the_other(cluster):
    with httpx.Client() as client:
        before = cluster.mark()
        assert "passport" in _doc_ids(_chat(client, cluster.layout.gateway_url, "办护照需要什么条件"))
        [(conversation, owner)] = cluster.handled_since(before)
        before = cluster.mark()
        name, pid = cluster.rasa_pid(owner)
        os.killpg(pid, signal.SIGKILL)
        follow_up = _chat(client, cluster.layout.gateway_url, "在哪里办")
        assert "passport" in _doc_ids(follow_up)
    taken_over = [url for conv, url in cluster.handled_since(before) if conv == conversation]
    assert taken_over and owner not in taken_over
    port = int(owner.rsplit(":", 1)[1])
    wait_http(f"http://127.0.0.1:{port}/", 600, cluster.process)  # the supervisor restarts it for the next tests


def test_an_edit_through_one_app_is_answered_through_the_other_within_5_seconds(cluster):
    auth = {"Authorization": f"Bearer {EDITOR}"}
    current = httpx.get(f"{cluster.app(0)}/admin/documents/passport", headers=auth, timeout=30)
    added = "集群测试：护照也可在滨江区星河路 7 号自助办理点办理。"
    text = current.json()["markdown"].replace("## 办理地点", f"## 办理地点\n\n{added}\n", 1)
    saved = httpx.put(
        f"{cluster.app(0)}/admin/documents/passport",
        content=text.encode(),
        headers={**auth, "If-Match": current.headers["ETag"]},
        timeout=60,
    )
    assert saved.status_code == 200, saved.text
    started = time.monotonic()
    while time.monotonic() - started < 5.0:
        found = httpx.get(f"{cluster.app(1)}/search", params={"q": "星河路自助办理点", "top_k": 1}, timeout=10)
        if found.status_code == 200 and "星河路" in str(found.json()["results"][:1]):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the edit was not served by the other app within 5 s")


def test_no_conversation_is_handled_by_two_replicas_at_once(cluster):
    before = cluster.mark()
    errors: list[str] = []
    with httpx.Client() as client:
        _chat(client, cluster.app(0), "你好")
        questions = ["社保卡丢了怎么办", "公积金怎么提取", "结婚登记要什么材料", "驾驶证到期换证", "低保怎么申请"]

        def send(i: int, question: str) -> None:
            try:
                _chat(client, cluster.app(i % 2), question)
            except AssertionError as exc:
                errors.append(str(exc))

        threads = [threading.Thread(target=send, args=(i, q)) for i, q in enumerate(questions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        history = client.get(f"{cluster.layout.gateway_url}/api/history", timeout=30).json()
    assert not errors
    handled = cluster.handled_since(before)
    conversations = {conv for conv, _ in handled}
    assert len(conversations) == 1, "one citizen, one conversation"
    assert len({url for _, url in handled}) == 1, "every message of the conversation went to one replica"
    roles = [m["role"] for m in history]
    assert roles.count("user") == 1 + len(questions)
    # Messages were processed one at a time: each question is followed by its own answer before the next one.
    assert all(roles[i + 1] == "bot" for i, role in enumerate(roles) if role == "user")


def test_the_gateway_serves_the_channel_webhooks_and_refuses_bad_requests(cluster):
    hook = f"{cluster.layout.gateway_url}/webhooks"
    answered = httpx.post(f"{hook}/rest/webhook", json={"sender": "sms-1", "message": "护照怎么办"}, timeout=60)
    assert answered.status_code == 200 and "护照" in str(answered.json())
    refused = {
        "session": httpx.post(f"{hook}/rest/webhook", json={"sender": "web-abc", "message": "你好"}, timeout=30),
        "not json": httpx.post(f"{hook}/rest/webhook", content=b"sender=x", timeout=30),
        "no sender": httpx.post(f"{hook}/rest/webhook", json={"message": "你好"}, timeout=30),
        "channel": httpx.post(f"{hook}/other/webhook", json={"sender": "x", "message": "你好"}, timeout=30),
        "unsigned": httpx.post(f"{hook}/plaintext/webhook", json={"sender": "x", "message": "你好"}, timeout=30),
    }
    assert {name: r.status_code for name, r in refused.items()} == {
        "session": 400,
        "not json": 400,
        "no sender": 400,
        "channel": 404,
        "unsigned": 401,
    }
    assert all(re.search(r"[\u4e00-\u9fff]", str(r.json())) for r in refused.values())
