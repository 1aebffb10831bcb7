"""The build stamp: a rebuild that has nothing to do finds out before it loads anything.

After a successful build, ``.OUT.generate/stamp.json`` (in the build's own folder, see
:mod:`generator.output.workspace`) records

- a digest of every input of the whole build: the generator's code, the installed libraries,
  Python and the fonts (:func:`generator.pipeline.cache.environment_digest`); every file on the
  template path by name and content (templates, labels, the bundled brand, assets: a file
  added or removed anywhere counts); the files the build read outside it (the fact file, its
  previous edition, a brand file and its logo), each by content or as absent; the command (which
  kinds) and every option but ``--jobs`` (the output is the same for any number of jobs); the
  working and home folders, the user, OUT's real path and the environment variables the
  libraries read (:data:`ENVIRONMENT_VARIABLES`). Nothing a build makes depends on the date;
- every file the build published in OUT, by content, exactly as it staged them;
- the build folder's state a rebuild depends on: the cache (entries, blobs, verification memo)
  and the record of the fact file, by content;
- what a rebuild that finds all of that unchanged reports: the documents' records, the
  warnings (of the fact file, the customizations, each document), each document's time.

Before the next build loads anything it computes the same digests — hashing only, no pydantic,
Jinja, Babel or WeasyPrint — and when all of them match, the build replays the stamp's report
and writes nothing: the way make and ninja decide that there is nothing to do. The stamp is
only ever a shortcut. No stamp, a damaged one, another version of generate, ``--no-cache``, a
build holding the lock, a journal or staging tree left by a killed build, or any error while
computing the digests: the build runs as it always does. A stamp is written (atomically) only
after a publish that succeeded and was verified, when every document is in the cache and no
input changed while the build ran (its digests before and after are compared).
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from generator import BUNDLED_FACTS, __version__
from generator.limits import MAX_PACKAGE_BYTES, MAX_YAML_BYTES, read_regular_file
from generator.output.workspace import (CACHE, FACTS_RECORD, JOURNAL, LOCK, RETIRED_PREFIX, STAGING_PREFIX, STAMP,
                                        Workspace, workspace_dir)
from generator.pipeline.cache import TemplateSnapshot, environment_digest, sha256

STAMP_FORMAT = 1
#: A stamp lists a few hundred digests; anything far larger was not written by a build.
MAX_STAMP_BYTES = 16_000_000
#: The largest input file read outside the template path (fact files, brand files, logos).
MAX_INPUT_BYTES = max(MAX_YAML_BYTES, MAX_PACKAGE_BYTES)
#: Environment variables that the libraries read and that could change what a build makes
#: (fonts found, time zone, dates): a different value is another key.
ENVIRONMENT_VARIABLES = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "TZ", "SOURCE_DATE_EPOCH",
                         "LC_ALL", "LC_CTYPE", "LANG", "XDG_DATA_HOME", "XDG_DATA_DIRS", "XDG_CONFIG_HOME")
#: Options whose value cannot change what a build publishes or prints.
IGNORED_OPTIONS = ("jobs", "use_cache")
ABSENT = "absent"


@dataclass(frozen=True)
class Inputs:
    """The digests of everything a build reads, as found at one moment."""

    environment: str
    snapshot: TemplateSnapshot
    files: dict[str, str]
    """Absolute path of each file read outside the template path -> its SHA-256, or ``absent``."""
    description: dict
    """The command, the options and where the build runs."""

    def same_setting(self, other: "Inputs") -> bool:
        """The same code, libraries and fonts, template files, command and options as ``other``
        (the files read outside the template path are compared by each caller, as it read them)."""
        return (self.environment == other.environment and self.snapshot.digests == other.snapshot.digests
                and self.description == other.description)

    @property
    def key(self) -> str:
        return sha256(json.dumps({"environment": self.environment, "files": self.files,
                                  "templates": [str(d) for d in self.snapshot.dirs],
                                  "template_files": self.snapshot.digests, **self.description},
                                 sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


@dataclass(frozen=True)
class Replay:
    """What a rebuild that changed nothing reports, from the stamp."""

    records: list[dict]
    """The records the build returns (the documents of this command)."""
    warnings: list[str]
    """The warnings found before any document (the fact file's, the customizations')."""
    documents: list[tuple[str, str, float, list[str]]]
    """``(kind, lang, seconds, warnings)`` of every document, in the order a rebuild announces them."""
    missing_translations: int


def current_inputs(command: str, options, files: Iterable[str | Path], environment: str | None = None) -> Inputs:
    """The digests of ``options``' inputs now: code and libraries, template path, ``files``, options."""
    return Inputs(environment or environment_digest(), TemplateSnapshot.take(options.template_path()),
                  {os.path.abspath(path): file_digest(path) for path in files}, describe(command, options))


def first_files(options) -> list[str]:
    """The files outside the template path a build reads before anything tells it of others."""
    files = [os.path.abspath(options.facts or BUNDLED_FACTS)]
    if options.brand is not None:
        files.append(os.path.abspath(options.brand))
    return files


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes; ``absent`` when there is none, ``unreadable:…`` when it cannot be read."""
    try:
        return sha256(read_regular_file(path, MAX_INPUT_BYTES))
    except FileNotFoundError:
        return ABSENT
    except (OSError, ValueError) as exc:  # InputRefused is a ValueError: a folder, a pipe, too large
        return "unreadable:" + type(exc).__name__


def describe(command: str, options) -> dict:
    """The command, its options (but those of :data:`IGNORED_OPTIONS`) and where it runs."""
    chosen = {field.name: getattr(options, field.name) for field in dataclasses.fields(options)
              if field.name not in IGNORED_OPTIONS}  # a new option counts unless listed as ignored
    return {"format": STAMP_FORMAT, "version": __version__, "command": command,
            "options": json.loads(json.dumps(chosen, sort_keys=True, default=str)),
            "cwd": os.getcwd(), "home": os.path.expanduser("~"), "user": os.geteuid(),
            "out": str(Path(options.out).resolve()),
            "python": [sys.executable, sys.prefix],
            "variables": {name: os.environ.get(name) for name in ENVIRONMENT_VARIABLES}}


# --- the check -------------------------------------------------------------------------------

def check(command: str, options) -> tuple[Replay | None, Inputs | None]:
    """``(replay, inputs)``: the stamp's report when nothing changed since the stamp was written,
    else None; and the inputs found now (None when they could not be computed), which the build
    compares with the inputs it finds once it has published."""
    try:
        root = workspace_dir(Path(options.out))
        found = _read_stamp(root) if options.use_cache else None
    except Exception:  # noqa: BLE001 - the stamp is a shortcut: whatever went wrong, the build runs as always
        root, found = None, None
    try:
        inputs = current_inputs(command, options, found["files"] if found else first_files(options))
    except Exception:  # noqa: BLE001 - a damaged list of files, say: the build runs, and stamps afresh
        found = None
        try:
            inputs = current_inputs(command, options, first_files(options))
        except Exception:  # noqa: BLE001
            return None, None
    if found is None or root is None:
        return None, inputs
    try:
        if found["key"] != inputs.key:
            return None, inputs
        with _lock_held(root):
            Workspace(root, Path(options.out)).validate()
            if not (_out_holds(Path(options.out), found["out"]) and _workspace_holds(root, found["workspace"])):
                return None, inputs
            return _replay(found["replay"]), inputs
    except Exception:  # noqa: BLE001
        return None, inputs


def _read_stamp(root: Path) -> dict | None:
    try:
        fd = os.open(root / STAMP, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STAMP_BYTES:
            return None
        stamp = json.loads(stream.read())
    if stamp.get("format") != STAMP_FORMAT or stamp.get("version") != __version__:
        return None
    return stamp


class _Busy(Exception):
    """Another build holds the lock (or there is none): the stamp is not consulted."""


class _lock_held:
    """Hold the build folder's lock while OUT and the cache are compared, without writing to it
    (the build's own lock writes its process id; a rebuild with nothing to do writes nothing)."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(self.fd).st_mode):
                raise _Busy(self.path)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(self.fd)
            raise

    def __exit__(self, *exc) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def _out_holds(out: Path, published: dict[str, str]) -> bool:
    """True when every file the build published is in OUT, a regular file with the same bytes,
    reached through real folders only (no file replaced by a link or a folder by one)."""
    real = out.resolve()
    checked: set[str] = set()
    for relative, digest in published.items():
        parts = relative.split("/")
        if not parts or any(part in ("", ".", "..") for part in parts):
            return False
        for depth in range(len(parts) - 1):
            folder = "/".join(parts[:depth + 1])
            if folder not in checked:
                if not stat.S_ISDIR(os.lstat(real / folder).st_mode):
                    return False
                checked.add(folder)
        if _own_file_digest(real / relative) != digest:
            return False
    return bool(published)


def _workspace_holds(root: Path, recorded: dict[str, str]) -> bool:
    """True when the build folder is as the build left it: no journal or staging tree of a killed
    build (a rebuild would finish or remove it), the same record of the fact file, the same cache."""
    with os.scandir(root) as listing:
        for entry in listing:
            if entry.name == JOURNAL or entry.name.startswith((STAGING_PREFIX, RETIRED_PREFIX)):
                return False
    return workspace_state(root) == recorded


def workspace_state(root: Path) -> dict[str, str]:
    """The files of the build folder a rebuild's report depends on, by content: the record of the
    fact file and everything in the cache (an entry or a blob missing means a document rendered again)."""
    state = {FACTS_RECORD: _own_file_digest(root / FACTS_RECORD)}
    cache = root / CACHE
    for folder, dirs, files in os.walk(cache):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            state[path.relative_to(root).as_posix()] = _own_file_digest(path)
    return state


def _own_file_digest(path: Path) -> str:
    """SHA-256 of a file generate wrote, never through a symbolic link; ``absent`` or ``not a file``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return ABSENT
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link"
        raise
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "not a file"
        hasher = hashlib.sha256()
        while chunk := stream.read(1 << 20):
            hasher.update(chunk)
        return hasher.hexdigest()


def _replay(recorded: dict) -> Replay:
    documents = [(str(kind), str(lang), float(seconds), [str(w) for w in warnings])
                 for kind, lang, seconds, warnings in recorded["documents"]]
    records = recorded["records"]
    if not (isinstance(records, list) and all(isinstance(r, dict) for r in records)):
        raise ValueError("records")
    return Replay(records, [str(w) for w in recorded["warnings"]], documents, int(recorded["missing_translations"]))


def brand_files_digest(inputs: Inputs, brand) -> str:
    """:func:`generator.pipeline.cache.brand_digest` of ``brand``'s files as ``inputs`` found them."""
    return sha256(" ".join(inputs.files[os.path.abspath(path)] if path is not None else "-"
                           for path in (brand.source, brand.logo_path)).encode())


# --- writing ---------------------------------------------------------------------------------

def write(space: Workspace, inputs: Inputs, published: dict[str, str], replay: Replay) -> None:
    """Write the stamp (call with the build folder's lock held), unless it holds these bytes already."""
    root = space.root
    stamp = {"format": STAMP_FORMAT, "version": __version__, "key": inputs.key, "files": sorted(inputs.files),
             "out": dict(sorted(published.items())), "workspace": workspace_state(root),
             "replay": dataclasses.asdict(replay)}
    data = json.dumps(stamp, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    try:
        if (root / STAMP).read_bytes() == data:
            return  # a rebuild that changed nothing writes nothing
    except OSError:
        pass
    space.record_stamp(data)


def remove(space: Workspace) -> None:
    """Drop the stamp: the build's inputs changed while it ran, so no stamp may describe it."""
    try:
        (space.root / STAMP).unlink()
    except OSError:
        pass
