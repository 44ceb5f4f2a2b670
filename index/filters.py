"""Document filters: type, audience, region and "in effect on a date"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchFilters:
    """Conditions a document must meet to be returned. ``None`` means no condition."""

    doc_type: str | None = None
    audience: str | None = None
    region: str | None = None
    in_effect_on: dt.date | None = None
    doc_types: tuple[str, ...] | None = None  # any of these types (``kinds`` of /answer)

    @property
    def active(self) -> bool:
        values = (self.doc_type, self.audience, self.region, self.in_effect_on, self.doc_types)
        return any(v is not None for v in values)

    def accepts(self, record: dict[str, Any]) -> bool:
        if self.doc_type and record.get("type") != self.doc_type:
            return False
        if self.doc_types is not None and record.get("type") not in self.doc_types:
            return False
        if self.audience and self.audience not in record.get("audience", []):
            return False
        if self.region and not self.region.startswith(record.get("region") or ""):
            return False
        if self.in_effect_on is not None:
            day = self.in_effect_on.isoformat()
            effective, expiry = record.get("effective_date"), record.get("expiry_date")
            if (effective and effective > day) or (expiry and expiry < day):
                return False
        return True
