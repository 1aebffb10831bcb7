"""``generate new DIR``: a folder for another treaty that passes ``generate check`` and builds.

It holds a commented fact-file skeleton (``facts/skeleton.yaml``, every text a bracketed
placeholder to replace), the JSON Schema an editor completes it with, and a
``generate.toml`` that makes plain ``generate all`` build it from anywhere inside the folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import ConfigError
from generator.facts.load import BUNDLED_FACTS

SKELETON = BUNDLED_FACTS.parent / "skeleton.yaml"
SCHEMA = BUNDLED_FACTS.parent / "fact-file.schema.json"
DEFAULT_SLIDES = ["title", "at_a_glance", "edition", "timeline", "structure", "offences", "safeguards", "ceremony",
                  "country_role", "next_steps", "sources"]

CONFIG = '''\
# Settings for `generate` run in this folder or any folder below it; the command line wins.
# `generate config` shows every setting and where its value comes from.
facts = "facts/{name}.yaml"
out = "output"
name = "{name}"                 # output files: {name}-brief.pdf, {name}-handout.docx, ...
# languages = ["vi", "en"]      # build only some of the fact file's languages
# templates = "templates-custom"  # your overrides: `generate templates eject brief` copies some there
# brand = "templates-custom/brand.yaml"
# jobs = 2                      # documents rendered at once (default: one per CPU)
# pdf_variant = "pdf/a-3b"      # archival PDF instead of the accessible pdf/ua-1
# slides = {slides}
'''

GITIGNORE = "/output/\n/.output.generate/\n"


def slug(text: str) -> str:
    """``My Treaty`` -> ``my-treaty``: a file name of letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "treaty"


def new_project(directory: Path, name: str | None = None) -> list[Path]:
    """Write the skeleton into ``directory``; refuse (writing nothing) if any of its files exists."""
    directory = Path(directory)
    name = name or slug(directory.resolve().name)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ConfigError(f"--name: expected a file name of letters, digits, '.', '_' or '-', found {name!r}")
    slides = "[" + ", ".join(f'"{s}"' for s in DEFAULT_SLIDES) + "]"
    files = {
        Path("facts") / f"{name}.yaml": SKELETON.read_text(encoding="utf-8"),
        Path("facts") / SCHEMA.name: SCHEMA.read_text(encoding="utf-8"),
        Path("generate.toml"): CONFIG.format(name=name, slides=slides),
        Path(".gitignore"): GITIGNORE,
    }
    existing = [str(directory / rel) for rel in files if (directory / rel).exists() or (directory / rel).is_symlink()]
    if existing:
        raise ConfigError("refusing to overwrite existing files (nothing was written): " + ", ".join(existing))
    written = []
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # "x": never replace a file made meanwhile
            handle.write(text)
        written.append(path)
    return written
