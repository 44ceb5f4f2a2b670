"""Operations on a certificate or a registration that are services of their own: replacing a lost one, changing
it, cancelling it, revoking it, restoring it, divorce, changing schools.

A guide for getting a marriage certificate does not tell how to replace a lost one, and the business-licence
guide does not tell how to change a company's name: a question asking for an operation that its best document
never mentions, under any of the operation's names, is about a service the knowledge base does not hold
("营业执照正本丢了，怎么补领", "协议离婚去民政局要预约吗").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each operation by the words that name it; "丢了" alone is not asked for (丢了工作), "换成" neither (换成现金).
OPERATIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "补领": r"补领|补办|补发|补证|补一[个张本]|再办一[个张本]|重新办一[个张本]",
        "变更": r"变更|更改|改名|修改|更正",
        "注销": r"注销|销户|吊销",
        "撤销": r"撤销|撤回",
        "恢复": r"恢复",
        "离婚": r"离婚",
        "转学": r"转学|插班",
    }.items()
}


@dataclass(frozen=True)
class AskedOperation:
    """An operation a question asks for: its name, and where the question names it."""

    name: str
    start: int
    end: int


def asked_operations(text: str) -> list[AskedOperation]:
    """The operations ``text`` names, in the order they appear."""
    found = [AskedOperation(name, m.start(), m.end()) for name, p in OPERATIONS.items() if (m := p.search(text))]
    return sorted(found, key=lambda op: op.start)


def offers(operation: str, document_text: str) -> bool:
    """Whether a document's text mentions the operation under any of its names."""
    return bool(OPERATIONS[operation].search(document_text))
