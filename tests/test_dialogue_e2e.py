"""End to end: the real knowledge service, action server and Rasa server, talked to in Chinese over REST."""

from __future__ import annotations

import signal
import sqlite3
import time

import httpx
import pytest

from tests.stack import Stack, buttons, texts


def _rows(stack: Stack, sql: str) -> list[tuple]:
    with sqlite3.connect(stack.database) as connection:
        return connection.execute(sql).fetchall()


def test_greeting(stack):
    reply = stack.send("greet-user", "你好")
    assert "示例市政务服务智能助手" in texts(reply)
    assert buttons(reply)


def test_question_followup_and_topic_switch(stack):
    sender = "citizen-1"
    first = texts(stack.send(sender, "身份证丢了怎么补办"))
    assert "【居民身份证申领、换领、补领】" in first and "来源：《居民身份证申领、换领、补领》" in first
    assert "示例市公安局" in first
    fee = texts(stack.send(sender, "那要多少钱？"))
    assert "【居民身份证申领、换领、补领】收费标准" in fee and "40元" in fee and "来源：" in fee
    place = texts(stack.send(sender, "在哪里办？"))
    assert "【居民身份证申领、换领、补领】办理地点" in place
    switched = texts(stack.send(sender, "护照要带什么材料"))
    assert "【普通护照办理】申请材料" in switched
    after = texts(stack.send(sender, "要多久能拿到"))
    assert "【普通护照办理】办理时限" in after


def test_materials_question_gets_the_materials_section(stack):
    reply = texts(stack.send("citizen-2", "办居住证要带啥材料"))
    assert "【居住证办理】申请材料" in reply
    assert "办理流程：" not in reply


def test_followup_without_topic_asks_which_service(stack):
    reply = texts(stack.send("citizen-3", "要带什么材料"))
    assert "请问您想了解哪一项服务" in reply


def test_ambiguity_then_a_choice(stack):
    sender = "citizen-4"
    reply = stack.send(sender, "公积金")
    [clarify] = [m["custom"] for m in reply if (m.get("custom") or {}).get("type") == "clarify"]
    assert clarify["message"] == "您想了解的是哪一项？" and "1. " in texts(reply)
    options = {b["title"]: b["payload"] for b in buttons(reply)}
    assert "住房公积金贷款" in options and {o["title"] for o in clarify["options"]} <= set(options)
    chosen = texts(stack.send(sender, options["住房公积金贷款"]))
    assert "【住房公积金贷款】" in chosen and "来源：《住房公积金贷款》" in chosen


@pytest.mark.parametrize("message", ["asdkjqwe zxcv", "啊吧啊吧嗯额", "帮我订一张去北京的机票"])
def test_gibberish_and_unknown_get_an_honest_fallback(stack, message):
    reply = texts(stack.send("citizen-5", message))
    assert "来源：" not in reply
    assert any(p in reply for p in ("没有找到可靠的答案", "不在我的服务范围内", "没有找到关于")), reply
    assert "12345" in reply or "政务服务" in reply


def test_handoff_records_a_masked_ticket(stack):
    sender = "citizen-6"
    stack.send(sender, "我的身份证号是110101199003071233，电话13812345678，社保卡丢了怎么办")
    reply = texts(stack.send(sender, "转人工"))
    assert "12345" in reply and "工单" in reply
    [(transcript,)] = _rows(stack, f"select transcript from handoff_tickets where sender = '{sender}'")
    assert "1101**********1233" in transcript and "138****5678" in transcript
    assert "110101199003071233" not in transcript and "13812345678" not in transcript


def test_a_question_that_gives_a_phone_number_is_still_answered(stack):
    sender = "citizen-phone"
    reply = texts(stack.send(sender, "我的手机号13812345678，护照怎么办"))
    assert "【普通护照办理】" in reply and "没有理解" not in reply
    [(question,)] = _rows(stack, f"select question from answer_events where sender = '{sender}'")
    assert "138****5678" in question and "13812345678" not in question


def test_feedback_is_stored_with_question_and_document(stack):
    sender = "citizen-7"
    reply = stack.send(sender, "驾驶证到期了怎么换")
    payloads = [b["payload"] for b in buttons(reply)]
    assert "/feedback_negative" in payloads
    thanks = texts(stack.send(sender, "/feedback_negative"))
    assert "反馈已记录" in thanks
    stack.send(sender, "没用")
    rows = _rows(stack, f"select doc_id, rating, question from feedback where sender = '{sender}'")
    assert rows == [("driver-license-renewal", -1, "驾驶证到期了怎么换")] * 2


def test_a_request_asking_one_fact_of_one_policy_is_answered(stack):
    """The NLU takes "看看我们厂能不能领稳岗返还" for a policy-matching request, but it asks one fact of one policy:
    it is answered from that policy instead of starting the form, and recorded once (the look ahead is not)."""
    sender = "citizen-router"
    reply = stack.send(sender, "看看我们厂能不能领稳岗返还")
    assert "稳岗返还" in texts(reply) and "来源" in texts(reply) and "为企业查询" not in texts(reply)
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.rasa_token}, timeout=30
    ).json()
    assert tracker["latest_message"]["intent"]["name"] == "request_policy_match"
    ran = [e["name"] for e in tracker["events"] if e["event"] == "action"]
    assert "action_route_request" in ran and "policy_match_form" not in ran
    rows = _rows(stack, f"select decision, doc_id from answer_events where sender = '{sender}'")
    assert rows == [("answer", "job-stabilization-subsidy")]


def test_a_request_telling_ones_own_case_goes_to_a_person(stack):
    reply = texts(stack.send("citizen-case", "受理号SL20240611的低保申请现在什么情况"))
    assert "工作人员" in reply and "为企业查询" not in reply


def test_a_matching_request_starts_the_form(stack):
    reply = stack.send("citizen-match", "帮我匹配一下政策")
    assert "为企业查询" in texts(reply)
    assert _rows(stack, "select count(*) from answer_events where sender = 'citizen-match'") == [(0,)]


def test_events_are_recorded_for_analytics(stack):
    for message in ("怎么办理结婚登记", "公积金", "asdkjqwe zxcv"):
        stack.send("citizen-analytics", message)
    rows = _rows(stack, "select decision, count(*) from answer_events group by decision")
    decisions = dict(rows)
    assert decisions.get("answer", 0) >= 1 and decisions.get("clarify", 0) >= 1 and decisions.get("fallback", 0) >= 1


def test_knowledge_service_hung_or_down_gets_a_polite_message(stack):
    stack.signal_service("knowledge", signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = texts(stack.send("citizen-8", "社保卡怎么补办"))
        elapsed = time.monotonic() - started
    finally:
        stack.signal_service("knowledge", signal.SIGCONT)
    assert "暂时无法访问" in reply and "12345" in reply
    assert elapsed < 3.0
    killed = stack.service_pid("knowledge")
    stack.signal_service("knowledge", signal.SIGKILL)
    reply = texts(stack.send("citizen-8", "社保卡怎么补办"))
    assert "暂时无法访问" in reply
    stack.wait_healthy()
    assert stack.service_pid("knowledge") != killed
    assert "【社会保障卡申领与补换】" in texts(stack.send("citizen-8", "社保卡怎么补办"))


def test_restart_continues_the_conversation(stack):
    sender = "citizen-9"
    assert "【普通护照办理】" in texts(stack.send(sender, "我想办护照"))
    assert stack.stop() == 0
    stack.start()
    reply = texts(stack.send(sender, "那要多少钱？"))
    assert "【普通护照办理】收费标准" in reply
