"""Import plain text: the first non-empty line is the title, the file name stem the id."""

from __future__ import annotations

from pathlib import Path

from knowledge.importers.base import Draft, ImportFailure, base_meta, promote_guide_headings


def text_to_draft(doc_id: str, text: str, doc_type: str) -> Draft:
    """A draft from plain text whose first non-empty line is the title."""
    lines = text.replace("\r\n", "\n").split("\n")
    non_empty = [i for i, line in enumerate(lines) if line.strip()]
    if not non_empty:
        raise ImportFailure("文件中没有文字")
    title = lines[non_empty[0]].strip().lstrip("#").strip()
    body = "\n".join(lines[non_empty[0] + 1 :]).strip()
    if not body:
        raise ImportFailure("文件只有标题行，没有正文")
    if doc_type == "guide":
        body = promote_guide_headings(body)
    elif "## " not in body:
        body = f"## {title}\n\n{body}" if doc_type == "faq" else f"## 政策内容\n\n{body}"
    return Draft(id=doc_id, meta=base_meta(doc_id, title, doc_type), body=body)


def import_text(path: Path, doc_type: str | None) -> list[Draft]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        try:
            text = path.read_text(encoding="gb18030")
        except UnicodeDecodeError:
            raise ImportFailure("文件既不是 UTF-8 也不是 GB18030 编码的文本") from None
    return [text_to_draft(path.stem, text, doc_type or "guide")]
