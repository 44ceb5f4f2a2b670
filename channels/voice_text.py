"""Rewrite bot messages for the elderly plain-text / voice channel.

Replies become short spoken Chinese: no Markdown, URLs, emoji, tables or brackets; numbers, dates and
phone numbers as they are read aloud; at most about 120 characters per message, a longer answer paged with
"想听更多请回复 1"; choices as numbered options answered with a digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from channels.spoken_numbers import DIGITS, speak_numbers

MAX_CHARS = 120
MORE_PROMPT = "想听更多请回复 1。"
MAX_OPTIONS = 9  # answered with one digit
_URL = re.compile(r"https?://\S+|www\.\S+")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U00002b00-\U00002bff\ufe0f\u200d\u2190-\u21ff]"
)
_MARKDOWN = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s*)|\*\*|__|`+|^\s*\|?[-:| ]{3,}\|?\s*$", re.MULTILINE)
_BRACKETS = re.compile(r"[（(\[【〔{]\s*([^）)\]】〕}]*?)\s*[）)\]】〕}]")
_QUOTES = re.compile(r"[《》〈〉“”\"‘’「」『』<>]")
_LIST_NUMBER = re.compile(r"(?m)^\s*(\d+)[.、．)]\s*")
_HEADING = re.compile(r"^【([^】]+)】([^：\n]+)：")
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


def _source(text: str) -> str:
    """A citation line as spoken: the title and department, without the link."""
    parts = [p for p in re.split(r"[，,]", text.removeprefix("来源：")) if p and not _URL.search(p)]
    return "信息来源：" + _QUOTES.sub("", "，".join(parts[:2])) + "。"


def spoken_answer(text: str) -> str:
    """One bot message as spoken text: its body, then its source (if any) in short."""
    body, _, source = text.partition("来源：")
    body = _HEADING.sub(lambda m: f"{m.group(1)}：" if m.group(2) == "概述" else f"{m.group(1)}的{m.group(2)}：", body)
    spoken = speak_numbers(plain_text(body))
    if source:
        spoken += speak_numbers(_source("来源：" + source.strip()))
    return spoken


def choice_prompt(titles: list[str]) -> str:
    """Numbered options answered with a digit."""
    listed = "；".join(f"{i} {speak_numbers(plain_text(t).rstrip('。'))}" for i, t in enumerate(titles, start=1))
    return f"请回复数字：{listed}。"


def to_voice_reply(messages: list[dict]) -> VoiceReply:
    """Turn the bot's messages for one turn into a voice reply.

    Buttons become numbered options; feedback buttons are left out (a voice user says 有用 or 没用).
    """
    reply = VoiceReply()
    spoken: list[str] = []
    for message in messages:
        if message.get("text"):
            text = message["text"]
            if text.startswith("您想了解的是："):
                text = "您想了解的是哪一项？"
            spoken.append(spoken_answer(text))
        for button in message.get("buttons") or []:
            if button.get("payload", "").startswith("/feedback_"):
                continue
            reply.options.append((button.get("title", ""), button.get("payload", "")))
    text = "".join(spoken)
    if reply.options:
        reply.options = reply.options[:MAX_OPTIONS]
        text = text.replace("您可能还需要：", "您可能还需要办理这些事：")
        prompt = choice_prompt([title for title, _ in reply.options])
        pages = paginate(text)
        first = pages[0] if pages else ""
        if len(first) + len(prompt) <= MAX_CHARS and len(pages) <= 1:
            reply.pages = [first + prompt]
        else:
            reply.pages = [*pages, prompt]
    else:
        reply.pages = paginate(text)
    return reply
