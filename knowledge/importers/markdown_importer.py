"""Import a Markdown document that already has front matter."""

from __future__ import annotations

from pathlib import Path

from knowledge.document import parse_document
from knowledge.importers.base import Draft, ImportFailure
from knowledge.problems import DocumentError


def import_markdown(path: Path, doc_type: str | None) -> list[Draft]:
    try:
        doc = parse_document(path.read_text(encoding="utf-8"), path)
    except DocumentError as exc:
        raise ImportFailure("文档校验未通过：" + "; ".join(str(p) for p in exc.problems)) from None
    meta = dict(doc.meta)
    meta.setdefault("id", path.stem)
    if doc_type:
        meta["type"] = doc_type
    return [Draft(id=str(meta["id"]), meta=meta, body=doc.body)]
