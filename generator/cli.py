"""The ``generate`` command line: thin wrappers that parse options and call the build API.

Heavy modules (WeasyPrint, python-docx, python-pptx) are imported only inside the commands
that render documents, so ``--help``, ``check`` and ``schema`` start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from generator import __version__

# Options shared by the document commands, each defined once.
facts_option = click.option(
    "--facts", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="PATH",
    help="Fact file to render (default: the bundled facts/hanoi-convention.yaml).")
lang_option = click.option(
    "--lang", "langs", multiple=True, metavar="CODE",
    help="Language to build; repeat for several (default: every language in the fact file).")
out_option = click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), default=Path("output"), show_default=True,
    metavar="DIR", help="Output directory.")
templates_option = click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
    help="Your template directory, searched before the bundled templates/.")


def document_options(command):
    """Attach --facts, --lang, --out and --templates."""
    for option in (templates_option, out_option, lang_option, facts_option):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="generate")
def main() -> None:
    """Bilingual briefing documents (PDF, Word, PowerPoint, Markdown) from a sourced fact file.

    \b
    Typical use:
      generate check                 validate the fact file
      generate brief                 briefing PDFs in every language -> output/
      generate brief --lang vi       only the Vietnamese one
    """


def _options(facts, langs, out, templates, **kind_options):
    from generator.build import BuildOptions

    return BuildOptions(facts=facts, langs=tuple(langs), out=out, templates=templates,
                        kind_options=kind_options)


def _report(records: list[dict], out: Path) -> None:
    for record in records:
        count = record["pages"] if record["pages"] is not None else record["slides"]
        unit = "pages" if record["pages"] is not None else "slides"
        extent = f"{count} {unit}" if count is not None else ""
        click.echo(f"wrote {out / record['path']}  ({record['lang']}, {record['format']}, "
                   f"{extent}{', ' if extent else ''}{record['bytes']:,} bytes)")


@main.command()
@document_options
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3b"]), default="pdf/ua-1",
              show_default=True, help="pdf/ua-1: tagged, accessible PDF; pdf/a-3b: archival PDF.")
def brief(facts, langs, out, templates, pdf_variant):
    """Render the briefing PDF of each language (templates/brief/)."""
    from generator.build import build

    _report(build(["brief"], _options(facts, langs, out, templates, pdf_variant=pdf_variant)), out)


@main.command()
@document_options
def handout(facts, langs, out, templates):
    """Render the Word handout (.docx) of each language (templates/handout/)."""
    from generator.build import build

    _report(build(["handout"], _options(facts, langs, out, templates)), out)


@main.command()
@document_options
def slides(facts, langs, out, templates):
    """Render the slide deck (.pptx) and its Markdown outline of each language (templates/slides/)."""
    from generator.build import build

    _report(build(["slides"], _options(facts, langs, out, templates)), out)


@main.command()
@facts_option
@lang_option
@templates_option
@click.option("--strict", is_flag=True, help="Treat warnings (missing translations, unused sources) as errors.")
def check(facts, langs, templates, strict):
    """Validate the fact file and the templates; list missing translations and discrepancies.

    Exits 1 on errors, and on warnings too with --strict.
    """
    from generator.checking import run_check

    ok = run_check(facts, langs, templates, strict=strict, echo=click.echo)
    sys.exit(0 if ok else 1)


@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the schema to this file instead of standard output.")
def schema(output):
    """Print the JSON Schema of fact files (for editor completion and validation)."""
    from generator.models import FactFile

    text = json.dumps(fact_file_schema(FactFile), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


def fact_file_schema(model) -> dict:
    """The model's JSON Schema with the draft and a title an editor can show."""
    body = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **body, "title": "Fact file for the generate briefing toolkit"}
