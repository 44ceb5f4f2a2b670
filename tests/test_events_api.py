"""Life events over real HTTP (`govbot serve`): the plan and step endpoints, routing in /answer, analytics on
the admin API, and staff editing events (live, audited, rolled back, invalid ones refused)."""

from __future__ import annotations

import httpx
import pytest

from tests.test_admin_api import AUTH, INTERNAL, VIEW, running_service

EVENT_TEXT = (
    "---\nid: move-house\ntype: event\ntitle: 搬家\ndepartment: 示例市政务服务和数据管理局\nregion: 示例市\n"
    "audience: [个人]\naliases: [搬新家要办哪些手续]\nupdated: 2026-11-20\nsample: true\nsteps:\n"
    "  - guide: hukou-transfer\n  - guide: residence-permit\n    condition: 非本市户籍的\n    ask: 您是外地户籍吗？\n"
    "---\n\n搬到示例市新住处后，可依次办理户口迁移或居住证。\n"
)


@pytest.fixture(scope="module")
def service(sample_index, tmp_path_factory):
    yield from running_service(tmp_path_factory.mktemp("events"), sample_index)


def _post(service, path: str, body: dict, headers: dict = INTERNAL) -> httpx.Response:
    return httpx.post(f"{service.url}{path}", json=body, headers=headers, timeout=60)


def test_plan_endpoint(service):
    plan = _post(service, "/event", {"event_id": "open-restaurant", "sender": "p1", "channel": "test"}).json()
    assert plan["event_id"] == "open-restaurant" and plan["script"] == "hans"
    assert [s["number"] for s in plan["steps"]] == [1, 2, 3, 4] and plan["pending"][0]["number"] == 4
    assert plan["total_time"] == "约 6 个工作日" and plan["source"]["text"].startswith("来源：")
    answered = _post(service, "/event", {"event_id": "open-restaurant", "conditions": {"4": False}}).json()
    assert answered["pending"] == [] and answered["steps"][3]["applies"] is False
    hant = _post(service, "/event", {"event_id": "newborn", "script": "hant"}).json()
    assert hant["title"] == "新生兒出生" and hant["offers"]["policy_match"] == "个人" and hant["event_id"] == "newborn"


def test_step_endpoint(service):
    step = _post(service, "/event/step", {"event_id": "newborn", "step": 2, "sender": "p1"}).json()
    assert step["decision"] == "answer" and step["doc_id"] == "medical-insurance-resident"
    assert step["passages"] and step["source"]["url"].endswith("/guide/medical-insurance-resident")
    assert step["step"] == {
        "number": 2,
        "total": 4,
        "title": "城乡居民医疗保险参保缴费",
        "condition": None,
        "notes": "出生后 90 日内参保缴费的，自出生之日起享受医保待遇",
    }
    conditional = _post(service, "/event/step", {"event_id": "newborn", "step": 4}).json()
    assert conditional["step"]["condition"] == "孩子母亲参加了职工生育保险的"


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        ("/event", {"event_id": "no-such-event"}, 404, "没有编号为 no-such-event 的一件事"),
        ("/event", {"event_id": "passport"}, 404, "一件事"),
        ("/event/step", {"event_id": "newborn", "step": 9}, 404, "只有 4 个步骤"),
        ("/event/step", {"event_id": "newborn", "step": 1e308}, 422, "请求格式有误"),
        ("/event/step", {"event_id": "nowhere", "step": 1}, 404, "一件事"),
        ("/event", {"event_id": "newborn", "conditions": {"first": True}}, 422, "步骤序号"),
    ],
)
def test_errors_are_short_chinese(service, path, body, status, detail):
    response = _post(service, path, body)
    assert response.status_code == status and detail in response.json()["detail"]


def test_internal_token_and_strict_bodies(service):
    assert _post(service, "/event", {"event_id": "newborn"}, headers={}).status_code == 401
    assert _post(service, "/event/step", {"event_id": "newborn", "step": "2"}).status_code == 422
    assert _post(service, "/event", {"event_id": "newborn", "conditions": {"1": "yes"}}).status_code == 422
    assert _post(service, "/event", {"event_id": "newborn", "extra": 1, "script": "latin"}).status_code == 422
    schema = httpx.get(f"{service.url}/openapi.json").json()
    for path in ("/event", "/event/step"):
        assert {"401", "404", "422", "503"} <= set(schema["paths"][path]["post"]["responses"])


def test_answer_routes_situations_to_events(service):
    def ask(question: str, **extra) -> dict:
        return _post(service, "/answer", {"question": question, "sender": "r", "channel": "test", **extra}).json()

    tea = ask("我想开个奶茶店")
    assert tea["decision"] == "event" and tea["doc_id"] == "open-restaurant"
    assert tea["event"]["steps"][0]["guide_id"] == "business-license" and tea["source"]["url"].endswith(
        "open-restaurant"
    )
    assert ask("营业执照怎么办")["doc_id"] == "business-license"
    assert ask("身份证丢了怎么补办")["doc_id"] == "id-card"
    assert ask("孩子刚出生要办哪些手续", kinds=["event"])["doc_id"] == "newborn"
    assert ask("我想开个奶茶店", kinds=["guide", "policy", "faq"])["decision"] != "event"
    chosen = ask("开办企业", doc_id="start-company")  # a clarification choice of an event gives its plan
    assert chosen["decision"] == "event" and chosen["event"]["event_id"] == "start-company"
    assert _post(service, "/answer", {"question": "开店", "kinds": ["manual"]}).status_code == 422


def test_event_analytics(service):
    for sender in ("a-1", "a-2", "a-3"):
        for _ in range(2):  # started once per sender and event
            _post(service, "/event", {"event_id": "elderly-benefits", "sender": sender, "channel": "test"})
    for sender, steps in (("a-1", [1, 2, 3]), ("a-2", [1, 2])):
        for step in steps:
            _post(service, "/event/step", {"event_id": "elderly-benefits", "step": step, "sender": sender})
    figures = httpx.get(f"{service.url}/admin/analytics", headers=VIEW, timeout=60).json()
    event = next(e for e in figures["events"] if e["event_id"] == "elderly-benefits")
    assert event["started"] == 3
    assert event["step_views"] == [{"step": 1, "views": 2}, {"step": 2, "views": 2}, {"step": 3, "views": 1}]
    assert event["stops"] == [{"step": 0, "people": 1}, {"step": 2, "people": 1}, {"step": 3, "people": 1}]
    csv_text = httpx.get(f"{service.url}/admin/analytics.csv", headers=VIEW, timeout=60).text
    assert "event,started,step,views,stopped_here" in csv_text and "elderly-benefits,3,2,2,1" in csv_text
    page = httpx.get(f"{service.url}/static/admin.js").text
    assert "停在哪一步" in page and "event:" in page


def test_staff_create_edit_and_roll_back_an_event(service):
    created = service.put("move-house", EVENT_TEXT)
    assert created.status_code == 200 and created.json()["action"] == "create"
    plan = _post(service, "/event", {"event_id": "move-house"}).json()
    assert [s["guide_id"] for s in plan["steps"]] == ["hukou-transfer", "residence-permit"]
    edited = service.put("move-house", EVENT_TEXT.replace("  - guide: hukou-transfer\n", "  - guide: id-card\n"))
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert _post(service, "/event", {"event_id": "move-house"}).json()["steps"][0]["guide_id"] == "id-card"
    history = httpx.get(f"{service.url}/admin/documents/move-house/history", headers=VIEW).json()["versions"]
    assert [v["action"] for v in history] == ["create", "update"]
    rolled = httpx.post(
        f"{service.url}/admin/documents/move-house/rollback", params={"version": 1}, headers=AUTH, timeout=60
    )
    assert rolled.status_code == 200 and (service.kb / "move-house.md").read_text("utf-8") == EVENT_TEXT
    assert _post(service, "/event", {"event_id": "move-house"}).json()["steps"][0]["guide_id"] == "hukou-transfer"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  - guide: hukou-transfer\n", "  - guide: yacht-licence\n"), "办事指南 yacht-licence 不存在"),
        (("  - guide: hukou-transfer\n", "  - guide: policy-startup-loan\n"), "只能引用办事指南"),
        (("    ask: 您是外地户籍吗？\n", ""), "缺少询问语"),
        (("  - guide: hukou-transfer\n", "  - event: open-restaurant\n  - event: move-house\n"), "循环"),
    ],
)
def test_invalid_events_are_refused_and_nothing_is_lost(service, change, message):
    before = (service.kb / "move-house.md").read_text("utf-8")
    refused = service.put("move-house", before.replace(*change))
    assert refused.status_code == 422
    assert any(message in p["message"] for p in refused.json()["detail"]["problems"])
    assert (service.kb / "move-house.md").read_text("utf-8") == before
    checked = httpx.post(
        f"{service.url}/admin/validate/move-house", content=before.replace(*change).encode(), headers=AUTH
    )
    assert checked.status_code == 200 and any(message in p["message"] for p in checked.json()["problems"])


def test_a_guide_an_event_needs_cannot_be_deleted_or_retyped(service):
    guide = (service.kb / "hukou-transfer.md").read_text("utf-8")
    deleted = httpx.delete(
        f"{service.url}/admin/documents/hukou-transfer",
        headers={**AUTH, **service.precondition("hukou-transfer")},
        timeout=60,
    )
    assert deleted.status_code == 422 and "move-house" in deleted.json()["detail"]["problems"][0]["file"]
    retyped = service.put("hukou-transfer", guide.replace("type: guide", "type: faq"))
    assert retyped.status_code == 422
    assert (service.kb / "hukou-transfer.md").read_text("utf-8") == guide
