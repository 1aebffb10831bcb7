"""Load a fact file: YAML with positions -> typed model, every problem collected and reported together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator import BUNDLED_FACTS
from generator.errors import FactFileError
from generator.gcpause import collection_paused
from generator.facts.models import FactFile
from generator.facts.validation import validate
from generator.facts.yamlsource import Document, Problem, describe, display_path, load_yaml

if TYPE_CHECKING:
    from generator.facts.editions import PreviousEdition

__all__ = ["BUNDLED_FACTS", "LoadedFacts", "load_facts", "read_facts"]


@dataclass
class LoadedFacts:
    """A validated fact file, where it came from, and the warnings found while loading it."""

    facts: FactFile
    document: Document
    path: Path
    sha256: str
    warnings: list[Problem] = field(default_factory=list)
    previous: "PreviousEdition | None" = None
    """The previous edition named by ``document.previous_edition``, read as data."""


def read_facts(path: Path | str | None = None) -> tuple[LoadedFacts | None, list[Problem]]:
    """Read and validate a fact file without raising: ``(loaded or None, every problem found)``.

    ``loaded`` is None when any problem is an error. Problems come in file order within
    each stage (YAML, types, cross-field rules).
    """
    with collection_paused():  # a large file's nodes, paths and models: see generator/gcpause.py
        return _read_facts(path)


def _read_facts(path: Path | str | None) -> tuple[LoadedFacts | None, list[Problem]]:
    from generator.facts.rules import check_facts  # cross-field rules

    path = Path(path) if path is not None else BUNDLED_FACTS
    doc = load_yaml(path)
    problems = list(doc.problems)
    facts = None
    if doc.data is not None:  # bad values were reported and replaced: validate the rest too
        if not isinstance(doc.data, dict):
            problems.append(Problem(doc.position(()), "", f"expected a mapping of fields, found {describe(doc.data)}"))
        else:
            facts, model_problems = validate(FactFile, doc)
            problems += model_problems
    previous = None
    if facts is not None and not any(p.severity == "error" for p in problems):
        from generator.facts.editions import load_previous

        problems += check_facts(facts, doc)
        previous, edition_problems = load_previous(facts, path, doc)
        problems += edition_problems
    problems.sort(key=_order)
    if facts is None or any(p.severity == "error" for p in problems):
        return None, problems
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedFacts(facts, doc, path, digest, problems, previous), problems


def load_facts(path: Path | str | None = None) -> LoadedFacts:
    """Load and validate a fact file.

    Raises :class:`FactFileError` listing every error found (syntax, types, unknown keys,
    unknown languages or source ids, inconsistent values), each with file, line and column.
    """
    loaded, problems = read_facts(path)
    if loaded is None:
        errors = [p for p in problems if p.severity == "error"] or problems
        raise FactFileError(display_path(Path(path) if path is not None else BUNDLED_FACTS), errors)
    return loaded


def _order(problem: Problem) -> tuple[int, int]:
    position = problem.position
    return (position.line, position.column) if position else (0, 0)
