"""``generate diff``: what changed between two fact files, by field path, per language.

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
#: Values this long (or with a line break) are "changed" in the terminal; Markdown shows both.
INLINE_LIMIT = 40


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


def summary(changes: list[Change]) -> str:
    """``5 changed, 2 added, 1 removed`` (kinds with none left out), or ``no differences``."""
    counts = [(kind, sum(1 for c in changes if c.kind == kind)) for kind in ("changed", "added", "removed")]
    parts = [f"{count} {kind}" for kind, count in counts if count]
    return ", ".join(parts) if parts else "no differences"


def show_value(value: object) -> str:
    """A value on one line: dates as YYYY-MM-DD, lists joined with commas, mappings as ``{…}``."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{…}"
    return " ".join(str(value).split())


def _inline(value: object) -> bool:
    """Short plain values are shown in place: numbers, dates, ids, short lists of ids."""
    if isinstance(value, dict) or (isinstance(value, list) and not _all_plain(value)):
        return False
    return len(show_value(value)) <= INLINE_LIMIT and "\n" not in str(value)


def _summary_of(value: object) -> str:
    """What an added or removed value is, in a few words: the value, its languages, or its plain fields."""
    if _inline(value):
        return show_value(value)
    languages = [lang for lang, _ in texts_of(value)]
    if languages and not (isinstance(value, dict) and "text" in value):
        return ", ".join(languages)
    return _fields(value)


def _fields(value: object) -> str:
    """The plain fields of an added or removed object on one line (``value: 2, as_of: 2025-09-30``)."""
    if not isinstance(value, dict):
        return ""
    parts = [f"{key}: {show_value(item)}" for key, item in value.items() if _inline(item)]
    shown = ", ".join(parts)
    return shown if len(shown) <= 2 * INLINE_LIMIT else ""


def texts_of(value: object) -> list[tuple[str, str]]:
    """``(language, text)`` of a statement-like mapping (its ``text``, else a per-language mapping)."""
    if isinstance(value, dict) and isinstance(value.get("text"), dict):
        value = value["text"]
    if isinstance(value, dict) and _is_text(value) and all(isinstance(v, str) for v in value.values()):
        return [(str(k), v) for k, v in value.items()]
    return []


def _header(old: Edition, new: Edition) -> tuple[str, str]:
    def label(edition: Edition) -> str:
        return f"{edition.shown} (as of {edition.as_of.isoformat()})" if edition.as_of else edition.shown
    return label(old), label(new)


#: The first line of every report: a file starting with it was written by ``generate diff``.
TEXT_MARK = "generate diff: "
MARKDOWN_MARK = "<!-- generate diff -->"


def format_text(old: Edition, new: Edition, changes: list[Change]) -> str:
    """One line per change: ``signature.signatories.value: 72 → 74``, ``criticisms[2].text.vi: changed``."""
    before, after = _header(old, new)
    lines = [f"{TEXT_MARK}{before} → {after}", summary(changes)]
    for change in changes:
        lines.append(f"{change.where}: {_terminal(change)}")
    return "\n".join(lines) + "\n"


def _terminal(change: Change, escape=lambda text: text) -> str:
    """One change in a line: the old and new value when both are short, else its kind (and what
    an added or removed item was). ``escape`` makes the values safe for the report's format."""
    if change.kind == "changed":
        if not change.text and _inline(change.old) and _inline(change.new):
            return f"{escape(show_value(change.old))} → {escape(show_value(change.new))}"
        return "changed"
    value = change.new if change.kind == "added" else change.old
    if change.text:
        return change.kind
    shown = _summary_of(value)
    return f"{change.kind} ({escape(shown)})" if shown else change.kind


def format_markdown(old: Edition, new: Edition, changes: list[Change]) -> str:
    """A Markdown report: the two files, the counts, then the changes under each top-level section."""
    from generator.renderers.slides.markdown import escape_markdown  # facts never add Markdown structure

    before, after = _header(old, new)
    lines = [MARKDOWN_MARK, "# Changes between two fact files", "",
             f"- Old: {escape_markdown(before)}", f"- New: {escape_markdown(after)}",
             f"- {summary(changes)}"]
    section = None
    for change in changes:
        if change.path[0] != section:
            section = change.path[0]
            lines += ["", f"## {_code(str(section), escape_markdown)}", ""]
        lines.append(f"- {_code(change.where, escape_markdown)}: {_terminal(change, escape_markdown)}")
        lines += _markdown_details(change, escape_markdown)
    return "\n".join(lines) + "\n"


def _code(text: str, escape) -> str:
    """A path as inline code (escaped text if it holds a backtick, which would end the code span)."""
    return f"`{text}`" if "`" not in text else escape(text)




def _markdown_details(change: Change, escape) -> list[str]:
    """Old and new text of a changed text; the text of an added or removed one, or of the
    statements added or removed (each language)."""
    if change.kind == "changed":
        if not change.text and _inline(change.old) and _inline(change.new):
            return []
        return [f"  - before: {escape(show_value(change.old))}", f"  - after: {escape(show_value(change.new))}"]
    value = change.new if change.kind == "added" else change.old
    if change.text:
        return [f"  - {escape(show_value(value))}"]
    items = value if isinstance(value, list) else [value]
    return [f"  - {lang}: {escape(text)}" for item in items for lang, text in texts_of(item)]


def run_diff(old_path: Path, new_path: Path, fmt: str) -> str:
    """The report comparing two fact files, in ``fmt`` (``text`` or ``markdown``)."""
    old, new = read_edition(old_path), read_edition(new_path)
    changes = diff_data(old.data, new.data)
    return format_markdown(old, new, changes) if fmt == "markdown" else format_text(old, new, changes)


def write_report(target: Path, report: str) -> None:
    """Write ``report`` to ``target``: a new file, or one an earlier ``generate diff`` wrote.

    Any other existing file is left alone (this command changes only what it made).
    """
    target = Path(target)
    if target.exists():
        try:
            ours = target.is_file() and target.read_text(encoding="utf-8").startswith((TEXT_MARK, MARKDOWN_MARK))
        except (OSError, UnicodeDecodeError):
            ours = False
        if not ours:
            raise GenerateError(f"{display_path(target)}: exists and was not written by generate diff; "
                                "not overwriting it (choose another file name)")
    try:
        target.write_text(report, encoding="utf-8")
    except OSError as exc:
        raise GenerateError(f"{display_path(target)}: cannot write the report: {exc.strerror or exc}") from None
