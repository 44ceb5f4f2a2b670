"""CSV exports never hand a spreadsheet a formula (cells starting with = + - @ tab or CR get a leading ') and never
fail on a NUL character in a citizen's question."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from govbot.api.admin_insights import spreadsheet_safe
from tests.test_admin_api import INTERNAL, VIEW


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("办护照", "办护照"),
        ("a=1", "a=1"),
        ("", ""),
        ("护\x00照", "护照"),
        ("\x00=1", "'=1"),
        (-5, -5),
        (0.25, 0.25),
    ],
)
def test_spreadsheet_safe(cell, safe):
    assert spreadsheet_safe(cell) == safe


def _rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_review_and_analytics_exports_are_formula_safe(admin_service):
    url = admin_service.url
    formula = '=HYPERLINK("http://evil.example","护照")'
    body = {"sender": "csv-1", "question": formula, "doc_id": "passport", "useful": False}
    assert httpx.post(f"{url}/feedback", json=body, headers=INTERNAL).status_code == 200
    nul = {"sender": "csv-3", "question": "社保\x00卡丢了怎么办", "doc_id": "passport", "useful": False}
    assert httpx.post(f"{url}/feedback", json=nul, headers=INTERNAL).status_code == 200
    answer = {"question": "护照怎么办", "sender": "csv-2", "channel": "@evil"}
    assert httpx.post(f"{url}/answer", json=answer, timeout=30, headers=INTERNAL).status_code == 200
    review = _rows(httpx.get(f"{url}/admin/review.csv", headers=VIEW, timeout=60))
    cells = [cell for row in review for cell in row]
    assert any(cell.startswith("'" + formula) for cell in cells)
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert any("社保卡丢了怎么办" in cell for cell in cells)  # a NUL in a question does not break the export
    analytics = _rows(httpx.get(f"{url}/admin/analytics.csv", headers=VIEW, timeout=60))
    channels = [row[1] for row in analytics if len(row) == 3 and row[0][:2] == "20"]
    assert "'@evil" in channels and "@evil" not in channels
