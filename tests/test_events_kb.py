"""Life events in the knowledge base: the event type's validation, the sample events, and the plan builder."""

from __future__ import annotations

import csv

import pytest

from govbot.events.guide_facts import duration_of, materials_of, where_of
from govbot.events.plan import UnknownEvent, build_plan, scope_record, total_time
from index.index_data import document_record
from knowledge.document import parse_document
from knowledge.loader import load_kb
from knowledge.schema import validate_document
from tests.conftest import DATA, SAMPLE_KB, write_doc

GUIDE_BODY = "## 申请材料\n\n1. 居民身份证原件。\n\n## 办理流程\n\n1. 到窗口提交材料。\n\n## 办理时限\n\n3 个工作日。"
EVENT_IDS = {
    "open-restaurant",
    "start-company",
    "newborn",
    "retirement-event",
    "unemployment-event",
    "hiring-staff",
    "elderly-benefits",
    "individual-business-closure",
}


def _event(folder, doc_id: str, steps: str, **extra):
    return write_doc(folder, doc_id, "测试一件事", "一段概述。", doc_type="event", steps=steps, **extra)


def _messages(report) -> str:
    return " ".join(p.message for p in report.problems)


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    report = load_kb(SAMPLE_KB)
    assert report.problems == []
    return {d.id: document_record(d, "") for d in report.documents}


def test_valid_event_with_include_loads(tmp_path):
    write_doc(tmp_path, "a", "甲事项", GUIDE_BODY)
    write_doc(tmp_path, "b", "乙事项", GUIDE_BODY)
    _event(tmp_path, "inner", "[{guide: b, condition: 雇用员工的, ask: 需要雇员工吗？}]")
    _event(tmp_path, "outer", "[{guide: a, notes: 先办这个}, {event: inner}]")
    report = load_kb(tmp_path)
    assert report.problems == [] and {d.id for d in report.documents} == {"a", "b", "inner", "outer"}
    plan = build_plan({d.id: document_record(d, "") for d in report.documents}, "outer")
    assert [s["guide_id"] for s in plan["steps"]] == ["a", "b"]
    assert plan["pending"] == [{"number": 2, "ask": "需要雇员工吗？", "condition": "雇用员工的"}]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("[{guide: nowhere}]", "办事指南 nowhere 不存在"),
        ("[{guide: pol}]", "pol 是 policy 类型，步骤只能引用办事指南"),
        ("[{event: a}]", "只能包含一件事（event），a 是 guide 类型"),
        ("[{event: missing-event}]", "一件事 missing-event 不存在"),
    ],
)
def test_step_references_are_checked(tmp_path, steps, expected):
    write_doc(tmp_path, "a", "甲事项", GUIDE_BODY)
    write_doc(tmp_path, "pol", "某政策", "## 支持内容\n\n补贴 500 元。", doc_type="policy")
    path = _event(tmp_path, "ev", steps)
    report = load_kb(tmp_path)
    assert "ev" not in {d.id for d in report.documents} and str(path) in report.invalid_files
    problem = next(p for p in report.problems if p.field == "steps")
    assert expected in problem.message and problem.file == str(path) and problem.line > 1


def test_cycles_through_includes_are_errors(tmp_path):
    write_doc(tmp_path, "a", "甲事项", GUIDE_BODY)
    _event(tmp_path, "one", "[{guide: a}, {event: two}]")
    _event(tmp_path, "two", "[{event: three}]")
    _event(tmp_path, "three", "[{event: one}]")
    _event(tmp_path, "self", "[{event: self}]")
    report = load_kb(tmp_path)
    assert [d.id for d in report.documents] == ["a"]
    assert "循环：one → two → three → one" in _messages(report)
    assert "循环：self → self" in _messages(report)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("[]", "至少要有一个步骤"),
        (None, "至少要有一个步骤"),
        ("[{guide: a, condition: 雇用员工的}]", "缺少询问语（ask）"),
        ("[{guide: a, ask: 要雇人吗？}]", "缺少适用条件（condition）"),
        ("[{guide: a, event: b}]", "只能写 guide"),
        ("[{guide: a, colour: red}]", "未知字段"),
        ("[办营业执照]", "第 1 步必须写成 guide"),
        ("[{guide: Not An Id}]", "必须是文档编号"),
    ],
)
def test_step_shapes_are_checked_with_chinese_messages(tmp_path, steps, expected):
    path = _event(tmp_path, "ev", steps)
    doc = parse_document(path.read_text("utf-8"), path)
    problems = [p for p in validate_document(doc, expected_id="ev") if p.field == "steps"]
    assert len(problems) == 1 and expected in problems[0].message


def test_steps_only_on_events(tmp_path):
    path = write_doc(tmp_path, "g", "甲事项", GUIDE_BODY, steps="[{guide: a}]")
    doc = parse_document(path.read_text("utf-8"), path)
    assert any("只有 event" in p.message for p in validate_document(doc, expected_id="g"))


def test_sample_events_are_the_contract_ids_and_reference_only_guides(records):
    events = {d for d, r in records.items() if r["type"] == "event"}
    assert events == EVENT_IDS
    for event_id in events:
        doc = parse_document((SAMPLE_KB / f"{event_id}.md").read_text("utf-8"))
        assert doc.meta["sample"] is True and doc.meta["region"] == "示例市"
        assert all(records[s["guide"]]["type"] == "guide" for s in doc.meta["steps"])
        assert all(step.get("ask", "").endswith("？") for step in doc.meta["steps"] if "condition" in step)
    with open(DATA / "event_routing.tsv", encoding="utf-8") as handle:
        expected = {row["expected"] for row in csv.DictReader(handle, delimiter="\t")}
    assert expected >= EVENT_IDS and expected <= set(records)


def test_guide_facts():
    assert duration_of("法定时限为 3 个工作日；示例市承诺材料齐全的 1 个工作日内办结。").text == "1 个工作日"
    assert duration_of("即时办结。法定审核时限为 15 日，示例市承诺当场办结。").days == 0
    assert duration_of("受理之日起 5 个工作日内完成审核，次月 10 日前首次发放。").days == 5
    unknown = duration_of("按当年招生工作日程办理，7 月中旬前公布录取结果。")
    assert unknown is not None and unknown.days is None
    assert where_of("1. 示例市政务服务中心：示例市滨江区市民大道 88 号；周一至周五 9:00—17:30。\n2. 别处") == (
        "示例市政务服务中心：示例市滨江区市民大道 88 号"
    )
    names = [m.name for m in materials_of("1. 父母双方居民身份证原件。\n2. 委托他人代办的，提供委托书。\n备注行")]
    assert names == ["居民身份证", "授权委托书（委托他人办理的）"]


def test_total_time_wording():
    assert total_time([duration_of("3 个工作日"), duration_of("当场办结")]) == "约 3 个工作日"
    assert total_time([duration_of("当场办结")]) == "各事项均可当场办结"
    assert total_time([duration_of("3 个工作日"), duration_of("按年度批次组织")]).endswith(
        "（部分事项以其办理时限为准）"
    )
    assert total_time([None]) == "以各事项办理时限为准"


def test_plan_of_opening_a_restaurant(records):
    plan = build_plan(records, "open-restaurant")
    assert [s["guide_id"] for s in plan["steps"]] == [
        "business-license",
        "food-business-license",
        "invoice-application",
        "employer-social-insurance",
    ]
    first = plan["steps"][0]
    assert first["where"].startswith("示例市政务服务中心企业开办专区") and first["duration"] == "1 个工作日"
    assert plan["pending"] == [{"number": 4, "ask": "店里需要雇用员工吗？", "condition": "雇用员工的"}]
    names = [m["name"] for m in plan["materials"]]
    assert len(names) == len(set(names))  # each document once
    proxy = next(m for m in plan["materials"] if m["name"].startswith("授权委托书"))
    assert proxy["steps"] == [1, 2, 3, 4]
    assert next(m for m in plan["materials"] if m["name"] == "营业执照")["steps"] == [2, 3, 4]
    assert plan["total_time"] == "约 6 个工作日"
    assert plan["source"]["url"].endswith("/event/open-restaurant") and plan["source"]["text"].startswith("来源：")
    assert plan["offers"] == {"policy_match": "企业", "subscription_topics": ["企业扶持", "就业创业"]}


def test_conditions_answered_no_or_skipped(records):
    no = build_plan(records, "open-restaurant", {"4": False})
    assert no["pending"] == [] and no["steps"][3]["applies"] is False
    assert all(4 not in m["steps"] for m in no["materials"])
    assert "《社会保险单位信息登记表》" not in [m["name"] for m in no["materials"]]
    skipped = build_plan(records, "open-restaurant", {"4": None})
    assert skipped["pending"] == [] and skipped["steps"][3]["applies"] is True
    assert any(4 in m["steps"] for m in skipped["materials"])


def test_newborn_plan_merges_the_birth_certificate(records):
    plan = build_plan(records, "newborn")
    certificate = next(m for m in plan["materials"] if m["name"] == "出生医学证明")
    assert certificate["steps"] == [1, 4]
    assert plan["offers"]["policy_match"] == "个人" and plan["total_time"] == "约 10 个工作日"
    assert build_plan(records, "newborn", {"4": False})["total_time"] == "各事项均可当场办结"


def test_unknown_event_and_scope_record(records):
    with pytest.raises(UnknownEvent):
        build_plan(records, "passport")  # a guide, not an event
    with pytest.raises(UnknownEvent):
        build_plan(records, "no-such-event")
    scope = scope_record(records, "newborn")
    assert "新生儿出生登记（报户口）" in scope["aliases"] and len(scope["sections"]) > len(
        records["newborn"]["sections"]
    )
