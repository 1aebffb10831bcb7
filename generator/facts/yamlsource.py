"""Read YAML into plain Python data while remembering the line and column of every node.

PyYAML's composer keeps a start mark on every node; we build the data ourselves from the
node tree so that each value and each mapping key can be traced back to ``FILE:LINE:COL``.
Only YAML 1.2 core scalars are recognised (``yes``/``no``/``on``/``off`` stay text), tags
outside the core schema are refused, duplicate keys are errors, and all text is normalised
to Unicode NFC (with a warning, since a file should already be NFC).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

try:  # the C composer is ~5x faster; marks are identical
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader

from generator.gcpause import collection_paused
from generator.limits import MAX_YAML_BYTES as MAX_FILE_BYTES, read_or_reason

Path_ = tuple  # a path into the data: keys (str) and list indexes (int)

#: Inputs larger than these are refused rather than risk memory or time (a fact file is ~100 kB).
MAX_VALUES = 200_000
MAX_DEPTH = 64
#: Whole numbers beyond this are refused: no treaty has more articles or signatories, and
#: Babel's decimal formatting fails past 28 digits.
MAX_INTEGER = 10**15 - 1
#: Longer texts are refused: a fact is a sentence or a paragraph, and laying out a pasted
#: book would take the renderers minutes.
MAX_TEXT_CHARS = 100_000

#: Characters refused in text, each class with the reason a user is given.
_REFUSED_CHARS = (
    # XML 1.0 cannot carry these, and the other C0/C1 controls have no place in prose.
    (re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]"), "control characters"),
    # Only a broken escape such as "\uD800" makes one; no UTF-8 file or XML document can hold it.
    (re.compile(r"[\ud800-\udfff]"), "unpaired surrogate code points"),
    # Drawn as a missing glyph in the PDF, and a plain line break means the same.
    (re.compile(r"[\u2028\u2029]"), "line or paragraph separators (use a line break)"),
    # Embeddings, overrides and isolates can make text display differently from what was
    # reviewed (Trojan Source, CVE-2021-42574); documents set each fact's direction themselves.
    (re.compile(r"[\u202a-\u202e\u2066-\u2069]"), "bidirectional control characters"),
)
#: Any of the above: one search per text, the rest only to name what was found.
_ANY_REFUSED = re.compile("|".join(refused.pattern for refused, _ in _REFUSED_CHARS))
_RAW_LINE_BREAKS = re.compile(r"[\x85\u2028\u2029]")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _CoreLoader(_BaseLoader):
    """SafeLoader restricted to YAML 1.2 booleans."""


_CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.copy().items()
}
for _first in "tTfF":
    _CoreLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", _BOOL)
    )

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class Position(NamedTuple):
    """A place in a source file (1-based line and column).

    A named tuple, not a dataclass: a large fact file has a hundred thousand of them, and a
    tuple is made several times faster.
    """

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Problem:
    """One thing wrong (or worth a warning) in an input file."""

    position: Position | None
    path: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        what = f"{self.path}: " if self.path else ""
        return f"{where}{what}{self.message}"


@dataclass
class Document:
    """YAML data plus where each piece of it came from."""

    file: str
    data: object
    values: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: Path_, *, key: bool = False) -> Position | None:
        """Position of the value (or of its key) at ``path``, else of the nearest parent."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get(())


def format_path(path: Path_) -> str:
    """``('negotiation', 'sessions', 0, 'end')`` -> ``negotiation.sessions[0].end``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def describe(value: object, limit: int = 60) -> str:
    """A short, human description of a value for "found ..." messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return repr(text)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    return str(value)


def display_path(path: Path) -> str:
    """``path`` as the user would type it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> Document:
    """Parse ``path``; syntax errors and scalar problems are returned in ``Document.problems``."""
    name = display_path(path)
    raw, why = read_or_reason(path, MAX_FILE_BYTES)  # /dev/zero, a named pipe, a directory, 10 GB: never read
    if raw is None:
        doc = Document(name, None)
        doc.problems.append(Problem(None, "", f"{name}: {why}"))
        return doc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        doc = Document(name, None)
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(
            Problem(Position(name, line, 1), "", "expected UTF-8 text, found bytes that are not UTF-8")
        )
        return doc
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Document:
    """Parse YAML ``text`` (reported as file ``name``)."""
    with collection_paused():  # a node per value, none freed before the end: see generator/gcpause.py
        return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> Document:
    doc = Document(name, None)
    # YAML 1.1 (libyaml) folds these into line breaks inside a scalar, YAML 1.2 keeps them:
    # either way the text would silently differ from what the file shows. Refused.
    raw_break = _RAW_LINE_BREAKS.search(text)
    if raw_break:
        offset = raw_break.start()
        line, column = text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
        what = next(reason for refused, reason in _REFUSED_CHARS if refused.match(raw_break.group()))
        doc.problems.append(Problem(Position(name, line, column), "",
                                    f"expected text without {what}, found U+{ord(raw_break.group()):04X} in the file"))
        return doc
    try:
        too_deep = _first_mark_too_deep(text)
        if too_deep is not None:
            doc.problems.append(Problem(Position(name, too_deep.line + 1, too_deep.column + 1), "",
                                        f"expected data nested at most {MAX_DEPTH} levels deep, found deeper nesting"))
            return doc
        loader = _CoreLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(name, mark.line + 1, mark.column + 1) if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context.startswith("expected"):  # "… a single document, but found another"
            reason = f"{exc.context}, {exc.problem}"
        opened = _unclosed_opening(text, exc)
        if opened is not None and pos is not None:  # the mistake is where the bracket or quote was opened
            start, what = opened
            doc.problems.append(Problem(Position(name, start.line + 1, start.column + 1), "",
                                        f"{what} opened here is never closed (the parser gave up at "
                                        f"{pos.line}:{pos.column}); invalid YAML: {reason}"))
            return doc
        doc.problems.append(Problem(pos, "", f"invalid YAML: {reason}"))
        return doc
    except yaml.reader.ReaderError as exc:  # a raw character YAML refuses (NUL, other controls)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        doc.problems.append(Problem(Position(name, line, column), "",
                                    f"expected text without control characters, found U+{code:04X} in the file"))
        return doc
    except yaml.YAMLError as exc:  # anything else: still one line
        doc.problems.append(Problem(None, "", "invalid YAML: " + " ".join(str(exc).split())))
        return doc
    if node is None:
        doc.problems.append(Problem(Position(name, 1, 1), "", "expected a mapping, found an empty file"))
        return doc
    builder = _Builder(doc)
    try:
        doc.data = builder.build(node, ())
    except _TooLarge as exc:
        doc.data = None
        doc.problems.append(Problem(Position(name, exc.line, exc.column), "", exc.message))
    return doc


_OPENERS = {"[": "the '[' of this list", "{": "the '{' of this mapping", '"': "the quote '\"'", "'": "the quote \"'\""}


def _unclosed_opening(text: str, exc: yaml.MarkedYAMLError) -> tuple[yaml.Mark, str] | None:
    """``(mark, description)`` of a bracket or quote still open when the parser failed further on."""
    start, stop = exc.context_mark, exc.problem_mark
    if start is None or stop is None or (start.line, start.column) == (stop.line, stop.column):
        return None
    if not (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted")):
        return None
    lines = text.splitlines()
    char = lines[start.line][start.column:start.column + 1] if start.line < len(lines) else ""
    return (start, _OPENERS[char]) if char in _OPENERS else None


_BRACKET = re.compile(r"[\[\]{}]")


def _flow_depth_bound(text: str) -> int:
    """An upper bound of how deep ``[``/``{`` nest in ``text`` (brackets inside quotes and comments
    count too, so it may be more than the real depth, never less)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _first_mark_too_deep(text: str) -> yaml.Mark | None:
    """Where nesting first goes deeper than :data:`MAX_DEPTH`, found from parser events alone.

    libyaml's composer recurses in C: tens of thousands of nested brackets overflow the
    stack and kill the process before the tree builder could count the levels. Events
    come from a loop, so counting them first is safe, and costs a few milliseconds.
    Newer libyaml builds also stop at their own nesting limit while scanning ahead in
    brackets, before the events reach our limit: when the brackets alone could nest
    deeper than :data:`MAX_DEPTH`, the pure-Python parser (which has no such limit and
    recurses nowhere) counts instead, so the message is ours whatever the PyYAML version.
    """
    loader = yaml.SafeLoader(text) if _flow_depth_bound(text) > MAX_DEPTH else _CoreLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.CollectionStartEvent, yaml.ScalarEvent, yaml.AliasEvent)) and depth > MAX_DEPTH:
                return event.start_mark
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date_reason(text: str) -> str:
    """`` (month 2 of 2025 has 28 days)``: why a date-like text is no date, in our words."""
    match = _DATE.match(text)
    if match is None:
        return ""
    year, month, day = map(int, match.groups())
    if year == 0:
        return " (there is no year 0)"
    if not 1 <= month <= 12:
        return f" (there is no month {month})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f" (month {month} of {year} has {days} days)"
    return ""


class _TooLarge(Exception):
    """The document expands beyond the limits (typically through YAML aliases)."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.line, self.column = node.start_mark.line + 1, node.start_mark.column + 1


class _Invalid:
    """Stands for a scalar that could not be read; already reported."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID = _Invalid()


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0
        self.active: set[int] = set()  # nodes being built: an alias to one of them is a cycle

    def pos(self, node: yaml.Node) -> Position:
        mark = node.start_mark
        return Position(self.doc.file, mark.line + 1, mark.column + 1)

    def problem(self, node: yaml.Node, path: Path_, message: str, severity: str = "error") -> None:
        self.doc.problems.append(Problem(self.pos(node), format_path(path), message, severity))

    def build(self, node: yaml.Node, path: Path_) -> object:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooLarge(node, f"expected at most {MAX_VALUES:,} values, found more (do YAML aliases repeat a large part?)")
        if len(path) > MAX_DEPTH:
            raise _TooLarge(node, f"expected data nested at most {MAX_DEPTH} levels deep, found deeper nesting")
        if id(node) in self.active:
            raise _TooLarge(node, "expected plain data, found a YAML alias that refers to itself")
        self.doc.values[path] = self.pos(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:  # e.g. !!python/object/apply on a list: never built
            self.problem(node, path, f"expected plain YAML data, found the tag {node.tag!r}")
            return INVALID
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, path, "expected a plain key, found a YAML merge key '<<' (not supported)")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "expected a plain text key, found a complex key")
                continue
            key = unicodedata.normalize("NFC", key_node.value)
            key_path = path + (key,)
            if key in result:
                first = self.doc.keys[key_path]
                self.problem(key_node, key_path, f"expected each key once, found a duplicate of the key on line {first.line}")
                continue
            self.doc.keys[key_path] = self.pos(key_node)
            result[key] = self.build(value_node, key_path)
        return result

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> object:
        if node.tag not in _SCALAR_TAGS:
            self.problem(node, path, f"expected plain YAML data, found the tag {node.tag!r}")
            return INVALID
        if node.tag == "tag:yaml.org,2002:str":
            return self.text(node, path)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError) as exc:
            if node.tag.endswith(":int") and isinstance(exc, ValueError):  # beyond Python's 4,300 digits
                self.too_many_digits(node, path, sum(char.isdigit() for char in node.value))
                return INVALID
            kind = "date (YYYY-MM-DD)" if node.tag.endswith("timestamp") else node.tag.rsplit(":", 1)[-1]
            detail = _date_reason(node.value) if node.tag.endswith("timestamp") else ""
            self.problem(node, path, f"expected a valid {kind}, found {describe(node.value)}{detail}")
            return INVALID
        if isinstance(value, float) and value != value:  # NaN
            self.problem(node, path, f"expected a number, found {describe(node.value)}")
            return INVALID
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            self.too_many_digits(node, path, len(str(abs(value))))
            return INVALID
        return value

    def too_many_digits(self, node: yaml.ScalarNode, path: Path_, digits: int) -> None:
        self.problem(node, path, f"expected a whole number of at most {len(str(MAX_INTEGER))} digits, "
                                 f"found one of {digits:,} digits")

    def text(self, node: yaml.ScalarNode, path: Path_) -> object:
        value = node.value
        if len(value) > MAX_TEXT_CHARS:
            self.problem(node, path, f"expected text of at most {MAX_TEXT_CHARS:,} characters, found {len(value):,}")
            return INVALID
        for refused, what in _REFUSED_CHARS if _ANY_REFUSED.search(value) else ():
            bad = refused.search(value)
            if bad:
                code = f"U+{ord(bad.group()):04X}"
                self.problem(node, path, f"expected text without {what}, found {code} at character {bad.start() + 1}")
                return INVALID
        normalized = unicodedata.normalize("NFC", value)
        if normalized != value:
            self.problem(
                node, path,
                "text is not in Unicode NFC form (decomposed accents); it was normalized to NFC — save the file as NFC",
                severity="warning",
            )
        return normalized
