"""``generate templates``: which templates exist and where each comes from; copying bundled ones for editing."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.errors import ConfigError
from generator.limits import describe_os_error
from generator.templating.paths import TemplatePath

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
    target = Path(target)
    destinations = [(templates.bundled / n, target / n) for n in names]
    blocked = _blocked(target, [dest for _, dest in destinations])
    if blocked:
        raise ConfigError(f"refusing to copy into {target}: {blocked} (nothing was copied)")
    created: list[Path] = []
    try:
        for source, dest in destinations:
            for folder in reversed([dest.parent, *dest.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            with open(source, "rb") as reader, open(dest, "xb") as writer:  # "x": never through a link, never over a file
                created.append(dest)
                shutil.copyfileobj(reader, writer)
            shutil.copymode(source, dest)
    except OSError as exc:
        for path in reversed(created):  # only what this command made
            path.unlink() if not path.is_dir() or path.is_symlink() else path.rmdir()
        raise ConfigError(f"cannot copy into {target}: {describe_os_error(exc)} ({exc.filename}); "
                          f"nothing was copied") from None
    return [dest for _, dest in destinations]


def _blocked(target: Path, destinations: list[Path]) -> str | None:
    """What stops copying every file of ``destinations`` (all under ``target``), or None.

    Everything is checked before anything is copied: an existing file (never overwritten),
    a symbolic link where a file or folder would go (even a dangling one, which would
    otherwise be followed to wherever it points), a file where a folder is needed.
    """
    problems: list[str] = []
    seen: set[Path] = set()
    for dest in destinations:
        for path in [*reversed(dest.relative_to(target).parents), dest.relative_to(target)]:
            full = target / path
            if full in seen or full == target:
                continue
            seen.add(full)
            if full.is_symlink():
                problems.append(f"{full} is a symbolic link")
            elif full == dest and full.exists():
                problems.append(f"{full} exists")
            elif full != dest and full.exists() and not full.is_dir():
                problems.append(f"{full} is a file where a folder is needed")
    if target.is_symlink() and not target.exists():
        problems.append(f"{target} is a symbolic link to something that does not exist")
    for folder in [target, *target.parents]:
        if folder.exists() and not folder.is_dir():
            problems.append(f"{folder} is a file where a folder is needed")
            break
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0] + more
