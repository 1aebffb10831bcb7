"""What changed between two fact files, by field path, per language (``generate diff`` reports it).

Both files are compared as plain YAML data trees (read by the project's own loader, so text
is NFC and positions are kept), never as validated models: an earlier edition written for an
older schema still compares. List items are matched by their ``id`` where every item has one
(sources, discrepancies), else by position; a list of plain values (``sources: [a, b]``) is
compared as one value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from babel import localedata

from generator.errors import GenerateError
from generator.facts.yamlsource import display_path, load_yaml

_LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")


class ItemId(str):
    """A list item matched by its ``id``: printed as ``sources[untc]``."""


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is ``added``, ``removed`` or ``changed``."""

    path: tuple
    kind: str
    old: object = None
    new: object = None
    text: bool = False
    """A text in one language (``criticisms[2].text.vi``): "changed" in the terminal, both in Markdown."""

    @property
    def where(self) -> str:
        return format_diff_path(self.path)


def format_diff_path(path: tuple) -> str:
    """``('criticisms', 2, 'text', 'vi')`` -> ``criticisms[2].text.vi``; ids in brackets too."""
    out = ""
    for part in path:
        if isinstance(part, (int, ItemId)):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Edition:
    """A fact file read as plain data, for comparison."""

    shown: str
    """The file as the user would type it."""
    data: dict

    @property
    def as_of(self) -> dt.date | None:
        document = self.data.get("document")
        value = document.get("as_of") if isinstance(document, dict) else None
        return value if isinstance(value, dt.date) else None


def read_edition(path: Path) -> Edition:
    """The data of the fact file at ``path``; GenerateError with one line when it cannot be read."""
    doc = load_yaml(Path(path))
    shown = display_path(Path(path))
    errors = [p for p in doc.problems if p.severity == "error"]
    if errors:
        first = str(errors[0])
        first = first if first.startswith(shown) else f"{shown}: {first}"
        more = f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
        raise GenerateError(first + more)
    if not isinstance(doc.data, dict):
        raise GenerateError(f"{shown}: expected a fact file (a mapping of fields), found something else")
    return Edition(shown, doc.data)


def diff_data(old: object, new: object, path: tuple = ()) -> list[Change]:
    """Every difference between two data trees, in the order of the new file (removed items last)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _diff_mappings(old, new, path)
    if isinstance(old, list) and isinstance(new, list):
        if _all_plain(old) and _all_plain(new):
            return [] if _same(old, new) else [Change(path, "changed", old, new)]
        if _all_identified(old) and _all_identified(new):
            return _diff_by_id(old, new, path)
        return _diff_by_position(old, new, path)
    return [] if _same(old, new) else [Change(path, "changed", old, new)]


def _diff_mappings(old: dict, new: dict, path: tuple) -> list[Change]:
    text = _is_text(old) and _is_text(new)  # per language: vi and en compared one by one
    changes: list[Change] = []
    for key, value in new.items():
        if key not in old:
            changes.append(Change(path + (key,), "added", new=value, text=text))
        elif text:
            changes += [] if _same(old[key], value) else [Change(path + (key,), "changed", old[key], value, True)]
        else:
            changes += diff_data(old[key], value, path + (key,))
    changes += [Change(path + (key,), "removed", old=value, text=text) for key, value in old.items() if key not in new]
    return changes


def _is_text(value: dict) -> bool:
    """A mapping from language codes to texts (or to lists of texts, such as keywords).

    Keys must be languages Babel knows ("url" is not one); a mapping with an ``id`` is an object
    (a source, a discrepancy) even though "id" is also Indonesian.
    """
    if not value or ("id" in value and len(value) > 1):
        return False
    return all(isinstance(k, str) and _LANGUAGE_KEY.match(k) and localedata.exists(k.replace("-", "_")) and
               (isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v)))
               for k, v in value.items())


def _diff_by_id(old: list, new: list, path: tuple) -> list[Change]:
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    changes: list[Change] = []
    for key, item in after.items():
        where = path + (ItemId(key),)
        changes += diff_data(before[key], item, where) if key in before else [Change(where, "added", new=item)]
    changes += [Change(path + (ItemId(key),), "removed", old=item) for key, item in before.items() if key not in after]
    return changes


def _diff_by_position(old: list, new: list, path: tuple) -> list[Change]:
    changes: list[Change] = []
    for index in range(max(len(old), len(new))):
        if index >= len(old):
            changes.append(Change(path + (index,), "added", new=new[index]))
        elif index >= len(new):
            changes.append(Change(path + (index,), "removed", old=old[index]))
        else:
            changes += diff_data(old[index], new[index], path + (index,))
    return changes


def _all_plain(items: list) -> bool:
    return all(not isinstance(item, (dict, list)) for item in items)


def _all_identified(items: list) -> bool:
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    return len(ids) == len(items) and all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids)


def _same(old: object, new: object) -> bool:
    # 1 == True and 1 == 1.0 in Python; a fact file that turns one into the other has changed.
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))
    return type(old) is type(new) and old == new


def texts_of(value: object) -> list[tuple[str, str]]:
    """``(language, text)`` of a statement-like mapping (its ``text``, else a per-language mapping)."""
    if isinstance(value, dict) and isinstance(value.get("text"), dict):
        value = value["text"]
    if isinstance(value, dict) and _is_text(value) and all(isinstance(v, str) for v in value.values()):
        return [(str(k), v) for k, v in value.items()]
    return []
