"""Bilingual briefing documents from a sourced fact file and Jinja templates."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``PACKAGE_DIR``, ``PROJECT_DIR`` and ``BUNDLED_FACTS``, made on first use (PEP 562): every
    command imports this package, and ``generate --help`` needs neither pathlib nor the path."""
    global PACKAGE_DIR, PROJECT_DIR, BUNDLED_FACTS
    if name not in ("PACKAGE_DIR", "PROJECT_DIR", "BUNDLED_FACTS"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from pathlib import Path

    # The ``generator`` package folder (its code is part of every cache key; no build may write into it).
    PACKAGE_DIR = Path(__file__).resolve().parent
    # The checkout or installation the bundled ``facts/`` and ``templates/`` sit in.
    PROJECT_DIR = PACKAGE_DIR.parent
    # The fact file shipped with the project, used when ``--facts`` is not given.
    BUNDLED_FACTS = PROJECT_DIR / "facts" / "hanoi-convention.yaml"
    return globals()[name]
