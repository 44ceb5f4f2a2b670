"""A message the NLU takes for a policy-matching or subscription request, or for negative feedback, that in fact
asks one thing of one document ("扩岗补助一家企业一年最多能拿多少", "服务券没用完会不会过期") or tells the
citizen's own case ("受理号…的低保申请现在什么情况") is answered as a question (the case goes to a person); any
other goes on to the intent's own form or action."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_actions import answer_message, asked_text, nlu_vector
from actions.knowledge_client import KnowledgeUnavailable, post
from govbot.answering.case_classifier import warm_up
from govbot.answering.event_cues import asks_one_fact
from govbot.answering.personal_case import personal_case
from govbot.settings import get_settings
from index.normalize import to_simplified

LISTEN = "action_listen"
warm_up()  # the action server trains the personal-case model as it loads its actions, not on a citizen's message
BUTTON_PREFIX = "/"  # a button's payload ("/request_policy_match{...}") is the request itself, never a question


async def _is_a_question(tracker: Tracker, question: str) -> bool:
    """Whether the message is one citizen's own case (a person answers it), or asks one fact the knowledge service
    answers from one document confidently (the look ahead is not recorded). "有没有我能领的钱" asks one fact of
    no document; "帮我匹配政策" none at all."""
    if question.startswith(BUTTON_PREFIX):
        return False
    simplified = to_simplified(question)
    if personal_case(simplified):
        return True
    if not asks_one_fact(simplified):
        return False
    payload = {"question": question, "sender": tracker.sender_id, "record": False, **nlu_vector(tracker)}
    try:
        answer = await post("/answer", payload)
    except KnowledgeUnavailable:
        return False
    sure = get_settings().specific_question_confidence
    return answer.get("decision") == "answer" and (answer.get("confidence") or 0.0) >= sure


class ActionRouteRequest(Action):
    """Answer a request that asks one fact of one document or tells one's own case, else leave it to the intent's
    own form or action, which the rules run next."""

    def name(self) -> str:
        return "action_route_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        question = asked_text(tracker)
        if await _is_a_question(tracker, question):
            # The rules go on to the form or the feedback (the usual case); an answered question waits instead.
            return [*await answer_message(dispatcher, tracker, question, **nlu_vector(tracker)), FollowupAction(LISTEN)]
        return []
