"""The build cache: a document is rendered again only when something it read has changed.

It lives in the build's own folder beside OUT, ``.OUT.generate/cache/`` (see
:mod:`generator.output.workspace`), never inside the published tree. Per document (kind, language) it keeps one entry:

- ``inputs``: a digest of what every document of that kind may depend on as a whole: the
  generator's code and version, the installed libraries and fonts, the kind and language,
  the fact file's name, the previous edition's file (when the fact file names one), the brand
  file and logo, and the list of files on the template
  search path (adding or removing a template file anywhere counts as a change);
- ``options``: the options the rendering read, with their values (``--pdf-variant`` matters
  to the briefs only);
- ``files``: the template files the rendering actually opened, with their content digests;
- ``facts``: the fact fields the rendering actually read, each with the digest of its value
  (see :mod:`generator.pipeline.recording`), so a one-fact change re-renders only the documents that
  show that fact;
- ``outputs``: the generated files, stored by content in ``blobs/``.

Everything is compared by content, never by modification time (the one exception: the
system's font files count by name, size and time). A damaged or missing cache
file is a cache miss, never an error and never a stale document: blobs are checked against
their digest when read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from generator import PACKAGE_DIR, __version__
from generator.renderers import Output
from generator.errors import InputRefused
from generator.limits import MAX_PACKAGE_BYTES, read_regular_file
from generator.templating.paths import TemplatePath

CACHE_FORMAT = 2
ENTRIES = "entries"
BLOBS = "blobs"
VERIFIED = "verified.json"
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: Where fonts and their configuration live: the PDF and the graphics' text measurements depend on them.
FONT_DIRS = ("/etc/fonts", "/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")


def cache_dir(out_dir: Path) -> Path:
    """``.OUT.generate/cache`` beside OUT."""
    from generator.output.workspace import CACHE, workspace_dir

    return workspace_dir(out_dir) / CACHE


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``: how the cache names contents."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class TemplateSnapshot:
    """Every file on the template search path when the build started, by content digest."""

    dirs: tuple[Path, ...]
    digests: dict[str, str]
    """``"<search-dir index>:<relative path>"`` -> sha256 of the content."""

    @classmethod
    def take(cls, templates: TemplatePath) -> "TemplateSnapshot":
        """Read and digest every file under every directory of ``templates``."""
        digests: dict[str, str] = {}
        for index, directory in enumerate(templates.dirs):
            for path in sorted(directory.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digests[f"{index}:{path.relative_to(directory).as_posix()}"] = _template_digest(path, templates.dirs)
        return cls(templates.dirs, digests)

    @property
    def listing(self) -> str:
        """Digest of which files exist where: a new override changes what lookups find."""
        return sha256("\n".join(self.digests).encode("utf-8"))

    def names(self, absolute_paths: Iterable[str]) -> dict[str, str]:
        """Snapshot names and digests of opened files (files created during the build have none)."""
        found: dict[str, str] = {}
        for absolute in absolute_paths:
            for index, directory in enumerate(self.dirs):
                try:
                    relative = Path(absolute).relative_to(directory).as_posix()
                except ValueError:
                    continue
                name = f"{index}:{relative}"
                found[name] = self.digests.get(name, "absent")
                break
        return dict(sorted(found.items()))


def _template_digest(path: Path, dirs: tuple[Path, ...]) -> str:
    """The digest of a template file's content, read only where the templates themselves may be read.

    A link out of the template directories (refused when a template uses it), an unreadable or
    an oversized file gets a marker instead: the snapshot never reads a file the build may not.
    """
    real = path.resolve()
    if not any(real.is_relative_to(d) for d in dirs):
        return "outside:" + sha256(str(real).encode("utf-8"))
    try:
        return sha256(read_regular_file(real, MAX_PACKAGE_BYTES))
    except (InputRefused, OSError) as exc:
        return "unreadable:" + sha256(str(exc).encode("utf-8"))


def environment_digest() -> str:
    """The generator's code and version, the installed distributions, Python, and the fonts."""
    hasher = hashlib.sha256(f"{CACHE_FORMAT} {__version__} {sys.version}".encode())
    package = PACKAGE_DIR
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for entry in sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}):
        if os.path.isdir(entry):  # installed distributions: their metadata directories carry name and version
            names = sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
            hasher.update("\n".join(names).encode())
    for top in FONT_DIRS:  # by name, size and time: hashing hundreds of font files per build would cost seconds
        for root, _dirs, files in sorted(os.walk(os.path.expanduser(top))):
            for name in sorted(files):
                try:
                    stat = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                hasher.update(f"{root}/{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return hasher.hexdigest()


def brand_digest(brand) -> str:
    """The brand file and logo by content (the bundled defaults when there is no file)."""
    parts = []
    for path in (brand.source, brand.logo_path):
        parts.append(sha256(Path(path).read_bytes()) if path is not None else "-")
    return sha256(" ".join(parts).encode())


@dataclass
class CachedDocument:
    """A document of one kind in one language, from the cache."""

    outputs: list[Output]
    warnings: list[str]
    seconds: float


@dataclass
class DocumentCache:
    """The cache of one output directory."""

    root: Path
    _digests: dict[int, dict[str, str]] = field(default_factory=dict, repr=False)
    """Fact digests already computed, per fact-file object."""
    store_failed: bool = False
    """True once a document could not be stored: a rebuild would render it again."""

    @classmethod
    def for_output(cls, out_dir: Path) -> "DocumentCache":
        """The cache of OUT, in its build folder (made, or checked to be ours, first)."""
        from generator.output.workspace import Workspace

        return cls(Workspace.beside(out_dir).cache)

    @staticmethod
    def inputs_key(kind: str, lang: str, *, environment: str, snapshot: TemplateSnapshot, brand: str,
                   facts_stem: str, previous_edition: str | None = None) -> str:
        """The digest of what a whole kind depends on, beyond the facts, files and options it reads.

        ``previous_edition`` is the digest of the previous edition's file: the "what changed"
        box compares figures with it.
        """
        description = {"format": CACHE_FORMAT, "environment": environment, "kind": kind, "lang": lang,
                       "templates": snapshot.listing, "brand": brand, "facts_file": facts_stem,
                       "previous_edition": previous_edition}
        return sha256(json.dumps(description, sort_keys=True, default=str).encode())

    def _entry_path(self, kind: str, lang: str) -> Path:
        return self.root / ENTRIES / f"{kind}-{lang}.json"

    def _blob_path(self, digest: str) -> Path:
        return self.root / BLOBS / digest

    def lookup(self, kind: str, lang: str, key: str, snapshot: TemplateSnapshot, facts,
               options: dict) -> CachedDocument | None:
        """The cached outputs of (kind, lang) if everything they were made from is unchanged."""
        from generator.pipeline.recording import dependencies_hold  # pydantic: only once a build has loaded facts

        try:
            entry = json.loads(self._entry_path(kind, lang).read_text(encoding="utf-8"))
            if entry.get("inputs") != key:
                return None
            if any(_plain(options.get(name)) != value for name, value in entry["options"].items()):
                return None
            if any(snapshot.digests.get(name) != digest for name, digest in entry["files"].items()):
                return None
            if not dependencies_hold(facts, entry["facts"], self._digests.setdefault(id(facts), {})):
                return None
            outputs = []
            for record in entry["outputs"]:
                if not _DIGEST.fullmatch(record["sha256"]) or not _is_document_path(record["path"], lang):
                    return None
                data = self._blob_path(record["sha256"]).read_bytes()
                if sha256(data) != record["sha256"]:
                    return None
                outputs.append(Output(kind, lang, record["format"], record["path"], data, record["title"],
                                      pages=record["pages"], slides=record["slides"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        warnings = entry.get("warnings", [])
        if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
            return None
        return CachedDocument(outputs, warnings, float(entry.get("seconds", 0.0)))

    def previous_seconds(self, kind: str, lang: str) -> float | None:
        """How long (kind, lang) took to render last time, for scheduling the slow ones first."""
        try:
            return float(json.loads(self._entry_path(kind, lang).read_text(encoding="utf-8"))["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, kind: str, lang: str, key: str, files: dict[str, str], facts: dict[str, str],
              options: dict[str, object], outputs: list[Output], warnings: list[str], seconds: float) -> None:
        """Remember the outputs of (kind, lang) and what they were made from; a failure only costs a miss.

        ``files`` and ``facts`` are the rendering's reads: see :meth:`TemplateSnapshot.names`
        and :func:`generator.pipeline.recording.fact_dependencies`.
        """
        entry = {
            "inputs": key,
            "files": files,
            "facts": facts,
            "options": options,
            "outputs": [{"format": o.format, "path": o.path, "title": o.title, "pages": o.pages,
                         "slides": o.slides, "sha256": sha256(o.data)} for o in outputs],
            "warnings": warnings,
            "seconds": round(seconds, 3),
        }
        try:
            for output in outputs:
                blob = self._blob_path(sha256(output.data))
                if not blob.is_file():
                    _write_atomic(blob, output.data)
            _write_atomic(self._entry_path(kind, lang), json.dumps(entry, ensure_ascii=False, indent=1).encode())
        except OSError:
            self.store_failed = True

    def prune(self, kinds: Iterable[str], langs: Iterable[str]) -> None:
        """Drop entries of kinds or languages that no longer exist, and blobs no entry refers to."""
        valid = {f"{kind}-{lang}" for kind in kinds for lang in langs}
        referenced: set[str] = set()
        for path in sorted((self.root / ENTRIES).glob("*.json")):
            if path.stem not in valid:
                path.unlink(missing_ok=True)
                continue
            try:
                referenced |= {o["sha256"] for o in json.loads(path.read_text(encoding="utf-8"))["outputs"]}
            except (OSError, ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)
        for blob in (self.root / BLOBS).glob("*"):
            if blob.name not in referenced:
                blob.unlink(missing_ok=True)

    def verified(self, environment: str) -> "VerifiedMemo":
        """The verification results of earlier builds with the same code and libraries."""
        try:
            stored = json.loads((self.root / VERIFIED).read_text(encoding="utf-8"))
            keys = stored["keys"] if stored["environment"] == environment else []
        except (OSError, ValueError, KeyError, TypeError):
            keys = []
        return VerifiedMemo(environment, {k for k in keys if isinstance(k, str)})

    def save_verified(self, memo: "VerifiedMemo") -> None:
        """Keep the results this build used or added; older ones are dropped."""
        data = json.dumps({"environment": memo.environment, "keys": sorted(memo.used)}).encode()
        try:
            if (self.root / VERIFIED).read_bytes() == data:
                return  # a rebuild that changed nothing writes nothing
        except OSError:
            pass
        try:
            _write_atomic(self.root / VERIFIED, data)
        except OSError:
            pass


@dataclass
class VerifiedMemo:
    """Keys of document checks that passed: (document bytes, expected key facts, language tag).

    :func:`generator.output.verify.verify_output` skips opening a document whose key is here, so a
    rebuild that changed nothing does not re-read every PDF.
    """

    environment: str
    """:func:`environment_digest` of the build: other code or libraries may check differently."""
    known: set[str]
    used: set[str] = field(default_factory=set)

    def __contains__(self, key: object) -> bool:
        if key in self.known:
            self.used.add(str(key))
            return True
        return False

    def add(self, key: str) -> None:
        self.known.add(key)
        self.used.add(key)


def _plain(value: object) -> object:
    """An option value as the cache stores it (paths as text)."""
    return str(value) if isinstance(value, os.PathLike) else value


def _is_document_path(path: str, lang: str) -> bool:
    """A cached path must be a plain ``<lang>/<name>`` inside OUT, whatever the cache file says."""
    parts = PurePosixPath(path).parts
    return len(parts) == 2 and parts[0] == lang and parts[1] not in ("", ".", "..") and "\\" not in path


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
