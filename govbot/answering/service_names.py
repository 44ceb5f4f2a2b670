"""Services a question names, found by the names and everyday names of the city's service catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.service_catalogue import CatalogueEntry


@dataclass(frozen=True)
class NamedService:
    """A catalogue service named in a text: where, in which words, and which service."""

    start: int
    end: int
    text: str
    entry: CatalogueEntry


class ServiceNames:
    """Finds catalogue services in (normalised, Simplified) text: at each place the longest name that matches,
    never two overlapping ("城乡居民养老保险" is one service, not also "养老保险")."""

    def __init__(self, entries: Iterable[CatalogueEntry]):
        self._entries = {name.lower(): entry for entry in entries for name in entry.names}
        names = sorted(self._entries, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def named(self, text: str) -> list[NamedService]:
        if self._pattern is None:
            return []
        return [
            NamedService(m.start(), m.end(), m.group(0), self._entries[m.group(0)])
            for m in self._pattern.finditer(text)
        ]
