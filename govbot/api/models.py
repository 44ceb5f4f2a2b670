"""Base for request bodies: fields keep the JSON types the schema states, and optional fields say so.

Pydantic 1 coerces by default ("1" → True, 123 → "123") and documents a field whose default is None without
``null``; request models use strict types (``StrictStr``, ``StrictBool``, ``StrictInt``) and this base, so the
OpenAPI schema and the validation agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from pydantic.errors import DictError


def _allow_null(prop: dict[str, Any]) -> None:
    if isinstance(prop.get("type"), str):
        prop["type"] = [prop["type"], "null"]
    elif "type" not in prop or "null" not in prop["type"]:
        schema = {k: prop.pop(k) for k in list(prop) if k not in ("title", "description", "default")}
        prop["anyOf"] = [schema, {"type": "null"}]


class RequestModel(BaseModel):
    # A request body whose schema lists ``null`` for every field that accepts None (a comment, not a docstring,
    # so subclasses without one of their own do not show it as their description in the OpenAPI schema).

    @classmethod
    def validate(cls, value: Any) -> Any:
        # Only a JSON object: pydantic 1 would turn any iterable of pairs into one (``[]`` into ``{}``).
        if not isinstance(value, dict | cls):
            raise DictError()
        return super().validate(value)

    class Config:
        @staticmethod
        def schema_extra(schema: dict[str, Any], model: type[BaseModel]) -> None:
            for field in model.__fields__.values():
                prop = schema.get("properties", {}).get(field.alias)
                if prop is not None and field.allow_none:
                    _allow_null(prop)


class IsoDate(dt.date):
    """A date written ``YYYY-MM-DD`` and nothing else (pydantic 1 also takes numbers as Unix times)."""

    @classmethod
    def __get_validators__(cls):
        yield cls.validate

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(type="string", format="date")

    @classmethod
    def validate(cls, value: object) -> dt.date:
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            raise TypeError("a date must be text")
        return dt.date.fromisoformat(value)  # ValueError for anything but YYYY-MM-DD


class PositiveId(int):
    """A JSON integer of at least 1: ``7`` or ``7.0`` (JSON Schema's integers), never ``true`` or ``"7"``."""

    @classmethod
    def __get_validators__(cls):
        yield cls.validate

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(type="integer", minimum=1)

    @classmethod
    def validate(cls, value: object) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("an id must be an integer")
        if value < 1:
            raise ValueError("an id is at least 1")
        return value
