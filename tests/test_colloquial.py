"""Dialect and everyday words read as standard Mandarin, in search and in the answer."""

from __future__ import annotations

import pytest

from govbot.answering.answerer import Answerer
from index.colloquial import standard_words
from index.query_text import clean_query


@pytest.mark.parametrize(
    ("asked", "standard"),
    [
        ("俺闺女的娃咋上户口，要带啥", "我女儿的孩子怎么上户口，要带什么"),
        ("过期了咋整", "过期了咋整"),
        ("啥时候能批下来", "什么时候能批下来"),
        ("俺们厂能申请不，中不中", "我们厂能申请不，可以吗"),
        ("低保怎么申请", "低保怎么申请"),
    ],
)
def test_dialect_words_become_standard(asked, standard):
    assert standard_words(asked) == standard
    assert standard_words(standard) == standard  # a second pass changes nothing


def test_search_reads_standard_words():
    assert clean_query("俺娃的醫保咋交") == "我孩子的医保怎么交"  # Traditional first, then the words


@pytest.fixture(scope="module")
def answerer(sample_index, searcher_factory, settings) -> Answerer:
    return Answerer(searcher_factory(sample_index), settings.scope_rule)


def test_an_elderly_question_is_answered_like_a_standard_one(answerer):
    elderly = answerer.answer("俺闺女登记了失业，后来半年都没跟人家联系，那个登记还算数不？")
    assert (elderly.decision, elderly.doc_id) == ("answer", "employment-registration")
