"""Traditional Chinese: normalisation for search, script detection, and replies in the user's script."""

from __future__ import annotations

import pytest

from actions.script_output import to_script
from govbot.script_nlg import convert_response
from index.normalize import (
    HANS,
    HANT,
    HONG_KONG,
    REGIONAL_SPELLINGS,
    TAIWAN,
    TRADITIONAL,
    conversation_script,
    convert_visible,
    detect_script,
    reply_config,
    to_simplified,
    to_traditional,
)
from index.query_text import clean_query


@pytest.fixture(scope="module")
def searcher(sample_index, searcher_factory):
    return searcher_factory(sample_index)


def test_traditional_and_regional_spelling_normalise_to_simplified():
    assert clean_query("身分證遺失了怎麼補辦") == "身份证遗失了怎么补办"
    assert to_simplified("網路申請護照") == "网络申请护照"
    assert to_simplified("ＡＢＣ１２３ 衞生") == "ABC123 卫生"
    assert to_simplified("身份证丢失了怎么补办") == "身份证丢失了怎么补办"  # Simplified text stays as it is
    assert to_simplified("身心障礙手冊怎麼申請") == "残疾人证怎么申请"  # Taiwan names of benefits and cards
    assert to_simplified("敬老金每個月多少") == "高龄津贴每个月多少"


def test_traditional_question_finds_the_same_document(searcher):
    traditional = searcher.search("身分證遺失了怎麼補辦")
    same_words = searcher.search("身份证遗失了怎么补办")
    assert [r.to_dict() for r in traditional.results] == [r.to_dict() for r in same_words.results]
    assert traditional.decision == same_words.decision
    assert traditional.results[0].doc_id == searcher.search("身份证丢失了怎么补办").results[0].doc_id == "id-card"


def test_script_detection_ignores_shared_characters():
    assert detect_script("身分證遺失了怎麼補辦") == HANT
    assert detect_script("身份证丢失了怎么补办") == HANS
    assert detect_script("你好 12345", default=HANT) == HANT  # no script-specific character: the default
    assert conversation_script(["護照怎麼辦", "/choose_document", "好的"]) == (HANT, TRADITIONAL)
    assert conversation_script(["護照怎麼辦", "那要多少钱"])[0] == HANS


def test_reply_configuration_follows_regional_cues():
    assert reply_config("我想問下點樣攞身份證，唔該") == HONG_KONG
    assert reply_config("身分證遺失了怎麼補辦") == TAIWAN
    assert reply_config("護照過期了怎麼換") == TRADITIONAL
    assert reply_config("商業登記證要去哪裡換") == HONG_KONG  # a Hong Kong word only, no Cantonese particle
    assert reply_config("健保卡和商業登記證") == TAIWAN  # a Taiwan word among them


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2twp", "s2hk"])
def test_a_reply_is_always_huifu_of_answering_never_plural_or_restoring(config):
    """OpenCC reads 回复数字 as 回 + 复数 (plural) and 回复 1 as 回復 (restore); a photocopy stays one."""
    assert to_traditional("请回复数字：1 低保", config).startswith("請回覆數字")
    assert "回覆" in to_traditional("想听更多请回复 1。", config)
    assert "回覆" not in to_traditional("审核后交回复印件", config)


def test_structured_answer_converts_text_but_not_numbers_urls_or_ids():
    answer = {
        "decision": "answer",
        "doc_id": "id-card",
        "text": "身份证补办收费20元，网上预约 https://zwfw.shili.example/guide/id-card 电话 12345",
        "source_url": "https://zwfw.shili.example/guide/id-card",
        "confidence": 0.93,
        "options": [{"doc_id": "passport", "title": "普通护照办理"}],
    }
    converted = convert_visible(answer, TRADITIONAL)
    assert converted["text"] == "身份證補辦收費20元，網上預約 https://zwfw.shili.example/guide/id-card 電話 12345"
    assert converted["options"] == [{"doc_id": "passport", "title": "普通護照辦理"}]
    assert {k: converted[k] for k in ("decision", "doc_id", "source_url", "confidence")} == {
        k: answer[k] for k in ("decision", "doc_id", "source_url", "confidence")
    }


def test_domain_response_buttons_keep_intent_payloads():
    response = {
        "text": "您好！请问您想办理什么业务？",
        "buttons": [{"title": "身份证办理", "payload": "身份证怎么办理"}, {"title": "转人工", "payload": "/ask_human"}],
    }
    converted = convert_response(response, TRADITIONAL)
    assert converted["text"] == "您好！請問您想辦理什麼業務？"
    assert converted["buttons"] == [
        {"title": "身份證辦理", "payload": "身份證怎麼辦理"},
        {"title": "轉人工", "payload": "/ask_human"},
    ]


def test_taiwan_and_hong_kong_names_of_services_map_to_the_guides_words():
    assert to_simplified("健保卡不見了怎麼辦") == "医保卡不见了怎么办"
    assert to_simplified("監理站在哪裡") == "车管所在哪里"
    assert to_simplified("長者咭點樣申請") == "老年卡点样申请"
    assert to_simplified("綜援一個月有幾多錢") == "低保一个月有几多钱"
    assert to_simplified("商業登記證遺失") == "营业执照遗失"  # the longest regional word first, not 营业执照证
    assert to_simplified("身分證影本要幾份") == "身份证复印件要几份"
    assert to_simplified("台胞證過期了") == "台湾居民来往大陆通行证过期了"


def test_regional_words_that_are_the_mainland_guides_own_words_are_left_alone():
    """The guides write 线上办理 and name Hong Kong's 入境事务处: neither is rewritten, in questions or guides."""
    assert to_simplified("线上办理") == "线上办理"
    assert to_simplified("香港入境事务处") == "香港入境事务处"
    assert all(len(word) >= 2 and word != mainland for word, mainland in REGIONAL_SPELLINGS.items())


def test_actions_convert_the_structured_message_for_traditional_conversations():
    """The web page shows a related or clarify message's own sentence from the structure, not the text."""
    messages = [
        {"text": "您可能还需要：", "custom": {"type": "related", "message": "您可能还需要：", "related": []}},
        {"text": "好的", "buttons": [{"title": "个体工商户注销登记", "payload": "/choose_document"}]},
    ]
    to_script(messages, HANT, TRADITIONAL)
    assert messages[0]["text"] == messages[0]["custom"]["message"] == "您可能還需要："
    assert messages[1]["buttons"][0] == {"title": "個體工商戶註銷登記", "payload": "/choose_document"}


def test_converting_a_conversation_leaves_shared_buttons_as_they_were():
    """One Traditional conversation must not turn another's 转人工 button Traditional."""
    shared = {"title": "转人工", "payload": "/ask_human"}
    messages = [{"text": "抱歉，没有找到", "buttons": [shared]}]
    to_script(messages, HANT, TRADITIONAL)
    assert messages[0]["buttons"] == [{"title": "轉人工", "payload": "/ask_human"}]
    assert shared == {"title": "转人工", "payload": "/ask_human"}
