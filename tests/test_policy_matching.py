"""The policy matcher on a table of business and personal profiles, independent of the dialogue."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from govbot.matching.bands import AGE_BANDS, EMPLOYEE_BANDS, REVENUE_BANDS, YEARS_BANDS, parse_band
from govbot.matching.matcher import match_policies
from govbot.matching.profile import Profile
from govbot.matching.report import compose
from index.index_data import document_record
from knowledge.loader import load_kb
from tests.conftest import DATA, SAMPLE_KB

TODAY = dt.date(2026, 11, 26)
PROFILES = yaml.safe_load((DATA / "policy_profiles.yml").read_text("utf-8"))


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    docs = load_kb(SAMPLE_KB).documents
    return {d.id: document_record(d, "") for d in docs}


def test_the_table_is_large_enough():
    assert len(PROFILES) >= 30
    assert {p["answers"]["audience"] for p in PROFILES} == {"企业", "个人"}


@pytest.mark.parametrize("case", PROFILES, ids=[p["name"] for p in PROFILES])
def test_profile_gets_exactly_the_expected_policies(case, records):
    matches, _ = match_policies(Profile.from_answers(case["answers"]), list(records.values()), TODAY)
    assert sorted(m.doc_id for m in matches) == sorted(case["expected"])


def test_precision_and_recall_over_the_table(records):
    true_positive = predicted = relevant = 0
    for case in PROFILES:
        matches, _ = match_policies(Profile.from_answers(case["answers"]), list(records.values()), TODAY)
        got, want = {m.doc_id for m in matches}, set(case["expected"])
        true_positive += len(got & want)
        predicted += len(got)
        relevant += len(want)
    precision, recall = true_positive / predicted, true_positive / relevant
    print(f"policy matcher: precision {precision:.3f}, recall {recall:.3f} over {len(PROFILES)} profiles")
    assert precision == 1.0 and recall == 1.0


def test_reasons_near_misses_and_expired_policies(records):
    profile = Profile.from_answers(
        {
            "audience": "企业",
            "industry": "餐饮住宿",
            "employees": "10-49人",
            "years_registered": "3-5年",
            "high_tech": False,
            "hired_graduates": False,
        }
    )
    matches, near = match_policies(profile, list(records.values()), TODAY)
    tax = next(m for m in matches if m.doc_id == "policy-small-business-tax")
    assert any("员工10-49人" in r and "300" in r for r in tax.reasons)
    near_ids = {m.doc_id: m for m in near}
    assert "policy-startup-rent" in near_ids and "成立" in near_ids["policy-startup-rent"].missing[0]
    assert "policy-hightech-reward" in near_ids
    person = Profile.from_answers({"audience": "个人", "age": "36-45岁"})
    assert "policy-new-energy-vehicle" not in {
        m.doc_id for m in match_policies(person, list(records.values()), TODAY)[0]
    }


def test_report_text(records):
    profile = Profile.from_answers({"audience": "个人", "age": "60-79岁", "employment": "退休", "groups": ["退休人员"]})
    matches, near = match_policies(profile, list(records.values()), TODAY)
    full = compose(matches, near, records)
    assert "为您找到" in full and "下一步：" in full and full.count("来源：《") == min(6, len(matches))
    short = compose(matches, near, records, short=True)
    assert "来源" not in short and "http" not in short and "1. " in short


@pytest.mark.parametrize(
    ("text", "bands", "label"),
    [
        ("30来个人", EMPLOYEE_BANDS, "10-49人"),
        ("三十来个", EMPLOYEE_BANDS, "10-49人"),
        ("两百五十人", EMPLOYEE_BANDS, "100-300人"),
        ("一千二百人", EMPLOYEE_BANDS, "1000人以上"),
        ("大概80人左右", EMPLOYEE_BANDS, "50-99人"),
        ("刚注册半年", YEARS_BANDS, "不满1年"),
        ("两年", YEARS_BANDS, "1-3年"),
        ("十五年", YEARS_BANDS, "10年以上"),
        ("我今年68岁", AGE_BANDS, "60-79岁"),
        ("八十五", AGE_BANDS, "80岁及以上"),
    ],
)
def test_free_text_bands(text, bands, label):
    assert parse_band(text, bands).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("五百万", "500万-1999万元"),
        ("两亿", "5000万-2亿元"),
        ("一年八十万", "100万元以下"),
        ("3000万", "2000万-4999万元"),
        ("800", "500万-1999万元"),
        ("三亿多", "2亿元以上"),
    ],
)
def test_free_text_revenue(text, label):
    assert parse_band(text, REVENUE_BANDS, unit_wan=True).label == label


def test_unreadable_answers():
    assert parse_band("不知道", EMPLOYEE_BANDS) is None
