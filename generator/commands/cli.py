"""The ``generate`` command line: thin wrappers that parse options and call the build API.

Heavy modules (WeasyPrint, python-docx, python-pptx) are imported only inside the commands
that render documents, so ``--help``, ``check`` and ``schema`` start fast.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click

from generator import __version__
from generator.commands.lazygroup import LazyGroup

if TYPE_CHECKING:  # pathlib is imported when a command is built or runs: `generate --help` needs none
    from pathlib import Path

# Options shared by the document commands, each defined once. Each is a function that makes its
# option when a command is built (not at import: a click.Path costs a gettext lookup, and
# `generate --help` builds no command).
def path_type(**checks) -> click.Path:
    """A path option's type (``dir_okay=False``: a file; ``file_okay=False``: a folder), given as a :class:`~pathlib.Path`."""
    from pathlib import Path

    return click.Path(path_type=Path, **checks)


def default_out() -> "Path":
    """The output folder when --out is not given."""
    from pathlib import Path

    return Path("output")


def facts_option(command):
    return click.option(
        "--facts", type=path_type(dir_okay=False), default=None, metavar="PATH",
        help="Fact file to render (default: the bundled facts/hanoi-convention.yaml).")(command)


def _split_languages(ctx, param, value) -> tuple[str, ...]:
    """``--lang vi,en`` and ``--lang vi --lang en`` mean the same."""
    return tuple(code for item in value or () for code in re.split(r"[,\s]+", item) if code)


lang_option = click.option(
    "--lang", "langs", multiple=True, metavar="CODE", callback=_split_languages,
    help="Language to build: --lang vi,en or repeated (default: every language in the fact file).")


def out_option(command):
    return click.option(
        "--out", type=path_type(file_okay=False), default=default_out(), show_default=True,
        metavar="DIR", help="Output directory.")(command)


def templates_option(command):
    return click.option(
        "--templates", type=path_type(file_okay=False), default=None, metavar="DIR",
        help="Your template directory, searched before the bundled templates/.")(command)


def brand_option(command):
    return click.option(
        "--brand", type=path_type(dir_okay=False), default=None, metavar="FILE",
        help="Brand file (colours, fonts, logo, organization) for every format (default: brand.yaml on the template path).")(command)


def document_options(command):
    """Attach --facts, --lang, --out, --templates and --brand."""
    for option in (brand_option, templates_option, out_option, lang_option, facts_option):
        command = option(command)
    return command


def jobs_option(command):
    return click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
        help="Render up to N documents at once, in separate processes, plus one that starts the Word and PowerPoint "
             "documents while the PDF libraries load (default: one per CPU; 1: no extra processes).")(command)

no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Render every document again instead of reusing unchanged ones from the build cache (in .OUT.generate/ beside OUT).")


build_flags = [
    click.option("--name", default=None, metavar="NAME",
                 help="Output file names NAME-brief.pdf, NAME-handout.docx, ... (default: the fact file's name)."),
    click.option("--allow-missing", is_flag=True,
                 help="Publish despite missing translations; each gap shows a mark in the document's language."),
    click.option("--strict", is_flag=True,
                 help="Treat warnings (settings that do nothing, slide limits, contrast) as errors."),
    click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors."),
    click.option("--verbose", "-v", is_flag=True, help="Also print the configuration file and every file written."),
    click.option("--open", "open_page", is_flag=True, help="Open the download page when the build is done."),
    click.option("--watch", is_flag=True,
                 help="Build again whenever the fact file, a template or the brand changes (Ctrl-C to stop)."),
]


def time_budget_option(command):
    return click.option(
        "--time-budget", type=click.FloatRange(min=0), default=120.0, show_default=True, metavar="SECONDS",
        help="Stop rendering a document that takes longer than this (a template looping without end); 0: no limit.")(command)


def build_options(command):
    """Attach --jobs, --no-cache, --time-budget and the flags every rendering command shares."""
    for option in reversed(build_flags):
        command = option(command)
    return jobs_option(no_cache_option(time_budget_option(command)))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    working directory or the nearest folder above it that has one; command-line options win.
    `generate config` shows the result.
    """
    from generator.commands.config import default_map, load_config

    if ctx.resilient_parsing:
        return
    ctx.default_map = default_map(load_config(), main.list_commands(ctx))


def _options(facts, langs, out, templates, brand=None, jobs=None, no_cache=False, time_budget=120.0, name=None,
             allow_missing=False, strict=False, **kind_options):
    from generator.pipeline.build import BuildOptions
    from generator.commands.config import load_config

    config = load_config()
    return BuildOptions(facts=facts, langs=tuple(langs), out=out, templates=templates, brand=brand,
                        kind_options=kind_options, jobs=jobs, use_cache=not no_cache, time_budget=time_budget or None,
                        name=name, allow_missing=allow_missing, strict=strict, slides=tuple(config.get("slides") or ()),
                        config_file=config.file)


class Run:
    """How one build command talks: --quiet, --verbose, --open and --watch."""

    def __init__(self, out: Path, quiet=False, verbose=False, open_page=False, watch=False, **_ignored) -> None:
        self.out, self.quiet, self.verbose, self.open_page, self.watch = out, quiet, verbose, open_page, watch
        if quiet and verbose:
            raise click.UsageError("--quiet and --verbose cannot be used together")

    def echo(self, text: str) -> None:
        if not self.quiet:
            click.echo(text)

    def report(self):
        """A report for one build whose warnings are printed as they are found (also with --quiet)."""
        from generator.pipeline.build import BuildReport

        return BuildReport(on_warning=lambda text: click.echo(f"warning: {text}", err=True))

    def progress(self, status) -> None:
        """``rendering brief (vi)…`` as a document starts, then ``[1/6] brief (vi): rendered in 6.1 s``,
        each with the build's elapsed time, on standard error."""
        if self.quiet:
            return
        clock = f"  [{status.elapsed:.1f} s]"
        if status.starting:
            click.echo(f"rendering {status.kind} ({status.lang})…{clock}", err=True)
            return
        what = "unchanged, from the cache" if status.cached else f"rendered in {status.seconds:.1f} s"
        click.echo(f"[{status.index}/{status.total}] {status.kind} ({status.lang}): {what}{clock}", err=True)

    def run(self, build_once, watched: list[Path]) -> None:
        """Build once (then open the page); with --watch, again after every change until Ctrl-C."""
        from generator.commands.config import load_config

        if self.verbose:
            click.echo(f"configuration file: {load_config().file or 'none'}", err=True)
        build_once()
        if self.open_page:
            page = self.out / "index.html"
            click.launch(str(page.resolve()))
        if not self.watch:
            return
        from pathlib import Path

        from watchfiles import watch

        from generator.errors import GenerateError

        paths = [p for p in watched if p is not None and Path(p).exists()]
        click.echo(f"watching {', '.join(str(p) for p in paths)} (Ctrl-C to stop)", err=True)
        try:
            for changes in watch(*paths, debounce=300):
                names = sorted({Path(path).name for _, path in changes})
                click.echo(f"changed: {', '.join(names)}; building again", err=True)
                try:
                    build_once()
                except GenerateError as error:  # a mistake while editing: report it, keep watching
                    error.show()
        except KeyboardInterrupt:
            click.echo("stopped watching", err=True)


def _watched(facts, templates, brand) -> list[Path]:
    """What a build reads that a user edits (settings are read once: change them, start again)."""
    from pathlib import Path

    from generator import BUNDLED_FACTS
    from generator.templating.paths import BUNDLED_TEMPLATES

    return [Path(facts or BUNDLED_FACTS), BUNDLED_TEMPLATES, templates and Path(templates), brand and Path(brand)]


def _report(records: list[dict], run: "Run", report) -> None:
    out = run.out
    verb = "wrote" if report.published else "unchanged"  # a build that changes nothing writes nothing
    for record in records:
        count, unit = _extent(record)
        extent = f"{count} {unit if count != 1 else unit[:-1]}" if count is not None else ""
        run.echo(f"{verb} {out / record['path']}  ({record['lang']}, {record['format']}, "
                 f"{extent}{', ' if extent else ''}{record['bytes']:,} bytes)")
    if report.published:
        run.echo(f"updated {out / 'index.html'} and {out / 'manifest.json'} to list every document in {out}")
    _report_missing(report)


def _extent(record: dict) -> tuple[int | None, str]:
    """``(count, unit)``: what the record's kind counts (pages or slides) and how many."""
    from generator.renderers import registry

    declaration = registry().get(record["kind"])
    unit = declaration.extent if declaration else ("pages" if record.get("pages") is not None else "slides")
    return record.get(unit), unit


def _report_missing(report) -> None:
    if report.missing_translations:
        count = report.missing_translations
        click.echo(f"warning: published with {count} missing translation{'s' * (count != 1)}, "
                   "each marked in the document (see the warnings above)", err=True)


def _kind_option(option):
    """The command-line option of a kind's setting (``--pdf-variant``)."""
    return click.option(option.flag, option.name, type=click.Choice(option.choices), default=option.default,
                        show_default=True, help=option.help or option.meaning)


def _command_line_options(declarations) -> list:
    """The settings of ``declarations`` offered on the command line, each once."""
    options = {option.name: option for cls in declarations for option in cls.options if option.command_line}
    return list(options.values())


def _kind_command(kind: str, declaration) -> click.Command:
    """``generate KIND``: one kind in every selected language, then the download page updated."""
    settings = _command_line_options([declaration])

    def command(facts, langs, out, templates, brand, jobs, no_cache, time_budget, **flags):
        values = {option.name: flags.pop(option.name) for option in settings}
        _build([kind], facts, langs, out, templates, brand, jobs, no_cache, time_budget, flags, **values)

    for option in reversed(settings):
        command = _kind_option(option)(command)
    return click.command(name=kind, help=declaration.summary)(document_options(build_options(command)))


def _add_kind_commands() -> None:
    """One command per kind, built when it runs or shows its help. ``--help`` needs only the names
    and summaries, read without importing the kinds (:mod:`generator.commands.kindlist`)."""
    from generator.commands.kindlist import declared_kinds

    summaries = declared_kinds()
    if summaries is None:  # a declaration made by code: only importing it tells
        from generator.renderers import registry

        summaries = {kind: declaration.summary for kind, declaration in registry().items()}
    for kind, summary in summaries.items():
        main.add_recipe(kind, lambda kind=kind: _kind_command(kind, _declaration(kind)), summary)


def _declaration(kind: str):
    from generator.renderers import renderer_type

    return renderer_type(kind)


def _build(kinds: list[str], facts, langs, out, templates, brand, jobs, no_cache, time_budget, flags: dict,
           **kind_options) -> None:
    from generator.pipeline.build import build

    run = Run(out, **flags)
    options = _options(facts, langs, out, templates, brand, jobs, no_cache, time_budget, flags["name"],
                       flags["allow_missing"], flags["strict"], **kind_options)

    def once() -> None:
        report = run.report()
        records = build(kinds, options, progress=run.progress, report=report)
        _report(records, run, report)

    run.run(once, _watched(facts, templates, brand))


def _all_kinds_options(command):
    """Every kind's command-line settings, on ``generate all``."""
    from generator.renderers import registry

    for option in reversed(_command_line_options(registry().values())):
        command = _kind_option(option)(command)
    return command


@main.lazy_command("all", lambda: (
    document_options,
    build_options,
    _all_kinds_options,
))
def all_documents(facts, langs, out, templates, brand, jobs, no_cache, time_budget, **flags):
    """Build every document in every language, verify them, then publish OUT/index.html and OUT/manifest.json.

    If verification fails, the previously published output stays untouched. Documents whose
    inputs (facts they show, templates, labels, brand, options) did not change since the last
    build are taken from the build cache; --no-cache renders everything again.
    """
    from generator.pipeline.build import build_all
    from generator.renderers import kind_options

    values = {name: flags.pop(name) for name in kind_options() if name in flags}
    run = Run(out, **flags)
    options = _options(facts, langs, out, templates, brand, jobs, no_cache, time_budget, flags["name"],
                       flags["allow_missing"], flags["strict"], **values)

    def once() -> None:
        report = run.report()
        records = build_all(options, run.progress, report)
        run.echo(summary_table(records, out))
        if run.verbose:
            for record in sorted(records, key=lambda r: r["path"]):
                click.echo(f"  {out / record['path']}  sha256 {record['sha256']}")
        run.echo(f"rendered {len(report.rendered)} document(s), {len(report.cached)} unchanged from the cache")
        if report.published:
            run.echo(f"published {out / 'index.html'} and {out / 'manifest.json'} (verified)")
        else:
            run.echo(f"{out} already held exactly these files: nothing written (verified)")
        _report_missing(report)

    run.run(once, _watched(facts, templates, brand))


def summary_table(records: list[dict], out: Path) -> str:
    """Document, language, format, pages or slides, size, path: aligned columns."""
    rows = [("document", "lang", "format", "pages/slides", "size", "path")]
    for r in sorted(records, key=lambda r: (r["kind"], r["lang"], r["format"])):
        extent, unit = _extent(r)
        unit = "p" if unit == "pages" else unit
        rows.append((r["kind"], r["lang"], r["format"], f"{extent} {unit}" if extent is not None else "-",
                     f"{r['bytes'] / 1000:,.0f} kB", str(out / r["path"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@main.lazy_command("verify", lambda: (
    click.argument("out", type=path_type(file_okay=False), default=default_out(), required=False),
    facts_option,
    templates_option,
))
def verify(out, facts, templates):
    """Check a published OUT: every file in manifest.json exists with its sha256, opens,
    and states every key fact (dates, numbers, names) in its own language.

    Without --facts, against the fact file OUT was last built from (recorded beside OUT)."""
    from generator.templating.build_context import BuildContext
    from generator.pipeline.build import BuildOptions
    from generator.output.verify import facts_of, require_verified

    if facts is None:
        facts = facts_of(out)
    require_verified(out, BuildContext.load(facts, BuildOptions(templates=templates).template_path()))
    click.echo(f"verified {out}: every document is intact and states the key facts in its language")


@main.lazy_command("serve", lambda: (
    document_options,
    click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default)."),
    click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
                 help="Port (0: any free port)."),
    click.option("--watch/--no-watch", default=True, show_default=True,
                 help="Rebuild everything when the fact file or a template changes, and reload the page."),
))
def serve(facts, langs, out, templates, brand, host, port, watch):
    """Serve OUT (the download page and documents) on http://HOST:PORT/ for preview."""
    from pathlib import Path

    from generator.pipeline.build import build_all, check_output
    from generator.commands.config import find_config
    from generator import BUNDLED_FACTS
    from generator.commands.serve import is_loopback, listening_address, run_server
    from generator.templating.paths import BUNDLED_TEMPLATES

    options = _options(facts, langs, out, templates, brand)
    listening_address(host, port)  # an address this machine does not have: one line, before any build
    found = check_output(options)  # the rule of every build: nothing of the user's is replaced

    def rebuild() -> None:
        from generator.pipeline.build import BuildReport

        click.echo("rebuilding…", err=True)
        build_all(options, report=BuildReport(on_warning=lambda text: click.echo(f"warning: {text}", err=True)))
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


@main.lazy_command("check", lambda: (
    click.option("--facts", type=path_type(dir_okay=False), default=None, metavar="PATH",
                 help="Fact file to check (default: the bundled facts/hanoi-convention.yaml)."),
    click.option("--lang", "langs", multiple=True, metavar="CODE", callback=_split_languages,
                 help="Language whose labels and templates to check: --lang vi,en or repeated (default: all)."),
    templates_option,
    brand_option,
    click.option("--strict", is_flag=True,
                 help="Treat warnings (missing translations, unused sources, settings that do nothing) as errors."),
    click.option("--verbose", "-v", is_flag=True, help="Also list the recorded discrepancies between sources."),
    click.option("--max-age", type=click.IntRange(min=0), default=90, show_default=True, metavar="DAYS",
                 help="Report as stale a document.as_of (or a figure's own as_of) more than DAYS days before today."),
    click.option("--fail-stale", is_flag=True,
                 help="Fail when a figure is stale (--strict alone never lets the calendar fail a check)."),
    time_budget_option,
    click.option("--no-cache", is_flag=True,
                 help="Check everything again instead of repeating the report of a passed check whose inputs are unchanged."),
))
def check(facts, langs, templates, brand, strict, verbose, max_age, fail_stale, time_budget, no_cache):
    """Validate the fact file, the templates and the brand, and warn when the facts were last
    verified too long ago; verdict first, then the details.

    Exits 1 on errors, on warnings too with --strict, and on stale figures with --fail-stale.
    A passed check run again with nothing changed repeats its report at once (--no-cache: check again).
    """
    from generator.commands.checkmemo import CheckMemo
    from generator.commands.check import today
    from generator.pipeline.build import BuildOptions

    day = today()
    settings = {"strict": strict, "verbose": verbose, "max_age": max_age, "fail_stale": fail_stale,
                "time_budget": time_budget or None}
    memo = None if no_cache else CheckMemo.open(BuildOptions(facts=facts, langs=tuple(langs), templates=templates,
                                                             brand=brand), settings, day)
    if memo is not None and (replayed := memo.replay(click.echo)) is not None:
        sys.exit(0 if replayed else 1)
    from generator.commands.check import run_check

    read: dict[Path, str | None] = {}
    ok = run_check(facts, langs, templates, strict=strict, echo=memo.recorder(click.echo) if memo else click.echo,
                   brand=brand, verbose=verbose, max_age=max_age, today=day, time_budget=time_budget or None,
                   fail_stale=fail_stale, read=read)
    if memo is not None:
        memo.save(ok, read)
    sys.exit(0 if ok else 1)


@main.lazy_command("diff", lambda: (
    click.argument("old", type=path_type(dir_okay=False)),
    click.argument("new", type=path_type(dir_okay=False)),
    click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
                 help="text: one line per change, for the terminal; markdown: a report with old and new texts."),
    click.option("--output", "-o", type=path_type(dir_okay=False), default=None, metavar="FILE",
                 help="Write the report to FILE (one that generate diff wrote, or a new one) instead of standard output."),
))
def diff(old, new, fmt, output):
    """List what changed between two fact files: added, removed and changed statements and
    figures, per language, by field path (e.g. signature.signatories.value: 72 → 74).

    OLD may follow an older schema: both files are compared as plain data. List items are
    matched by their id where they have one, else by position.
    """
    from generator.commands.diff import run_diff, write_report

    report = run_diff(old, new, fmt)
    if output is None:
        click.echo(report, nl=False)
    else:
        write_report(output, report)
        click.echo(f"wrote {output}", err=True)


@main.lazy_command("schema", lambda: (
    click.option("--output", "-o", type=path_type(dir_okay=False), default=None,
                 help="Write the schema to this file instead of standard output."),
))
def schema(output):
    """Print the JSON Schema of fact files (for editor completion and validation)."""
    import json

    from generator.facts.models import FactFile

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


@main.lazy_command("config", lambda: (
    document_options,
))
def config(facts, langs, out, templates, brand):
    """Print the merged configuration and where each value came from."""
    from generator.commands.config import load_config, settings

    ctx = click.get_current_context()
    project = load_config()
    params = {"facts": "facts", "out": "out", "languages": "langs", "templates": "templates", "brand": "brand"}
    values = {"facts": facts, "out": out, "languages": langs, "templates": templates, "brand": brand}
    click.echo(f"configuration file: {project.file or 'none (looked for generate.toml and [tool.generate] in pyproject.toml)'}")
    rows = []
    for name, (meaning, default) in settings().items():
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


@main.lazy_command("new", lambda: (
    click.argument("directory", type=path_type(file_okay=False)),
    click.option("--name", default=None, metavar="NAME",
                 help="Name of the fact file and of the output files (default: from DIRECTORY's name)."),
))
def new(directory, name):
    """Start a project for another treaty in DIRECTORY: a commented fact-file skeleton and a generate.toml.

    \b
    Then:
      cd DIRECTORY
      generate check          what is still to fill in or fix
      generate all            every document and the download page, into output/
    """
    from generator.commands.new import new_project

    for path in new_project(directory, name):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && generate check && generate all")


@main.group(cls=LazyGroup)
def templates():
    """List the templates and where each comes from, or copy bundled ones to edit."""


@templates.lazy_command("list", lambda: (
    templates_option,
))
def templates_list(templates):
    """Every template and asset, bundled or overridden by your --templates directory."""
    from generator.pipeline.build import BuildOptions
    from generator.templating.customize import list_templates

    rows = list_templates(BuildOptions(templates=templates).template_path())
    width = max(len(name) for name, _ in rows)
    for name, origin in rows:
        click.echo(f"{name.ljust(width)}  {origin}")


@templates.lazy_command("eject", lambda: (
    click.argument("kind", metavar="KIND|brand|FILE"),
    click.option("--to", "target", type=path_type(file_okay=False), default=None,
                 help="Directory to copy into (default: the configured templates directory, else ./templates-custom)."),
))
def templates_eject(kind, target):
    """Copy bundled templates for editing: a whole folder (a document KIND such as brief, or site, labels),
    the brand file (brand), or one FILE as `generate templates list` names it (brief/style.css.jinja).

    Existing files are never overwritten. Then build with --templates DIR (or set
    templates = "DIR" in generate.toml) and edit the copies.
    """
    from generator.commands.config import load_config
    from pathlib import Path

    from generator.templating.customize import eject
    from generator.templating.paths import TemplatePath

    target = target or load_config().get("templates") or Path("templates-custom")
    for path in eject(TemplatePath(), kind, target):
        click.echo(f"copied {path}")
    click.echo(f"now build with --templates {target}")


_add_kind_commands()
