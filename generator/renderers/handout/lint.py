"""Lint a Word (.docx) template with Jinja tags before rendering it: syntax, names, labels, filters.

Import-light on purpose (zipfile, lxml, jinja2; never python-docx or docxtpl) because
``generate check`` runs it. Word splits typed text into runs at will (spell-check marks,
bookmarks, formatting changes), so the text of each paragraph is joined before parsing,
as docxtpl does when it renders.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import nodes
from lxml import etree
from pydantic import BaseModel

from generator.facts.validation import unwrap_annotation
from generator.facts.yamlsource import Problem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART = re.compile(r"word/(document|header(\d*)|footer(\d*)|footnotes)\.xml")
# docxtpl's paragraph/row/cell/run tags ({%p if %}, {{r x }}) are plain Jinja once the prefix goes.
_DOCXTPL_PREFIX = re.compile(r"([{][%{#])(?:p|tr|tc|r)\s")
_DOCXTPL_VALUE_TAG = re.compile(r"{%\s*(?:colspan|cellbg)\s+(.*?)%}")
_DOCXTPL_MARKER_TAG = re.compile(r"{%\s*(?:vm|hm)\s*%}")
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass
class Location:
    """Where a paragraph sits in the template, as a Word user would look for it."""

    part: str
    detail: str

    def __str__(self) -> str:
        return f"{self.part} {self.detail}"


@dataclass
class TemplateText:
    """One part (body, a header, a footer) as Jinja source: one line per Word paragraph."""

    part: str
    lines: list[str]
    locations: list[Location]

    @property
    def source(self) -> str:
        return "\n".join(self.lines)

    def location(self, lineno: int | None) -> Location:
        index = min(max((lineno or 1) - 1, 0), len(self.locations) - 1)
        return self.locations[index] if self.locations else Location(self.part, "")


def read_template_text(path: Path) -> list[TemplateText]:
    """The Jinja source of each text-bearing part of a .docx, with paragraph locations.

    Raises ``OSError``/``zipfile.BadZipFile``/``etree.XMLSyntaxError`` for a file that is not a .docx.
    """
    texts: list[TemplateText] = []
    with zipfile.ZipFile(path) as archive:
        names = sorted((n for n in archive.namelist() if _PART.fullmatch(n)), key=_part_order)
        for name in names:
            root = etree.fromstring(archive.read(name))
            texts.append(_part_text(part_label(name, names), root))
    return texts


def _part_order(name: str) -> tuple[int, str]:
    kind = _PART.fullmatch(name).group(1)
    return ({"document": 0}.get(kind, 1 if kind.startswith("header") else 2), name)


def part_label(name: str, names: list[str]) -> str:
    """``body``, ``header`` (``header 2`` when the document has several), ``footer``, ``footnotes``."""
    match = _PART.fullmatch(name)
    if match is None:
        return name
    kind = match.group(1)
    if kind == "document":
        return "body"
    for word in ("header", "footer"):
        if kind.startswith(word):
            several = sum(1 for n in names if (m := _PART.fullmatch(n)) and m.group(1).startswith(word)) > 1
            return f"{word} {kind[len(word):]}" if several and kind[len(word):] else word
    return kind


def _part_text(label: str, root: etree._Element) -> TemplateText:
    lines: list[str] = []
    locations: list[Location] = []
    table_count = 0
    tables: dict[etree._Element, int] = {}
    plain_count = 0
    for paragraph in root.iter(f"{W}p"):
        texts = [t.text or "" for t in paragraph.iter(f"{W}t") if _owner(t) is paragraph]
        text = "".join(texts).replace("\n", " ").replace("\r", " ")
        cell = _ancestor(paragraph, f"{W}tc")
        if cell is None:
            plain_count += 1
            locations.append(Location(label, f"paragraph {plain_count}"))
        else:
            row = cell.getparent()
            grid = _ancestor(cell, f"{W}tbl")
            if grid not in tables:
                table_count += 1
                tables[grid] = table_count
            row_number = [r for r in grid if r.tag == f"{W}tr"].index(row) + 1
            cell_number = [c for c in row if c.tag == f"{W}tc"].index(cell) + 1
            in_cell = [p for p in cell.iter(f"{W}p") if _ancestor(p, f"{W}tc") is cell].index(paragraph) + 1
            detail = f"table {tables[grid]} row {row_number} cell {cell_number}"
            locations.append(Location(label, detail + (f" paragraph {in_cell}" if in_cell > 1 else "")))
        lines.append(_as_jinja(text))
    return TemplateText(label, lines, locations)


def _owner(element: etree._Element) -> etree._Element | None:
    """The paragraph a text node belongs to (text boxes nest paragraphs inside runs)."""
    return _ancestor(element, f"{W}p")


def _ancestor(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _as_jinja(text: str) -> str:
    """What docxtpl hands to Jinja for this text: its own tag prefixes removed, smart quotes straightened."""
    text = _DOCXTPL_PREFIX.sub(r"\1 ", text)
    text = _DOCXTPL_VALUE_TAG.sub(r"{{ \1 }}", text)
    text = _DOCXTPL_MARKER_TAG.sub("", text)
    return re.sub(r"(?<=[{][{%])(.*?)(?=[%}][}])", lambda m: m.group(0).translate(_SMART_QUOTES), text)


# ---------------------------------------------------------------- static name checking

ANY = object()
"""The type of a value we cannot see into: every attribute is allowed."""


@dataclass(frozen=True)
class Value:
    """A context value known at lint time (label dictionaries): its keys are checked."""

    value: object


@dataclass(frozen=True)
class Instance:
    """A context object known at lint time: its class is checked, then the object itself."""

    value: object


@dataclass(frozen=True)
class Method:
    """A bound method: calling it gives its annotated return type."""

    returns: object


@dataclass
class Checker:
    """Walks a parsed template and reports names and attributes the context will not provide."""

    env: jinja2.Environment
    context: dict[str, object]
    """Top-level name -> :class:`Instance`, :class:`Value`, a type annotation, or ANY."""
    text: TemplateText
    shown: str
    problems: list[Problem] = field(default_factory=list)

    def report(self, node: nodes.Node, message: str) -> None:
        where = f"{self.shown} {self.text.location(getattr(node, 'lineno', None))}"
        problem = Problem(None, where, message)
        if not any(p.path == problem.path and p.message == message for p in self.problems):
            self.problems.append(problem)

    # statements -------------------------------------------------------

    def body(self, statements: list[nodes.Node], scope: dict[str, object]) -> None:
        for statement in statements:
            self.statement(statement, scope)

    def statement(self, node: nodes.Node, scope: dict[str, object]) -> None:
        if isinstance(node, nodes.For):
            element = self.element_type(self.expr(node.iter, scope))
            inner = dict(scope, loop=ANY)
            self.bind(node.target, element, inner)
            if node.test is not None:
                self.expr(node.test, inner)
            self.body(node.body, inner)
            self.body(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self.bind(node.target, self.expr(node.node, scope), scope)
        elif isinstance(node, nodes.AssignBlock):
            self.body(node.body, scope)
            self.bind(node.target, ANY, scope)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope, caller=ANY, varargs=ANY, kwargs=ANY)
            for argument in node.args:
                inner[argument.name] = ANY
            for default in node.defaults:
                self.expr(default, scope)
            if isinstance(node, nodes.Macro):
                scope[node.name] = ANY
            else:
                self.expr(node.call, scope)
            self.body(node.body, inner)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self.bind(target, self.expr(value, scope), inner)
            self.body(node.body, inner)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.expr(child, scope)
                else:
                    self.statement(child, scope)

    def bind(self, target: nodes.Node, kind: object, scope: dict[str, object]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = kind
        elif isinstance(target, nodes.Tuple):
            items = _tuple_items(kind, len(target.items))
            for item, item_kind in zip(target.items, items):
                self.bind(item, item_kind, scope)

    # expressions ------------------------------------------------------

    def expr(self, node: nodes.Node, scope: dict[str, object]) -> object:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.context:
                return self.context[node.name]
            if node.name in self.env.globals:
                return ANY
            known = list(scope) + list(self.context) + list(self.env.globals)
            self.report(node, f"unknown name {node.name!r}{_did_you_mean(node.name, known)}")
            return ANY
        if isinstance(node, nodes.Getattr):
            return self.attribute(node, self.expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            self.expr(node.arg, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self.attribute(node, base, node.arg.value)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, int):
                return self.element_type(base)
            return ANY
        if isinstance(node, nodes.Call):
            callee = self.expr(node.node, scope)
            self.children(node, scope, skip=node.node)
            return callee.returns if isinstance(callee, Method) else ANY
        if isinstance(node, nodes.Filter):
            self.check_filter(node, self.env.filters, "filter")
            inner = self.expr(node.node, scope) if node.node is not None else ANY
            self.children(node, scope, skip=node.node)
            return inner if node.name in ("first", "last", "select", "reject", "selectattr",
                                          "rejectattr", "list", "sort", "unique") else ANY
        if isinstance(node, nodes.Test):
            self.check_filter(node, self.env.tests, "test")
        self.children(node, scope)
        return ANY

    def children(self, node: nodes.Node, scope: dict[str, object], skip: nodes.Node | None = None) -> None:
        for child in node.iter_child_nodes():
            if child is not skip:
                self.expr(child, scope)

    def check_filter(self, node: nodes.Filter | nodes.Test, known: dict, what: str) -> None:
        if node.name not in known:
            self.report(node, f"unknown {what} {node.name!r}{_did_you_mean(node.name, list(known))}")

    def attribute(self, node: nodes.Node, base: object, name: str) -> object:
        """The type of ``base.name``; reports a name the base cannot have."""
        if base is ANY:
            return ANY
        if isinstance(base, Value):
            value = base.value
            if isinstance(value, dict):
                if name in value:
                    return ANY
                self.report(node, f"unknown label {_dotted(node)!r}{_did_you_mean(name, list(value))}")
                return ANY
            return ANY
        if isinstance(base, Instance):
            cls = type(base.value)
            found, kind = _member_type(cls, name)
            if not found and hasattr(base.value, name):  # set at run time, e.g. in __post_init__
                found, kind = True, ANY
        else:
            cls = _class_of(base)
            if cls is None:
                return ANY
            found, kind = _member_type(cls, name)
        if not found:
            self.report(node, f"unknown name {_dotted(node)!r}{_did_you_mean(name, _public_names(cls))}")
        return kind

    def element_type(self, kind: object) -> object:
        """What iterating over a value of ``kind`` yields."""
        kind = unwrap_annotation(kind)
        if isinstance(kind, Method):
            return ANY
        origin = typing.get_origin(kind)
        if origin in (list, tuple, set, frozenset, typing.Union) or (
                origin is not None and getattr(origin, "__name__", "") in ("Sequence", "Iterable", "Iterator")):
            args = [a for a in typing.get_args(kind) if a is not Ellipsis]
            if origin is tuple and len(args) > 1:
                return ANY
            return args[0] if args else ANY
        return ANY


def _tuple_items(kind: object, count: int) -> list[object]:
    kind = unwrap_annotation(kind)
    if typing.get_origin(kind) is tuple:
        args = typing.get_args(kind)
        if len(args) == count:
            return list(args)
    return [ANY] * count


def _class_of(kind: object) -> type | None:
    """The class whose members we check: pydantic models and dataclasses only."""
    kind = unwrap_annotation(kind)
    if isinstance(kind, type) and (issubclass(kind, BaseModel) or dataclasses.is_dataclass(kind)):
        return kind
    return None


def _member_type(cls: type, name: str) -> tuple[bool, object]:
    """``(exists, type)`` of attribute ``name`` on instances of ``cls``."""
    if issubclass(cls, BaseModel) and name in cls.model_fields:
        return True, cls.model_fields[name].annotation
    if dataclasses.is_dataclass(cls) and name in {f.name for f in dataclasses.fields(cls)}:
        return True, _hints(cls).get(name, ANY)
    member = getattr(cls, name, None)
    if member is None:
        return False, ANY
    if isinstance(member, property):
        return True, _hints(member.fget).get("return", ANY)
    if callable(member):
        return True, Method(_hints(member).get("return", ANY))
    return True, ANY


def _hints(obj: object) -> dict[str, object]:
    try:
        return typing.get_type_hints(obj, include_extras=True)
    except Exception:  # forward references we cannot resolve: treat as unknown
        return {}


def _public_names(cls: type) -> list[str]:
    names = set(cls.model_fields) if issubclass(cls, BaseModel) else set()
    own = {name for klass in cls.__mro__ if klass not in (BaseModel, object) and klass.__module__.startswith("generator")
           for name in vars(klass) if not name.startswith("_")}
    return sorted(names | own)


def _dotted(node: nodes.Node) -> str:
    """``facts.adoption.dat`` for an attribute chain, as the template wrote it."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        value = node.arg.value
        return f"{_dotted(node.node)}.{value}" if isinstance(value, str) else f"{_dotted(node.node)}[{value}]"
    if isinstance(node, nodes.Call):
        return f"{_dotted(node.node)}()"
    return "…"


def _did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ---------------------------------------------------------------- entry point

def context_types(contexts: list[dict], helpers: typing.Iterable[str] = ()) -> dict[str, object]:
    """What the checker knows of each top-level name, from real contexts (one per language).

    Dictionaries (the labels ``L``) are merged across languages: a label missing in one
    language only is reported by the label check of ``generate check``.
    """
    types: dict[str, object] = {}
    for context in contexts:
        for key, value in context.items():
            if isinstance(value, dict):
                previous = types.get(key)
                types[key] = Value({**(previous.value if isinstance(previous, Value) else {}), **value})
            elif not isinstance(value, (str, int, float, list, tuple, type(None))) and not callable(value) \
                    and not hasattr(value, "isoformat"):
                types[key] = Instance(value)
            else:
                types[key] = ANY
    for name in helpers:
        types[name] = ANY
    return types


def lint_docx_template(path: Path, shown: str, env: jinja2.Environment,
                       context: dict[str, object]) -> list[Problem]:
    """Every problem in the .docx template at ``path`` (reported as ``shown``), in document order.

    ``context`` maps each top-level name the renderer provides to its type (see :class:`Checker`).
    """
    try:
        texts = read_template_text(path)
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        return [Problem(None, shown, f"cannot read the Word template: {exc}")]
    problems: list[Problem] = []
    for text in texts:
        try:
            tree = env.parse(text.source)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(None, f"{shown} {text.location(exc.lineno)}", f"Jinja syntax error: {exc.message}"))
            continue
        checker = Checker(env, context, text, shown)
        checker.body(tree.body, {})
        problems += checker.problems
    return problems
