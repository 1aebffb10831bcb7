"""What one document read while it rendered: the facts (as dotted paths) and the template files.

Incremental builds reuse a document only when everything it read is unchanged, so the
record has to come from the rendering itself, not from a guess about what a template
might use. Two hooks feed it while :func:`recording` is active: the fact model reports
every field read (:func:`generator.facts.models.reading_fields`), and a Python audit hook reports
every file opened. Both report to context variables, so they never see another thread's
work; the field hook exists only while some document is recorded, and the file hook costs
one lookup when none is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pydantic import BaseModel, RootModel

from generator.facts.models import WHOLE_OBJECT, FactFile, instances, reading_fields

#: A fact path as stored in the cache: field names and list indexes, e.g. ``["signature", "facts", 2, "text"]``.
FactPath = tuple[str | int, ...]
#: The path meaning "the whole fact file": used for reads of objects that are not in the fact tree.
WHOLE_FILE: FactPath = ()

_file_reads: ContextVar["Reads | None"] = ContextVar("file_reads", default=None)
_hook_installed = False


@dataclass
class Reads:
    """Fact fields and files read during one rendering."""

    watched_dirs: tuple[str, ...]
    """Only files under these directories are recorded (the template search path)."""
    fields: dict[tuple[int, str], BaseModel] = field(default_factory=dict)
    """``(id(owner), field name)`` -> owner; the owner is kept so that its id stays unique."""
    files: set[str] = field(default_factory=set)
    """Absolute paths of the watched files that were opened."""

    def field_read(self, owner: BaseModel, name: str) -> None:
        if name == WHOLE_OBJECT or name in _field_names(type(owner)):
            self.fields.setdefault((id(owner), name), owner)

    def file_opened(self, path: str) -> None:
        absolute = os.path.abspath(path)
        if absolute.startswith(self.watched_dirs):
            self.files.add(absolute)


_FIELDS: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(cls.model_fields)
    return names


def _audit(event: str, args: tuple) -> None:
    # Runs on every audited event of the process: leave at once unless a document is recorded.
    if event != "open":
        return
    reads = _file_reads.get()
    if reads is None:
        return
    path = args[0]
    if isinstance(path, (str, bytes, os.PathLike)) and (args[1] is None or "r" in str(args[1])):
        reads.file_opened(os.fsdecode(path))


def install_audit_hook() -> None:
    """Install the file-open hook once per process (audit hooks cannot be removed; an idle one is cheap)."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


@contextmanager
def recording(watched_dirs: tuple[Path, ...]) -> Iterator[Reads]:
    """Record fact-field reads and opened files under ``watched_dirs`` in the current context."""
    install_audit_hook()
    from generator.templating.sandbox import template_used

    reads = Reads(tuple(str(d) + os.sep for d in watched_dirs))
    file_token = _file_reads.set(reads)
    template_token = template_used.set(reads.file_opened)
    try:
        with reading_fields(reads.field_read):
            yield reads
    finally:
        template_used.reset(template_token)
        _file_reads.reset(file_token)


class RecordedOptions(dict):
    """A renderer's options that remember which ones it read, with their values."""

    def __init__(self, options: dict) -> None:
        super().__init__(options)
        self.read: dict[str, object] = {}

    def _note(self, key: object) -> None:
        if isinstance(key, str):
            value = dict.get(self, key)
            self.read[key] = str(value) if isinstance(value, os.PathLike) else value

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)


def fact_dependencies(facts: FactFile, reads: Reads) -> dict[str, str]:
    """Each fact path the rendering read -> the digest of its value, as stored in the cache.

    Paths are JSON lists (``'["names", "common_name", "text"]'``). A read of an object outside
    the fact tree (a copy, say) makes the document depend on the whole file: safe, never stale.
    """
    paths = {id(value): path for path, value in instances(facts, BaseModel)}
    dependencies: dict[str, str] = {}
    for (owner_id, name), _owner in reads.fields.items():
        owner_path = paths.get(owner_id)
        path = WHOLE_FILE if owner_path is None else (*owner_path, name)
        key = json.dumps(path, ensure_ascii=False)
        if key not in dependencies:
            dependencies[key] = fact_digest(facts, path)
    return dict(sorted(dependencies.items()))


def fact_digest(facts: FactFile, path: FactPath) -> str:
    """Digest of the value at ``path`` (nested objects count only by their presence), or of its absence.

    A path ending in :data:`~generator.facts.models.WHOLE_OBJECT` stands for the object with
    everything in it: a template printed or dumped it whole.
    """
    whole = bool(path) and path[-1] == WHOLE_OBJECT
    if whole:
        path = path[:-1]
    value: object = facts
    try:
        for step in path:
            value = value[step] if isinstance(step, int) else value.__dict__[step]
    except (KeyError, IndexError, TypeError, AttributeError):
        return "absent"
    if not path or whole:  # the whole file, or a whole object
        shallow: object = value.model_dump(mode="json")
    else:
        shallow = _shallow(value)
    text = json.dumps(shallow, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _shallow(value: object) -> object:
    """A value with nested fact objects replaced by their type: their fields are dependencies of their own."""
    if isinstance(value, RootModel):
        return value.model_dump(mode="json")
    if isinstance(value, BaseModel):
        return {"object": type(value).__name__}
    if isinstance(value, (list, tuple)):
        return [_shallow(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dependencies_hold(facts: FactFile, dependencies: dict[str, str], known: dict[str, str] | None = None) -> bool:
    """True when every recorded fact still has the value it had when the document was rendered.

    ``known`` caches digests of ``facts`` between calls (documents share most of their facts).
    """
    known = {} if known is None else known
    for key, digest in dependencies.items():
        current = known.get(key)
        if current is None:
            current = known[key] = fact_digest(facts, tuple(json.loads(key)))
        if current != digest:
            return False
    return True
