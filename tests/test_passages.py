"""Passages: splitting, storage apart from document ranking, and choice by content (real model, real index)."""

from __future__ import annotations

import pytest

from govbot.answering.answerer import Answerer
from govbot.answering.passage_choice import asked_section, choose_passages
from index.chunking import MAX_PASSAGE_CHARS, Passage, passages_of, split_passages
from index.searcher import PassageMatch
from knowledge.document import INTRO_SECTION, parse_document
from tests.conftest import SAMPLE_KB, write_doc


def test_split_passages_by_item_and_sentence():
    items = "\n".join(
        f"{i}. 第{i}项：" + "申请人需要提供的有效证明材料原件及复印件各一份，复印件须清晰完整并加盖公章"
        for i in range(1, 4)
    )
    long_paragraph = (
        "。".join(f"第{i}句说明这项服务的办理要求和注意事项，请申请人提前做好准备" for i in range(1, 9)) + "。"
    )
    passages = split_passages(f"{items}\n\n{long_paragraph}\n\n不收费。")
    assert passages[:3] == [line for line in items.split("\n")]
    assert all(len(p) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(p.endswith("。") for p in passages[3:-1])  # a long paragraph is cut at sentence ends
    assert "".join(passages[3:-1]) == long_paragraph and len(passages[3:-1]) >= 2
    assert passages[-1] == "不收费。"


def test_short_neighbours_are_joined():
    passages = split_passages("1. 首次申领：20元/证。\n2. 补领：40元/证。\n3. 临时证：10元/证。")
    assert passages == ["1. 首次申领：20元/证。\n2. 补领：40元/证。\n3. 临时证：10元/证。"]


def test_passages_carry_title_and_heading(tmp_path):
    path = write_doc(
        tmp_path,
        "d",
        "示例事项",
        "这是概述，说明示例事项的适用范围和基本规定，申请人可按此办理。\n\n## 收费标准\n\n不收费。",
    )
    passages = passages_of(parse_document(path.read_text("utf-8"), path))
    assert [p.section for p in passages] == [INTRO_SECTION, "收费标准"]
    assert passages[1].embed_text == "示例事项｜收费标准\n不收费。"
    assert len({p.passage_id for p in passages}) == 2 and [p.position for p in passages] == [0, 1]


def test_passages_stored_apart_from_document_ranking(sample_index, searcher_factory):
    _, data = searcher_factory(sample_index).data()
    assert {c.kind for c in data.chunks} == {"meta", "section"}
    assert data.bm25.size == len(data.chunks) == data.dense.vectors.shape[0]
    assert len(data.passages) == len(data.passage_vectors) > len(data.documents)
    assert set(data.passage_positions) == set(data.documents)
    assert all(p.tokens for p in data.passages)


@pytest.fixture(scope="module")
def answerer(sample_index, searcher_factory):
    return Answerer(searcher_factory(sample_index))


def _body(answer) -> str:
    return "".join(p["text"] for p in answer.passages)


@pytest.mark.parametrize(
    ("question", "doc_id", "fact", "not_shown"),
    [
        ("低保一个月多少钱", "minimum-living-allowance", "960", "不收费"),  # 多少钱 about a benefit: the amount
        ("身份证有效期多久", "id-card", "26—45周岁20年", None),  # 多久 → the validity, not 办理时限
        ("身份证丢了补办要多少钱", "id-card", "40元", None),  # about a service: the fee
        ("补办身份证要交丢失证明吗", "id-card", "无需提供丢失证明", None),  # 证明 → 申请材料, as asked
        ("身份证办好了可以寄到家吗", "id-card", "邮寄到家", None),  # no cue: by content
    ],
)
def test_passage_choice(answerer, question, doc_id, fact, not_shown):
    answer = answerer.answer(question)
    assert answer.doc_id == doc_id
    body = _body(answer)
    assert fact in body and len(body) <= 300
    assert not_shown is None or not_shown not in body


def test_answer_structure(answerer):
    answer = answerer.answer("低保一个月多少钱").to_dict()
    assert answer["decision"] == "answer" and answer["title"] == "最低生活保障申请"
    assert answer["passages"][0] == {
        "section": INTRO_SECTION,
        "text": answer["passages"][0]["text"],
        "truncated": False,
    }
    assert answer["source"]["url"] == "https://zwfw.shili.example/guide/minimum-living-allowance"
    assert answer["source"]["department"] == "示例市民政局" and answer["source"]["text"].startswith("来源：")
    assert "申请材料" in answer["sections"] and INTRO_SECTION not in answer["sections"]
    assert answer["section"] == INTRO_SECTION and "960" in answer["text"]


def test_section_request_and_list_question(answerer):
    whole = answerer.answer("", doc_id="id-card", section="申请材料")
    assert [p["section"] for p in whole.passages] == ["申请材料"] and "申请材料" not in whole.sections
    assert "6. 申领临时居民身份证" in whole.passages[0]["text"]
    listed = answerer.answer("护照要带什么材料")
    assert listed.doc_id == "passport" and listed.passages[0]["section"] == "申请材料"
    followup = answerer.answer("那要带什么", current_doc="id-card", followup=True)
    assert followup.passages[0]["section"] == "申请材料"


def test_long_section_is_capped(answerer):
    answer = answerer.answer("", doc_id="policy-new-energy-vehicle", section="支持内容")
    passage = answer.passages[0]
    assert len(passage["text"]) <= 601 and passage["truncated"] == (len(_section(answer, "支持内容")) > 600)


def _section(answer, heading: str) -> str:
    path = SAMPLE_KB / f"{answer.doc_id}.md"
    doc = parse_document(path.read_text("utf-8"), path)
    return doc.section(heading).text


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("那要带什么？", "申请材料"),
        ("要带哪些材料", "申请材料"),
        ("流程是什么", "办理流程"),
        ("护照怎么办", "办理流程"),  # how to get it: the whole process from its first step
        ("社保卡咋弄", "办理流程"),
        ("要带身份证吗", None),
    ],
)
def test_asked_section(question, section):
    assert asked_section(question, ["概述", "申请材料", "办理流程"]) == section


def test_a_policy_shows_what_to_bring_from_how_to_apply():
    assert asked_section("那要带什么？", ["适用对象", "申请方式", "政策依据"]) == "申请方式"


def _match(position: int, section: str, text: str, dense: float) -> PassageMatch:
    return PassageMatch(Passage(f"d#{position}", "d", "文档", section, position, text), dense, 0.0)


def test_close_passages_are_shown_together_within_the_budget():
    matches = [
        _match(0, "概述", "甲" * 100, 0.90),
        _match(1, "办理条件", "乙" * 100, 0.89),
        _match(2, "办理流程", "丙" * 90, 0.88),
        _match(3, "办理时限", "丁" * 20, 0.70),  # far below the best: never shown
    ]
    chosen = [m.passage.position for m in choose_passages("问题", matches, budget=300)]
    assert chosen == [0, 1, 2]
    chosen = [m.passage.position for m in choose_passages("问题", matches, budget=250)]
    assert chosen == [0, 1]  # the third does not fit


def test_a_benefit_amount_question_does_not_show_the_fee_section():
    matches = [_match(0, "概述", "每人每月 960 元。", 0.90), _match(1, "收费标准", "不收费。", 0.90)]
    assert [m.passage.section for m in choose_passages("低保一个月领多少钱", matches, 300)] == ["概述"]


def test_a_yes_no_question_prefers_the_passage_that_waives_it():
    matches = [
        _match(0, "申请材料", "1. 身份证；2. 租赁合同（公租房）。", 0.900),
        _match(1, "申请方式", "租住商品房的，无需提供租赁合同，按月提取。", 0.895),
    ]
    assert choose_passages("租房提取公积金还要带租房合同吗", matches, 40)[0].passage.position == 1
    assert choose_passages("租房提取公积金带什么", matches, 40)[0].passage.position == 0


@pytest.mark.parametrize(
    ("question", "plain", "answering"),
    [
        ("个人创业最多能贷多少", "贷款期限 3 年，按月付息。", "个人贷款最高 30 万元。"),
        ("开小卖部得满多少岁", "经营者应有固定经营场所。", "申请人应年满 18 周岁。"),
        ("小微企业优惠得先去备案不？", "享受优惠的企业应如实申报。", "无需另行申请或备案。"),
        ("证书拿到手能管几年", "认定结果公示 5 个工作日。", "证书有效期为 3 年。"),
        ("生完娃多久之内得去申请", "材料齐全的 20 个工作日内办结。", "产假结束之日起 12 个月内申请。"),
        ("以旧换新补贴现在还有吗", "补贴标准为每辆 2000 元。", "该政策已于 2025 年底到期。"),
        ("补贴批下来钱打到哪张卡上", "审核通过后 10 个工作日内发放。", "补贴拨付至本人社会保障卡金融账户。"),
        ("不想跑窗口，去哪申请", "办理地点：市政务服务中心 2 楼 5 号窗口。", "也可在 i示例 APP 的专区在线申请。"),
        ("在外地，手机上能办吗", "办理地点：区政务服务大厅。", "可通过政务服务网在线提交，证件邮寄到家。"),
        ("孩子在外地上学，我能替他去开吗", "申请人应携带本人身份证。", "委托他人办理的，另带授权委托书。"),
        ("报名要交钱不", "报名时间为每年 5 月。", "报名不收取任何费用。"),
    ],
)
def test_the_kind_of_fact_asked_for_picks_between_close_passages(question, plain, answering):
    matches = [_match(0, "办理条件", plain, 0.900), _match(1, "办理条件", answering, 0.890)]
    assert choose_passages(question, matches, len(answering) + 5)[0].passage.text == answering


def test_a_rate_asked_about_a_benefit_may_come_from_the_fee_section():
    """About a benefit the fee section is pushed down ("多少钱" means the amount paid out), unless the passage holds
    what else was asked: a reimbursement rate is stated there."""
    matches = [
        _match(0, "办理流程", "未备案就医的，出院前可补办备案。", 0.900),
        _match(1, "收费标准", "未备案的，报销比例降低 20 个百分点。", 0.890),
    ]
    assert choose_passages("没备案住院报销比例降多少", matches, 30)[0].passage.position == 1


def test_a_benefit_amount_is_the_payment_not_the_income_threshold():
    """ "低保一个月多少钱": 960 元 as the monthly payment, not as the income a family must stay below."""
    matches = [
        _match(0, "办理条件", "家庭月人均收入低于每人每月 960 元。", 0.900),
        _match(1, "概述", "低保标准为每人每月 960 元，按月发放。", 0.895),
    ]
    assert choose_passages("低保一个月多少钱", matches, 20)[0].passage.section == "概述"
    capped = [
        _match(0, "申请条件", "项目实际投入 20 万元以上。", 0.900),
        _match(1, "支持内容", "补贴最高不超过 3000 元。", 0.895),
    ]
    assert choose_passages("这个补贴能补多少钱", capped, 20)[0].passage.section == "支持内容"


def test_the_legal_basis_is_shown_only_when_asked_for():
    matches = [
        _match(0, "政策依据", "《示例市法律援助条例》第十二条。", 0.900),
        _match(1, "办理时限", "情况紧急的可先行提供法律援助。", 0.880),
    ]
    assert choose_passages("法律援助我这事急怎么办", matches, 20)[0].passage.section == "办理时限"
    assert choose_passages("法律援助依据哪条规定", matches, 20)[0].passage.section == "政策依据"


def test_followup_reads_the_question_in_its_topic(answerer):
    amount = answerer.answer("一个月多少钱", current_doc="minimum-living-allowance", followup=True)
    assert amount.doc_id == "minimum-living-allowance" and amount.passages[0]["section"] != "收费标准"
    assert "960" in amount.passages[0]["text"]
    fee = answerer.answer("要钱吗", current_doc="minimum-living-allowance", followup=True)
    assert fee.passages[0]["section"] == "收费标准"


def test_followup_naming_another_service_switches_or_declines(answerer):
    typo = answerer.answer("落护要啥条件", current_doc="residence-permit", followup=True)
    assert (typo.doc_id, typo.passages[0]["section"]) == ("hukou-transfer", "办理条件")
    material = answerer.answer("需要房产证吗", current_doc="residence-permit", followup=True)
    assert material.doc_id == "residence-permit"  # a thing to bring, not the title deed's guide
    unheld = answerer.answer("临时救助呢", current_doc="minimum-living-allowance", followup=True)
    assert (unheld.decision, unheld.missing_subject) == ("fallback", "临时救助")
    personal = answerer.answer("我的居住证办到哪一步了", current_doc="residence-permit", followup=True)
    assert (personal.decision, personal.reason) == ("fallback", "personal_case")


def test_what_about_another_service_is_a_question_of_its_own(answerer):
    other = answerer.answer("那社保卡呢", current_doc="id-card", followup=True)
    assert other.doc_id == "social-security-card"  # the ID card's guide never mentions it
    same = answerer.answer("那孩子呢", current_doc="residence-permit", followup=True)
    assert same.doc_id == "residence-permit"  # no service's name: the same question about a child


@pytest.mark.parametrize(
    ("previous", "question", "topic", "doc_id", "fact"),
    [
        ("身份证遗失了怎么补办", "那医保卡呢", "id-card", "social-security-card", "挂失"),
        ("护照要多少钱", "那港澳通行证呢", "passport", "hk-macau-permit", "60元"),
    ],
)
def test_what_about_another_service_asks_the_previous_question_about_it(
    answerer, previous, question, topic, doc_id, fact
):
    """The topic's word in the question before is replaced: 医保卡遗失了怎么补办, 港澳通行证要多少钱."""
    again = answerer.answer(question, current_doc=topic, followup=True, previous=previous)
    assert again.doc_id == doc_id and fact in "".join(p["text"] for p in again.passages)
    alone = answerer.answer(question, current_doc=topic, followup=True)  # what the question before adds
    assert fact not in "".join(p["text"] for p in alone.passages)


def test_a_followup_on_a_withdrawn_document_is_read_afresh(answerer):
    fresh = answerer.answer("临时救助呢", current_doc="withdrawn-guide", followup=True)
    assert (fresh.decision, fresh.missing_subject) == ("fallback", "临时救助")
    bare = answerer.answer("那要带什么", current_doc="withdrawn-guide", followup=True)
    assert bare.decision == "no_topic"
