"""Homophone typos: real pypinyin readings, real jieba frequencies, the real sample index and answerer."""

from __future__ import annotations

import pytest

from govbot.answering.answerer import Answerer
from index.spelling import Speller, reading, word_readings

TERMS = ["低保", "落户", "社保卡", "电话", "公证", "我市", "老板", "数码", "参保", "居住证"]
WORDS = ["居住", "户口", "外地"]


@pytest.fixture(scope="module")
def speller(tokenizer) -> Speller:
    return Speller(TERMS, WORDS, tokenizer.log_probability)


def test_readings_are_toneless_and_contextual():
    assert reading("宝") == reading("保") == "bao"
    assert "luo" in word_readings("落户")[0] and word_readings("银行")[1] >= {"hang", "xing"}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("低宝一个月能领多少钱", "低保一个月能领多少钱"),
        ("想在这边落护要啥条件", "想在这边落户要啥条件"),
        ("社宝卡丢了咋补", "社保卡丢了咋补"),
        ("咨询电化是多少", "咨询电话是多少"),
        ("居住正过期了", "居住证过期了"),
    ],
)
def test_a_homophone_typo_becomes_the_knowledge_base_term(speller, typed, meant):
    assert speller.correct(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "这样处理公正吗",  # a common word is no typo of a rarer one (公证)
        "我是外地户口",  # 我是 is likelier than 我市 in context
        "我老伴腿脚不好",  # 老伴 is a word of its own, not 老板 misspelt
        "现在还作数吗",  # a particle never changes (数码)
        "低保怎么申请",  # already right
        "ABC 123",
        "",
    ],
)
def test_plausible_text_stays_as_written(speller, text):
    assert speller.correct(text) == text


def test_protected_names_stay(tokenizer):
    protecting = Speller(TERMS, WORDS, tokenizer.log_probability, protected=["残保金", "ETC"])
    assert protecting.correct("残保金咋交") == "残保金咋交"
    assert Speller(TERMS, WORDS, tokenizer.log_probability).correct("残保金咋交") == "参保金咋交"


@pytest.fixture(scope="module")
def answerer(sample_index, searcher_factory, settings) -> Answerer:
    return Answerer(searcher_factory(sample_index), settings.scope_rule)


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("低宝一个月能领多少钱", "minimum-living-allowance"),
        ("社宝卡丢了去哪补", "social-security-card"),
        ("居住正过期了还能续吗", "residence-permit"),
    ],
)
def test_a_question_with_a_typo_is_answered_from_its_guide(answerer, question, doc_id):
    answer = answerer.answer(question)
    assert (answer.decision, answer.doc_id) == ("answer", doc_id)


def test_search_reads_the_typo_as_the_term(answerer):
    response = answerer.searcher.search("低宝需要什么条件", top_k=1)
    assert response.query == "低保需要什么条件" and response.results[0].doc_id == "minimum-living-allowance"


def test_a_city_service_missing_from_the_guides_is_not_respelt_into_one(answerer):
    question = "残保金在哪里交"
    assert answerer.searcher.correct(question) == question
    assert answerer.answer(question).decision != "answer"


def test_a_word_of_the_language_is_corrected_only_to_a_whole_term(tokenizer):
    terms, parts = ["优待证", "社保卡"], ["职业", "包装"]
    careful = Speller(terms, WORDS, tokenizer.log_probability, parts=parts, is_word=tokenizer.is_word)
    assert careful.correct("需要执业药师吗") == "需要执业药师吗"  # 执业 is a word: not 职业 of 职业培训
    assert careful.correct("新房子燃气报装找谁") == "新房子燃气报装找谁"
    assert careful.correct("办老年人有待证要带照片吗") == "办老年人优待证要带照片吗"  # 有待证 is no word
    assert careful.correct("社宝卡丢了咋补") == "社保卡丢了咋补"
    hasty = Speller(terms, WORDS, tokenizer.log_probability, parts=parts)
    assert hasty.correct("需要执业药师吗") == "需要职业药师吗"
