"""The catalogue service nearest a question by meaning, with the real embedding model."""

from __future__ import annotations

import numpy as np
import pytest

from govbot.answering.catalogue_neighbours import CatalogueNeighbours
from knowledge.service_catalogue import CatalogueEntry

CAR = CatalogueEntry("机动车转移登记", ("二手车过户", "车辆过户"), "车管")
HOUSE = CatalogueEntry("不动产转移登记", ("房屋过户", "买房过户"), "自然资源")
HOUSE_GUIDE = ("不动产登记", "房产证", "房屋过户")


@pytest.fixture(scope="module")
def neighbours(embedder) -> CatalogueNeighbours:
    return CatalogueNeighbours((CAR, HOUSE), embedder)


HELD_HOUSE = np.array([False, True])  # per entry (CAR, HOUSE): whether a guide covers it


def test_a_question_nearer_a_service_without_a_guide_is_about_it(neighbours, embedder):
    vector = embedder.embed_queries(["买了辆旧车，怎么把车主改成我"])[0]
    assert neighbours.nearest_unheld(vector, HELD_HOUSE, 0.0, HOUSE_GUIDE) is CAR


def test_a_question_nearer_the_services_with_guides_is_not(neighbours, embedder):
    vector = embedder.embed_queries(["买了套二手房，房子怎么过户到我名下"])[0]
    assert neighbours.nearest_unheld(vector, HELD_HOUSE, 0.0, HOUSE_GUIDE) is None


def test_the_margin_and_the_documents_own_names_hold_a_decline_back(neighbours, embedder):
    vector = embedder.embed_queries(["买了辆旧车，怎么把车主改成我"])[0]
    assert neighbours.nearest_unheld(vector, HELD_HOUSE, 1.0, HOUSE_GUIDE) is None
    assert neighbours.nearest_unheld(vector, HELD_HOUSE, 0.0, ("二手车过户", "车辆过户")) is None


def test_without_a_service_of_each_kind_nothing_is_compared(neighbours, embedder):
    vector = embedder.embed_queries(["二手车过户"])[0]
    assert neighbours.nearest_unheld(vector, np.array([True, True]), 0.0, HOUSE_GUIDE) is None
    assert neighbours.nearest_unheld(vector, np.array([False, False]), 0.0, HOUSE_GUIDE) is None
    assert CatalogueNeighbours((), embedder).nearest_unheld(vector, np.zeros(0, dtype=bool), 0.0, HOUSE_GUIDE) is None
