"""Match a profile against the machine-readable eligibility of policies.

Every condition is met, not met, or unknown (the citizen skipped the question or a band straddles the
limit). A policy *matches* when no condition fails; it is a *near miss* when exactly one fails, and the
answer names what is missing. Matches are ranked by how many conditions were confirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from govbot.matching.bands import Band
from govbot.matching.profile import Profile

Verdict = tuple[bool | None, str]  # (met?, what it is about, in words)


def _upper(value: Band | None, limit: float, what: str, unit: str) -> Verdict:
    if value is None:
        return None, f"{what}不超过{limit:g}{unit}"
    if value.high is not None and value.high <= limit:
        return True, f"{what}{value.label}，在{limit:g}{unit}以内"
    if value.low > limit:
        return False, f"{what}需不超过{limit:g}{unit}（贵方为{value.label}）"
    return None, f"{what}需不超过{limit:g}{unit}"


def _lower(value: Band | None, limit: float, what: str, unit: str) -> Verdict:
    if value is None:
        return None, f"{what}不低于{limit:g}{unit}"
    if value.low >= limit:
        return True, f"{what}{value.label}，达到{limit:g}{unit}"
    if value.high is not None and value.high < limit:
        return False, f"{what}需达到{limit:g}{unit}（贵方为{value.label}）"
    return None, f"{what}需达到{limit:g}{unit}"


def _flag(value: bool | None, what: str) -> Verdict:
    if value is None:
        return None, what
    return (True, f"{what}") if value else (False, f"需要{what}")


def _one_of(value: str | None, allowed: list[str], what: str) -> Verdict:
    if value is None:
        return None, f"{what}为{'或'.join(allowed)}"
    if value in allowed:
        return True, f"{what}为{value}"
    return False, f"{what}需为{'或'.join(allowed)}（贵方为{value}）"


def _not_in(value: str | None, excluded: list[str]) -> Verdict:
    if value is None:
        return None, f"不属于{'、'.join(excluded)}行业"
    return (False, f"不适用于{value}行业") if value in excluded else (True, f"所属行业{value}不在限制范围内")


def _groups(value: frozenset[str] | None, allowed: list[str]) -> Verdict:
    if value is None:
        return None, f"属于{'或'.join(allowed)}"
    hit = sorted(set(allowed) & value)
    return (True, f"属于{hit[0]}") if hit else (False, f"需属于{'或'.join(allowed)}")


CHECKS: dict[str, Callable[[Profile, Any], Verdict]] = {
    "audience": lambda p, v: (p.audience == v, f"面向{v}"),
    "industries": lambda p, v: _one_of(p.industry, v, "所属行业"),
    "industries_excluded": lambda p, v: _not_in(p.industry, v),
    "employees_max": lambda p, v: _upper(p.employees, v, "员工", "人"),
    "employees_min": lambda p, v: _lower(p.employees, v, "员工", "人"),
    "revenue_max_wan": lambda p, v: _upper(p.revenue_wan, v, "年营业收入", "万元"),
    "revenue_min_wan": lambda p, v: _lower(p.revenue_wan, v, "年营业收入", "万元"),
    "years_registered_max": lambda p, v: _upper(p.years_registered, v, "成立", "年"),
    "years_registered_min": lambda p, v: _lower(p.years_registered, v, "成立", "年"),
    "high_tech": lambda p, v: _flag(p.high_tech, "是高新技术企业"),
    "hired_graduates": lambda p, v: _flag(p.hired_graduates, "今年招用了高校毕业生"),
    "age_min": lambda p, v: _lower(p.age, v, "年龄", "岁"),
    "age_max": lambda p, v: _upper(p.age, v, "年龄", "岁"),
    "employment": lambda p, v: _one_of(p.employment, v, "就业状态"),
    "groups": lambda p, v: _groups(p.groups, v),
    "children_under_3": lambda p, v: _flag(p.children_under_3, "有3岁以下婴幼儿"),
}


@dataclass
class PolicyMatch:
    """One policy's result for a profile."""

    doc_id: str
    title: str
    matched: bool
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(profile: Profile, conditions: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Reasons met, conditions failed and conditions unknown for one eligibility block."""
    met, failed, unknown = [], [], []
    for key, value in conditions.items():
        if key == "any_of":
            results = [evaluate(profile, option) for option in value]
            if any(not f and not u for _, f, u in results):
                met += next(m for m, f, u in results if not f and not u)
            elif all(f for _, f, _ in results):
                failed.append("或".join("、".join(f) for _, f, _ in results))
            else:
                unknown.append("或".join("、".join(f + u) for _, f, u in results))
            continue
        check = CHECKS.get(key)
        if check is None:
            continue
        verdict, words = check(profile, value)
        (met if verdict else failed if verdict is False else unknown).append(words)
    return met, failed, unknown


def in_effect(record: dict[str, Any], today: dt.date) -> bool:
    day = today.isoformat()
    effective, expiry = record.get("effective_date"), record.get("expiry_date")
    return not ((effective and effective > day) or (expiry and expiry < day))


def match_policies(
    profile: Profile, records: list[dict[str, Any]], today: dt.date | None = None
) -> tuple[list[PolicyMatch], list[PolicyMatch]]:
    """Matching policies (best first) and near misses (one condition short), among policies in effect."""
    today = today or dt.date.today()
    matches, near = [], []
    for record in records:
        conditions = record.get("eligibility")
        if record.get("type") != "policy" or not conditions or not in_effect(record, today):
            continue
        met, failed, unknown = evaluate(profile, conditions)
        result = PolicyMatch(record["id"], record["title"], not failed, met, failed, unknown)
        if not failed:
            matches.append(result)
        elif len(failed) == 1 and conditions.get("audience", profile.audience) == profile.audience:
            near.append(result)
    matches.sort(key=lambda m: (-len(m.reasons), len(m.to_check), m.doc_id))
    near.sort(key=lambda m: (-len(m.reasons), m.doc_id))
    return matches, near
