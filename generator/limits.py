"""How much work and memory one input may cost, and reading user files within those bounds.

Every file a user names or places on the template path (facts, labels, brand, logo,
configuration, templates, Word and PowerPoint templates) is read through
:func:`read_regular_file`: only a regular file, and only up to a size that no real input
comes near. A device (``/dev/zero``), a named pipe or a directory is refused at once,
before a byte is read; a named pipe is opened without waiting for a writer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import InputRefused

#: A fact or label file: the bundled fact file is about 100 kB.
MAX_YAML_BYTES = 10_000_000
#: ``generate.toml``: a handful of settings.
MAX_CONFIG_BYTES = 1_000_000
#: One Jinja template (the bundled ones are under 20 kB).
MAX_TEMPLATE_BYTES = 5_000_000
#: A brand logo file, and its size in pixels, read from the image header before any decoding:
#: a 25-megapixel RGBA image decodes to 100 MB (a print-quality logo is well under 4 megapixels).
MAX_LOGO_BYTES = 10_000_000
MAX_LOGO_PIXELS = 25_000_000
#: A Word or PowerPoint template: the file, the sum of its parts once decompressed (as the ZIP's
#: central directory declares them, checked before anything is extracted), the number of parts,
#: and how much one large part may expand (XML compresses 5–20 times; a ZIP bomb 1000 times).
MAX_PACKAGE_BYTES = 50_000_000
MAX_PACKAGE_CONTENT_BYTES = 200_000_000
MAX_PACKAGE_PARTS = 10_000
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1_000_000
#: Seconds one document may take to render (templates and layout), unless configured otherwise.
DEFAULT_TIME_BUDGET = 120.0


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """``a directory``, ``a named pipe``…: what a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def describe_os_error(exc: OSError) -> str:
    """Our words for why a file could not be opened (the system's wording varies)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is not a directory"
    return exc.strerror or str(exc)


def megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path`` (symbolic links followed), refusing anything but a regular file of at
    most ``limit`` bytes. Raises :class:`InputRefused`, or ``OSError`` when it cannot be opened."""
    # O_NONBLOCK: opening a named pipe must not wait for a writer (it is refused just after).
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(f"expected a regular file, found {file_kind(info.st_mode)}")
        if info.st_size > limit:
            raise InputRefused(f"expected a file under {megabytes(limit)}, found {info.st_size:,} bytes")
        chunks, size = [], 0
        while chunk := os.read(handle, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise InputRefused(f"expected a file under {megabytes(limit)}, found more while reading it")
        return b"".join(chunks)
    finally:
        os.close(handle)


def read_or_reason(path: Path | str, limit: int) -> tuple[bytes | None, str]:
    """:func:`read_regular_file`, answering ``(bytes, "")``, or ``(None, why)`` with why in the
    project's words (``cannot read the file: no such file``, ``expected a regular file …``), for
    callers that prefix it with the file's name in their own kind of error."""
    try:
        return read_regular_file(path, limit), ""
    except InputRefused as refused:
        return None, refused.message
    except OSError as exc:
        return None, f"cannot read the file: {describe_os_error(exc)}"
