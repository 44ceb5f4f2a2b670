"""Channels against the running system: the plain-text (voice) channel, the web proxy, speech, and the
policy-matching and subscription dialogues."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import wave

import httpx

from benchmarks.retrieval_eval import load_dev_questions
from tests.stack import Stack, buttons, texts

FORBIDDEN = re.compile(r"https?://|www\.|[*#`|\[\]【】（）()《》<>]|[\U0001F000-\U0001FAFF\u2600-\u27BF]")


def voice(stack: Stack, sender: str, message: str) -> str:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/plaintext/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    assert set(body) == {"text"} and isinstance(body["text"], str)
    return body["text"]


def test_thirty_questions_are_voice_friendly(stack):
    questions = load_dev_questions()[::9][:30]
    assert len(questions) == 30
    for number, question in enumerate(questions):
        reply = voice(stack, f"voice-{number}", question.question)
        assert reply and len(reply) <= 120, reply
        assert not FORBIDDEN.search(reply), reply


def test_more_pages_and_digit_choice(stack):
    first = voice(stack, "elder-1", "身份证丢了补办要带什么材料")
    assert first.endswith("想听更多请回复 1。") and "居民身份证" in first
    pages = [first]
    while pages[-1].endswith("想听更多请回复 1。") and len(pages) < 10:
        pages.append(voice(stack, "elder-1", "1"))
    assert len(pages) >= 2 and all(len(p) <= 120 and not FORBIDDEN.search(p) for p in pages)
    assert "信息来源：居民身份证申领、换领、补领" in "".join(pages)
    choice = voice(stack, "elder-2", "公积金")
    assert "请回复数字：1 " in choice and "住房公积金贷款" in choice
    number = next(n for n, title in re.findall(r"(\d) ([^；。]+)", choice) if title == "住房公积金贷款")
    answer = voice(stack, "elder-2", number)
    assert answer.startswith("住房公积金贷款") and not FORBIDDEN.search(answer)


def test_phone_numbers_are_spaced_and_numbers_spoken(stack):
    text = "".join(voice(stack, "elder-3", m) for m in ("身份证补办多少钱", "1", "1"))
    assert "四十元" in text
    reply = voice(stack, "elder-3", "转人工")
    assert "1 2 3 4 5" in reply and "12345" not in reply


def test_elderly_suggestions_only_for_older_people(stack):
    pages = [voice(stack, "elder-4", "养老金资格认证怎么做")]
    while pages[-1].endswith("想听更多请回复 1。") and len(pages) < 12:
        pages.append(voice(stack, "elder-4", "1"))
    spoken = "".join(pages)
    if "您可能还需要" in spoken:
        suggested = spoken.split("您可能还需要办理这些事：", 1)[1]
        assert "营业执照" not in suggested and "护照" not in suggested
    web = stack.send("web-4", "养老金资格认证怎么做")
    assert any("您可能还需要" in m.get("text", "") for m in web)
    again = stack.send("web-4", "养老金资格认证在哪里办")
    assert not any("您可能还需要" in m.get("text", "") for m in again)


def test_web_proxy_history_and_limits(stack):
    with httpx.Client(base_url=stack.app_url, timeout=30) as web:
        reply = web.post("/api/chat", json={"message": "护照要带什么材料"}).json()
        assert "【普通护照办理】申请材料" in texts(reply)
        history = web.get("/api/history").json()
        assert [h["role"] for h in history[:2]] == ["user", "bot"] and history[0]["text"] == "护照要带什么材料"
        too_long = web.post("/api/chat", json={"message": "办" * 501})
        assert too_long.status_code == 422 and "500" in too_long.json()["detail"]
        elder = web.post("/api/elder", json={"message": "你好"}).json()
        assert "请回复数字" in elder["text"]


def test_tts_returns_playable_wav(stack):
    response = httpx.get(f"{stack.app_url}/tts", params={"text": "您好，请拨打 1 2 3 4 5。"}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as audio:
        assert audio.getnframes() / audio.getframerate() > 1.0
    assert httpx.get(f"{stack.app_url}/tts", params={"text": "长" * 501}).status_code == 422


def test_policy_form_for_a_business_with_free_text_and_skip(stack):
    sender = "biz-1"
    first = stack.send(sender, "我们公司能享受哪些政策？")
    assert "哪个行业" in texts(first) and "制造业" in [b["title"] for b in buttons(first)]
    assert "员工" in texts(stack.send(sender, "制造业"))
    assert "营业收入" in texts(stack.send(sender, "30来个人"))
    assert "成立" in texts(stack.send(sender, "跳过"))
    assert "高新技术企业" in texts(stack.send(sender, "两年"))
    assert "高校毕业生" in texts(stack.send(sender, "是"))
    result = texts(stack.send(sender, "没有"))
    assert "为您找到" in result and "初创企业场地租金补贴" in result and "来源：《初创企业场地租金补贴》" in result
    assert "员工10-49人" in result and "下一步" in result
    near = result.split("差一点符合：", 1)[1]
    assert "吸纳高校毕业生" in near and "今年招用了高校毕业生" in near


def test_policy_form_for_a_person(stack):
    sender = "person-1"
    assert "企业查询，还是为个人" in texts(stack.send(sender, "帮我看看有什么政策"))
    assert "年龄" in texts(stack.send(sender, "个人"))
    assert "就业状态" in texts(stack.send(sender, "我今年68岁"))
    assert "哪类人员" in texts(stack.send(sender, "退休"))
    assert "3岁以下" in texts(stack.send(sender, "退休人员"))
    result = texts(stack.send(sender, "没有"))
    assert "老年助餐服务补贴政策" in result and "退休人员社区活动" in result
    assert "育儿补贴" not in result.split("差一点符合")[0]


def test_policy_form_cancel_and_voice(stack):
    sender = "person-2"
    stack.send(sender, "有什么补贴我能申请")
    stack.send(sender, "个人")
    assert "已取消" in texts(stack.send(sender, "算了"))
    assert "【" in texts(stack.send(sender, "护照怎么办"))
    prompt = voice(stack, "elder-5", "我能领什么补助")
    assert "年龄" in prompt and "6 八十岁及以上" in prompt
    voice(stack, "elder-5", "6")
    for answer in ("退休", "都不是", "否"):
        reply = voice(stack, "elder-5", answer)
    assert "高龄" in reply or "老年" in reply
    assert len(reply) <= 120 and not FORBIDDEN.search(reply)


def test_subscribe_update_notify_unsubscribe(stack):
    sender = "sub-1"
    assert "订阅哪些" in texts(stack.send(sender, "有新政策告诉我"))
    assert "订阅成功" in texts(stack.send(sender, "养老和医疗"))
    with sqlite3.connect(stack.database) as db:
        topics = db.execute("select topics from subscriptions where sender = ? and active = 1", (sender,)).fetchone()[0]
    assert set(json.loads(topics)) == {"养老服务", "医疗救助"}
    assert "已为您取消订阅" in texts(stack.send(sender, "取消订阅"))
    with sqlite3.connect(stack.database) as db:
        assert (
            db.execute("select count(*) from subscriptions where sender = ? and active = 1", (sender,)).fetchone()[0]
            == 0
        )
