"""Honest scope: real jieba, the real sample index and the fitted rule decide whether a document answers."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from govbot.answering.answerability import Answerability, ScopeRule, SubjectExtractor, personal_case, policy_like
from govbot.answering.answerer import RESOLVE_MARGIN, Answerer
from govbot.answering.case_classifier import reads_as_case
from govbot.answering.event_cues import asks_one_fact, wants_whole_plan
from govbot.answering.operations import asked_operations
from govbot.answering.personal_case import has_case_shape
from govbot.events.plan import scope_record
from index.normalize import to_simplified
from index.synonyms import variants

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def answerer(sample_index, searcher_factory, settings) -> Answerer:
    return Answerer(searcher_factory(sample_index), settings.scope_rule)


@pytest.fixture(scope="module")
def extractor(tokenizer) -> SubjectExtractor:
    return SubjectExtractor(tokenizer)


@pytest.mark.parametrize(
    ("question", "subject", "neighbour"),
    [
        ("游艇驾驶证怎么考", "游艇驾驶证", "driver-license-renewal"),
        ("健康证在哪里办", "健康证", "food-business-license"),
        ("怎么申请公租房", "公租房", "policy-rental-withdrawal"),
        ("退役军人优待证怎么办理", "退役军人优待证", "elderly-card"),
    ],
)
def test_a_service_the_knowledge_base_lacks_is_declined_by_name(answerer, question, subject, neighbour):
    answer = answerer.answer(question)
    assert answer.decision == "fallback" and answer.doc_id is None
    assert answer.missing_subject == subject and answer.reason == "not_covered"
    assert f"没有找到关于「{subject}」的办事指南" in answer.text
    assert "12345" in answer.text and "转人工" in answer.text
    assert 1 <= len(answer.options) <= 3


def test_the_decline_offers_the_neighbour_as_a_choice(answerer):
    answer = answerer.answer("退役军人优待证怎么办理")
    assert "elderly-card" in [o["doc_id"] for o in answer.options]


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("老年人优代证在哪办", "elderly-card"),  # typo: 优待证
        ("社宝卡丢了咋整", "social-security-card"),  # typo: 社保卡
        ("驾照快到期了要怎么换新的", "driver-license-renewal"),
        ("护照过期了怎么重新办", "passport"),
        ("领结婚证要带户口本吗", "marriage-registration"),
        ("公积金怎么取出来", "housing-fund-withdrawal"),
        ("养老金资格认证怎么做", "pension-certification"),
        ("孩子刚出生怎么上户口", "birth-registration"),
        ("身份证遗失了怎么补办", "id-card"),  # the guide says 丢失
        ("办个体户对年龄有什么要求", "individual-business"),  # 年龄 is what is asked, not which service
    ],
)
def test_questions_the_knowledge_base_covers_are_still_answered(answerer, question, doc_id):
    answer = answerer.answer(question)
    assert (answer.decision, answer.doc_id) == ("answer", doc_id), answer.text


def test_a_personal_case_is_handed_to_a_person(answerer):
    answer = answerer.answer("我的低保申请到哪一步了")
    assert answer.decision == "fallback" and answer.reason == "personal_case" and answer.missing_subject is None
    assert "转人工" in answer.text and "12345" in answer.text
    assert "minimum-living-allowance" in [o["doc_id"] for o in answer.options]


@pytest.mark.parametrize("question", ["明天天气怎么样", "给我讲个笑话吧"])
def test_off_topic_questions_are_not_answered_from_a_document(answerer, question):
    answer = answerer.answer(question)
    assert answer.decision == "fallback" and "转人工" in answer.text


def test_keyboard_noise_is_declined_without_naming_it(answerer):
    answer = answerer.answer("asdkjqwe zxcv")
    assert answer.decision == "fallback" and answer.missing_subject is None
    assert "没有找到可靠的答案" in answer.text


def test_policy_questions_say_policy(answerer):
    answer = answerer.answer("光伏发电补贴怎么申请")
    assert answer.decision == "fallback" and "没有找到关于「光伏发电补贴」的政策" in answer.text


def test_synonym_variants():
    assert "身份证丢失" in variants("身份证遗失") and "车辆管理所" in variants("车管所")
    assert variants("护照") == ()


def test_salient_terms_drop_cues_and_join_compounds(extractor):
    words = {t.word: t.run for t in extractor.terms("请问怎么申请公租房，要多少钱")}
    assert words == {"公租房": "公租房"}
    runs = {t.run for t in extractor.terms("退役军人优待证怎么办理")}
    assert runs == {"退役军人优待证"}


def test_words_glued_to_a_modal_or_a_particle_name_nothing(extractor):
    assert {t.word for t in extractor.terms("高企资格认下来能管多久")} == {"高企", "资格"}
    assert {t.word for t in extractor.terms("领的上云券多长时间内得用掉")} == {"云券"}


def test_a_single_character_verb_starts_no_noun_run(extractor):
    """jieba tags 交 of "要交无犯罪证明" as a noun; the certificate is the subject, not "交无犯罪证明"."""
    assert "无犯罪证明" in [t.word for t in extractor.terms("学校要他交无犯罪证明")]


@pytest.mark.parametrize("glued", ["厂想", "证上", "社发", "社", "学"])
def test_a_word_jieba_glued_to_a_stray_character_is_no_name(extractor, glued):
    assert extractor.nameable(glued) is None


@pytest.mark.parametrize("name", ["车贷", "上牌", "游艇驾驶证", "残疾军人证", "家庭医声", "公租房"])
def test_whole_words_and_their_typos_are_named(extractor, name):
    assert extractor.nameable(name) == name


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("我们厂想淘汰老机器换一批新的，政府能按多少比例补？", "机器"),  # not 厂想
        ("公司想对司机岗位实行不定时工作制，要去人社审批吗", "工作制"),  # not 社 of 人社
    ],
)
def test_a_decline_names_the_rarest_term_worth_naming(extractor, question, named):
    assert extractor.rarest_nameable(extractor.terms(question)) == named


def test_a_long_unknown_word_one_inner_character_off_is_a_typo(answerer):
    scope, record = answerer.scope, answerer.searcher.data()[1].documents["hk-macau-permit"]
    _, whole = scope.texts_of("test", record)
    typo, other = (
        next(t for t in scope.extractor.terms(q) if t.word == w)
        for q, w in [("港奥通行证签注怎么续", "港奥通行证"), ("办居住证明要多久", "居住证明")]
    )
    assert scope.holds(typo, whole)
    assert not scope.holds(other, whole)  # an edge character changed makes another word


@pytest.mark.parametrize(
    ("question", "neighbour"),
    [
        ("开药店要办药品经营许可证 需要什么条件", "food-business-license"),
        ("去台湾玩要办往来台湾通行证 怎么办理", "hk-macau-permit"),
        ("孩子想从外地转学过来，转学手续咋办", "school-enrollment"),  # a service named by its verb
    ],
)
def test_a_service_named_in_full_that_the_document_lacks_is_declined(answerer, question, neighbour):
    assert answerer.searcher.search(question).results[0].doc_id == neighbour
    answer = answerer.answer(question)
    assert answer.decision == "fallback" and answer.reason == "not_covered"


def test_the_decline_names_the_service_asked_for_not_a_word_of_the_story(answerer):
    assert answerer.answer("开药店要办药品经营许可证 需要什么条件").missing_subject == "药品经营许可证"


def test_a_named_service_no_step_holds_is_no_life_event(answerer):
    answer = answerer.answer("孩子想从外地转学过来，转学手续咋办", kinds=("event",))
    assert answer.decision == "fallback" and answer.reason == "not_an_event"
    listed = answerer.answer("在厂里干了三十年马上到年纪，养老金医保社保卡这些后面都要咋整", kinds=("event",))
    assert listed.doc_id == "retirement-event"  # services the knowledge base holds, listed


def test_a_plan_question_takes_the_event_it_names(answerer):
    assert answerer.answer("我的奶茶店要结业了，得办哪些手续").doc_id == "individual-business-closure"


def test_personal_cases_and_policy_cues():
    assert personal_case("我的低保申请到哪一步了")
    assert personal_case("我妈的高龄津贴这个月为啥没发")
    assert personal_case("我上周交的居住证材料现在批了吗")
    assert personal_case("我的护照办了半个月了还没寄到")
    assert not personal_case("我的身份证快过期了怎么换")
    assert not personal_case("低保申请要多久")
    assert not personal_case("我想办身份证要带什么")
    assert policy_like("育儿补贴怎么领") and not policy_like("身份证怎么补办")


@pytest.mark.parametrize(
    "question",
    [
        "我们厂的稳岗补贴审完了吗",  # progress
        "我去年交的公积金提取申请到现在都没信儿",
        "我儿子的出生医学证明补办申请卡在哪了",
        "我的个体户注销申请被退回来了 要重新交吗",  # an action taken on the case
        "俺爹的养老金这个月怎么少了两百",  # why, about the own case
        "老伴的高龄津贴这个月咋还没到账",  # the family, named without 我
        "我的居住证为什么迟迟办不下来",
        "麻烦帮我查一下我的社保缴费记录是不是漏了",  # a request that staff act
        "我的居住证做好没有",
        "给我派的是哪个律师",  # a detail only the case file holds
        "我开证明说要调查核实，是查出啥问题了吗",
    ],
)
def test_personal_cases_by_pattern_family(question):
    assert personal_case(question)


@pytest.mark.parametrize(
    "question",
    [
        "受理号SL20240611的低保申请现在什么情况",  # a case's own reference
        "居住证补办了二十多天还没好",  # handed in some time ago, told without 我
        "上礼拜交的生育津贴材料，钱打到卡上了吗",
        "公积金提取说三天到账，都一个礼拜了还没见着钱",
        "残疾人补贴批下来了，可这个月的钱一直没到账",  # a status phrase, no owner named: the model reads it
        "这季度的护理补贴少发了两百，是不是给扣了",
    ],
)
def test_a_case_told_without_first_person(question):
    assert personal_case(question)


@pytest.mark.parametrize("question", ["补贴批下来以后一般多久到账", "护理补贴被扣了可以申请复核吗"])
def test_a_general_question_with_a_status_word_and_no_owner_is_no_case(question):
    assert not personal_case(question)


@pytest.mark.parametrize(
    "question",
    [
        "我哋屋企嘅居住证审核咗未",  # Cantonese progress
        "阿拉姆妈的高龄津贴点解还没到账",  # Wu owner, Cantonese why
        "我申请的人才公寓现在排第几号",  # a place on a waiting list
        "我儿子小学分到哪所学校了",
        "我的个税退税一直显示失败",
        "我社保卡医保账户里还剩多少钱",
        "老伴的残疾人补贴这个月莫得了",
        "我那份退休金核定少算了两年工龄",
        "店里的执照注销，税务那边清了没有",
    ],
)
def test_case_shapes_in_regional_speech_and_of_accounts_and_queues(question):
    assert personal_case(question)


@pytest.mark.parametrize(
    "question",
    ["我的居住证要是被注销了的话怎么办", "我们家申请居家养老服务一般多久能批下来", "低保万一被取消了还有过渡期吗"],
)
def test_a_question_on_how_things_go_as_a_rule_is_no_case(question):
    assert not personal_case(question)


def test_personal_case_probe_set():
    """The probe set (tests/data/personal_probe.tsv, a tuning set: written from the document titles only, and the
    patterns were extended on it): nearly every own case is caught and no general question."""
    with open(DATA / "personal_probe.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    own = [personal_case(r["question"]) for r in rows if r["kind"] == "personal_case"]
    general = [personal_case(r["question"]) for r in rows if r["kind"] == "general"]
    assert sum(own) / len(own) >= 0.9 and not any(general)


def test_the_learned_model_reads_cases_it_was_not_trained_on():
    """The probe set is no training example of the model: alone it catches most own cases and no general
    question (the patterns were written from the probe, the model from other writers' examples)."""
    with open(DATA / "personal_probe.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    own = [reads_as_case(r["question"]) for r in rows if r["kind"] == "personal_case"]
    general = [reads_as_case(r["question"]) for r in rows if r["kind"] == "general"]
    assert sum(own) / len(own) >= 0.7 and not any(general)


def test_personal_case_holdout_set():
    """tests/data/personal_holdout.tsv: 200 questions by a writer who saw no code, no other question set and no
    answer of the bot; never tuned on. Read in Simplified, as the knowledge service hands questions to the checks:
    98 of 100 own cases caught and no general question taken for one (the code before the ownerless rule: 96)."""
    with open(DATA / "personal_holdout.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    own = [personal_case(to_simplified(r["question"])) for r in rows if r["kind"] == "personal_case"]
    general = [personal_case(to_simplified(r["question"])) for r in rows if r["kind"] == "general"]
    assert sum(own) >= 95 and not any(general)


@pytest.mark.parametrize("question", ["今年的高龄津贴到现在一分钱也没看见", "护照交了材料半个月一点消息都没有"])
def test_a_case_told_without_its_owner_in_no_known_shape_is_read_by_the_model(question):
    assert not has_case_shape(question) and personal_case(question)


@pytest.mark.parametrize("question", ["没有啊", "没毛病"])
def test_a_short_reply_the_model_misreads_is_no_case(question):
    """A character model reads a bare 没… as a case; told without an owner or a status, it says too little."""
    assert reads_as_case(question) and not personal_case(question)


@pytest.mark.parametrize(
    "question", ["老伴的护理补贴一直打不到卡上，社区说早报上去了", "俺家那口子的残疾证补办交了材料快仨礼拜，到底办妥没"]
)
def test_a_case_in_none_of_the_pattern_shapes_is_read_by_the_model(question):
    assert not has_case_shape(question) and personal_case(question)


@pytest.mark.parametrize("question", ["慢病认定提交了多少天出结果", "补贴审核通过了一般多久到账"])
def test_a_question_on_the_usual_review_time_is_no_case(question):
    assert not personal_case(question)


@pytest.mark.parametrize(
    "question",
    [
        "我老公一直在外地上班，我一个人带孩子，孩子上户口要带什么材料",
        "我们公司前年被罚过款，今年还能申请稳岗补贴吗",
        "我爸一直在老家看病，搬来这边后慢病还能在这边认定吗",
    ],
)
def test_a_story_holding_a_status_word_is_no_case_when_the_model_rules_it_out(question):
    """ "一直在", "被罚" are status shapes, but told as the story before a general question."""
    assert has_case_shape(question) and not personal_case(question)


@pytest.mark.parametrize(
    "question", ["我的低保申请到哪一步了", "我要开个面包店，你们能派人来指导一下吗", "我的社保卡申请审核中，能加急吗"]
)
def test_progress_words_and_requests_for_staff_are_cases_whatever_the_model_says(question):
    """The request to send someone is below the model's floor; the words alone make it a case."""
    assert personal_case(question)


@pytest.mark.parametrize(
    ("question", "service", "neighbour"),
    [
        ("长期护理保险待遇怎么申请", "长期护理保险", "policy-disability-subsidy"),
        ("健康证明在哪办", "健康证明", "birth-registration"),
        ("港澳台居民居住证怎么办理", "港澳台居民居住证", "residence-permit"),
    ],
)
def test_a_catalogue_service_no_guide_covers_is_declined_by_its_name(
    answerer, sample_index, searcher_factory, settings, question, service, neighbour
):
    without_catalogue = Answerer(searcher_factory(sample_index), settings.scope_rule, services=())
    assert without_catalogue.answer(question).doc_id == neighbour  # what the catalogue prevents
    declined = answerer.answer(question)
    assert declined.decision == "fallback" and declined.missing_subject == service
    assert f"没有找到关于「{service}」的" in declined.message


@pytest.mark.parametrize(
    ("question", "service", "neighbour"),
    [
        ("想开一家卖农药种子的店，需要什么许可", "农药经营许可", "food-business-license"),
        ("从别人手里买的二手车，过户去哪办", "机动车转移登记", "real-estate-registration"),
    ],
)
def test_a_catalogue_service_described_in_other_words_is_declined_by_its_name(
    answerer, settings, question, service, neighbour
):
    """No catalogue name is in the question, but its meaning is nearer a service without a guide than any with
    one and than the best document's own names: the neighbour guide does not answer it."""
    blind = Answerer(answerer.searcher, replace(settings.scope_rule, unheld_margin=9.0))
    assert blind.answer(question).doc_id == neighbour  # what comparing with the catalogue by meaning prevents
    declined = answerer.answer(question)
    assert declined.decision == "fallback" and declined.missing_subject == service
    assert f"没有找到关于「{service}」的" in declined.message


def test_a_described_service_the_document_holds_in_the_questions_words_is_answered(answerer):
    """年度报告 is nearest the unheld 企业年度报告公示 by meaning, but the sole-trader guide holds those words."""
    answer = answerer.answer("个体工商户年度报告什么时间报")
    assert answer.decision == "answer" and answer.doc_id == "individual-business"
    assert "6 月 30 日" in answer.text


def test_a_decline_names_no_subject_longer_than_a_service_name(answerer):
    """A run of repeated words is declined without echoing it back."""
    declined = answerer.answer("农药" * 100)
    assert declined.decision == "fallback" and declined.missing_subject is None
    assert "农药农药" not in declined.message


def test_a_service_of_the_story_beside_the_documents_own_is_no_decline(answerer):
    """起诉 is a service no guide holds, but the question asks about the hotline it names."""
    answer = answerer.answer("我想起诉单位拖欠工资，打12345有用吗")
    assert answer.decision == "answer" and answer.doc_id == "complaint-hotline"


def test_a_catalogue_service_told_before_the_documents_own_is_the_story(answerer):
    """考公务员 is a service no guide holds; 失业金, named after it, is what the question asks about."""
    answer = answerer.answer("准备考公务员，失业保险也交了六年，能领失业金吗")
    assert answer.decision == "answer" and answer.doc_id == "unemployment-benefit"
    declined = answerer.answer("考公务员要什么条件")
    assert declined.decision == "fallback" and declined.missing_subject == "考公务员"


def test_a_variant_of_the_documents_service_is_still_declined(answerer):
    """残疾军人证 holds the characters of 残疾证 with a modifier inside: another service, not the story's."""
    declined = answerer.answer("残疾军人证怎么评定和申领")
    assert declined.decision == "fallback" and declined.missing_subject == "残疾军人证"


@pytest.mark.parametrize(
    ("question", "subject", "neighbour_question", "neighbour"),
    [
        ("营业执照弄丢了要怎么补办", "营业执照补领", "营业执照怎么办理", "business-license"),
        ("孩子读到初二了想转学到示例市，找谁办", "转学", "孩子上小学怎么报名", "school-enrollment"),
    ],
)
def test_an_operation_the_document_never_mentions_is_declined_by_name(
    answerer, question, subject, neighbour_question, neighbour
):
    """Replacing a lost licence or changing schools is a service of its own, which the neighbour does not tell."""
    assert answerer.answer(neighbour_question).doc_id == neighbour
    declined = answerer.answer(question)
    assert declined.decision == "fallback" and declined.missing_subject == subject


def test_an_operation_no_step_of_a_life_event_mentions_is_no_plan(answerer):
    """Closing a shop mentions a lost licence ("营业执照遗失的…注销时一并说明"), not how to replace one: neither a
    confident event ranking nor the NLU's life-event reading makes it the plan."""
    question = "营业执照遗失了要怎么补办"
    answer = answerer.answer(question)
    assert answer.decision == "fallback" and answer.missing_subject == "营业执照补领"
    assert answerer.answer(question, kinds=("event",)).reason == "not_an_event"


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [("身份证丢了怎么补办", "id-card"), ("驾照过期被注销了还能恢复吗", "driver-license-renewal")],
)
def test_an_operation_the_document_tells_is_answered(answerer, question, doc_id):
    answer = answerer.answer(question)
    assert answer.decision == "answer" and answer.doc_id == doc_id


def test_an_operation_told_before_the_documents_service_is_the_story(answerer):
    """ "想离婚" before 法律援助 tells why legal aid is wanted; "离婚" alone asks for a divorce."""
    story = answerer.answer("老公打我好几年了，我想离婚，自己没什么钱，能申请法律援助吗")
    assert (story.decision, story.doc_id) == ("answer", "legal-aid")
    assert answerer.answer("离婚要去哪里办，需要带什么").decision != "answer"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("营业执照丢了怎么补办", ["补领"]),
        ("公司改名后还要变更吗", ["变更"]),
        ("丢了工作能领失业金吗", []),  # 丢了 alone asks for no replacement
        ("养老服务补贴能换成现金吗", []),
        ("想中途插班，再把户口注销", ["转学", "注销"]),
    ],
)
def test_asked_operations(text, names):
    assert [op.name for op in asked_operations(text)] == names


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("办施工许可要先有建设工程规划许可证吗", "construction-permit"),
        ("公租房住户能提公积金付房租吗", "policy-rental-withdrawal"),
    ],
)
def test_a_catalogue_service_mentioned_beside_the_guides_own_is_no_decline(answerer, question, doc_id):
    answer = answerer.answer(question)
    assert answer.decision == "answer" and answer.doc_id == doc_id


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("高企资格到期以后怎么办", "high-tech-enterprise"),
        ("低保资格一年一审吗", "minimum-living-allowance"),
        ("户口迁进来准迁证要自己跑吗", "hukou-transfer"),  # 准迁证 names 户口迁移 in the catalogue
    ],
)
def test_a_question_naming_the_documents_own_service_by_its_catalogue_name_is_answered(answerer, question, doc_id):
    """The coverage model alone declines these ("资格" outside the head, a low ranking confidence)."""
    answer = answerer.answer(question)
    assert answer.decision == "answer" and answer.doc_id == doc_id


@pytest.mark.parametrize(
    "question",
    [
        "我被裁员了能领失业金吗",
        "我还没办过护照 第一次办要带什么",
        "我还没到退休年龄能领养老金吗",
        "我们公司还没发票 第一次怎么申领",
        "我没有单位怎么交社保",
        "路边违章停车堵了我家门口，找谁都没人管",
        "我儿子想把油车换成电动的，听说有补贴，要怎么申请，补多少",
        "我体检查出问题了能办慢病吗",
        "身份证做好以后去哪领",
        "帮我匹配一下政策",  # a request the policy-matching form answers
    ],
)
def test_first_person_how_to_questions_are_not_personal_cases(question):
    assert not personal_case(question)


def test_close_documents_are_resolved_in_log_odds():
    rule = ScopeRule()
    assert rule.resolves(0.99, 0.95)  # log-odds 4.6 against 2.9
    assert not rule.resolves(0.95, 0.93)
    assert not rule.resolves(0.6, 0.1)  # not sure enough of the first


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("退休了养老金怎么认证", "pension-certification"),  # ranked second, singled out by its title and keywords
    ],
)
def test_the_scope_model_picks_between_close_documents(answerer, question, doc_id):
    answer = answerer.answer(question)
    assert (answer.decision, answer.doc_id) == ("answer", doc_id)


@pytest.mark.parametrize(
    ("question", "event"),
    [
        ("打算在老城区开一家砂锅粥店", "open-restaurant"),
        ("我要开一家广告设计公司", "start-company"),
        ("我们家刚添了个闺女", "newborn"),
        ("店里要招两个帮工", "hiring-staff"),
    ],
)
def test_a_situation_in_its_own_words_finds_its_event_when_it_outranks_every_guide(answerer, question, event):
    """The words (砂锅粥, 广告设计) are in no document, so the scope check declines; the event ranks above every
    guide, policy and FAQ, so an events-only search (the dialogue's, for a life event) still takes it."""
    answer = answerer.answer(question, kinds=("event",))
    assert answer.decision == "event" and answer.doc_id == event


@pytest.mark.parametrize(
    ("question", "event"),
    [
        ("我的奶茶店要结业了，得办哪些手续", "individual-business-closure"),
        ("烧烤店不做了，前前后后要办啥", "individual-business-closure"),
        ("准备开个烧烤店，前前后后要办啥", "open-restaurant"),
    ],
)
def test_the_event_the_question_names_wins_over_a_close_neighbour(answerer, question, event):
    """Closing and opening a food shop rank close together; the event whose keyword the question holds
    ("结业", "店不做了") is the one answered."""
    answer = answerer.answer(question, kinds=("event",))
    assert answer.decision == "event" and answer.doc_id == event


def test_a_specific_question_on_a_near_tie_is_answered_offering_the_runner_up(answerer):
    """Registering and deregistering a sole trader rank as a near tie; a question that asks more than the topic
    is answered from the first, the second offered first among related documents. A bare topic asks back."""
    ranked = answerer.searcher.search("个体工商户年度报告什么时间报", top_k=2)
    assert ranked.decision == "clarify"
    answer = answerer.answer("个体工商户年度报告什么时间报")
    assert answer.decision == "answer" and answer.doc_id == ranked.results[0].doc_id == "individual-business"
    assert answer.related[0]["doc_id"] == ranked.results[1].doc_id
    assert answerer.answer("公积金").decision == "clarify"


def test_of_two_documents_too_close_to_call_the_one_holding_the_nearer_passage_is_answered(answerer):
    """The R&D deduction policy's best section ranks a hair above the recognition guide's; the guide holds the
    passage on the innovation score a recognition needs."""
    question = "我们做软件开发的，想申请能享受税收优惠的那个科技资质，创新能力评价得多少分才够？"
    ranked = answerer.searcher.search(question, top_k=2).results
    assert ranked[0].doc_id == "policy-rd-deduction" and ranked[0].score - ranked[1].score < RESOLVE_MARGIN
    answer = answerer.answer(question)
    assert answer.doc_id == ranked[1].doc_id == "high-tech-enterprise" and "71 分以上" in answer.text


@pytest.mark.parametrize(
    "question", ["社保卡丢了怎么补办", "身份证过期了怎么换", "护照怎么办", "开电子发票要准备啥，还用买税控盘吗"]
)
def test_a_service_question_is_not_forced_into_an_event(answerer, question):
    assert answerer.answer(question, kinds=("event",)).decision == "fallback"
    assert answerer.answer(question).decision == "answer"


@pytest.mark.parametrize("kinds", [None, ("event",)])
def test_a_faint_event_ranked_first_is_no_answer(answerer, kinds):
    """Syllables with no meaning rank some event first, far below the event confidence: that is a fallback."""
    answer = answerer.answer("啊吧啊吧嗯额", kinds=kinds)
    assert answer.decision == "fallback" and answer.event is None


@pytest.mark.parametrize(
    ("question", "one_fact", "whole_plan"),
    [
        ("宝宝上周出生了，报户口要带哪些材料", True, False),
        ("刚失业了，失业登记在哪个窗口办", True, False),
        ("开个奶茶店要办哪些手续", False, True),
        ("想开间咖啡馆，一共要办几样东西，多久能营业", False, True),
        ("公司刚成立，单位社保开户要准备啥材料", True, False),
        ("我爸七十了，坐车看病这些优待都要去办吗", False, True),
        ("身份证要去办吗", True, False),
        ("办失业登记要带什么证件", True, False),  # documents to bring, not certificates to get
        ("给娃报户口得准备哪些证明", True, False),
        ("孩子出生了要办什么证", False, True),
    ],
)
def test_one_fact_or_whole_plan(question, one_fact, whole_plan):
    assert asks_one_fact(question) is one_fact and wants_whole_plan(question) is whole_plan


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("宝宝上周出生了，报户口要带哪些材料", "birth-registration"),
        ("刚失业了，失业登记在哪个窗口办", "employment-registration"),
    ],
)
def test_a_situation_asking_one_fact_is_the_services_question(answerer, question, doc_id):
    """The NLU may call it a life event; the whole ranking puts the service above the event, and one fact is
    asked: the events-only answer declines without options, so the dialogue asks again over every document."""
    declined = answerer.answer(question, kinds=("event",))
    assert declined.decision == "fallback" and declined.reason == "not_an_event" and not declined.options
    answer = answerer.answer(question)
    assert answer.decision == "answer" and answer.doc_id == doc_id


def test_every_extractor_over_one_tokenizer_tags_dictionary_words(tokenizer):
    """jieba gives the user dictionary's tags to the first tagger that cuts and forgets them; a second extractor
    over the same tokenizer (a second answerer in the process) must still see 上户口 as a term."""
    first = SubjectExtractor(tokenizer)
    first.terms("宝宝出生了怎么报户口")
    second = SubjectExtractor(tokenizer)
    question = "上户口的户口本寄到家里要我出邮费不"
    assert [t.word for t in second.terms(question)] == [t.word for t in first.terms(question)]
    assert "上户口" in {t.word for t in second.terms(question)}


def test_an_events_own_text_and_its_steps_scope_are_judged_apart(answerer, tokenizer):
    """The events-only path judges an event by its steps' guides too; a later judgement of the event's own text
    (two close documents resolved) must not reuse that: answers would depend on what was asked before."""
    version, data = answerer.searcher.data()
    own = data.documents["unemployment-event"]
    question = "领失业金的时候医保谁来交"
    fresh = Answerability(tokenizer).probability(question, own, 0.5, version)
    used = Answerability(tokenizer)
    used.probability(question, scope_record(data.documents, "unemployment-event"), 0.5, version)
    assert used.probability(question, own, 0.5, version) == fresh


@pytest.mark.parametrize(
    ("question", "doc_id", "material"),
    [
        ("孩子上户口要带结婚证吗", "birth-registration", "marriage-registration"),
        ("没领结婚证，孩子上户口还要交结婚证吗", "birth-registration", "marriage-registration"),
        ("已经拿了稳岗返还，还能领扩岗补助吗", "policy-enterprise-hiring-subsidy", "job-stabilization-subsidy"),
    ],
)
def test_a_service_named_only_as_something_to_bring_or_had_is_not_what_is_asked(answerer, question, doc_id, material):
    """Both documents rank as a near tie; the question asks about the one whose service it names as its subject."""
    _, data = answerer.searcher.data()
    assert answerer.scope.service_role(question, data.documents[material]) == "material"
    assert answerer.scope.service_role(question, data.documents[doc_id]) == "subject"
    answer = answerer.answer(question)
    assert answer.decision == "answer" and answer.doc_id == doc_id


@pytest.mark.parametrize(
    "question", ["想贷20万创业担保贷款，要准备些啥，还得有人反担保吗", "12345热线从外地打要加区号吗，都要准备啥"]
)
def test_a_service_the_best_guide_lists_and_no_step_holds_is_no_life_event(answerer, question):
    """The NLU may call these life events ("要准备些啥" reads like a plan); the guide ranked first lists the
    service asked about and no step of the closest event does, so the event search offers no event to force."""
    declined = answerer.answer(question, kinds=("event",))
    assert declined.decision == "fallback" and declined.reason == "not_an_event" and not declined.options
    assert answerer.answer(question).decision == "answer"


def test_a_faint_ranking_is_answered_when_the_question_names_the_guides_service(answerer):
    question = "收入多了低保是不是马上停 有过渡期吗"
    assert answerer.searcher.search(question, top_k=3).decision == "fallback"
    answer = answerer.answer(question)
    assert answer.decision == "answer" and answer.doc_id == "minimum-living-allowance"


def test_the_scope_rule_knows_the_calibration_it_was_fitted_on(settings):
    rule = settings.scope_rule
    bm25, saturation, center, scale = rule.fitted_on
    weights = replace(settings.fusion_weights, bm25=bm25, bm25_saturation=saturation)
    policy = replace(settings.confidence_policy, center=center, scale=scale)
    assert rule.fits(weights, policy)
    assert rule.fits(weights, replace(policy, center=center + scale / 10))  # a shift no decision feels
    assert not rule.fits(weights, replace(policy, center=center - 0.022))  # the shift 292 more aliases made
    assert not rule.fits(weights, replace(policy, scale=scale * 2))
    assert not rule.fits(replace(weights, bm25=0.02), policy)
