"""Rewrite bot messages for the elderly plain-text / voice channel.

Replies become short spoken Chinese: no Markdown, URLs, emoji, tables or brackets; numbers, dates and
phone numbers as they are read aloud; at most about 120 characters per message, a longer answer paged with
"想听更多请回复 1"; choices as numbered options answered with a digit. Knowledge answers are spoken from
their structure (the custom payload), never parsed back out of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from channels.spoken_numbers import DIGITS, speak_numbers
from channels.voice_events import NEXT_PROMPT, only_next_step, plan_options, spoken_plan, step_heading
from knowledge.document import INTRO_SECTION

MAX_CHARS = 120
MORE_PROMPT = "想听更多请回复 1。"
MAX_OPTIONS = 9  # answered with one digit
RELATED_PROMPT = "您可能还需要办理这些事："
_URL = re.compile(r"https?://\S+|www\.\S+")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U00002b00-\U00002bff\ufe0f\u200d\u2190-\u21ff]"
)
_MARKDOWN = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s*)|\*\*|__|`+|^\s*\|?[-:| ]{3,}\|?\s*$", re.MULTILINE)
_BRACKETS = re.compile(r"[（(\[【〔{]\s*([^）)\]】〕}]*?)\s*[）)\]】〕}]")
_QUOTES = re.compile(r"[《》〈〉“”\"‘’「」『』<>]")
_LIST_NUMBER = re.compile(r"(?m)^\s*(\d+)[.、．)]\s*")
_LEADING_NUMBER = re.compile(r"^\s*\d+[.、．)]\s*")
_CJK_SPACE = re.compile(r"\s+(?=[\u3000-\u9fff\uff00-\uffef])|(?<=[\u3000-\u9fff\uff00-\uffef])\s+")
_CLAUSE_END = re.compile(r"(?<=[，、：])")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass
class VoiceReply:
    """A reply for the voice channel: the pages of text, and numbered options if the bot offered choices."""

    pages: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)

    def first_message(self) -> str:
        if not self.pages:
            return ""
        return self.pages[0] + (MORE_PROMPT if len(self.pages) > 1 else "")


def plain_text(text: str) -> str:
    """Remove URLs, emoji, Markdown, table rules and brackets (keeping what was inside them)."""
    text = _URL.sub("", text)
    text = _EMOJI.sub("", text)
    text = re.sub(r"元\s*/\s*", "元每", text)
    text = text.replace("/", "或")
    text = text.replace("|", "，")
    text = _MARKDOWN.sub("", text)
    text = _LIST_NUMBER.sub(lambda m: f"第{DIGITS[int(m.group(1))] if int(m.group(1)) < 10 else m.group(1)}，", text)
    text = _BRACKETS.sub(lambda m: f"，{m.group(1)}，" if m.group(1) else "", text)
    text = _QUOTES.sub("", text)
    text = re.sub(r"[\[\]【】（）(){}〔〕]", "", text)
    text = re.sub(r"[ \t]*\n+[ \t]*", "。", text.strip())
    text = re.sub(r"[：:]。", "：", text)
    text = re.sub(r"([，。；、：])[，。；、]+", r"\1", text)
    text = re.sub(r"，([。；！？])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text)
    text = _CJK_SPACE.sub("", text)  # "每月 960 元" is read "每月九百六十元": spaces beside Chinese mean nothing aloud
    text = text.strip("，。 ")
    return text + "。" if text and text[-1] not in "？！。" else text


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Join pieces greedily into strings of at most ``limit`` characters (longer pieces are cut)."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > limit:
            if current:
                packed.append(current)
                current = ""
            packed.append(piece[:limit])
            piece = piece[limit:]
        if current and len(current) + len(piece) > limit:
            packed.append(current)
            current = piece
        else:
            current += piece
    if current:
        packed.append(current)
    return packed


def paginate(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split spoken text into pages of whole sentences (long ones at commas), leaving room for the "more" prompt."""
    budget = limit - len(MORE_PROMPT)
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    clauses = [c for s in sentences for c in (_CLAUSE_END.split(s) if len(s) > budget else [s]) if c]
    return _pack(clauses, budget)


def _spoken_source(source: dict[str, Any] | None) -> str:
    """The citation as spoken: the title and department, without dates or the link."""
    if not source:
        return ""
    parts = [source.get("title") or "", source.get("department") or ""]
    return "信息来源：" + "，".join(p for p in parts if p) + "。"


def spoken_answer(answer: dict[str, Any]) -> str:
    """A knowledge answer as spoken text: which document (and section), its passages, then its source in short."""
    passages = answer.get("passages") or []
    title = answer.get("title") or ""
    lines: list[str] = []
    for i, passage in enumerate(passages):
        section = passage.get("section") or ""
        if i == 0:
            lead = f"{title}：" if section == INTRO_SECTION else f"{title}的{section}："
        else:
            lead = "" if section == passages[i - 1].get("section") else f"{section}："
        text = _without_lone_number(passage.get("text", ""))
        lines.extend([lead, text] if lead else [text])
    spoken = speak_numbers(plain_text("\n".join(lines)))
    return spoken + speak_numbers(plain_text(_spoken_source(answer.get("source"))))


def _without_lone_number(text: str) -> str:
    """One item of a list shown alone ("2. 携带户口簿") without its number: read aloud, "第二" without a first
    would leave the listener waiting for what came before."""
    if len(_LIST_NUMBER.findall(text)) != 1 or not _LEADING_NUMBER.match(text):
        return text
    return _LEADING_NUMBER.sub("", text, count=1)


def spoken_message(message: dict[str, Any]) -> str:
    """One bot message as spoken text, from its structure when it has one."""
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    kind = custom.get("type")
    if kind == "answer":
        return spoken_answer(custom)
    if kind == "event":
        return speak_numbers(plain_text(spoken_plan(custom)))
    if kind == "event_step":
        return speak_numbers(plain_text(step_heading(custom))) + spoken_answer(custom)
    if kind == "related":
        titles = "、".join(r.get("title", "") for r in custom.get("related") or [])
        return speak_numbers(plain_text(f"{RELATED_PROMPT}{titles}"))
    if kind in ("clarify", "fallback"):
        return speak_numbers(plain_text(custom.get("message") or ""))
    return speak_numbers(plain_text(message.get("text") or ""))


def merged(messages: list[dict]) -> list[dict]:
    """The bot's messages with each custom payload joined to the text it was uttered with.

    Rasa's collecting channel sends one utterance with text, buttons and a custom payload as two messages:
    the text with its buttons, then the custom payload alone.
    """
    joined: list[dict] = []
    for message in messages:
        lone_custom = "custom" in message and not message.get("text") and not message.get("buttons")
        if lone_custom and joined and "custom" not in joined[-1]:
            joined[-1] = {**joined[-1], "custom": message["custom"]}
        else:
            joined.append(dict(message))
    return joined


def choice_prompt(titles: list[str]) -> str:
    """Numbered options answered with a digit."""
    listed = "；".join(f"{i} {speak_numbers(plain_text(t).rstrip('。'))}" for i, t in enumerate(titles, start=1))
    return f"请回复数字：{listed}。"


def _options(message: dict[str, Any]) -> list[tuple[str, str]]:
    """A message's buttons as voice options; feedback and section choices are left out (a voice user asks)."""
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    if custom.get("type") == "event":
        return plan_options(custom)
    sections = set(custom.get("sections") or [])
    return [
        (b.get("title", ""), b.get("payload", ""))
        for b in message.get("buttons") or []
        if not b.get("payload", "").startswith("/feedback_") and b.get("title") not in sections
    ]


def to_voice_reply(messages: list[dict]) -> VoiceReply:
    """Turn the bot's messages for one turn into a voice reply: spoken text, paged, and numbered options."""
    reply = VoiceReply()
    spoken: list[str] = []
    for message in merged(messages):
        spoken.append(spoken_message(message))
        reply.options.extend(_options(message))
    text = "".join(spoken)
    if reply.options:
        reply.options = reply.options[:MAX_OPTIONS]
        prompt = NEXT_PROMPT if only_next_step(reply.options) else choice_prompt([t for t, _ in reply.options])
        pages = paginate(text) or [""]
        last = pages[-1]
        if len(last) + len(prompt) <= MAX_CHARS:  # the last page carries the choices when they fit
            reply.pages = [*pages[:-1], last + prompt]
        else:
            reply.pages = [*pages, prompt]
    else:
        reply.pages = paginate(text)
    return reply
