"""The user's cache folder, ``$XDG_CACHE_HOME/generate`` (``~/.cache/generate``): what is costly to
compute, the same from run to run, and nobody's document.

Only this tool writes there, everything in it is safe to delete, and every reader treats an entry
as untrusted: keyed by exactly what it was computed from, checked when read, recomputed when
missing, damaged or foreign. A folder that cannot be made, or that is not this user's own (a link,
another user's folder), means no cache at all: nothing is read from it, nothing written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

#: The largest entry a reader accepts: anything bigger was not written by this tool.
MAX_ENTRY_BYTES = 4 * 1024 * 1024


def user_cache_folder(name: str) -> Path | None:
    """``<cache>/generate/<name>``, made (mode 0700) if needed; None when it cannot be this user's own."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "generate" / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            return None  # not a folder of this user's own: never read what someone else could have put there
    except (OSError, RuntimeError):
        return None
    return folder


def read_entry(path: Path) -> bytes | None:
    """The bytes of a cache entry, or None when it is missing, unreadable, not a regular file or too big."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        descriptor = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        try:
            info = os.fstat(stream.fileno())
            if not (stat.S_ISREG(info.st_mode) and info.st_size <= MAX_ENTRY_BYTES):
                return None
            data = stream.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
    return data if len(data) <= MAX_ENTRY_BYTES else None


def write_entry(path: Path, data: bytes) -> None:
    """Replace the entry at ``path`` whole (a reader sees the old one or the new one); a failure only
    costs the next run the computation."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
