"""A 👎 really enters the review queue (POST /feedback, then GET /admin/review, over real HTTP)."""

from __future__ import annotations

import httpx

from tests.test_admin_api import INTERNAL, VIEW


def _groups(service) -> list[dict]:
    return httpx.get(f"{service.url}/admin/review", headers=VIEW, timeout=60).json()["groups"]


def test_negative_feedback_is_queued_for_review_and_positive_is_not(admin_service):
    url = admin_service.url
    bad = {"sender": "fb-1", "question": "护照加急要几天能拿到", "doc_id": "passport", "useful": False}
    good = {"sender": "fb-2", "question": "结婚登记要带户口本吗", "doc_id": "marriage-registration"}
    assert httpx.post(f"{url}/feedback", json=bad, headers=INTERNAL).status_code == 200
    assert httpx.post(f"{url}/feedback", json={**good, "useful": True}, headers=INTERNAL).status_code == 200
    groups = _groups(admin_service)
    mine = [g for g in groups if "护照加急要几天能拿到" in g["questions"]]
    # Other tests of the session may queue similar questions into the same group: count at least this one.
    assert len(mine) == 1 and mine[0]["kinds"].get("negative", 0) >= 1 and "passport" in mine[0]["doc_ids"]
    assert not any("结婚登记要带户口本吗" in g["questions"] for g in groups)


def test_negative_feedback_is_masked_before_it_is_queued(admin_service):
    question = "我的手机13912345678收不到护照短信"
    body = {"sender": "fb-3", "question": question, "doc_id": "passport", "useful": False}
    assert httpx.post(f"{admin_service.url}/feedback", json=body, headers=INTERNAL).status_code == 200
    questions = [q for g in _groups(admin_service) for q in g["questions"]]
    assert not any("13912345678" in q for q in questions)
    assert any("收不到护照短信" in q for q in questions)
