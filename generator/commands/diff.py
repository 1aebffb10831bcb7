"""``generate diff``: the report of what changed between two fact files, as text or Markdown.

The comparison itself is :mod:`generator.facts.diff`; this module words it for a terminal or
a Markdown page and writes the report only to a new file or one it wrote before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.errors import GenerateError
from generator.facts.diff import Change, Edition, _all_plain, diff_data, read_edition, texts_of
from generator.facts.yamlsource import display_path
from generator.renderers.slides.markdown import escape_markdown  # facts never add Markdown structure

#: Values this long (or with a line break) are "changed" in the terminal; Markdown shows both.
INLINE_LIMIT = 40


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
