"""The only code that writes generated files: the next OUT is staged, checked, then published.

A build never edits its files in place. It assembles the next set of files in a staging
tree inside its own folder beside OUT (``.OUT.generate/``, see :mod:`generator.output.workspace`;
files of the previous build that stay valid are hard-linked, not copied), runs the caller's
checks on the staged tree, and only then publishes it. Only files listed in the previous
``manifest.json`` are ever replaced or deleted (:mod:`generator.output.outdir`):

- when OUT holds nothing but what the previous build wrote, the staged tree and OUT are
  exchanged in one step, so a reader always finds one whole build;
- when OUT also holds entries of the user (notes, ``.git``, links, other folders), or is a
  folder the user made, our files are published inside it: every new file is first written
  beside its target under a temporary hidden name, a journal records the renames, then each
  file is renamed over its target and ``manifest.json`` last. A build killed after the
  journal was written is completed by the next build; one killed before leaves OUT as it was.

Any failure before publishing leaves the previous output exactly as it was. A lock in the
build folder keeps two builds from publishing into the same OUT at once.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import secrets
import shutil
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import click

from generator.errors import GenerateError
from generator.output.manifest import MANIFEST, MANIFEST_VERSION, document_record, manifest_bytes, read_manifest
from generator.output.outdir import OutputFolder, inspect, real_path, refuse
from generator.renderers import Output
from generator.errors import OutputBusyError
from generator.output.workspace import Workspace, workspace_dir

if TYPE_CHECKING:
    from generator.facts.load import LoadedFacts

__all__ = ["MANIFEST", "MANIFEST_VERSION", "document_record", "manifest_bytes", "read_manifest", "output_lock",
           "publish_changes", "recover"]


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold OUT's lock; a second build fails at once with a clear message."""
    with Workspace.beside(out_dir).lock():
        yield


def publish_changes(out_dir: Path, outputs: list[Output], loaded: LoadedFacts, *,
                    extra_files: Callable[[Path, list[dict]], dict[str, bytes]] | None = None,
                    check: Callable[[Path], None] | None = None,
                    replace_all: bool = False,
                    published: Callable[[dict[str, str]], None] | None = None) -> tuple[list[dict], bool]:
    """Make ``out_dir`` hold ``outputs`` plus a manifest, atomically, unless it holds them already.

    Without ``replace_all``, documents of the previous build that this one does not
    replace stay (and stay listed). ``extra_files(staging, documents)`` may add files
    (e.g. the download page) computed from the final document list; ``check(staging)``
    may reject the staged tree by raising. When every staged file already exists in OUT
    with the same bytes and OUT has no other file of ours, the staging is discarded
    instead of published, so a rebuild that changed nothing changes nothing (not even
    modification times). ``published(digests)`` is told, once OUT holds the staged files,
    the SHA-256 of each (by relative path, ``manifest.json`` included). Returns the records of
    ``outputs`` and whether OUT was replaced.
    """
    out_dir = Path(out_dir)
    space = Workspace.beside(out_dir)
    with space.lock():
        space.recover(real_path(out_dir))
        target = inspect(out_dir)
        records = [document_record(o) for o in outputs]
        written = {r["path"] for r in records}
        kept = [] if replace_all else _kept_documents(target, written)
        documents = kept + records
        staging = space.new_staging()
        try:
            carried = set() if replace_all else target.owned - {MANIFEST}
            for relative in sorted(carried):
                _link(target.path / relative, staging / relative)
            files = {o.path: o.data for o in outputs}
            if extra_files:
                files.update(extra_files(staging, documents))
            files[MANIFEST] = manifest_bytes(loaded, documents, sorted(carried | set(files)))
            for rel, data in files.items():
                _write_new(staging / rel, data)
            if check:
                check(staging)
            digests = {relative: _file_sha256(staging / relative) for relative in _staged_files(staging)} \
                if published else {}
            replaced = not _same_files(staging, target)
            if replaced:
                if not (_swappable(target) and _swap(staging, target, space)):
                    _publish_in_place(staging, target, space)
            space.record_facts(loaded.path, loaded.sha256)
            if published:
                published(digests)
        except OSError as exc:
            raise GenerateError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
        finally:
            space.discard(staging)
    return records, replaced


def recover_if_idle(out_dir: Path) -> None:
    """Before a build looks at OUT: finish what a killed build left, unless a build is publishing now."""
    if not os.path.lexists(workspace_dir(out_dir)):
        return
    space = Workspace.beside(out_dir)
    try:
        with space.lock():
            space.recover(real_path(out_dir))
    except OutputBusyError:
        pass  # the build holding the lock recovers first


def recover(out_dir: Path) -> None:
    """Undo or finish what a killed build left (see :meth:`Workspace.recover`); call with the lock held."""
    Workspace.beside(out_dir).recover(real_path(out_dir))


def _kept_documents(target: OutputFolder, replaced: set[str]) -> list[dict]:
    previous = target.manifest or {}
    return [d for d in previous.get("documents", []) if d["path"] not in replaced and d["path"] in target.owned]


def _staged_files(staging: Path) -> list[str]:
    return sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())


def _same_files(staging: Path, target: OutputFolder) -> bool:
    """True when OUT's files of ours are exactly the staged ones, byte for byte."""
    if not target.exists:
        return False
    staged = _staged_files(staging)
    return set(staged) == target.owned and all(_same_bytes(staging / r, target.path / r) for r in staged)


def _file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def _same_bytes(new: Path, old: Path) -> bool:
    try:
        if os.path.samefile(new, old):  # a hard link to the published file: identical by construction
            return True
        return new.stat().st_size == old.lstat().st_size and new.read_bytes() == old.read_bytes()
    except OSError:
        return False


def _link(source: Path, destination: Path) -> None:
    """A previous file of ours into the staging tree: a hard link (a copy where links are impossible)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)


def _write_new(target: Path, data: bytes) -> None:
    """Write through a new inode: the staged file may be a hard link to a published one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


# --- publishing by exchange: OUT holds only what the previous build wrote -----------------------

def _swappable(target: OutputFolder) -> bool:
    """Whether OUT may be replaced as a whole: nothing of the user's would change with it.

    A new OUT; or one holding our manifest and nothing else of the user's, owned by the user
    running the build, not a mount point and without extended attributes (ACLs, labels)
    that a new folder would not have. Its mode and group are carried over.
    """
    if not target.exists:
        return True
    if target.manifest is None or target.foreign:
        return False
    info, parent = os.lstat(target.path), os.lstat(target.path.parent)
    if info.st_uid != os.geteuid() or info.st_dev != parent.st_dev:
        return False
    try:
        return not os.listxattr(target.path, follow_symlinks=False)
    except OSError:
        return True  # the file system has no extended attributes


def _swap(staging: Path, target: OutputFolder, space: Workspace) -> bool:
    """Put ``staging`` in OUT's place; afterwards ``staging`` holds the previous tree (or nothing).

    On Linux the two directories are exchanged in one step, so a reader always finds a
    complete OUT. Elsewhere OUT is moved aside and the staged tree moved in; a build killed
    between the two is repaired by the next one (:meth:`Workspace.recover`). Returns False,
    having changed nothing, when the staged folder cannot take OUT's group.
    """
    out_dir = target.path
    if not target.exists:
        staging.chmod(0o755)  # mkdtemp makes it 0700; a published directory is readable
        os.rename(staging, out_dir)
        return True
    info = os.lstat(out_dir)
    _carry_modes(staging, out_dir)
    if os.lstat(staging).st_gid != info.st_gid:
        try:
            os.chown(staging, -1, info.st_gid)
        except OSError:
            return False
    if not _exchange(staging, out_dir):
        retired = space.retired()
        os.rename(out_dir, retired)
        try:
            os.rename(staging, out_dir)
        except OSError:
            os.rename(retired, out_dir)  # put the previous output back
            raise
        os.rename(retired, staging)  # the caller removes it with the staging directory
    _rescue(staging, target, space)
    return True


def _carry_modes(staging: Path, out_dir: Path) -> None:
    """Folders keep their mode (a user may have made ``vi/`` private)."""
    for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
        previous = out_dir / folder.relative_to(staging)
        try:
            info = os.lstat(previous)
        except OSError:
            folder.chmod(0o755)
            continue
        folder.chmod(stat.S_IMODE(info.st_mode) if stat.S_ISDIR(info.st_mode) else 0o755)


def _rescue(retired: Path, target: OutputFolder, space: Workspace) -> None:
    """Entries the user added to OUT while this build ran went out with the previous tree: put them back."""
    owned, dirs = target.owned, target.owned_dirs
    strays = []
    for path in sorted(retired.rglob("*")):
        relative = path.relative_to(retired).as_posix()
        if not (relative in owned and path.is_file() and not path.is_symlink()) and relative not in dirs \
                and not any(relative.startswith(s + "/") for s in strays):
            strays.append(relative)
    kept = False
    for relative in strays:
        destination = target.path / relative
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(destination):
                raise FileExistsError(relative)
            os.rename(retired / relative, destination)
        except OSError:
            kept = True
    if kept:  # never deleted: kept aside, and the user is told where
        aside = space.root / f"rescued-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        os.rename(retired, aside)
        click.echo(f"warning: files added to {target.given} during the build could not be put back; "
                   f"they are in {aside}", err=True)


# --- publishing inside an OUT that holds entries of the user ----------------------------------

def _publish_in_place(staging: Path, target: OutputFolder, space: Workspace) -> None:
    """Replace our files one by one inside OUT, the manifest last; nothing else in OUT changes."""
    out_dir = target.path
    staged = _staged_files(staging)
    for relative in staged:
        _require_free(target, relative)
    changed = [r for r in staged if r != MANIFEST and not _same_bytes(staging / r, out_dir / r)] + [MANIFEST]
    removals = sorted(r for r in target.owned - set(staged))
    suffix = f".{secrets.token_hex(6)}.generate-tmp"
    moves = []
    for relative in changed:
        parent, _, name = relative.rpartition("/")
        moves.append((f"{parent}/.{name}{suffix}" if parent else f".{name}{suffix}", relative))
    space.write_journal({"state": "staging", "suffix": suffix, "moves": moves, "remove": removals})
    try:
        for temporary, relative in moves:
            path = out_dir / temporary
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
            with os.fdopen(fd, "wb") as stream:
                stream.write((staging / relative).read_bytes())
    except BaseException:
        space.recover(out_dir)  # the journal says "staging": the temporary files are removed
        raise
    space.write_journal({"state": "publishing", "suffix": suffix, "moves": moves, "remove": removals})
    space.recover(out_dir)  # the journal says "publishing": every rename, then the removals


def _require_free(target: OutputFolder, relative: str) -> None:
    """Refuse when a path we are about to write is taken by an entry of the user."""
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        folder = target.path.joinpath(*parts[:depth])
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                raise refuse(target.given, f"{folder} is in the way: generate needs a folder there and did not "
                                           "write what is there; move it away or choose another folder")
        except FileNotFoundError:
            return
    path = target.path / relative
    if os.path.lexists(path) and not target.file_is_ours(relative):
        raise refuse(target.given, f"{path} is in the way: generate did not write it and would replace it; "
                                   "move it away or choose another folder")


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
