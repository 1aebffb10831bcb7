"""Helpers several test modules share: the minimal fact file with an edit, made-up documents, and
documents' text as a reader compares it. (Fixtures live in conftest.py; these are plain functions.)"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Callable

import yaml

MINIMAL = Path(__file__).parent / "roots" / "minimal" / "facts.yaml"


def minimal_facts(directory: Path, edit: Callable[[dict], object] | None = None, *, name: str = "facts.yaml") -> Path:
    """The minimal fixture (tests/roots/minimal/facts.yaml) with ``edit(data)`` applied to its data,
    written as ``directory/name``; returns that path. The file's stem names the outputs
    (``facts-brief.pdf``). Long lines are never folded, so a text stays exactly as given."""
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    path = Path(directory) / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    return path


_INVISIBLE = re.compile(r"[\u00ad\u034f\u200b-\u200f\u2060-\u2069\ufe00-\ufe0f\ufeff]")


def shown(text: str) -> str:
    """Text as a reader compares it: NFC, invisible marks (joiners, variation selectors, isolates)
    dropped, whitespace runs folded to one space."""
    return re.sub(r"\s+", " ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))).strip()


def pdf_text(path: Path) -> str:
    """The PDF's text in drawing order (pypdf)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def ooxml_text(path: Path, part: str, namespace: str) -> str:
    """Text of matching parts, paragraph by paragraph (runs joined as a reader sees them)."""
    from lxml import etree

    lines = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if re.fullmatch(part, name):
                root_element = etree.fromstring(archive.read(name))
                for paragraph in root_element.iter(f"{{{namespace}}}p"):
                    lines.append("".join(
                        (node.text or "") if node.tag == f"{{{namespace}}}t" else " "  # a break or tab reads as a space
                        for node in paragraph.iter(*(f"{{{namespace}}}{tag}" for tag in ("t", "br", "cr", "tab")))))
    return "\n".join(lines)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation


def document_texts(out: Path, lang: str, stem: str = "facts") -> dict[str, str]:
    """What a reader of each format sees, per format, of the documents ``OUT/LANG/STEM-*``."""
    base = f"{lang}/{stem}"
    return {
        "pdf": pdf_text(out / f"{base}-brief.pdf"),
        "docx": ooxml_text(out / f"{base}-handout.docx", r"word/(document|header\d*|footer\d*)\.xml", W),
        "pptx": ooxml_text(out / f"{base}-slides.pptx", r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml", A),
        "md": MARKDOWN_ESCAPE.sub(r"\1", (out / f"{base}-slides.md").read_text(encoding="utf-8")),
    }


def synthetic(kind: str, lang: str, path: str, fmt: str, title: str):
    """A made-up document, as a renderer returns it: for tests of what happens around documents
    (writing, publishing, the build's plumbing), where rendering is not under test."""
    from generator.renderers import Output

    return Output(kind=kind, lang=lang, format=fmt, path=path, data=f"{title}: {kind} ({lang}, {fmt})\n".encode(),
                  title=title)


MARP = Path(__file__).parent.parent / "node_modules" / ".bin" / "marp"


def marp_sections(outline: Path, workdir: Path, script: str):
    """Render a Markdown outline with Marp CLI (pinned in package-lock.json) and evaluate
    ``script`` — a JavaScript function of ``sections``, the rendered slides' <section> elements —
    in headless Chromium at 1280 × 720; returns what it returns."""
    import os
    import shutil
    import subprocess

    from playwright.sync_api import sync_playwright

    source = workdir / "outline.md"
    shutil.copy(outline, source)
    html = workdir / "outline.html"
    subprocess.run([str(MARP), "--html", "--template", "bare", str(source), "-o", str(html)], check=True,
                   capture_output=True, timeout=120, env={**os.environ, "CHROME_PATH": shutil.which("chromium")})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(html.as_uri())
        found = page.evaluate(f"""() => ({script})(
            [...document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section')])""")
        browser.close()
    return found


#: Run ``generate`` with ``args`` in a fresh interpreter and print, after ``@@``, its exit code and
#: which of the ``heavy`` top-level packages it imported (fill in with ``str.format``).
IMPORT_PROBE = """
import json, sys
from generator.commands.cli import main
try:
    main({args!r})
except SystemExit as exit:
    code = exit.code
print("@@" + json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})]))
"""
