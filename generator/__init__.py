"""Bilingual briefing documents from a sourced fact file and Jinja templates."""

from pathlib import Path

__version__ = "0.1.0"

#: The ``generator`` package folder (its code is part of every cache key; no build may write into it).
PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout or installation the bundled ``facts/`` and ``templates/`` sit in.
PROJECT_DIR = PACKAGE_DIR.parent
#: The fact file shipped with the project, used when ``--facts`` is not given.
BUNDLED_FACTS = PROJECT_DIR / "facts" / "hanoi-convention.yaml"
