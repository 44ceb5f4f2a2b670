"""Import FAQ tables (.csv, .xlsx) with columns question, answer and optional category."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from knowledge.importers.base import Draft, ImportFailure, base_meta
from knowledge.problems import quoted

QUESTION_NAMES = ("question", "问题")
ANSWER_NAMES = ("answer", "答案", "回答")
CATEGORY_NAMES = ("category", "分类", "类别")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def rows_to_drafts(stem: str, rows: list[list[str]]) -> list[Draft]:
    """One FAQ document per category (or one for the whole table), each question a section."""
    if not rows:
        raise ImportFailure("表格是空的")
    header = [str(h or "") for h in rows[0]]
    q_col, a_col, c_col = (_column(header, n) for n in (QUESTION_NAMES, ANSWER_NAMES, CATEGORY_NAMES))
    if q_col is None or a_col is None:
        raise ImportFailure("表格第一行必须是表头，并包含 question（问题）和 answer（答案）两列")
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in rows[1:]:
        cells = [str(c).strip() if c is not None else "" for c in row]
        cells += [""] * (len(header) - len(cells))
        question, answer = cells[q_col], cells[a_col]
        if not question or not answer:
            continue
        category = cells[c_col] if c_col is not None and cells[c_col] else ""
        groups.setdefault(category, []).append((question.replace("\n", " "), answer))
    if not groups:
        raise ImportFailure("表格中没有同时填写了问题和答案的行")
    drafts = []
    single = len(groups) == 1
    for number, (category, pairs) in enumerate(groups.items(), start=1):
        doc_id = stem if single else f"{stem}-{number}"
        title = f"常见问题：{category}" if category else f"常见问题：{stem}"
        meta = base_meta(doc_id, title, "faq")
        meta["aliases"] = [q for q, _ in pairs][:20]
        body = "\n\n".join(f"## {q}\n\n{a}" for q, a in pairs)
        drafts.append(Draft(id=doc_id, meta=meta, body=body))
    return drafts


def import_csv(path: Path, doc_type: str | None) -> list[Draft]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFailure("CSV 文件既不是 UTF-8 也不是 GB18030 编码")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFailure(f"无法读取 CSV 文件：{quoted(str(exc))}") from None
    return rows_to_drafts(path.stem, rows)


def import_xlsx(path: Path, doc_type: str | None) -> list[Draft]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFailure("不是可读取的 .xlsx 表格文件") from None
    try:
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    return rows_to_drafts(path.stem, rows)
