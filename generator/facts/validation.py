"""Turn pydantic validation errors into ``FILE:LINE:COL: path: expected ..., found ...`` problems."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from typing import TypeVar

from pydantic import BaseModel, RootModel, ValidationError

from generator.facts.yamlsource import INVALID, Document, Problem, describe, format_path

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], doc: Document) -> tuple[M | None, list[Problem]]:
    """Validate ``doc.data`` as ``model``; on failure, one positioned problem per error."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = [_problem(model, doc, err) for err in exc.errors(include_url=False)]
        return None, [p for p in problems if p is not None]


def _problem(model: type, doc: Document, err: dict) -> Problem | None:
    loc = _user_path(err["loc"], doc.data)
    found = err.get("input")
    if found is INVALID:
        return None  # already reported by the YAML reader
    kind = err["type"]
    if kind == "missing":
        field_name = loc[-1]
        return Problem(doc.position(loc[:-1], key=True), format_path(loc),
                       f"expected the required field {field_name!r}, found nothing (the field is missing)")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        return Problem(doc.position(loc, key=True), format_path(loc), _unknown_key(str(loc[-1]), allowed))
    if loc and loc[-1] == "[key]":  # a mapping key of the wrong form, e.g. '../../x' as a language
        return Problem(doc.position(loc[:-1], key=True), format_path(loc[:-2]),
                       f"expected {_expected(err)} as a key, found {describe(found)}")
    hint = _date_hint(found) if kind in ("date_type", "date_parsing") else ""
    return Problem(doc.position(loc), format_path(loc), f"expected {_expected(err)}, found {describe(found)}{hint}")


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _date_hint(found: object) -> str:
    """``24/12/2024`` (how dates are written in Vietnam) -> ``; write 2024-12-24``."""
    match = _DAY_FIRST.match(found) if isinstance(found, str) else None
    if not match:
        return ""
    day, month, year = (int(part) for part in match.groups())
    try:
        return f"; write {dt.date(year, month, day).isoformat()}"
    except ValueError:
        return ""


def _user_path(loc: tuple, data: object) -> tuple:
    """Pydantic's error location without the union tags it inserts; a field that happens to be
    named like a tag (``date``) is kept, since it is a key of the data at that place."""
    path = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif isinstance(part, str) and part in _UNION_TAGS:
            continue
        else:
            current = None
        path.append(part)
    return tuple(path)


# Pydantic adds these to ``loc`` for values of a union type; they mean nothing to a user.
_UNION_TAGS = {"function-after", "str", "int", "date", "list", "none", "bool", "constrained-str",
               "plain-text", "per-language"}  # the last two: generator.facts.models.PlainOrText


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"expected one of the fields {', '.join(allowed)}, found unknown field {key!r}{hint}"


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time (YYYY-MM-DD)",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "none_required": "nothing",
}


def _expected(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return _pattern_meaning(str(ctx.get("pattern", "")))
    if kind == "string_too_short":
        return "non-empty text"
    if kind == "too_short":
        return f"at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} item(s)"
    if kind in ("greater_than_equal", "greater_than"):
        sign = "≥" if kind == "greater_than_equal" else ">"
        return f"a number {sign} {ctx.get('ge', ctx.get('gt'))}"
    return err["msg"][0].lower() + err["msg"][1:]


def _pattern_meaning(pattern: str) -> str:
    if pattern.startswith("^[a-z]{2,3}"):
        return "a language code such as 'vi', 'en' or 'pt-BR'"
    if pattern.startswith("^[a-z0-9][a-z0-9-]"):
        return "an identifier of lower-case letters, digits and hyphens (e.g. 'untc')"
    if pattern.startswith("^https?://"):
        return "a web address starting with http:// or https://"
    return f"text matching {pattern}"


def _allowed_keys(model: type, loc: tuple) -> list[str]:
    """Field names of the model found by following ``loc`` from ``model``."""
    current: object = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = unwrap_annotation(current)
    if isinstance(current, type) and issubclass(current, BaseModel) and not issubclass(current, RootModel):
        return list(current.model_fields)
    return []


def unwrap_annotation(annotation: object) -> object:
    """Strip ``Annotated[...]`` and ``X | None`` down to the type that matters (a union of
    several types is kept as it is)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _step(current: object, part: object) -> object:
    current = unwrap_annotation(current)
    if isinstance(part, int):
        if typing.get_origin(current) is list:
            return typing.get_args(current)[0]
        return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        info = current.model_fields.get(str(part))
        return info.annotation if info else None
    return None
