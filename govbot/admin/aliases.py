"""Add citizens' questions to a document's aliases, so the next citizen who asks that way gets the answer."""

from __future__ import annotations

from knowledge.document import parse_document, render_document

MAX_ALIAS_CHARS = 60
MAX_ALIASES = 40


def with_aliases(text: str, questions: list[str]) -> str:
    """The document text with the questions added to ``aliases`` (deduplicated, trimmed, capped)."""
    doc = parse_document(text)
    aliases = list(doc.meta.get("aliases") or [])
    for question in questions:
        question = question.strip()[:MAX_ALIAS_CHARS]
        if question and question not in aliases:
            aliases.append(question)
    meta = dict(doc.meta)
    meta["aliases"] = aliases[-MAX_ALIASES:]
    return render_document(meta, doc.body)
