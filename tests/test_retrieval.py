"""Hybrid retrieval over the real sample index: quality on the dev set, result shape, filters, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.retrieval_eval import RetrievalEvaluator, load_dev_questions, load_negative_questions
from index.confidence import ANSWER, CLARIFY, FALLBACK
from index.filters import SearchFilters
from index.query_text import QueryError


@pytest.fixture(scope="module")
def searcher(sample_index, searcher_factory):
    return searcher_factory(sample_index)


def test_fused_ranking_meets_targets_and_beats_each_component(sample_index, searcher_factory, settings):
    evaluator = RetrievalEvaluator(searcher_factory(sample_index, min_confidence=0.0), load_dev_questions())
    weights = settings.fusion_weights
    fused = evaluator.evaluate(weights)
    bm25 = evaluator.evaluate(weights.with_components(dense=False))
    dense = evaluator.evaluate(weights.with_components(bm25=False))
    assert fused.count >= 200
    assert fused.recall_at_1 >= 0.85
    assert fused.recall_at_1 > max(bm25.recall_at_1, dense.recall_at_1)
    assert fused.mrr > max(bm25.mrr, dense.mrr)


def test_results_are_one_per_document_with_citation_fields(searcher):
    response = searcher.search("身份证丢了怎么补办", top_k=5)
    ids = [r.doc_id for r in response.results]
    assert ids[0] == "id-card" and len(ids) == len(set(ids))
    top = response.results[0]
    assert top.title == "居民身份证申领、换领、补领"
    assert top.section and top.snippet and top.source_url.startswith("https://")
    assert top.effective_date and top.confidence > 0.5
    assert [r.score for r in response.results] == sorted((r.score for r in response.results), reverse=True)


def test_decisions_answer_clarify_fallback(searcher):
    assert searcher.search("身份证丢了怎么补办").decision == ANSWER
    assert searcher.search("公积金").decision == CLARIFY
    assert searcher.search("帮我订一张去北京的机票").decision == FALLBACK
    negatives = load_negative_questions()
    fallbacks = sum(searcher.search(q).decision == FALLBACK for q in negatives)
    assert fallbacks / len(negatives) >= 0.75


def test_filters(searcher):
    policies = searcher.search("补贴", top_k=10, filters=SearchFilters(doc_type="policy")).results
    assert policies and all(r.type == "policy" for r in policies)
    elderly = searcher.search("补贴", top_k=10, filters=SearchFilters(audience="老年人")).results
    assert elderly and {"policy-elderly-meal", "policy-home-care"} & {r.doc_id for r in elderly}
    query = "新能源汽车消费补贴"
    assert searcher.search(query).results[0].doc_id == "policy-new-energy-vehicle"
    in_effect = searcher.search(query, top_k=20, filters=SearchFilters(in_effect_on=dt.date(2026, 11, 26))).results
    assert "policy-new-energy-vehicle" not in {r.doc_id for r in in_effect}
    district = searcher.search(query, filters=SearchFilters(region="示例市滨江区")).results
    assert district and district[0].doc_id == "policy-new-energy-vehicle"
    assert searcher.search(query, filters=SearchFilters(region="别的市")).results == []


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_clear_error(searcher, query):
    with pytest.raises(QueryError, match="查询内容为空"):
        searcher.search(query)


def test_odd_queries_never_crash(searcher):
    long = searcher.search("公积金提取" * 2000)
    assert long.results and len(long.query) <= 256
    assert searcher.search("社保卡\x00\x07补办\u200b").results[0].doc_id == "social-security-card"
    assert searcher.search("😀🎉👍").results == []
    english = searcher.search("the weather in London")
    assert english.decision == FALLBACK
