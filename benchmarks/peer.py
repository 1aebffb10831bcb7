"""The peer: Pandoc producing the same six documents from the same content.

For each language, Pandoc gets Markdown holding what our documents hold, prepared before
the clock starts: the briefing's HTML (rendered by our templates, graphics included)
converted to Markdown, the handout converted from our .docx, and our slide outline as
it is (it is Pandoc-compatible Markdown). Timed: Pandoc writing the PDF through its
WeasyPrint engine, the .docx and the .pptx, one process per document as a user would run it.

    python benchmarks/peer.py html --facts FACTS --lang vi -o brief-vi.html   # (used by run.py)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from measure import Run, run

#: Pandoc's Markdown without raw HTML and attribute syntax: the text, tables, images and links.
MARKDOWN = "markdown-raw_html-native_divs-native_spans-fenced_divs-bracketed_spans-raw_attribute-link_attributes-header_attributes"


def pandoc_path() -> str | None:
    """The pandoc binary of the ``pypandoc-binary`` package (the ``bench`` extra), or None."""
    try:
        import pypandoc
    except ImportError:
        return None
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        return None


def pandoc_version(pandoc: str) -> str:
    return subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


@dataclass
class PeerInputs:
    """Markdown per language and document kind, ready for Pandoc."""

    folder: Path
    langs: list[str]
    titles: dict[str, str]
    tags: dict[str, str]

    def source(self, kind: str, lang: str) -> Path:
        return self.folder / f"{kind}-{lang}.md"


def prepare(pandoc: str, *, root: Path, python: str, env: dict[str, str], facts: Path, out: Path,
            folder: Path) -> PeerInputs:
    """Markdown inputs from our own build in ``out`` (built from ``facts``); not timed."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    langs = manifest["facts"]["languages"]
    titles, tags = {}, {}
    for lang in langs:
        html = folder / f"brief-{lang}.html"
        subprocess.run([python, str(Path(__file__).resolve()), "html", "--facts", str(facts), "--lang", lang,
                        "-o", str(html)], cwd=folder, env=env, check=True)
        subprocess.run([pandoc, "-f", "html", "-t", MARKDOWN, str(html), "-o", str(folder / f"brief-{lang}.md")],
                       check=True)
        docs = {(d["kind"], d["format"]): d for d in manifest["documents"] if d["lang"] == lang}
        subprocess.run([pandoc, "-f", "docx", "-t", MARKDOWN, str(out / docs[("handout", "docx")]["path"]),
                        "-o", str(folder / f"handout-{lang}.md")], check=True)
        (folder / f"slides-{lang}.md").write_bytes((out / docs[("slides", "md")]["path"]).read_bytes())
        titles[lang] = docs[("brief", "pdf")]["title"]
        tags[lang] = _language_tag(html)
    return PeerInputs(folder, langs, titles, tags)


def _language_tag(html: Path) -> str:
    import re

    match = re.search(r'<html[^>]*\blang="([^"]+)"', html.read_text(encoding="utf-8"))
    return match.group(1) if match else "und"


def convert_all(pandoc: str, inputs: PeerInputs, env: dict[str, str]) -> list[tuple[str, Run]]:
    """Pandoc producing the six documents, one process each; ``(document, measurement)``."""
    results = []
    for lang in inputs.langs:
        meta = ["--metadata", f"title={inputs.titles[lang]}", "--metadata", f"lang={inputs.tags[lang]}"]
        jobs = [
            (f"brief ({lang}) pdf", [pandoc, str(inputs.source("brief", lang)), "-s", "--pdf-engine=weasyprint",
                                     *meta, "-o", str(inputs.folder / f"peer-brief-{lang}.pdf")]),
            (f"handout ({lang}) docx", [pandoc, str(inputs.source("handout", lang)), *meta,
                                        "-o", str(inputs.folder / f"peer-handout-{lang}.docx")]),
            (f"slides ({lang}) pptx", [pandoc, str(inputs.source("slides", lang)),
                                       "-o", str(inputs.folder / f"peer-slides-{lang}.pptx")]),
        ]
        for name, args in jobs:
            measured = run(args, cwd=inputs.folder, env=env)
            if measured.returncode != 0:
                raise RuntimeError(f"pandoc failed for {name}: {measured.stderr[-2000:]}")
            results.append((name, measured))
    return results


def _write_brief_html(facts: Path, lang: str, target: Path) -> None:
    """The briefing's HTML as our templates render it (the input WeasyPrint gets)."""
    from generator.templating.context import template_context
    from generator.facts.load import load_facts
    from generator.renderers.brief.html import render_html
    from generator.templating.environment import create_environment
    from generator.templating.paths import TemplatePath

    templates = TemplatePath()
    html = render_html(create_environment(templates), template_context(load_facts(facts), lang, templates), templates)
    target.write_text(html, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="helpers for the Pandoc comparison")
    sub = parser.add_subparsers(dest="command", required=True)
    html = sub.add_parser("html", help="write the briefing's HTML of one language")
    html.add_argument("--facts", type=Path, required=True)
    html.add_argument("--lang", required=True)
    html.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    _write_brief_html(args.facts, args.lang, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
