"""Lost updates: saves and deletes carry the ETag the editor opened (a stale one gets 412 over real HTTP), and a
review-queue link edits under the write lock."""

from __future__ import annotations

import threading

import httpx

from govbot.admin.aliases import with_aliases
from govbot.admin.kb_store import KnowledgeStore, Precondition, PreconditionFailed, etag_of
from tests.test_admin_api import AUTH

STALE = "文档已被他人修改，请刷新后再保存。"


def _open(service, doc_id: str) -> tuple[str, str]:
    got = httpx.get(f"{service.url}/admin/documents/{doc_id}", headers=AUTH, timeout=60)
    assert got.status_code == 200 and got.headers["ETag"] == got.json()["etag"]
    return got.json()["markdown"], got.headers["ETag"]


def test_two_editors_open_the_same_document_and_the_second_save_is_refused(admin_service):
    text, etag = _open(admin_service, "passport")
    first = admin_service.put("passport", text.replace("120元", "125元"), condition={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    second = admin_service.put("passport", text.replace("120元", "130元"), condition={"If-Match": etag})
    assert second.status_code == 412 and second.json()["detail"] == STALE
    saved = (admin_service.kb / "passport.md").read_text("utf-8")
    assert "125元" in saved and "130元" not in saved
    history = httpx.get(f"{admin_service.url}/admin/documents/passport/history", headers=AUTH).json()["versions"]
    assert [v for v in history if v["after"] and "130元" in v["after"]] == []
    _, fresh = _open(admin_service, "passport")
    assert fresh == first.headers["ETag"]
    assert admin_service.put("passport", text, condition={"If-Match": fresh}).status_code == 200


def test_missing_precondition_is_428_and_changes_nothing(admin_service):
    text, _ = _open(admin_service, "id-card")
    put = admin_service.put("id-card", text + "\n补充。\n", condition={})
    assert put.status_code == 428 and "If-Match" in put.json()["detail"]
    delete = httpx.delete(f"{admin_service.url}/admin/documents/id-card", headers=AUTH)
    assert delete.status_code == 428
    assert (admin_service.kb / "id-card.md").read_text("utf-8") == text


def test_stale_delete_is_refused(admin_service):
    text, etag = _open(admin_service, "elderly-card")
    assert admin_service.put("elderly-card", text + "\n（修订）\n", condition={"If-Match": etag}).status_code == 200
    stale = httpx.delete(f"{admin_service.url}/admin/documents/elderly-card", headers={**AUTH, "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["detail"] == STALE
    assert (admin_service.kb / "elderly-card.md").exists()


def test_create_needs_if_none_match_and_never_overwrites(admin_service):
    text = (admin_service.kb / "passport.md").read_text("utf-8").replace("id: passport", "id: passport-copy")
    created = admin_service.put("passport-copy", text, condition={"If-None-Match": "*"})
    assert created.status_code == 200 and created.json()["action"] == "create"
    again = admin_service.put("passport-copy", text + "\n覆盖。\n", condition={"If-None-Match": "*"})
    assert again.status_code == 412 and "已有相同编号" in again.json()["detail"]
    ghost_text = text.replace("passport-copy", "no-such-doc")
    ghost = admin_service.put("no-such-doc", ghost_text, condition={"If-Match": '"x"'})
    assert ghost.status_code == 412 and not (admin_service.kb / "no-such-doc.md").exists()
    assert (admin_service.kb / "passport-copy.md").read_text("utf-8") == text


def test_a_link_and_a_staff_save_never_lose_each_other(kb_copy, tmp_path):
    """The link reads, adds aliases and writes under the write lock: a save opened before it gets 412."""
    store = KnowledgeStore(kb_copy, f"sqlite:///{tmp_path / 'audit.db'}")
    opened = store.read("passport")
    inside, release = threading.Event(), threading.Event()

    def add_alias(text: str) -> str:
        inside.set()
        assert release.wait(10)
        return with_aliases(text, ["出国前护照快过期了怎么办"])

    link = threading.Thread(target=store.edit, args=("passport", add_alias, "editor-link", "link"))
    link.start()
    assert inside.wait(10)
    outcome: list[object] = []

    def staff_save() -> None:
        try:
            outcome.append(store.put("passport", opened.replace("120元", "140元"), "editor-b", None, stale))
        except PreconditionFailed as exc:
            outcome.append(exc)

    stale = Precondition(if_match=(etag_of(opened),))
    save = threading.Thread(target=staff_save)
    save.start()
    save.join(0.5)
    assert save.is_alive(), "the save must wait for the link's lock"
    release.set()
    link.join(10)
    save.join(10)
    assert isinstance(outcome[0], PreconditionFailed)
    final = store.read("passport")
    assert "出国前护照快过期了怎么办" in final and "120元" in final
    assert [v["action"] for v in store.history("passport")] == ["link"]
