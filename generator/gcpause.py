"""Pause Python's cyclic garbage collector while a large, mostly acyclic structure is built.

Reading a fact file makes hundreds of thousands of small objects (YAML nodes, positions,
paths, models), and laying out a PDF a box per element and line; both keep almost all of
them until they are done. Each allocation counts toward the collector's next pass, and each
pass walks the objects that survived the earlier ones: with 5,000 sources the collector took
a third to a half of the time the file took to read, and 10-15 % of a brief's layout
(issue 18, docs/performance.md). Little there is cyclic garbage, so the collector runs again
once the structure is made.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector is as it was after it (nesting allowed)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
