"""The document kinds as ``generate --help`` lists them, read from the kind packages' source.

The listing needs each kind's name and one-line summary. Importing the registry
(:func:`generator.renderers.registry`) for them would import every kind's declaration and what
the kinds share (the PDF settings, dataclasses, pathlib, pkgutil): some 15 ms of CPU, a sixth
of ``generate --help``. The declarations are plain class attributes (``kind = "brief"``,
``summary = "..."``), so they are read from ``generator/renderers/KIND/__init__.py`` with
:mod:`ast` instead (about 4 ms; click has imported ``ast`` already): the same folders and the
same attributes the registry reads, never a second list. A test holds the two to the same
answer, and a declaration this cannot read sends the caller to the registry.
"""

from __future__ import annotations

import ast
import os

#: ``generator/renderers``: one package per kind (and shared packages that declare none, like pdf/).
RENDERERS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "renderers")


def declared_kinds() -> dict[str, str] | None:
    """``{kind: summary}`` of every kind package, or None when a declaration is not plain enough to
    read without running it (a kind or summary made by code): then only the registry can say."""
    found: dict[str, str] = {}
    for name in sorted(os.listdir(RENDERERS_DIR)):
        init = os.path.join(RENDERERS_DIR, name, "__init__.py")
        if not os.path.isfile(init):  # not a package (__pycache__, a data folder)
            continue
        with open(init, encoding="utf-8") as source:
            text = source.read()
        if "Renderer" not in text:  # a kind subclasses Renderer: a package that never names it (pdf/) has none
            continue
        tree = ast.parse(text, init)
        for node in tree.body:  # top-level classes: the registry looks at the package's own names
            if not isinstance(node, ast.ClassDef) or "kind" not in (attributes := _class_attributes(node)):
                continue
            kind, summary = _string(attributes["kind"]), _string(attributes.get("summary"))
            if kind is None or (kind and summary is None):
                return None
            if kind:
                found[kind] = summary
    return found


def _class_attributes(node: ast.ClassDef) -> dict[str, ast.expr | None]:
    """The names ``node``'s body assigns, each with its value (None: one this cannot tell, such as
    a name unpacked from a tuple or only annotated)."""
    attributes: dict[str, ast.expr | None] = {}
    for statement in node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            plain = isinstance(statement, (ast.Assign, ast.AnnAssign))
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        attributes[name.id] = statement.value if plain and name is target else None
    return attributes


def _string(value: ast.expr | None) -> str | None:
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
