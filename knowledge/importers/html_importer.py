"""Import an HTML page: its text, with h1 as the title and h2/h3 as sections."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from knowledge.importers.base import Draft, ImportFailure
from knowledge.importers.text_importer import text_to_draft


def html_to_text(html: str) -> str:
    """The readable text of a page: scripts, styles and navigation dropped, headings kept as Markdown."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "iframe"]):
        tag.decompose()
    root = soup.body or soup
    title_tag = soup.find("h1") or soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    if soup.find("h1"):
        soup.find("h1").decompose()
    lines = [title]
    for element in root.find_all(["h2", "h3", "p", "li", "td", "div"]):
        if element.name == "div" and element.find(["p", "li", "h2", "h3", "div", "table"]):
            continue
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        lines.append(f"## {text}" if element.name in ("h2", "h3") else text)
    return "\n".join(lines)


def import_html(path: Path, doc_type: str | None) -> list[Draft]:
    raw = path.read_bytes()
    try:
        html = raw.decode("utf-8")
    except UnicodeDecodeError:
        html = raw.decode("gb18030", errors="replace")
    text = html_to_text(html)
    if not text.strip():
        raise ImportFailure("网页中没有正文")
    return [text_to_draft(path.stem, text, doc_type or "guide")]
