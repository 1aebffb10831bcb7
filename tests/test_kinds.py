"""The kind registry: kinds declare themselves, and the commands, settings and ``verify`` follow."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

import generator.renderers as renderers
from generator.commands.cli import main
from generator.commands.config import settings
from generator.renderers import KindOption, kind_options, kinds, registry


@pytest.fixture
def extra_kind(tmp_path, monkeypatch):
    """A kind package outside the checkout, found through the registry's package path."""
    package = tmp_path / "poster"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        from generator.renderers import KindOption, Renderer

        class PosterRenderer(Renderer):
            kind = "poster"
            summary = "Render a poster."
            order = 15
            formats = ("pdf",)
            options = (KindOption("poster_size", "paper size of the poster", choices=("a2", "a1")),)
            shows = frozenset({"common name"})
    '''))
    monkeypatch.setattr(renderers, "__path__", [*renderers.__path__, str(tmp_path)])
    registry.cache_clear()
    yield "poster"
    registry.cache_clear()
    sys.modules.pop("generator.renderers.poster", None)


def test_the_declarations_import_none_of_the_rendering_libraries():
    # The command line builds one command per kind from the declarations on every start.
    code = ("import sys, generator.renderers as r; r.registry(); "
            "print(sorted(m for m in ('jinja2', 'pydantic', 'weasyprint', 'docx', 'docxtpl', 'pptx', 'fontTools', "
            "'yaml', 'babel', 'lxml') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_kind_declares_what_the_build_and_the_commands_need():
    order = kinds()
    assert order.index("brief") < order.index("handout") < order.index("slides")
    assert order == sorted(order, key=lambda kind: (registry()[kind].order, kind))
    for kind, declaration in registry().items():
        assert declaration.kind == kind and declaration.summary and declaration.template.startswith(f"{kind}/")
        assert declaration.formats and declaration.extent in {"pages", "slides"}


def test_a_new_kind_package_gets_a_place_a_command_line_option_and_a_setting(extra_kind):
    assert kinds().index("brief") < kinds().index("poster") < kinds().index("handout")  # order 15: 10 < 15 < 20
    assert kind_options()["poster_size"].default == "a2"
    assert settings()["poster_size"] == ("paper size of the poster", "a2")
    from generator.commands.cli import _kind_command

    command = _kind_command("poster", registry()["poster"])
    result = CliRunner().invoke(command, ["--help"])
    assert "Render a poster." in result.output and "--poster-size [a2|a1]" in result.output


def test_each_kind_command_and_all_offer_the_kinds_own_options():
    runner = CliRunner()
    assert "--pdf-variant [pdf/ua-1|pdf/a-3b]" in runner.invoke(main, ["brief", "--help"]).output
    assert "--pdf-variant" not in runner.invoke(main, ["handout", "--help"]).output
    assert "--pdf-variant [pdf/ua-1|pdf/a-3b]" in runner.invoke(main, ["all", "--help"]).output
    assert "--slides" not in runner.invoke(main, ["slides", "--help"]).output  # generate.toml only


def test_a_list_setting_checks_its_items():
    option = KindOption("slides", "slides of the deck", command_line=False, items="slide ids", example='["title"]')
    assert option.convert(["title", "timeline"]) == ("title", "timeline")
    with pytest.raises(ValueError, match=r'expected a list of slide ids such as \["title"\], found \[\]'):
        option.convert([])


def test_verify_looks_only_for_the_key_facts_a_kind_declares(extra_kind):
    from generator.output.keyfacts import KeyFact
    from generator.output.verify import _shown_by

    assert _shown_by("poster", KeyFact("common name", "x"))
    assert not _shown_by("poster", KeyFact("signatories", "72"))
    assert _shown_by("brief", KeyFact("signatories", "72"))  # the brief declares no list: every fact
    assert _shown_by("retired-kind", KeyFact("signatories", "72"))


def test_the_help_listing_reads_the_registry_s_kinds_and_summaries():
    # `generate --help` lists the kinds without importing them (generator.commands.kindlist):
    # what it reads must be what the registry finds, kind for kind and word for word.
    from generator.commands.kindlist import declared_kinds

    assert declared_kinds() == {kind: declaration.summary for kind, declaration in registry().items()}


@pytest.mark.parametrize(("body", "readable"), [
    ('kind = "poster"\n    summary = "Render a " "poster."', True),
    ('kind: str = "poster"\n    summary: str = "Render a poster."', True),
    ('kind = "poster"\n    summary = "Render a %s." % "poster"', False),  # made by code
    ('kind = "poster"', False),  # the summary inherited: only the class knows it
    ('kind, summary = "poster", "Render a poster."', False),
    ('kind = "poster"\n    summary = "Render a poster."\n    kind += "s"', False),
])
def test_a_declaration_the_listing_cannot_read_sends_it_to_the_registry(tmp_path, monkeypatch, body, readable):
    import generator.commands.kindlist as kindlist

    (tmp_path / "poster").mkdir()
    (tmp_path / "poster" / "__init__.py").write_text(f"class PosterRenderer(Renderer):\n    {body}\n")
    (tmp_path / "shared").mkdir()  # a package of shared code, like pdf/: no kind
    (tmp_path / "shared" / "__init__.py").write_text('from generator.renderers import Renderer\n\nclass Result:\n    kinds = ("a",)\n\ndef kind(): pass\n')
    (tmp_path / "notes").mkdir()  # not a package
    monkeypatch.setattr(kindlist, "RENDERERS_DIR", str(tmp_path))
    assert kindlist.declared_kinds() == ({"poster": "Render a poster."} if readable else None)
