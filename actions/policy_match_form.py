"""The policy-matching form: questions about a business or a person, free-text answers, skip and cancel."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge_client import SERVICE_UNAVAILABLE, KnowledgeUnavailable, post
from actions.rendering import choice_payload
from govbot.matching.bands import AGE_BANDS, EMPLOYEE_BANDS, REVENUE_BANDS, YEARS_BANDS, parse_band, parse_choice
from govbot.matching.profile import BUSINESS, PERSON
from knowledge.schema import EMPLOYMENT_STATES, INDUSTRIES, PERSON_GROUPS

SKIP = "跳过"
BUSINESS_SLOTS = ["pm_industry", "pm_employees", "pm_revenue", "pm_years", "pm_high_tech", "pm_hired_graduates"]
PERSON_SLOTS = ["pm_age", "pm_employment", "pm_groups", "pm_children"]
ALL_SLOTS = ["pm_audience", *BUSINESS_SLOTS, *PERSON_SLOTS]
_BUSINESS_WORDS = re.compile(r"公司|企业|单位|厂|商户|门店|个体户")
_PERSON_WORDS = re.compile(r"个人|本人|我(?:能|可以|自己|家|老了)|老人|孩子|退休")
_NO = re.compile(r"不是|没有|没|否|无|不|还没")
_YES = re.compile(r"是|有|对|招了|已经|认定|嗯|yes", re.IGNORECASE)
_GROUP_WORDS = {
    "高校毕业生": ("毕业", "应届"),
    "退休人员": ("退休",),
    "残疾人": ("残疾", "残障"),
    "困难群众": ("困难", "低保", "特困"),
}
_NONE_OF = re.compile(r"都不是|都没有|都不|没有|无|不是|以上都不")


def yes_no(text: str) -> str | None:
    if _NO.search(text):
        return "否"
    return "是" if _YES.search(text) else None


def _skipped(value: Any) -> bool:
    return isinstance(value, str) and SKIP in value


class ValidatePolicyMatchForm(FormValidationAction):
    """Reads each answer into a band or choice; unreadable answers are asked again with a hint."""

    def name(self) -> str:
        return "validate_policy_match_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        audience = tracker.get_slot("pm_audience")
        if audience == BUSINESS:
            return ["pm_audience", *BUSINESS_SLOTS]
        if audience == PERSON:
            return ["pm_audience", *PERSON_SLOTS]
        return ["pm_audience"]

    async def extract_pm_audience(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The trigger sentence often tells: "我们公司能享受哪些政策" is a business; so does a life event's offer."""
        if tracker.get_slot("pm_audience") or tracker.get_slot("requested_slot") == "pm_audience":
            return {}
        offered = next(tracker.get_latest_entity_values("audience"), None)  # a life event's offer names it
        if offered in (BUSINESS, PERSON):
            return {"pm_audience": offered}
        text = tracker.latest_message.get("text") or ""
        if tracker.latest_message.get("intent", {}).get("name") == "request_policy_match":
            if _BUSINESS_WORDS.search(text):
                return {"pm_audience": BUSINESS}
            if _PERSON_WORDS.search(text):
                return {"pm_audience": PERSON}
        return {}

    def _answer(self, dispatcher: CollectingDispatcher, slot: str, value: Any, parsed: str | None) -> dict[str, Any]:
        if _skipped(value):
            return {slot: SKIP}
        if parsed is None:
            dispatcher.utter_message(response="utter_pm_not_understood")
            return {slot: None}
        return {slot: parsed}

    def validate_pm_audience(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        if _BUSINESS_WORDS.search(text):
            return {"pm_audience": BUSINESS}
        if re.search(r"个人|自己|我|家", text):
            return {"pm_audience": PERSON}
        dispatcher.utter_message(response="utter_pm_not_understood")
        return {"pm_audience": None}

    def validate_pm_industry(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        parsed = parse_choice(text, INDUSTRIES) or ("其他" if text and not _skipped(text) else None)
        return self._answer(dispatcher, "pm_industry", value, parsed)

    def validate_pm_employees(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        band = parse_band(str(value or ""), EMPLOYEE_BANDS)
        return self._answer(dispatcher, "pm_employees", value, band.label if band else None)

    def validate_pm_revenue(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        band = parse_band(str(value or ""), REVENUE_BANDS, unit_wan=True)
        return self._answer(dispatcher, "pm_revenue", value, band.label if band else None)

    def validate_pm_years(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        band = parse_band(str(value or ""), YEARS_BANDS)
        return self._answer(dispatcher, "pm_years", value, band.label if band else None)

    def validate_pm_high_tech(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._answer(dispatcher, "pm_high_tech", value, yes_no(str(value or "")))

    def validate_pm_hired_graduates(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._answer(dispatcher, "pm_hired_graduates", value, yes_no(str(value or "")))

    def validate_pm_age(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        band = parse_band(str(value or ""), AGE_BANDS)
        return self._answer(dispatcher, "pm_age", value, band.label if band else None)

    def validate_pm_employment(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").replace("上班", "在职").replace("下岗", "失业").replace("退了", "退休")
        return self._answer(dispatcher, "pm_employment", value, parse_choice(text, EMPLOYMENT_STATES))

    def validate_pm_groups(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        found = [g for g in PERSON_GROUPS if any(word in text for word in _GROUP_WORDS[g])]
        parsed = "、".join(found) if found else ("都不是" if _NONE_OF.search(text) else None)
        return self._answer(dispatcher, "pm_groups", value, parsed)

    def validate_pm_children(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._answer(dispatcher, "pm_children", value, yes_no(str(value or "")))


def profile_answers(tracker: Tracker) -> dict[str, Any]:
    """The form's slots as the knowledge service's /match answers (skipped ones left out)."""

    def get(slot: str) -> Any:
        value = tracker.get_slot(slot)
        return None if value in (None, SKIP) else value

    def flag(slot: str) -> bool | None:
        value = get(slot)
        return None if value is None else value == "是"

    groups = get("pm_groups")
    return {
        "audience": get("pm_audience"),
        "industry": get("pm_industry"),
        "employees": get("pm_employees"),
        "revenue": get("pm_revenue"),
        "years_registered": get("pm_years"),
        "high_tech": flag("pm_high_tech"),
        "hired_graduates": flag("pm_hired_graduates"),
        "age": get("pm_age"),
        "employment": get("pm_employment"),
        "groups": None if groups is None else [g for g in PERSON_GROUPS if g in groups],
        "children_under_3": flag("pm_children"),
    }


def _reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in ALL_SLOTS]


class ActionPolicyMatchSubmit(Action):
    """Ask the knowledge service which policies match, and list them with reasons and sources."""

    def name(self) -> str:
        return "action_policy_match_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        channel = (tracker.get_latest_input_channel() or "rest")[:32]
        try:
            result = await post("/match", {"answers": profile_answers(tracker), "channel": channel})
        except KnowledgeUnavailable:
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return _reset()
        buttons = [{"title": o["title"], "payload": choice_payload(o["doc_id"])} for o in result.get("options", [])[:3]]
        dispatcher.utter_message(text=result.get("text", ""), buttons=buttons)
        return _reset()


class ActionPolicyMatchCancel(Action):
    def name(self) -> str:
        return "action_policy_match_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_form_cancelled")
        return _reset()
