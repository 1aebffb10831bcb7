"""The only code that writes generated files: a complete new OUT is staged, checked, then swapped in.

A build never edits OUT in place. It assembles the next OUT in a staging directory beside
it (files of the previous build that stay valid are hard-linked, not copied), runs the
caller's checks on the staged tree, and only then swaps the directories. Any failure
before the swap leaves the previous good output exactly as it was. A lock file beside
OUT keeps two builds from publishing into the same OUT at once.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

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
        return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
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
            "status": facts.document.status,
            "languages": facts.languages,
        },
        "documents": sorted(documents, key=lambda d: (d["kind"], d["lang"], d["format"], d["path"])),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``.OUT.lock`` beside OUT; a second build fails at once with a clear message."""
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        handle = open(parent / f".{out_dir.resolve().name}.lock", "a+")
    except OSError as exc:
        raise GenerateError(f"cannot create the output directory {out_dir}: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise GenerateError(f"another build is writing to {out_dir} ({holder}); "
                                "wait for it to finish and run the command again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(out_dir: Path, outputs: list[Output], loaded: LoadedFacts, *,
            extra_files: Callable[[Path, list[dict]], dict[str, bytes]] | None = None,
            check: Callable[[Path], None] | None = None, replace_all: bool = False) -> list[dict]:
    """Make ``out_dir`` hold ``outputs`` plus a manifest, atomically.

    Without ``replace_all``, documents of the previous build that this one does not
    replace stay (and stay listed). ``extra_files(staging, documents)`` may add files
    (e.g. the download page) computed from the final document list; ``check(staging)``
    may reject the staged tree by raising. Returns the records of ``outputs``.
    """
    records, _ = publish_changes(out_dir, outputs, loaded, extra_files=extra_files, check=check,
                                 replace_all=replace_all, keep_unchanged=False)
    return records


def publish_changes(out_dir: Path, outputs: list[Output], loaded: LoadedFacts, *,
                    extra_files: Callable[[Path, list[dict]], dict[str, bytes]] | None = None,
                    check: Callable[[Path], None] | None = None, replace_all: bool = False,
                    keep_unchanged: bool = True) -> tuple[list[dict], bool]:
    """:func:`publish`, except that an OUT already identical to the staged tree is left alone.

    The tree is staged and checked as always; with ``keep_unchanged``, when every staged
    file already exists in OUT with the same bytes and OUT has no other file, the staging
    is discarded instead of swapped in, so a rebuild that changed nothing changes nothing
    (not even modification times). Returns the records and whether OUT was replaced.
    """
    out_dir = Path(out_dir)
    with output_lock(out_dir):
        recover(out_dir)
        records = [document_record(o) for o in outputs]
        written = {r["path"] for r in records}
        kept = [] if replace_all else _kept_documents(out_dir, written)
        documents = kept + records
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.resolve().name}.staging-", dir=out_dir.resolve().parent))
        try:
            if not replace_all and out_dir.is_dir():
                _link_tree(out_dir, staging)
            files = {o.path: o.data for o in outputs}
            if extra_files:
                files.update(extra_files(staging, documents))
            files[MANIFEST] = manifest_bytes(loaded, documents)
            for rel, data in files.items():
                _write_new(staging / rel, data)
            if check:
                check(staging)
            replaced = not (keep_unchanged and _same_tree(staging, out_dir))
            if replaced:
                _swap(staging, out_dir)
        except OSError as exc:
            raise GenerateError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return records, replaced


def _same_tree(staging: Path, out_dir: Path) -> bool:
    """True when both directories hold the same files with the same bytes."""
    if not out_dir.is_dir():
        return False
    staged = {p.relative_to(staging) for p in staging.rglob("*") if p.is_file()}
    current = {p.relative_to(out_dir) for p in out_dir.rglob("*") if p.is_file()}
    if staged != current:
        return False
    for relative in staged:
        new, old = staging / relative, out_dir / relative
        if os.path.samefile(new, old):  # a hard link to the published file: identical by construction
            continue
        if new.stat().st_size != old.stat().st_size or new.read_bytes() != old.read_bytes():
            return False
    return True


def _kept_documents(out_dir: Path, replaced: set[str]) -> list[dict]:
    previous = read_manifest(out_dir) or {}
    return [d for d in previous.get("documents", [])
            if isinstance(d, dict) and d.get("path") not in replaced and (out_dir / str(d.get("path"))).is_file()]


def _link_tree(source: Path, target: Path) -> None:
    """Mirror ``source`` into ``target`` with hard links (copies where links are impossible)."""
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir() and not path.is_symlink():
            destination.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, destination)
            except OSError:
                shutil.copy2(path, destination)


def _write_new(target: Path, data: bytes) -> None:
    """Write through a new inode: the staged file may be a hard link to a published one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _swap(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` in OUT's place; afterwards ``staging`` holds the previous tree (or nothing).

    On Linux the two directories are exchanged in one step, so a reader always finds a
    complete OUT. Elsewhere OUT is moved aside and the staged tree moved in; a build killed
    between the two is repaired by the next one (:func:`recover`).
    """
    staging.chmod(0o755)  # mkdtemp makes it 0700; a published directory is readable
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    retired = _sibling(out_dir, f"previous-{os.getpid()}")
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(retired, out_dir)  # put the previous output back
        raise
    os.rename(retired, staging)  # the caller removes it with the staging directory


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories atomically (Linux ``renameat2``); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without exchange
    raise OSError(error, os.strerror(error), str(second))


def _sibling(out_dir: Path, suffix: str) -> Path:
    return out_dir.resolve().parent / f".{out_dir.resolve().name}.{suffix}"


def recover(out_dir: Path) -> None:
    """Undo what a killed build left beside OUT; call with the lock held.

    A build killed between the two renames of the fallback swap leaves OUT missing and the
    previous tree in ``.OUT.previous-PID``: it is put back. Staging and retired trees of
    killed builds are removed.
    """
    parent = out_dir.resolve().parent
    name = out_dir.resolve().name
    retired = sorted(parent.glob(f".{name}.previous-*"), key=lambda p: p.stat().st_mtime)
    if not out_dir.exists() and retired:
        os.rename(retired.pop(), out_dir)
    for leftover in retired + list(parent.glob(f".{name}.staging-*")):
        shutil.rmtree(leftover, ignore_errors=True)
