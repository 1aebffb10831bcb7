"""WeasyPrint, imported once with a quicker search for its C libraries. Import it from here.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject by trying several names per library,
one per platform (``libpango-1.0-0``, ``pango-1.0-0``, ``pango-1.0``, ``libpango-1.0.so.0``…).
For each name that is not a file, cffi asks :func:`ctypes.util.find_library`, which on Linux
runs ``ldconfig -p``, then ``gcc`` and then ``ld`` in subprocesses until one knows the name:
measured here, 0.2–0.3 s of CPU in some 20 subprocesses and 0.4–0.5 s of waiting, a third of
the import. While WeasyPrint loads, the lookup asks the dynamic linker's cache alone: the names
it knows resolve exactly as before, and the Linux names later in each list (``….so.0``) are
opened directly by ``dlopen``, which also searches ``LD_LIBRARY_PATH``. Elsewhere nothing changes.
The standard library's cache lookup runs ``ldconfig -p`` for every name (22 runs, 0.15 s before
the first document could start); the listing is read once here and searched as it searches it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

# The C library ABI that `ldconfig -p` names beside each library, by machine (ctypes.util's table).
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


@contextmanager
def _linker_cache_lookup() -> Iterator[None]:
    import ctypes.util

    ask_linker_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or ask_linker_cache is None:
        yield
        return
    listing = _linker_cache_listing()
    find_library = ctypes.util.find_library
    ctypes.util.find_library = ask_linker_cache if listing is None else lambda name: soname(listing, name)
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


def _linker_cache_listing() -> bytes | None:
    """``ldconfig -p``'s listing of the dynamic linker's cache (as ctypes runs it), or None."""
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def soname(listing: bytes, name: str) -> str | None:
    """The file name the linker cache ``listing`` gives library ``name`` for this machine's ABI,
    found as :func:`ctypes.util.find_library` finds it there (its first match), or None."""
    import struct

    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    pattern = os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), _ABI.get(machine, "libc6")))
    found = re.search(pattern, listing)
    return os.fsdecode(found.group(1)) if found else None


with _linker_cache_lookup():
    import weasyprint  # noqa: E402  (the point of this module)

__all__ = ["weasyprint"]
