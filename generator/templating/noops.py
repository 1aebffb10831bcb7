"""Customizations that would silently do nothing, or silently look wrong, reported as warnings.

A template directory is searched by exact file name, labels are looked up by exact key and
fonts by exact family, so a near miss (``labels/en.yml``, ``brief/brief.html``, a label key
``timelin``, a font that is not installed) would otherwise change nothing and say nothing.
Each is a warning with a "did you mean", an error under ``--strict``; so is a brand colour
pair below WCAG AA contrast.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from pathlib import Path

from generator.templating.customize import template_files
from generator.templating.paths import TemplatePath
from generator.facts.yamlsource import Problem, display_path, load_yaml

_TEXT_SUFFIXES = {".jinja", ".yaml", ".yml", ".css", ".html", ".md", ".svg", ".txt"}
# L.key, L["key"], L.get("key"): how templates name a label.
_LABEL_USE = re.compile(r"""\bL(?:\.get\(\s*["']|\[\s*["']|\.)([A-Za-z_][A-Za-z0-9_]*)""")
_XML_TAG = re.compile(r"<[^>]+>")


def customization_problems(templates: TemplatePath, brand=None, languages: list[str] | tuple = ()) -> list[Problem]:
    """Every warning about the user's template directories and brand (none for the bundled set)."""
    problems: list[Problem] = []
    if templates.overrides:
        texts = _template_texts(templates)
        problems += _unused_files(templates, texts, languages)
        problems += _unknown_label_keys(templates, texts)
    if brand is not None and brand.custom:
        problems += brand_problems(brand)
    return problems


def _template_texts(templates: TemplatePath) -> str:
    """The text of every template on the path (a .docx's XML without its tags), to find what is used."""
    chunks = []
    for directory in templates.dirs:
        for name in template_files(directory):
            path = directory / name
            try:
                if path.suffix == ".docx":
                    with zipfile.ZipFile(path) as package:
                        chunks += [_XML_TAG.sub("", package.read(part).decode("utf-8", "replace"))
                                   for part in package.namelist() if part.startswith("word/") and part.endswith(".xml")]
                elif set(path.suffixes) & _TEXT_SUFFIXES:
                    chunks.append(path.read_text(encoding="utf-8", errors="replace"))
            except (OSError, zipfile.BadZipFile, KeyError):
                continue
    return "\n".join(chunks)


def _unused_files(templates: TemplatePath, texts: str, languages) -> list[Problem]:
    """Files a build never opens: a near miss of a bundled name, or a label file no language reads."""
    bundled = template_files(templates.bundled)
    problems = []
    for directory in templates.overrides:
        own = template_files(Path(directory))
        for name in own:
            if name in bundled:
                continue
            shown = display_path(Path(directory) / name)
            label_lang = re.fullmatch(r"labels/([^/]+)\.yaml", name)
            if label_lang:
                if languages and label_lang.group(1) not in languages:
                    problems.append(Problem(None, shown, f"not used by any document: {label_lang.group(1)!r} is not "
                                            f"a language of the fact file ({', '.join(languages)})", "warning"))
                continue
            if re.search(rf"(?<![\w.-]){re.escape(Path(name).name)}(?![\w.-])", texts):  # used by a template or the brand
                continue
            candidates = [b for b in bundled if b not in own]
            if name.startswith("labels/") and name.endswith(".yml"):
                close = [name[:-4] + ".yaml"]
            else:
                close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.8)
            if close:
                problems.append(Problem(None, shown, f"not used by any document (did you mean {close[0]}?)", "warning"))
    return problems


def _unknown_label_keys(templates: TemplatePath, texts: str) -> list[Problem]:
    """Label keys of the user's files that neither the bundled labels nor any template know."""
    known: set[str] = set()
    for path in sorted((templates.bundled / "labels").glob("*.yaml")):
        data = load_yaml(path).data
        if isinstance(data, dict) and isinstance(data.get("text"), dict):
            known |= set(data["text"])
    used = set(_LABEL_USE.findall(texts))
    problems = []
    for directory in templates.overrides:
        for path in sorted((Path(directory) / "labels").glob("*.yaml")):
            doc = load_yaml(path)
            text = doc.data.get("text") if isinstance(doc.data, dict) else None
            if not isinstance(text, dict):
                continue  # loading the labels reports it
            for key in text:
                if key in known or key in used:
                    continue
                close = difflib.get_close_matches(str(key), sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(doc.position(("text", key), key=True), f"text.{key}",
                                        f"label {key!r} is not used by any template{hint}", "warning"))
    return problems


def brand_problems(brand) -> list[Problem]:
    """Fonts the brand names that are not installed, and colour pairs below WCAG AA."""
    from generator.templating.contrast import failing_pairs
    from generator.templating.glyphs import font_substitute, installed_families

    doc = brand.document
    problems = []
    for role in ("body", "heading"):
        family = getattr(brand.fonts, role)
        if not brand.sets_font(role):
            continue
        used = font_substitute(family)
        if used is not None:
            close = difflib.get_close_matches(family, list(installed_families() or ()), n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]!r}?)" if close else "; install it, or name an installed font"
            problems.append(Problem(doc.position(("fonts", role)) if doc else None, f"fonts.{role}",
                                    f"font {family!r} is not installed: the PDF and the download page would use "
                                    f"{used!r} instead{hint}", "warning"))
    for pair, ratio in failing_pairs(brand.colours):
        named = [name for name in (pair.foreground, pair.background) if not name.startswith("#")]
        path = ("colours", next((n for n in named if brand.sets_colour(n)), named[0]))
        shown = " on ".join(n if n.startswith("#") else f"{n} {getattr(brand.colours, n)}"
                            for n in (pair.foreground, pair.background))
        problems.append(Problem(doc.position(path) if doc else None, ".".join(path),
                                f"{pair.use} ({shown}) has a contrast of {ratio:.2f}:1; WCAG AA needs at least "
                                f"{pair.minimum:g}:1", "warning"))
    return problems
