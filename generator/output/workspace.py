"""The build's own folder beside OUT, ``.OUT.generate/``: lock, cache, stamp, staging trees, journal.

Everything a build keeps for itself lives in this one folder, never among the user's files:
the lock that keeps two builds from publishing at once, the build cache, the stamp of the last
build's inputs and outputs, the trees being staged or retired, and the journal of a publication
in progress. The folder ignores itself
for git (it holds a ``.gitignore`` of ``*``), so a build in a clone leaves ``git status`` clean.

A folder of that name that a build did not make is never used, adopted or deleted: the
folder must be a real folder owned by the user, closed to others (0700), and hold a marker
naming its own device and inode, which a copy, a clone or an archive cannot reproduce.
Nothing in it is opened through a symbolic link.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from generator.errors import GenerateError, OutputBusyError, WorkspaceError
from generator.output.outdir import real_path

SUFFIX = ".generate"
MARKER = "made-by-generate"
LOCK = "lock"
JOURNAL = "journal.json"
#: Which fact file OUT was last built from (for ``generate verify OUT`` without ``--facts``): kept
#: here, not in manifest.json, whose bytes must not depend on where OUT or the fact file is.
FACTS_RECORD = "facts.json"
CACHE = "cache"
#: What the last build read and published, so that a rebuild with nothing to do knows it at once
#: (see :mod:`generator.pipeline.stamp`).
STAMP = "stamp.json"
STAGING_PREFIX = "staging-"
RETIRED_PREFIX = "previous-"
#: How long to wait for a build that is creating the folder at the same moment to write its marker.
CREATION_WAIT = 2.0


def workspace_dir(out: Path) -> Path:
    """``.OUT.generate`` beside OUT (beside its target, when OUT is a symbolic link)."""
    real = real_path(out)
    return real.parent / f".{real.name}{SUFFIX}"


@dataclass(frozen=True)
class Workspace:
    root: Path
    out: Path
    """OUT as the user named it (for messages)."""

    @classmethod
    def beside(cls, out: Path) -> "Workspace":
        """The build folder of OUT, created (with OUT's parent folders) when missing."""
        root = workspace_dir(out)
        try:
            root.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(root, 0o700)
        except FileExistsError:
            _wait_for_marker(root)
        except OSError as exc:
            raise GenerateError(f"cannot create the output directory {out}: {exc.strerror or exc}") from None
        else:
            _write_exclusive(root / MARKER, _marker_text(os.lstat(root)).encode())
            _write_exclusive(root / ".gitignore", b"# made by generate: its build folder is never committed\n*\n")
        workspace = cls(root, Path(out))
        workspace.validate()
        return workspace

    def validate(self) -> None:
        try:
            info = os.lstat(self.root)
        except OSError as exc:
            raise WorkspaceError(f"cannot use {self.root}: {exc.strerror}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise WorkspaceError(f"refusing to use {self.root}: it is not a folder made by generate; "
                                 "move it away or choose another --out")
        if info.st_uid != os.geteuid() or info.st_mode & 0o077 or _read_marker(self.root) != _marker_text(info):
            raise WorkspaceError(f"refusing to use {self.root}: it was not made by generate here (a copy, or "
                                 "planted); if no build is running and you do not need it, remove it")

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the lock; a second build fails at once with a clear message."""
        path = self.root / LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise WorkspaceError(f"refusing to use {path}: it is a symbolic link, not the lock file of generate") \
                    from None
            raise GenerateError(f"cannot create the output directory {self.out}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "r+") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise WorkspaceError(f"refusing to use {path}: it is not a regular file, not the lock file of generate")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                holder = handle.read(100).strip() or "another process"
                raise OutputBusyError(f"another build is writing to {self.out} ({holder}); "
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

    def new_staging(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.root))

    def retired(self) -> Path:
        return self.root / f"{RETIRED_PREFIX}{os.getpid()}"

    def discard(self, tree: Path) -> None:
        """Remove a staging or retired tree of this folder (never anything else)."""
        if tree.parent == self.root and tree.name.startswith((STAGING_PREFIX, RETIRED_PREFIX)) \
                and not tree.is_symlink():
            shutil.rmtree(tree, ignore_errors=True)

    # --- the journal of a publication inside an OUT that holds files of the user -------------

    def write_journal(self, journal: dict) -> None:
        _write_replace(self.root / JOURNAL, json.dumps(journal).encode())

    def record_facts(self, path: Path, sha256: str) -> None:
        """Record the fact file OUT was built from (absolute path and checksum)."""
        record = {"path": os.path.abspath(path), "sha256": sha256}
        _write_replace(self.root / FACTS_RECORD, json.dumps(record, ensure_ascii=False).encode("utf-8"))

    def record_stamp(self, data: bytes) -> None:
        """Replace the build stamp in one step (see :mod:`generator.pipeline.stamp`)."""
        _write_replace(self.root / STAMP, data)

    def clear_journal(self) -> None:
        (self.root / JOURNAL).unlink(missing_ok=True)

    def recover(self, out_real: Path) -> None:
        """Finish or undo what a killed build left; call with the lock held.

        A publication inside OUT that was interrupted is completed (its files were all
        written before the journal said so) or, if it had not started, its temporary files
        are removed. A build killed between the two renames of the fallback swap left OUT
        missing and the previous tree in ``previous-PID``: it is put back. Staging and
        retired trees of killed builds are removed.
        """
        self._replay_journal(out_real)
        trees = sorted((p for p in self.root.iterdir()
                        if p.name.startswith((STAGING_PREFIX, RETIRED_PREFIX)) and p.is_dir() and not p.is_symlink()),
                       key=lambda p: p.stat().st_mtime)
        retired = [p for p in trees if p.name.startswith(RETIRED_PREFIX)]
        if not os.path.lexists(out_real) and retired:
            newest = retired[-1]
            os.rename(newest, out_real)
            trees.remove(newest)
        for tree in trees:
            self.discard(tree)

    def _replay_journal(self, out_real: Path) -> None:
        try:
            journal = json.loads((self.root / JOURNAL).read_bytes())
            moves, removals, state = journal["moves"], journal["remove"], journal["state"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            self.clear_journal()  # unreadable: written by no complete step of ours; nothing to replay
            return
        suffix = journal.get("suffix", "\0")
        for temporary, target in moves:
            temp_path, target_path = out_real / temporary, out_real / target
            if not (_inside(temp_path, out_real) and _inside(target_path, out_real)
                    and temp_path.name.endswith(suffix) and _is_regular(temp_path)):
                continue
            if state == "publishing":
                os.replace(temp_path, target_path)
            else:
                temp_path.unlink()
        if state == "publishing":
            for relative in removals:
                path = out_real / relative
                if _inside(path, out_real) and _is_regular(path):
                    path.unlink()
        self.clear_journal()


def recorded_facts(out: Path) -> Path | None:
    """The fact file the last build of OUT recorded, or None (never built here, or the record is
    not a plain file this tool wrote). Reads only; creates nothing."""
    record = workspace_dir(out) / FACTS_RECORD
    try:
        if not _is_regular(record) or _read_marker(record.parent) is None:
            return None
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path = data.get("path") if isinstance(data, dict) else None
    return Path(path) if isinstance(path, str) and path else None


def _marker_text(info: os.stat_result) -> str:
    return f"made by generate for its own use; folder {info.st_dev}:{info.st_ino}\n"


def _read_marker(root: Path) -> str | None:
    try:
        fd = os.open(root / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return stream.read(200).decode("utf-8", "replace")


def _wait_for_marker(root: Path) -> None:
    """Another build may have made the folder an instant ago: give it time to write its marker."""
    deadline = time.monotonic() + CREATION_WAIT
    while time.monotonic() < deadline:
        try:
            info = os.lstat(root)
        except OSError:
            return
        if not stat.S_ISDIR(info.st_mode) or _read_marker(root) == _marker_text(info):
            return
        time.sleep(0.05)


def _write_exclusive(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def _write_replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    _write_exclusive(temporary, data)
    os.replace(temporary, path)


def _inside(path: Path, root: Path) -> bool:
    return ".." not in path.relative_to(root).parts if path.is_relative_to(root) else False


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
