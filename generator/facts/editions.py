"""Editions: a fact file may name its previous edition; the documents then say what changed.

The previous edition is read as plain data (:mod:`generator.facts.diff`), so it may follow an older
schema, and it is never built. What the documents show comes from two places: the authored,
sourced ``document.changes`` of the current file, and the figures (every ``Count``: signatories,
ratifications, articles) whose value differs from the value at the same place in the previous edition's data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from generator.facts.diff import read_edition
from generator.errors import GenerateError
from generator.facts.models import Count, FactFile, Statement, instances
from generator.facts.yamlsource import Document, Problem, describe, display_path


@dataclass(frozen=True)
class PreviousEdition:
    """The previous edition's fact file, as data."""

    path: Path
    data: dict
    as_of: dt.date
    sha256: str
    """Digest of its bytes: the build cache keys documents on it (the box shows its figures)."""


def load_previous(facts: FactFile, facts_path: Path, doc: Document) -> tuple[PreviousEdition | None, list[Problem]]:
    """The edition named by ``document.previous_edition`` (relative to the fact file), or a problem."""
    name = facts.document.previous_edition
    if name is None:
        return None, []
    where = ("document", "previous_edition")

    def problem(reason: str) -> list[Problem]:
        return [Problem(doc.position(where), "document.previous_edition",
                        f"expected the previous edition's fact file, relative to this file, found {describe(name)} "
                        f"({reason})")]

    path = (Path(facts_path).parent / name).resolve()
    if path == Path(facts_path).resolve():
        return None, problem("this very file")
    try:
        edition = read_edition(path)
    except GenerateError as exc:  # "old/x.yaml: cannot read the file: …": the file is named already
        message = exc.format_message()
        shown = display_path(path)
        return None, problem(message[len(shown) + 2:] if message.startswith(shown + ": ") else message)
    if edition.as_of is None:
        return None, problem("it has no document.as_of date")
    return PreviousEdition(path, edition.data, edition.as_of, hashlib.sha256(path.read_bytes()).hexdigest()), []


@dataclass(frozen=True)
class FigureChange:
    """A figure whose value differs from the value at the same place in the previous edition's data."""

    name: str
    """What it counts, in the document's language (the label of its field: "Signatories")."""
    fact: Count
    """The current figure (cited with its sources)."""
    old: int | None
    """Its value in the previous edition; None when that edition did not give it."""


@dataclass
class EditionChanges:
    """What a document says changed since the previous edition."""

    previous_as_of: dt.date
    changes: list[Statement] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.figures)


def edition_changes(facts: FactFile, previous: PreviousEdition | None, labels: dict[str, str]) -> EditionChanges | None:
    """The changes the documents show, or None without a previous edition.

    Figures are the ``Count`` objects of the current file whose ``value`` differs from the value
    at the same path in the previous edition's data, or which that edition did not have.
    ``labels`` name each figure by its field (``signatories`` -> "Signatories").
    """
    if previous is None:
        return None
    figures = []
    for path, value in instances(facts, Count):
        if not path:
            continue
        before = _lookup(previous.data, path)
        old = before.get("value") if isinstance(before, dict) else None
        old = old if isinstance(old, int) and not isinstance(old, bool) else None
        if before is not _MISSING and old == value.value:  # read through the model: the cache records it
            continue
        field_name = str(path[-1])
        figures.append(FigureChange(labels.get(field_name, field_name.replace("_", " ")), value, old))
    return EditionChanges(previous.as_of, list(facts.document.changes), figures)


_MISSING = object()


def _lookup(data: object, path: tuple) -> object:
    """The value at ``path`` in plain data, or ``_MISSING``."""
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return _MISSING
    return data
