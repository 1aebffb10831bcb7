"""Pause Python's cyclic garbage collector while a large acyclic structure is built.

Reading a fact file makes hundreds of thousands of small objects (YAML nodes, positions,
paths, models) and frees almost none until it is done. Each allocation counts toward the
collector's next pass, and each pass walks the objects that survived the earlier ones:
with 5,000 sources the collector took a third to a half of the time the file took to read
(issue 18, docs/performance.md). Nothing built there refers to itself in a cycle that
needs collecting before the end, so the collector runs again once the structure is made.
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
