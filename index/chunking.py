"""Split documents into section chunks, each carrying its document's title."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from knowledge.document import Document

MAX_CHUNK_CHARS = 360
META_SECTION = "标题与别名"
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:\d+[.、．]|[-*]\s|（\d+）|\(\d+\)))")


@dataclass(frozen=True)
class Chunk:
    """A searchable piece of a document.

    ``kind`` is ``section`` for body text, or ``meta`` for the title/alias/keyword line that helps
    ranking but is never shown as an answer.
    """

    chunk_id: str
    doc_id: str
    section: str
    kind: str
    text: str

    @property
    def embed_text(self) -> str:
        """The text given to the embedding model and to BM25."""
        return self.text

    @property
    def content_hash(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)


def _split_long(text: str, limit: int) -> list[str]:
    """Split at paragraph or list-item boundaries into pieces of at most about ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for part in (p.strip() for p in _PARAGRAPH.split(text)):
        if not part:
            continue
        while len(part) > limit:
            head, part = part[:limit], part[limit:]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + len(part) + 1 > limit:
            pieces.append(current)
            current = part
        else:
            current = f"{current}\n{part}" if current else part
    if current:
        pieces.append(current)
    return pieces


def meta_text(doc: Document) -> str:
    """The title, aliases and keywords of a document as one line."""
    parts = [doc.title]
    for key in ("aliases", "keywords"):
        values = doc.meta.get(key) or []
        if values:
            parts.append("；".join(values))
    return "。".join(parts)


def chunk_document(doc: Document, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """One meta chunk, then one chunk per section (long sections split), each prefixed by the title."""
    chunks = [Chunk(f"{doc.id}#meta", doc.id, META_SECTION, "meta", meta_text(doc))]
    for s_index, section in enumerate(doc.sections):
        if not section.text.strip():
            continue
        for p_index, piece in enumerate(_split_long(section.text, max_chars)):
            text = f"{doc.title}｜{section.heading}\n{piece}"
            chunks.append(Chunk(f"{doc.id}#{s_index}.{p_index}", doc.id, section.heading, "section", text))
    return chunks
