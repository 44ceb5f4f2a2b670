"""Section chunking, jieba tokenisation with the government dictionary, and query cleaning."""

from __future__ import annotations

import pytest

from index.chunking import MAX_CHUNK_CHARS, chunk_document
from index.query_text import QueryError, clean_query
from knowledge.document import parse_document
from tests.conftest import write_doc


def test_chunks_by_section_with_title(tmp_path):
    long_text = "\n\n".join(f"{i}. 第{i}项材料说明，" + "内容" * 40 for i in range(1, 8))
    path = write_doc(
        tmp_path,
        "d",
        "示例事项",
        f"概述。\n\n## 申请材料\n\n{long_text}\n\n## 办理流程\n\n到窗口办理。",
        aliases="[示例别名]",
    )
    doc = parse_document(path.read_text("utf-8"), path)
    chunks = chunk_document(doc)
    assert chunks[0].kind == "meta" and "示例别名" in chunks[0].text
    sections = [c for c in chunks if c.kind == "section"]
    assert {c.section for c in sections} == {"概述", "申请材料", "办理流程"}
    assert all(c.text.startswith("示例事项｜") for c in sections)
    materials = [c for c in sections if c.section == "申请材料"]
    assert len(materials) > 1
    assert all(len(c.text.split("\n", 1)[1]) <= MAX_CHUNK_CHARS for c in materials)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_user_dictionary_keeps_government_terms(tokenizer):
    words = tokenizer.words("我想提取住房公积金，还要补办社保卡和居住证")
    for term in ("住房公积金", "社保卡", "居住证"):
        assert term in words
    tokens = tokenizer.tokenize("请问怎么补办社保卡")
    assert "社保卡" in tokens and "怎么" not in tokens and "请问" not in tokens


def test_clean_query():
    assert clean_query("  身份证\u0000怎么\t办  ") == "身份证 怎么 办"
    assert clean_query("ＡＢＣ１２３") == "ABC123"
    assert clean_query("😀😀🎉") == ""
    assert len(clean_query("办" * 10_000)) == 256
    for empty in ("", "   ", "\n\t"):
        with pytest.raises(QueryError):
            clean_query(empty)
