"""Split documents into section chunks (which rank documents) and passages (which answer questions)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

from knowledge.document import Document

MAX_CHUNK_CHARS = 360
MIN_PASSAGE_CHARS = 30
MAX_PASSAGE_CHARS = 160
PACK_PASSAGE_CHARS = 80  # short neighbours (a fee list's items) are joined up to this length
META_SECTION = "标题与别名"
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:\d+[.、．]|[-*]\s|（\d+）|\(\d+\)))")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_CLAUSE_END = re.compile(r"(?<=[，、：,:])")


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


@dataclass(frozen=True)
class Passage:
    """A paragraph, list item or short run of sentences of one section: the unit an answer shows.

    Passages do not take part in document ranking; ``tokens`` are its lexical tokens (set at build).
    """

    passage_id: str
    doc_id: str
    title: str
    section: str
    position: int
    text: str
    tokens: tuple[str, ...] = field(default=(), compare=False)

    @property
    def embed_text(self) -> str:
        """The passage with its document title and section heading as context."""
        return f"{self.title}｜{self.section}\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha1(self.embed_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        record = asdict(self)
        record["tokens"] = list(self.tokens)
        return record

    @classmethod
    def from_dict(cls, record: dict) -> Passage:
        return cls(**{**record, "tokens": tuple(record.get("tokens") or ())})


def _cut(text: str, pattern: re.Pattern[str], limit: int) -> list[str]:
    """Pieces of ``text`` split after ``pattern`` and packed greedily up to ``limit`` characters."""
    pieces: list[str] = []
    for part in (p for p in pattern.split(text) if p.strip()):
        if pieces and len(pieces[-1]) + len(part) <= limit:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces


def _sentence_runs(block: str, limit: int) -> list[str]:
    """A long block as runs of whole sentences (a very long sentence at its commas, then by length)."""
    runs: list[str] = []
    for run in _cut(block, _SENTENCE_END, limit):
        for piece in _cut(run, _CLAUSE_END, limit) if len(run) > limit else [run]:
            runs.extend(piece[i : i + limit] for i in range(0, len(piece), limit))
    return [r.strip() for r in runs if r.strip()]


def split_passages(
    text: str,
    min_chars: int = MIN_PASSAGE_CHARS,
    max_chars: int = MAX_PASSAGE_CHARS,
    pack_chars: int = PACK_PASSAGE_CHARS,
) -> list[str]:
    """Paragraphs and list items, long ones cut at sentence ends; a short one is joined to the next when both
    fit, and neighbours are joined while together they stay within ``pack_chars``."""
    blocks = [" ".join(b.split()) for b in _PARAGRAPH.split(text) if b.strip()]
    pieces = [run for b in blocks for run in (_sentence_runs(b, max_chars) if len(b) > max_chars else [b])]
    passages: list[str] = []
    for piece in pieces:
        joined = len(passages[-1]) + len(piece) + 1 if passages else max_chars + 1
        if joined <= pack_chars or (joined <= max_chars and len(passages[-1]) < min_chars):
            passages[-1] = f"{passages[-1]}\n{piece}"
        else:
            passages.append(piece)
    return passages


def passages_of(doc: Document) -> list[Passage]:
    """All passages of a document in reading order, the overview included."""
    passages: list[Passage] = []
    for s_index, section in enumerate(doc.sections):
        for p_index, text in enumerate(split_passages(section.text)):
            passage_id = f"{doc.id}#{s_index}.p{p_index}"
            passages.append(Passage(passage_id, doc.id, doc.title, section.heading, len(passages), text))
    return passages
