"""What the form learned about a business or a person. ``None`` means unknown (skipped)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govbot.matching.bands import AGE_BANDS, EMPLOYEE_BANDS, REVENUE_BANDS, YEARS_BANDS, Band

BUSINESS, PERSON = "企业", "个人"


def _band(label: str | None, bands: tuple[Band, ...]) -> Band | None:
    return next((b for b in bands if b.label == label), None) if label else None


@dataclass(frozen=True)
class Profile:
    audience: str
    industry: str | None = None
    employees: Band | None = None
    revenue_wan: Band | None = None
    years_registered: Band | None = None
    high_tech: bool | None = None
    hired_graduates: bool | None = None
    age: Band | None = None
    employment: str | None = None
    groups: frozenset[str] | None = None
    children_under_3: bool | None = None

    @classmethod
    def from_answers(cls, answers: dict[str, Any]) -> Profile:
        """Build a profile from the form's slot values (band labels, choices, 是/否)."""
        groups = answers.get("groups")
        return cls(
            audience=answers.get("audience") or PERSON,
            industry=answers.get("industry"),
            employees=_band(answers.get("employees"), EMPLOYEE_BANDS),
            revenue_wan=_band(answers.get("revenue"), REVENUE_BANDS),
            years_registered=_band(answers.get("years_registered"), YEARS_BANDS),
            high_tech=answers.get("high_tech"),
            hired_graduates=answers.get("hired_graduates"),
            age=_band(answers.get("age"), AGE_BANDS),
            employment=answers.get("employment"),
            groups=frozenset(groups) if isinstance(groups, list | tuple | set | frozenset) else None,
            children_under_3=answers.get("children_under_3"),
        )
