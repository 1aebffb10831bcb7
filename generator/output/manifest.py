"""``OUT/manifest.json``: what a build published, and so the only files a later build may replace.

A manifest is read strictly: anything that is not exactly what :func:`manifest_bytes`
writes (a symbolic link, bytes that are not UTF-8 JSON, a path that leaves OUT, a missing
field) raises :class:`ManifestError`, one line naming the file and the field. Its ``files``
list is the ownership record of OUT (see ``docs/reliability.md``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator import __version__
from generator.errors import ManifestError
from generator.renderers import Output

if TYPE_CHECKING:
    from generator.facts.load import LoadedFacts

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
#: A manifest is a few kB per document; anything far larger was not written by a build.
MAX_MANIFEST_BYTES = 16_000_000
_SHA256 = re.compile(r"[0-9a-f]{64}")


def document_record(output: Output) -> dict:
    """The manifest entry of one document (see the README, "manifest.json")."""
    return {
        "kind": output.kind,
        "lang": output.lang,
        "format": output.format,
        "path": output.path,
        "bytes": len(output.data),
        "sha256": hashlib.sha256(output.data).hexdigest(),
        "pages": output.pages,
        "slides": output.slides,
        "title": output.title,
    }


def manifest_bytes(loaded: LoadedFacts, documents: list[dict], files: list[str] | None = None) -> bytes:
    """Deterministic JSON: sorted documents, sorted keys, UTF-8, trailing newline.

    ``files``: every file of OUT the build wrote besides the manifest (documents, download
    page); default: the documents' paths.
    """
    facts = loaded.facts
    owned = set(files if files is not None else (d["path"] for d in documents)) - {MANIFEST}
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "generator": {"name": "generate", "version": __version__},
        "facts": {
            "file": loaded.path.name,
            "sha256": loaded.sha256,
            "as_of": facts.document.as_of.isoformat(),
            "status": facts.document.status,
            "languages": facts.languages,
        },
        "documents": sorted(documents, key=lambda d: (d["kind"], d["lang"], d["format"], d["path"])),
        "files": sorted(owned),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(out_dir: Path, shown: Path | None = None) -> dict | None:
    """The manifest in ``out_dir``; None when there is none; :class:`ManifestError` when it is not ours.

    ``shown``: OUT as messages name it (default ``out_dir``).
    """
    path = Path(out_dir) / MANIFEST
    file = Path(shown if shown is not None else out_dir) / MANIFEST
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None  # OUT itself is not a folder: the caller says so
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ManifestError(f"{file}: not a manifest written by generate: it is a symbolic link") from None
        raise ManifestError(f"{file}: cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ManifestError(f"{file}: not a manifest written by generate: it is not a regular file")
        data = stream.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{file}: not a manifest written by generate: larger than {MAX_MANIFEST_BYTES // 1_000_000} MB")
    try:
        manifest = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ManifestError(f"{file}: not a manifest written by generate: nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        detail = f"invalid JSON at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
        raise ManifestError(f"{file}: not a manifest written by generate: {detail}") from None
    problem = manifest_problem(manifest)
    if problem:
        raise ManifestError(f"{file}: not a manifest written by generate: {problem}")
    return manifest


def manifest_problem(manifest: object) -> str | None:
    """The first way ``manifest`` differs from what a build writes, or None."""
    if not isinstance(manifest, dict):
        return f"expected a JSON object, found {type(manifest).__name__}"
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        return f"manifest_version: expected {MANIFEST_VERSION}, found {manifest.get('manifest_version')!r}"
    generator = manifest.get("generator")
    if not isinstance(generator, dict) or generator.get("name") != "generate":
        return "generator.name: expected 'generate'"
    facts = manifest.get("facts")
    if not isinstance(facts, dict) or not isinstance(facts.get("sha256"), str) \
            or not _string_list(facts.get("languages")):
        return "facts: expected an object with sha256 and a list of languages"
    documents = manifest.get("documents")
    if not isinstance(documents, list):
        return "documents: expected a list"
    for index, document in enumerate(documents):
        where = f"documents[{index}]"
        if not isinstance(document, dict):
            return f"{where}: expected an object"
        for key in ("kind", "lang", "format", "path"):
            if not isinstance(document.get(key), str):
                return f"{where}.{key}: expected text"
        if not _relative_path(document["path"]):
            return f"{where}.path: expected a path inside OUT such as 'vi/x.pdf', found {document['path']!r}"
        if not isinstance(document.get("bytes"), int) or not _SHA256.fullmatch(str(document.get("sha256"))):
            return f"{where}: expected bytes (a number) and sha256 (64 hex digits)"
    files = manifest.get("files")
    if files is not None:  # absent in manifests of earlier versions: see owned_files
        if not _string_list(files):
            return "files: expected a list of paths"
        for path in files:
            if not _relative_path(path) or path == MANIFEST:
                return f"files: expected paths inside OUT such as 'index.html', found {path!r}"
        missing = {d["path"] for d in documents} - set(files)
        if missing:
            return f"files: does not list the document {sorted(missing)[0]!r}"
    return None


def owned_files(manifest: dict, out_dir: Path) -> set[str]:
    """The files of OUT a build wrote (relative paths, ``manifest.json`` included).

    Manifests written before the ``files`` list existed claim their documents and the
    download page's files, where those are present.
    """
    if "files" in manifest:
        return set(manifest["files"]) | {MANIFEST}
    languages = manifest["facts"]["languages"]
    candidates = {d["path"] for d in manifest["documents"]} | {"index.html", "assets/site.css"} \
        | {f"{lang}.html" for lang in languages[1:] if _relative_path(f"{lang}.html")}
    return {p for p in candidates if (Path(out_dir) / p).is_file() and not (Path(out_dir) / p).is_symlink()} | {MANIFEST}


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _relative_path(path: str) -> bool:
    """A plain relative path below OUT: no ``..``, no absolute, no hidden or empty parts."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return False
    parts = PurePosixPath(path).parts
    return bool(parts) and all(p not in ("", ".", "..") and not p.startswith(".") for p in parts) \
        and "/".join(parts) == path
