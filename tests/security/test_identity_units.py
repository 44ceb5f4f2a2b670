"""Session cookies, gateway signatures, bounded voice state, generated secrets and the busy-port message."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from channels.sender_state import SenderState
from govbot.security import signatures
from govbot.security.secrets import create_private_file, ensure_secret
from govbot.security.sessions import issue, session_id
from tests.processes import BIN, free_port


def test_session_cookie_is_signed_and_expires():
    value = issue("secret-a", now=1_000)
    identifier = session_id(value, "secret-a", max_age=60, now=1_030)
    assert identifier and len(identifier) >= 24 and value.startswith(identifier)
    assert session_id(value, "secret-b", max_age=60, now=1_030) is None
    assert session_id(value, "secret-a", max_age=60, now=1_061) is None
    payload, _, signature = value.rpartition(".")
    assert session_id(f"other{payload}.{signature}", "secret-a", max_age=60, now=1_030) is None
    assert session_id("web-123", "secret-a", max_age=60) is None and session_id(None, "secret-a", 60) is None
    assert issue("secret-a") != issue("secret-a")


def test_signature_covers_the_exact_body():
    body = '{"sender": "a", "message": "你好"}'.encode()
    header = signatures.sign("k", body)
    assert header.startswith("sha256=") and signatures.verify("k", body, header)
    assert not signatures.verify("k", body + b" ", header)
    assert not signatures.verify("other", body, header)
    assert not signatures.verify("k", body, None) and not signatures.verify("k", body, "")


def test_voice_state_is_bounded_in_senders_and_time():
    now = [0.0]
    state: SenderState[int] = SenderState(max_senders=3, ttl=10, clock=lambda: now[0])
    for n in range(5):
        state.put(f"s{n}", n)
    assert len(state) == 3 and state.get("s0") is None and state.get("s4") == 4
    now[0] = 5
    assert state.get("s2") == 2
    now[0] = 12
    assert state.get("s3") is None and state.get("s2") == 2 and len(state) == 1
    assert state.setdefault("new", lambda: 7) == 7 and state.setdefault("new", lambda: 8) == 7


def test_secret_is_generated_once_private_and_shared(tmp_path):
    path = tmp_path / "secrets" / "internal_token"
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(ensure_secret(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results[0]) >= 40
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert create_private_file(path, "other") is False and ensure_secret(path) == results[0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["internal_token"]


def test_run_names_the_process_holding_a_busy_port(tmp_path):
    port = free_port()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',{port})); s.listen(); time.sleep(60)",
        ]
    )
    try:
        time.sleep(1.0)
        env = {
            **os.environ,
            "GOVBOT_VAR_DIR": str(tmp_path / "var"),
            "GOVBOT_APP_PORT": str(port),
            "GOVBOT_RASA_PORT": str(free_port()),
            "GOVBOT_ACTIONS_PORT": str(free_port()),
        }
        started = time.monotonic()
        run = subprocess.run([str(BIN / "govbot"), "run"], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 1 and time.monotonic() - started < 60
        assert f"端口 {port} 已被进程 {holder.pid}（" in run.stderr and "socket" in run.stderr
        assert "GOVBOT_APP_PORT" in run.stderr and "Traceback" not in run.stderr
    finally:
        holder.kill()
        holder.wait()


def test_rasa_reads_a_token_that_starts_with_a_dash(tmp_path):
    """Generated tokens are URL-safe base64 and may begin with "-": Rasa's own CLI must still read it as the token."""
    from rasa.__main__ import create_argument_parser

    from govbot.settings import Settings
    from govbot.supervisor import build_services

    token = "-Xqf" + "a" * 40
    settings = Settings(var_dir=tmp_path, rasa_token=token)
    rasa = next(s for s in build_services(settings, tmp_path / "model.tar.gz") if s.name == "rasa")
    arguments = create_argument_parser().parse_args(rasa.command[rasa.command.index("run") :])
    assert arguments.auth_token == token
