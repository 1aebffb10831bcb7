"""The template search path: the user's override directories first, then the bundled ``templates/``.

``builtin:NAME`` always means the bundled file, so an override can extend the file it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator import PROJECT_DIR
from generator.errors import TemplateError

#: ``{% extends "builtin:brief/brief.html.jinja" %}``: the bundled template, not an override of it.
BUILTIN_PREFIX = "builtin"
#: Templates and assets shipped with the project.
BUNDLED_TEMPLATES = PROJECT_DIR / "templates"


@dataclass(frozen=True)
class TemplatePath:
    """Where templates and assets are looked up: user overrides first, the bundled set last."""

    overrides: tuple[Path, ...] = ()
    bundled: Path = BUNDLED_TEMPLATES
    dirs: tuple[Path, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dirs", tuple(p.resolve() for p in (*self.overrides, self.bundled)))

    def find(self, name: str) -> Path:
        """The file ``name`` (relative, ``/``-separated) from the first directory that has it."""
        if name.startswith(BUILTIN_PREFIX + ":"):
            return self._inside(self.bundled.resolve(), name.split(":", 1)[1], name)
        for directory in self.dirs:
            candidate = self._inside(directory, name, name, must_exist=False)
            if candidate.is_file():
                return candidate
        raise TemplateError(f"template file not found: {name} (looked in {', '.join(map(str, self.dirs))})")

    def origin(self, name: str) -> str:
        """``bundled`` or ``overridden (DIR)`` for the file that ``find`` returns."""
        found = self.find(name)
        bundled = self.bundled.resolve()
        return "bundled" if found.is_relative_to(bundled) else f"overridden ({found.parent})"

    @staticmethod
    def _inside(directory: Path, name: str, shown: str, must_exist: bool = True) -> Path:
        candidate = (directory / name).resolve()
        if not candidate.is_relative_to(directory):
            if (directory / name).is_symlink() and ".." not in Path(name).parts and not Path(name).is_absolute():
                raise TemplateError(f"refused to read the template {shown}: it is a link to {candidate}, "
                                    f"outside the template directory {directory}")
            raise TemplateError(f"template name {shown!r} points outside the template directory {directory}")
        if must_exist and not candidate.is_file():
            raise TemplateError(f"template file not found: {shown} (in {directory})")
        return candidate
