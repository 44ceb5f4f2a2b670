"""Front-matter parser bombs: YAML anchors/aliases and deep nesting are refused fast, values quoted in
problems are cut short."""

from __future__ import annotations

import time

import httpx
import pytest

from knowledge.document import parse_document
from knowledge.loader import load_kb
from knowledge.problems import DocumentError
from knowledge.schema import validate_document
from tests.test_admin_api import AUTH

BODY = "## 申请材料\n\n身份证。\n\n## 办理流程\n\n窗口办理。\n"


def alias_bomb(levels: int = 9) -> str:
    """A 'billion laughs' front matter: 9 levels of 9 aliases expand to 9**9 (387 million) strings."""
    lines = ['a: &a ["哈哈哈哈哈哈哈哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    last = chr(ord("a") + levels - 1)
    return "---\nid: bomb\n" + "\n".join(lines) + f"\ntype: *{last}\ntitle: *{last}\n---\n\n" + BODY


def test_alias_bomb_is_rejected_in_under_100_ms():
    text = alias_bomb()
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        parse_document(text, "bomb.md")
    elapsed = time.perf_counter() - started
    assert elapsed < 0.1, elapsed
    [problem] = caught.value.problems
    assert problem.field == "front matter" and "锚点" in problem.message and problem.line == 3
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    "front",
    [
        "id: anchored\ntitle: &t 示例\ntype: guide",  # an anchor alone is refused too
        "id: merged\nbase: &b {type: guide}\n<<: *b",  # merge keys go through aliases
    ],
)
def test_any_anchor_or_alias_is_a_front_matter_problem(front):
    with pytest.raises(DocumentError) as caught:
        parse_document(f"---\n{front}\n---\n\n{BODY}", "x.md")
    assert "别名" in caught.value.problems[0].message


def test_deep_nesting_is_refused():
    with pytest.raises(DocumentError) as caught:
        parse_document("---\nid: deep\nx: " + "[" * 50 + "]" * 50 + "\n---\n\n" + BODY, "deep.md")
    assert "嵌套过深" in caught.value.problems[0].message


def test_values_quoted_in_problems_are_cut_short():
    huge = "外" * 100_000
    key = "键" * 500  # YAML keys are at most 1024 characters
    text = f"---\nid: long\ntype: {huge}\naudience: [{huge}]\n{key}: 1\ntitle: 长\n---\n\n{BODY}"
    problems = validate_document(parse_document(text, "long.md"), expected_id="long")
    assert {p.field for p in problems} >= {"type", "audience", key[:80]}
    assert all(len(p.message) < 300 and len(p.field) <= 80 for p in problems)


def test_a_bomb_in_the_folder_does_not_stop_the_others(tmp_path):
    (tmp_path / "bomb.md").write_text(alias_bomb().replace("id: bomb", "id: bomb"), "utf-8")
    report = load_kb(tmp_path)
    assert report.invalid_files == [str(tmp_path / "bomb.md")]


def test_the_admin_api_refuses_a_bomb_quickly(admin_service):
    started = time.perf_counter()
    checked = httpx.post(
        f"{admin_service.url}/admin/validate/bomb", content=alias_bomb().encode(), headers=AUTH, timeout=30
    )
    saved = admin_service.put("bomb", alias_bomb(), condition={"If-None-Match": "*"})
    assert time.perf_counter() - started < 5
    assert "锚点" in checked.json()["problems"][0]["message"]
    assert saved.status_code == 422 and "锚点" in saved.json()["detail"]["problems"][0]["message"]
    assert len(saved.text) < 2000 and not (admin_service.kb / "bomb.md").exists()
