"""``generate templates``: which templates exist and where each comes from; copying bundled ones for editing."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.errors import ConfigError
from generator.templating import TemplatePath

_IGNORED = {"__pycache__", ".DS_Store"}


def template_files(directory: Path) -> list[str]:
    """Relative ``/`` paths of every template and asset under ``directory``."""
    if not directory.is_dir():
        return []
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                  if p.is_file() and not (_IGNORED & set(p.parts)) and not p.name.startswith("~$"))


def list_templates(templates: TemplatePath) -> list[tuple[str, str]]:
    """``(name, origin)`` for every bundled template and every file of the override directories."""
    names = set(template_files(templates.bundled))
    for directory in templates.overrides:
        names |= set(template_files(Path(directory)))
    rows = []
    bundled = set(template_files(templates.bundled))
    for name in sorted(names):
        origin = templates.origin(name)
        if origin != "bundled" and name not in bundled:
            origin = origin.replace("overridden", "added", 1)
        rows.append((name, origin))
    return rows


def kinds(templates: TemplatePath) -> list[str]:
    """Template groups that can be ejected: the bundled top-level directories."""
    return sorted(p.name for p in templates.bundled.iterdir() if p.is_dir() and p.name not in _IGNORED)


def eject(templates: TemplatePath, kind: str, target: Path) -> list[Path]:
    """Copy bundled templates into ``target``, under their own names; refuse to overwrite anything.

    ``kind`` is a kind (``brief``: its whole folder), ``brand`` (``brand.yaml``), or the name
    of one bundled file (``brief/style.css.jinja``).
    """
    import difflib

    available = kinds(templates)
    bundled = template_files(templates.bundled)
    if kind in available:
        names = [n for n in bundled if n.startswith(kind + "/")]
    elif kind == "brand":
        names = ["brand.yaml"]
    elif kind.strip("/") in bundled:
        names = [kind.strip("/")]
    else:
        close = difflib.get_close_matches(kind, available + ["brand"] + bundled, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"unknown template {kind!r}{hint}; expected a kind ({', '.join(available)}), brand, "
                          "or a file that `generate templates list` shows")
    destinations = [(templates.bundled / n, Path(target) / n) for n in names]
    existing = [str(dest) for _, dest in destinations if dest.exists()]
    if existing:
        raise ConfigError("refusing to overwrite existing files (nothing was copied): " + ", ".join(existing))
    for source, dest in destinations:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
    return [dest for _, dest in destinations]
