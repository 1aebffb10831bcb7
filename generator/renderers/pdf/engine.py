"""WeasyPrint, imported once with a quicker search for its C libraries. Import it from here.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject by trying several names per library,
one per platform (``libpango-1.0-0``, ``pango-1.0-0``, ``pango-1.0``, ``libpango-1.0.so.0``…).
For each name that is not a file, cffi asks :func:`ctypes.util.find_library`, which on Linux
runs ``ldconfig -p``, then ``gcc`` and then ``ld`` in subprocesses until one knows the name:
measured here, 0.2–0.3 s of CPU in some 20 subprocesses and 0.4–0.5 s of waiting, a third of
the import. While WeasyPrint loads, the lookup asks the dynamic linker's cache alone: the names
it knows resolve exactly as before, and the Linux names later in each list (``….so.0``) are
opened directly by ``dlopen``, which also searches ``LD_LIBRARY_PATH``. Elsewhere nothing changes.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def _linker_cache_lookup() -> Iterator[None]:
    import ctypes.util

    ask_linker_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or ask_linker_cache is None:
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = ask_linker_cache
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


with _linker_cache_lookup():
    import weasyprint  # noqa: E402  (the point of this module)

__all__ = ["weasyprint"]
