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


brand_option = click.option(
    "--brand", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
    help="Brand file (colours, fonts, logo, organization) for every format (default: brand.yaml on the template path).")


def document_options(command):
    """Attach --facts, --lang, --out, --templates and --brand."""
    for option in (brand_option, templates_option, out_option, lang_option, facts_option):
        command = option(command)
    return command


jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
    help="Render up to N documents at once, in separate processes (default: one per CPU; 1: no extra processes).")
no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Render every document again instead of reusing unchanged ones from the build cache (in .OUT.generate/ beside OUT).")


time_budget_option = click.option(
    "--time-budget", type=click.FloatRange(min=0), default=120.0, show_default=True, metavar="SECONDS",
    help="Stop rendering a document that takes longer than this (a template looping without end); 0: no limit.")


def build_options(command):
    """Attach --jobs, --no-cache and --time-budget (the commands that render documents)."""
    return jobs_option(no_cache_option(time_budget_option(command)))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="generate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Bilingual briefing documents (PDF, Word, PowerPoint, Markdown) from a sourced fact file.

    \b
    Typical use:
      generate check                 validate the fact file
      generate brief                 briefing PDFs in every language -> output/
      generate brief --lang vi       only the Vietnamese one
      generate all                   everything, verified, with the download page

    Settings can also come from generate.toml (or [tool.generate] in pyproject.toml) in the
    working directory; command-line options win. `generate config` shows the result.
    """
    from generator.config import default_map, load_config

    if ctx.resilient_parsing:
        return
    ctx.default_map = default_map(load_config(), list(main.commands))


def _options(facts, langs, out, templates, brand=None, jobs=None, no_cache=False, time_budget=120.0, **kind_options):
    from generator.build import BuildOptions

    return BuildOptions(facts=facts, langs=tuple(langs), out=out, templates=templates, brand=brand,
                        kind_options=kind_options, jobs=jobs, use_cache=not no_cache, time_budget=time_budget or None)


def _report(records: list[dict], out: Path, published: bool = True) -> None:
    verb = "wrote" if published else "unchanged"  # a build that changes nothing writes nothing
    for record in records:
        count = record["pages"] if record["pages"] is not None else record["slides"]
        unit = "pages" if record["pages"] is not None else "slides"
        extent = f"{count} {unit}" if count is not None else ""
        click.echo(f"{verb} {out / record['path']}  ({record['lang']}, {record['format']}, "
                   f"{extent}{', ' if extent else ''}{record['bytes']:,} bytes)")


@main.command()
@document_options
@build_options
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3b"]), default="pdf/ua-1",
              show_default=True, help="pdf/ua-1: tagged, accessible PDF; pdf/a-3b: archival PDF.")
def brief(facts, langs, out, templates, brand, jobs, no_cache, time_budget, pdf_variant):
    """Render the briefing PDF of each language (templates/brief/)."""
    _build(["brief"], _options(facts, langs, out, templates, brand, jobs, no_cache, time_budget,
                               pdf_variant=pdf_variant), out)


@main.command()
@document_options
@build_options
def handout(facts, langs, out, templates, brand, jobs, no_cache, time_budget):
    """Render the Word handout (.docx) of each language (templates/handout/)."""
    _build(["handout"], _options(facts, langs, out, templates, brand, jobs, no_cache, time_budget), out)


@main.command()
@document_options
@build_options
def slides(facts, langs, out, templates, brand, jobs, no_cache, time_budget):
    """Render the slide deck (.pptx) and its Markdown outline of each language (templates/slides/)."""
    _build(["slides"], _options(facts, langs, out, templates, brand, jobs, no_cache, time_budget), out)


def _build(kinds: list[str], options, out: Path) -> None:
    from generator.build import BuildReport, build

    report = BuildReport()
    records = build(kinds, options, progress=_progress, report=report)
    _report(records, out, report.published)


def _progress(status) -> None:
    """``[3/6] handout (vi): rendered in 0.3 s`` or ``...: unchanged, from the cache``, on standard error."""
    what = "unchanged, from the cache" if status.cached else f"rendered in {status.seconds:.1f} s"
    click.echo(f"[{status.index}/{status.total}] {status.kind} ({status.lang}): {what}", err=True)


@main.command(name="all")
@document_options
@build_options
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3b"]), default="pdf/ua-1",
              show_default=True, help="Variant of the briefing PDFs.")
def all_documents(facts, langs, out, templates, brand, jobs, no_cache, time_budget, pdf_variant):
    """Build every document in every language, verify them, then publish OUT/index.html and OUT/manifest.json.

    If verification fails, the previously published output stays untouched. Documents whose
    inputs (facts they show, templates, labels, brand, options) did not change since the last
    build are taken from the build cache; --no-cache renders everything again.
    """
    from generator.build import BuildReport, build_all

    report = BuildReport()
    records = build_all(_options(facts, langs, out, templates, brand, jobs, no_cache, time_budget,
                                 pdf_variant=pdf_variant), _progress, report)
    click.echo(summary_table(records, out))
    click.echo(f"rendered {len(report.rendered)} document(s), {len(report.cached)} unchanged from the cache")
    if report.published:
        click.echo(f"published {out / 'index.html'} and {out / 'manifest.json'} (verified)")
    else:
        click.echo(f"{out} is up to date: nothing changed, nothing written (verified)")


def summary_table(records: list[dict], out: Path) -> str:
    """Document, language, format, pages or slides, size, path: aligned columns."""
    rows = [("document", "lang", "format", "pages/slides", "size", "path")]
    for r in sorted(records, key=lambda r: (r["kind"], r["lang"], r["format"])):
        extent = r["pages"] if r["pages"] is not None else r["slides"]
        unit = "p" if r["pages"] is not None else "slides"
        rows.append((r["kind"], r["lang"], r["format"], f"{extent} {unit}" if extent is not None else "-",
                     f"{r['bytes'] / 1000:,.0f} kB", str(out / r["path"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False), default=Path("output"), required=False)
@facts_option
@templates_option
def verify(out, facts, templates):
    """Check a published OUT: every file in manifest.json exists with its sha256, opens,
    and states every key fact (dates, numbers, names) in its own language."""
    from generator.build import BuildOptions
    from generator.facts import load_facts
    from generator.verify import require_verified

    loaded = load_facts(facts)
    require_verified(out, loaded, BuildOptions(templates=templates).template_path())
    click.echo(f"verified {out}: every document is intact and states the key facts in its language")


@main.command()
@document_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Rebuild everything when the fact file or a template changes, and reload the page.")
def serve(facts, langs, out, templates, brand, host, port, watch):
    """Serve OUT (the download page and documents) on http://HOST:PORT/ for preview."""
    from generator.build import build_all, check_output
    from generator.config import find_config
    from generator.facts import BUNDLED_FACTS
    from generator.serve import is_loopback, listening_address, run_server
    from generator.templating import BUNDLED_TEMPLATES

    options = _options(facts, langs, out, templates, brand, pdf_variant="pdf/ua-1")
    listening_address(host, port)  # an address this machine does not have: one line, before any build
    found = check_output(options)  # the rule of every build: nothing of the user's is replaced

    def rebuild() -> None:
        click.echo("rebuilding…", err=True)
        build_all(options)
        click.echo(f"published {out / 'index.html'}", err=True)

    def ready(url: str) -> None:
        if not is_loopback(host):
            click.echo(f"warning: listening on {host}: other machines can reach this server", err=True)
        click.echo(f"serving {out} at {url}  (Ctrl-C to stop)")

    config = find_config()
    watched = [Path(facts or BUNDLED_FACTS), BUNDLED_TEMPLATES, *([Path(templates)] if templates else []),
               *([Path(brand)] if brand else []), *([config[0]] if config else [])]
    run_server(out, host, port, rebuild=rebuild if watch else None, watch=watched,
               initial=rebuild if found.manifest is None else None,
               ready=ready)


@main.command()
@facts_option
@lang_option
@templates_option
@click.option("--strict", is_flag=True, help="Treat warnings (missing translations, unused sources) as errors.")
@click.option("--max-age", type=click.IntRange(min=0), default=90, show_default=True, metavar="DAYS",
              help="Report as stale a document.as_of (or a figure's own as_of) more than DAYS days before today.")
@click.option("--fail-stale", is_flag=True,
              help="Fail when a figure is stale (--strict alone never lets the calendar fail a check).")
@time_budget_option
def check(facts, langs, templates, strict, max_age, fail_stale, time_budget):
    """Validate the fact file and the templates; list missing translations and discrepancies,
    and warn when the facts were last verified too long ago.

    Exits 1 on errors, and on warnings too with --strict.
    """
    from generator.checking import run_check, today

    ok = run_check(facts, langs, templates, strict=strict, echo=click.echo, max_age=max_age, today=today(),
                   time_budget=time_budget or None, fail_stale=fail_stale)
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="text: one line per change, for the terminal; markdown: a report with old and new texts.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="Write the report to FILE (one that generate diff wrote, or a new one) instead of standard output.")
def diff(old, new, fmt, output):
    """List what changed between two fact files: added, removed and changed statements and
    figures, per language, by field path (e.g. signature.signatories.value: 72 → 74).

    OLD may follow an older schema: both files are compared as plain data. List items are
    matched by their id where they have one, else by position.
    """
    from generator.diff import run_diff, write_report

    report = run_diff(old, new, fmt)
    if output is None:
        click.echo(report, nl=False)
    else:
        write_report(output, report)
        click.echo(f"wrote {output}", err=True)


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
        write_new_or_own_file(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)


def write_new_or_own_file(path: Path, data: bytes) -> None:
    """Write ``path`` (a file the user named), or say in one line why not; nothing is created on failure."""
    from generator.errors import ConfigError
    from generator.limits import describe_os_error

    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"cannot write {path}: the folder {folder} does not exist; create it first")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ConfigError(f"cannot write {path}: it is not a regular file")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {describe_os_error(exc)}") from None


def fact_file_schema(model) -> dict:
    """The model's JSON Schema with the draft and a title an editor can show."""
    body = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **body, "title": "Fact file for the generate briefing toolkit"}


@main.command()
@document_options
def config(facts, langs, out, templates, brand):
    """Print the merged configuration and where each value came from."""
    from generator.config import SETTINGS, load_config

    ctx = click.get_current_context()
    project = load_config()
    params = {"facts": "facts", "out": "out", "languages": "langs", "templates": "templates", "brand": "brand"}
    values = {"facts": facts, "out": out, "languages": langs, "templates": templates, "brand": brand}
    click.echo(f"configuration file: {project.file or 'none (looked for generate.toml and [tool.generate] in pyproject.toml)'}")
    rows = []
    for name, (meaning, default) in SETTINGS.items():
        source = ctx.get_parameter_source(params[name]) if name in params else None
        if source is click.core.ParameterSource.COMMANDLINE:
            value, origin = values[name], "command line"
        elif name in project.settings:
            value, origin = project.settings[name].value, project.settings[name].origin
        else:
            value, origin = default, "default"
        shown = ", ".join(value) if isinstance(value, tuple) else ("-" if value is None else str(value))
        rows.append((name, shown, origin, meaning))
    widths = [max(len(r[i]) for r in rows + [("setting", "value", "from", "")]) for i in range(3)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(("setting", "value", "from"), widths)).rstrip())
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)).rstrip())


@main.group()
def templates():
    """List the templates and where each comes from, or copy bundled ones to edit."""


@templates.command(name="list")
@templates_option
def templates_list(templates):
    """Every template and asset, bundled or overridden by your --templates directory."""
    from generator.build import BuildOptions
    from generator.customize import list_templates

    rows = list_templates(BuildOptions(templates=templates).template_path())
    width = max(len(name) for name, _ in rows)
    for name, origin in rows:
        click.echo(f"{name.ljust(width)}  {origin}")


@templates.command(name="eject")
@click.argument("kind")
@click.option("--to", "target", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Directory to copy into (default: the configured templates directory, else ./templates-custom).")
def templates_eject(kind, target):
    """Copy the bundled templates of KIND (brief, handout, slides, site, labels) for editing.

    Existing files are never overwritten. Then build with --templates DIR (or set
    templates = "DIR" in generate.toml) and edit the copies.
    """
    from generator.config import load_config
    from generator.customize import eject
    from generator.templating import TemplatePath

    target = target or load_config().get("templates") or Path("templates-custom")
    for path in eject(TemplatePath(), kind, target):
        click.echo(f"copied {path}")
    click.echo(f"now build with --templates {target}")
