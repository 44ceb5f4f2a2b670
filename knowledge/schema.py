"""The document schema: which front-matter fields exist, their types, and the section rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from knowledge.document import INTRO_SECTION, Document
from knowledge.problems import QUOTE_LIMIT, Problem, quoted

DOC_TYPES = ("guide", "policy", "faq", "event")
AUDIENCES = ("个人", "企业", "老年人", "残疾人", "困难群众", "家长", "高校毕业生")
GUIDE_SECTIONS = (
    "办理条件",
    "申请材料",
    "办理流程",
    "办理时限",
    "收费标准",
    "办理地点",
    "咨询电话",
    "政策依据",
)
# Always used with ``fullmatch``: ``match`` with ``$`` would accept a trailing newline.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
URL_PATTERN = re.compile(r"https?://[^\s]+")
REQUIRED_FIELDS = ("id", "type", "title", "department", "region", "audience", "updated")

EMPLOYMENT_STATES = ("在职", "失业", "灵活就业", "退休", "在校学生")
TOPICS = ("企业扶持", "就业创业", "税收优惠", "养老服务", "婴幼儿照护", "住房", "医疗救助", "残疾人", "消费补贴")
INDUSTRIES = ("制造业", "信息技术", "批发零售", "餐饮住宿", "建筑业", "交通物流", "农业", "科技服务", "其他")
PERSON_GROUPS = ("高校毕业生", "退休人员", "残疾人", "困难群众")
ELIGIBILITY_AUDIENCES = ("企业", "个人")

Check = Callable[[Any], str | None]


def is_doc_id(value: Any) -> bool:
    """Whether ``value`` is a whole document id (lowercase letters, digits and '-', at most 80 characters)."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty text"


def _id(value: Any) -> str | None:
    if not is_doc_id(value):
        return "must be a slug of lowercase letters, digits and '-' (e.g. id-card)"
    return None


def _doc_type(value: Any) -> str | None:
    return None if value in DOC_TYPES else f"unknown type {quoted(value)}; use one of {', '.join(DOC_TYPES)}"


def parse_date(value: Any) -> dt.date | None:
    """The date of a YYYY-MM-DD value, or None when it is not one."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and DATE_PATTERN.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _date(value: Any) -> str | None:
    return None if parse_date(value) else "must be a real date written YYYY-MM-DD"


def _optional_date(value: Any) -> str | None:
    return None if value is None else _date(value)


def _text_list(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return "must be a list of texts, e.g. [社保卡, 社会保障卡]"


def _audience(value: Any) -> str | None:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        return f"must be a non-empty list of {', '.join(AUDIENCES)}"
    unknown = [v for v in values if v not in AUDIENCES]
    return f"unknown audience {quoted(unknown[0])}; use {', '.join(AUDIENCES)}" if unknown else None


def _url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return None if isinstance(value, str) and URL_PATTERN.fullmatch(value) else "must be an http(s) URL"


def _ids(value: Any) -> str | None:
    if isinstance(value, list) and all(is_doc_id(v) for v in value):
        return None
    return "must be a list of document ids"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _non_negative_int(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a whole number ≥ 0"


def _choices(allowed: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        values = value if isinstance(value, list) else None
        if not values or any(v not in allowed for v in values):
            return f"must be a list of {', '.join(allowed)}"
        return None

    return check


def _one_of(allowed: tuple[str, ...]) -> Check:
    return lambda value: None if value in allowed else f"must be one of {', '.join(allowed)}"


FIELDS: dict[str, Check] = {
    "id": _id,
    "type": _doc_type,
    "title": _text,
    "department": _text,
    "region": _text,
    "audience": _audience,
    "keywords": _text_list,
    "aliases": _text_list,
    "source_url": _url,
    "effective_date": _optional_date,
    "expiry_date": _optional_date,
    "updated": _date,
    "related": _ids,
    "sample": _bool,
    "eligibility": lambda v: None if isinstance(v, dict) else "must be a mapping of conditions",
    "tags": _choices(TOPICS),
    "steps": lambda _: None,  # checked by step_problems
}

ELIGIBILITY_FIELDS: dict[str, Check] = {
    "audience": _one_of(ELIGIBILITY_AUDIENCES),
    "industries": _choices(INDUSTRIES),
    "industries_excluded": _choices(INDUSTRIES),
    "employees_min": _non_negative_int,
    "employees_max": _non_negative_int,
    "revenue_max_wan": _non_negative_int,
    "revenue_min_wan": _non_negative_int,
    "years_registered_max": _non_negative_int,
    "years_registered_min": _non_negative_int,
    "high_tech": _bool,
    "hired_graduates": _bool,
    "age_min": _non_negative_int,
    "age_max": _non_negative_int,
    "employment": _choices(EMPLOYMENT_STATES),
    "groups": _choices(PERSON_GROUPS),
    "children_under_3": _bool,
}


def _any_of(value: Any) -> str | None:
    """A list of alternative condition blocks; one of them must hold."""
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) and v for v in value):
        return "must be a list of at least two condition mappings"
    for option in value:
        for key, inner in option.items():
            check = ELIGIBILITY_FIELDS.get(key)
            if check is None:
                return f"unknown condition {quoted(key)}"
            if (message := check(inner)) is not None:
                return f"{key} {message}"
    return None


ELIGIBILITY_FIELDS["any_of"] = _any_of


def _check_fields(doc: Document, checks: dict[str, Check], values: dict, prefix: str = "") -> list[Problem]:
    problems = []
    for key, value in values.items():
        line = doc.field_lines.get(prefix.split(".")[0] if prefix else key, 0)
        name = f"{prefix}{key}"[:QUOTE_LIMIT]
        check = checks.get(key)
        if check is None:
            problems.append(Problem(doc.path, line, name, f"unknown field; allowed: {', '.join(checks)}"))
        elif (message := check(value)) is not None:
            problems.append(Problem(doc.path, line, name, message))
    return problems


def _check_sections(doc: Document) -> list[Problem]:
    headings = [s for s in doc.sections if s.heading != INTRO_SECTION]
    if doc.type == "guide":
        problems = [
            Problem(
                doc.path,
                s.line,
                "section",
                f"'{s.heading}' is not a guide section; use {'、'.join(GUIDE_SECTIONS)}",
            )
            for s in headings
            if s.heading not in GUIDE_SECTIONS
        ]
        if not any(s.heading in GUIDE_SECTIONS for s in headings):
            problems.append(
                Problem(
                    doc.path,
                    doc.body_line,
                    "section",
                    f"a guide needs '## ' sections such as {'、'.join(GUIDE_SECTIONS)}",
                )
            )
        return problems
    if doc.type == "event":
        return []
    if doc.type in ("policy", "faq") and not headings:
        return [Problem(doc.path, doc.body_line, "section", "needs at least one '## ' section")]
    return []


STEP_KEYS = ("guide", "event", "notes", "condition", "ask")


def _step_problem(number: int, step: Any) -> str | None:
    """What is wrong with one step of an event (its shape only; references are checked across documents)."""
    if not isinstance(step, dict):
        return f"第 {number} 步必须写成 guide: 事项编号（或 event: 一件事编号）"
    unknown = [k for k in step if k not in STEP_KEYS]
    if unknown:
        return f"第 {number} 步有未知字段 {quoted(str(unknown[0]))}；可用：{'、'.join(STEP_KEYS)}"
    targets = [k for k in ("guide", "event") if k in step]
    if len(targets) != 1:
        return f"第 {number} 步须且只能写 guide（办事指南编号）或 event（一件事编号）之一"
    if not is_doc_id(step[targets[0]]):
        return f"第 {number} 步的 {targets[0]} 必须是文档编号（小写字母、数字和 -）"
    for key in ("notes", "condition", "ask"):
        if key in step and not (isinstance(step[key], str) and step[key].strip()):
            return f"第 {number} 步的 {key} 必须是非空文字"
    if "condition" in step and "ask" not in step:
        return f"第 {number} 步有适用条件（condition）但缺少询问语（ask），请写一句简短的是否问题"
    if "ask" in step and "condition" not in step:
        return f"第 {number} 步有询问语（ask）但缺少适用条件（condition）"
    if "event" in step and ({"condition", "ask"} & set(step)):
        return f"第 {number} 步包含另一件事，不能带适用条件；请把条件写在被包含事项的各步上"
    return None


def step_problems(doc: Document) -> list[Problem]:
    """The problems of an event's ``steps`` (empty list, malformed steps), or of ``steps`` outside an event."""
    line = doc.field_lines.get("steps", 1)
    steps = doc.meta.get("steps")
    if doc.type != "event":
        return (
            [Problem(doc.path, line, "steps", "只有 event（一件事）类型的文档可以有步骤")]
            if "steps" in doc.meta
            else []
        )
    if not isinstance(steps, list) or not steps:
        return [Problem(doc.path, line, "steps", "一件事至少要有一个步骤（steps 不能为空）")]
    messages = [_step_problem(n, step) for n, step in enumerate(steps, start=1)]
    return [Problem(doc.path, line, "steps", m) for m in messages if m]


def validate_document(doc: Document, expected_id: str | None = None) -> list[Problem]:
    """All schema problems of one parsed document (empty when valid)."""
    problems = [
        Problem(doc.path, 1, name, "required field is missing") for name in REQUIRED_FIELDS if name not in doc.meta
    ]
    problems += _check_fields(doc, FIELDS, doc.meta)
    if expected_id is not None and isinstance(doc.meta.get("id"), str) and doc.meta["id"] != expected_id:
        problems.append(
            Problem(doc.path, doc.field_lines.get("id", 1), "id", f"must equal the file name stem {expected_id!r}")
        )
    eff, exp = doc.meta.get("effective_date"), doc.meta.get("expiry_date")
    if parse_date(eff) and parse_date(exp) and parse_date(exp) < parse_date(eff):
        problems.append(
            Problem(doc.path, doc.field_lines.get("expiry_date", 1), "expiry_date", "is before effective_date")
        )
    if isinstance(doc.meta.get("eligibility"), dict):
        problems += _check_fields(doc, ELIGIBILITY_FIELDS, doc.meta["eligibility"], prefix="eligibility.")
    problems += step_problems(doc)
    if not doc.body.strip():
        problems.append(Problem(doc.path, doc.body_line, "body", "the document has no text"))
    elif doc.type in DOC_TYPES:
        problems += _check_sections(doc)
    return problems
