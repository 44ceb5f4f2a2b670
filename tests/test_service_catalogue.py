"""The city's service catalogue: the shipped file loads, malformed files say where in Chinese, and services are
found in a question by their longest name."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbot.answering.service_names import ServiceNames
from knowledge.service_catalogue import CatalogueEntry, CatalogueError, load_catalogue

HEADER = "name\taliases\tdepartment\n"


def test_the_shipped_catalogue_loads():
    entries = load_catalogue()
    assert len(entries) > 400
    names = [name for entry in entries for name in entry.names]
    assert len(names) == len(set(names)) and "公租房" in names


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("名称\t别名\t部门\n", "表头"),
        (HEADER + "公共租赁住房申请\t公租房\n", "第 2 条：应有 3 列"),
        (HEADER + "公共租赁住房申请\t房\t住建\n", "「房」过短"),
        (
            HEADER + "公共租赁住房申请\t公租房\t住建\n廉租住房申请\t公租房\t住建\n",
            "「公租房」已用于「公共租赁住房申请」",
        ),
    ],
)
def test_a_malformed_catalogue_says_where(tmp_path: Path, text: str, message: str):
    path = tmp_path / "catalogue.tsv"
    path.write_text("# 注释行\n" + text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_services_are_found_by_their_longest_name_without_overlap():
    names = ServiceNames(
        [
            CatalogueEntry("城乡居民基本养老保险参保登记", ("城乡居民养老保险",), "人社"),
            CatalogueEntry("职工基本养老保险", ("养老保险",), "人社"),
            CatalogueEntry("公共租赁住房申请", ("公租房",), "住建"),
        ]
    )
    found = names.named("农村老人交城乡居民养老保险，住公租房的呢")
    assert [(n.text, n.entry.name) for n in found] == [
        ("城乡居民养老保险", "城乡居民基本养老保险参保登记"),
        ("公租房", "公共租赁住房申请"),
    ]
    assert ServiceNames([]).named("公租房") == []
