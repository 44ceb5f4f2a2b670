"""/tts: text is spoken, never parsed as espeak-ng options; failures give a short Chinese message only."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.security.inprocess import BASE_URL, running_app


@pytest.fixture(scope="module")
def client(sample_index, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("tts"), sample_index, rate_tts="off") as app:
        yield TestClient(app, base_url=BASE_URL)


def test_option_text_cannot_write_a_file(client, tmp_path):
    target = tmp_path / "phonemes.txt"
    response = client.get("/tts", params={"text": f"--phonout={target}"})
    assert response.status_code == 200 and response.content.startswith(b"RIFF")
    assert not target.exists()


def test_option_text_cannot_read_a_file_back(client):
    secret = Path("/etc/hostname").read_text().strip() or socket.gethostname()
    response = client.get("/tts", params={"text": "-Xqf/etc/hostname"})
    assert response.status_code == 200 and response.content.startswith(b"RIFF")
    assert b"Translate" not in response.content and b"Found:" not in response.content
    assert secret.encode() not in response.content


def test_length_is_capped(client):
    response = client.get("/tts", params={"text": "长" * 501})
    assert response.status_code == 422 and response.json() == {"detail": "朗读文字过长：最多 500 个字。"}


def test_failure_names_no_command_line(client, tmp_path, monkeypatch):
    broken = tmp_path / "bin"
    broken.mkdir()
    script = broken / "espeak-ng"
    script.write_text("#!/bin/sh\necho 'espeak-ng: cannot open /usr/share/espeak-ng-data' >&2\nexit 3\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{broken}{os.pathsep}{os.environ['PATH']}")
    response = client.get("/tts", params={"text": "您好"})
    assert response.status_code == 503
    assert response.json() == {"detail": "语音服务暂时不可用，请稍后再试。"}
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    missing = client.get("/tts", params={"text": "您好"})
    assert missing.status_code == 503 and "espeak" not in missing.text
