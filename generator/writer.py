"""The only code that writes generated files: staged, then moved into place, plus the manifest.

Files are first written to a staging directory next to OUT; only when every document of
the build has been produced are they moved into OUT and the manifest updated, so a failed
build leaves the previous good output as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from generator import __version__
from generator.errors import GenerateError
from generator.facts import LoadedFacts
from generator.renderers import Output

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


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


def read_manifest(out_dir: Path) -> dict | None:
    """The manifest in ``out_dir``, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def manifest_bytes(loaded: LoadedFacts, documents: list[dict]) -> bytes:
    """Deterministic JSON: sorted documents, sorted keys, UTF-8, trailing newline."""
    facts = loaded.facts
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "generator": {"name": "generate", "version": __version__},
        "facts": {
            "file": loaded.path.name,
            "sha256": loaded.sha256,
            "as_of": facts.document.as_of.isoformat(),
            "languages": facts.languages,
        },
        "documents": sorted(documents, key=lambda d: (d["kind"], d["lang"], d["format"], d["path"])),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def publish(out_dir: Path, outputs: list[Output], loaded: LoadedFacts,
            extra_files: dict[str, bytes] | None = None) -> list[dict]:
    """Write ``outputs`` (and ``extra_files``) into ``out_dir`` and update its manifest.

    Documents already listed in the manifest from other kinds or languages stay listed if
    their files still exist; entries for the same path are replaced. Returns the records of
    ``outputs``.
    """
    out_dir = Path(out_dir)
    records = [document_record(o) for o in outputs]
    previous = read_manifest(out_dir) or {}
    written = {r["path"] for r in records}
    kept = [d for d in previous.get("documents", [])
            if isinstance(d, dict) and d.get("path") not in written and (out_dir / str(d.get("path"))).is_file()]
    files = {o.path: o.data for o in outputs}
    files.update(extra_files or {})
    files[MANIFEST] = manifest_bytes(loaded, kept + records)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    except OSError as exc:
        raise GenerateError(f"cannot create the output directory {out_dir}: {exc.strerror or exc}") from None
    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for rel in files:  # manifest last: it only ever lists files that are in place
            destination = out_dir / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, destination)
    except OSError as exc:
        raise GenerateError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return records
