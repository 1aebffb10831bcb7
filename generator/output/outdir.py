"""Which folder a build may write to, and which of its entries are the build's own.

The rule (``docs/reliability.md``): OUT is new, empty, or holds a ``manifest.json`` that a
build wrote; a build replaces or deletes only the files that manifest lists and leaves every
other entry of OUT exactly as it is. OUT must not be or contain the working directory, an
input of the build, the user's home or a system folder. A symbolic link given as OUT is
followed (its target is judged by the same rule); it is never replaced.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from generator import PACKAGE_DIR
from generator.errors import OutputFolderError
from generator.output.manifest import MANIFEST, owned_files, read_manifest

#: Folders of the system that are never an output folder (nor is anything containing them).
SYSTEM_FOLDERS = ("/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt",
                  "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin",
                  "/usr/lib", "/usr/local", "/usr/share", "/var", "/var/lib", "/var/tmp", "/Users", "/System",
                  "/Library", "/Applications", "/private")
#: How many foreign entries a refusal names.
SHOWN = 3


def refuse(out: Path, reason: str) -> OutputFolderError:
    return OutputFolderError(f"refusing to write to {out}: {reason}")


def real_path(out: Path) -> Path:
    """OUT with symbolic links followed; a link to nowhere or to a non-folder is refused."""
    out = Path(out)
    if out.is_symlink():
        target = out.resolve()
        if not target.exists():
            raise refuse(out, f"it is a symbolic link to {target}, which does not exist")
    resolved = out.resolve()
    if resolved.exists() and not resolved.is_dir():
        raise refuse(out, "it exists and is not a folder")
    return resolved


def check_location(out: Path, *, inputs: dict[str, Path | None], template_dirs: tuple[Path, ...] = ()) -> None:
    """Refuse an OUT that is or contains the working directory, an input, home or a system folder.

    ``inputs``: what the build reads, by the name a message uses ("the fact file": path).
    A template directory is also refused as OUT's parent (outputs would become templates).
    """
    real = real_path(out)
    for folder in SYSTEM_FOLDERS:
        if real == Path(folder).resolve():
            raise refuse(out, f"it is the system folder {folder}")
    cwd = Path.cwd().resolve()
    if real == cwd:
        raise refuse(out, "it is the working directory; choose a new or empty folder, e.g. --out output")
    if cwd.is_relative_to(real):
        raise refuse(out, f"it contains the working directory {cwd}; choose a new or empty folder, e.g. --out output")
    home = Path.home().resolve()
    if home.is_relative_to(real):
        raise refuse(out, f"it {'is' if real == home else 'contains'} your home folder {home}")
    program = PACKAGE_DIR
    if program.is_relative_to(real):
        raise refuse(out, f"it contains the generate program {program}")
    for directory in template_dirs:
        directory = Path(directory).resolve()
        if directory.is_relative_to(real) or real.is_relative_to(directory):
            relation = "is" if directory == real else ("contains" if directory.is_relative_to(real) else "is inside")
            raise refuse(out, f"it {relation} the template directory {directory}")
    for what, path in inputs.items():
        if path is not None and Path(path).resolve().is_relative_to(real):
            raise refuse(out, f"it contains {what} {Path(path).resolve()}")


@dataclass
class OutputFolder:
    """OUT as found: its real path, the manifest of the build that wrote it, and what is not ours."""

    given: Path
    """OUT as the user named it."""
    path: Path
    """Its real path (a symbolic link followed)."""
    exists: bool
    manifest: dict | None = None
    owned: set[str] = field(default_factory=set)
    """Files of OUT the previous build wrote (relative, ``/``-separated, ``manifest.json`` included)."""
    foreign: list[str] = field(default_factory=list)
    """Entries of OUT that are not ours (relative paths, sorted): they are never touched."""

    @property
    def owned_dirs(self) -> set[str]:
        """Folders on the way to an owned file."""
        dirs = set()
        for rel in self.owned:
            parts = rel.split("/")[:-1]
            dirs |= {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
        return dirs

    def file_is_ours(self, rel: str) -> bool:
        """True when ``rel`` is a regular file the previous build wrote (not replaced by something else since)."""
        try:
            return rel in self.owned and stat.S_ISREG(os.lstat(self.path / rel).st_mode)
        except OSError:
            return False


def inspect(out: Path) -> OutputFolder:
    """OUT and its entries; refuses an OUT that holds entries but no manifest of ours."""
    real = real_path(out)
    if not real.exists():
        return OutputFolder(Path(out), real, exists=False)
    manifest = read_manifest(real, shown=Path(out))
    if manifest is None:
        with os.scandir(real) as listing:
            entries = sorted(entry.name for entry in listing)
        if entries:
            shown = ", ".join(entries[:SHOWN]) + (", …" if len(entries) > SHOWN else "")
            raise refuse(out, f"it holds files that generate did not write ({shown}) and no {MANIFEST}; "
                              "choose a new or empty folder")
        return OutputFolder(Path(out), real, exists=True)
    folder = OutputFolder(Path(out), real, exists=True, manifest=manifest, owned=owned_files(manifest, real))
    dirs = folder.owned_dirs
    stack = [""]
    while stack:  # only folders on the way to our files are entered: a foreign folder is one entry
        prefix = stack.pop()
        with os.scandir(real / prefix if prefix else real) as listing:
            for entry in listing:
                rel = f"{prefix}/{entry.name}" if prefix else entry.name
                if rel in dirs and entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                elif not (rel in folder.owned and entry.is_file(follow_symlinks=False)):
                    folder.foreign.append(rel)
    folder.foreign.sort()
    folder.owned = {rel for rel in folder.owned if folder.file_is_ours(rel)}
    return folder
