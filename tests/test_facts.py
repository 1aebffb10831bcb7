"""The fact file: the bundled one is valid and complete; broken ones fail with exact, positioned messages."""

from __future__ import annotations

import json
import unicodedata

import jsonschema
import pytest
from pathlib import Path
import yaml

from generator.facts.load import load_facts, read_facts
from generator.errors import FactFileError
from generator.facts.models import FactFile, Sourced, Text, walk
from tests.conftest import FROZEN_FACTS, LIVE_FACTS, REPO, root, without_library_wording
from tests.helpers import minimal_facts

SCENARIOS = ["bad-syntax", "bad-values", "unknown-references", "inconsistent", "untranslated"]


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_check_reports_exactly_the_expected_problems(scenario, in_repo, runner):
    """Each scenario's report (stderr of `generate check`) matches its expected.txt line for line."""
    from generator.commands.cli import main

    result = runner.invoke(main, ["check", "--facts", f"tests/roots/{scenario}/facts.yaml"])
    expected = (root(scenario) / "expected.txt").read_text(encoding="utf-8")
    assert without_library_wording(result.stderr) == expected
    assert "Traceback" not in result.output
    assert result.exit_code == (0 if scenario == "untranslated" else 1)


def test_warnings_fail_only_with_strict(in_repo, runner):
    from generator.commands.cli import main

    args = ["check", "--facts", "tests/roots/untranslated/facts.yaml"]
    assert runner.invoke(main, args).exit_code == 0
    strict = runner.invoke(main, [*args, "--strict"])
    assert strict.exit_code == 1
    assert "FAILED: 0 errors, 3 warnings (--strict: warnings count as errors)" in strict.stdout


def test_check_lists_missing_translations_per_language(in_repo, runner):
    from generator.commands.cli import main

    result = runner.invoke(main, ["check", "--facts", "tests/roots/untranslated/facts.yaml"])
    assert "  vi: complete\n  en: 1 missing: safeguards[0].text\n" in result.stdout


def test_load_raises_with_every_error_and_no_partial_model(in_repo):
    with pytest.raises(FactFileError) as caught:
        load_facts("tests/roots/bad-values/facts.yaml")
    message = caught.value.format_message()
    assert len(caught.value.problems) == 9
    assert message.endswith("9 problems in tests/roots/bad-values/facts.yaml; nothing was generated.")


def test_nfd_text_is_normalized_on_load(in_repo):
    loaded, problems = read_facts("tests/roots/untranslated/facts.yaml")
    title = loaded.facts.names.full_title.text.get("vi")
    assert title.startswith("Công ước")
    assert unicodedata.is_normalized("NFC", title)


def test_bundled_fact_file_passes_strict_check(in_repo, runner):
    from generator.commands.cli import main

    result = runner.invoke(main, ["check", "--strict"])
    assert result.exit_code == 0, result.output
    assert "OK: 0 errors, 0 warnings" in result.stdout
    assert "facts/hanoi-convention.yaml: 2 languages (vi, en)" in result.stdout


@pytest.mark.slow
def test_bundled_fact_file_builds_every_document_verified(cli, tmp_path):
    """The product: the live fact file (not the frozen copy the structure tests read) builds, and
    every document passes `generate verify`'s checks before it is published."""
    result = cli("all", "--facts", LIVE_FACTS, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "(verified)" in result.stdout
    documents = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert {(d["kind"], d["lang"]) for d in documents} >= {(kind, lang) for kind in ("brief", "handout", "slides")
                                                           for lang in ("vi", "en")}


def test_bundled_fact_file_states_the_verified_values():
    facts = load_facts(FROZEN_FACTS).facts
    assert facts.languages == ["vi", "en"]
    assert facts.structure.article_count.value == 68
    assert len(facts.structure.chapters) == 9
    assert sum(c.article_count for c in facts.structure.chapters) == 68
    assert facts.adoption.resolution == "79/243"
    assert facts.adoption.date.isoformat() == "2024-12-24"
    assert facts.negotiation.mandate.resolution == "74/247"
    assert len(facts.negotiation.sessions) == 8
    assert facts.negotiation.draft_approved.date.isoformat() == "2024-08-08"
    ceremony = facts.signature.ceremony
    assert (ceremony.start.isoformat(), ceremony.end.isoformat()) == ("2025-10-25", "2025-10-26")
    assert ceremony.place.get("vi") == "Hà Nội"
    assert facts.signature.signatories.value == 72 and facts.signature.signatories.as_of is not None
    assert facts.signature.open_until.date.isoformat() == "2026-12-31"
    assert (facts.entry_into_force.instruments_required, facts.entry_into_force.days_after) == (40, 90)
    assert facts.names.common_name.text.get("vi") == "Công ước Hà Nội"


def test_bundled_fact_file_keeps_the_seed_disagreements_as_data():
    facts = load_facts(FROZEN_FACTS).facts
    by_id = {d.id: d for d in facts.discrepancies}
    article_count = by_id["article-count"]
    assert article_count.concerns == "structure.article_count"
    assert "seed-000" in {c.source for c in article_count.claims}
    assert any("71" in c.text.get("en") for c in article_count.claims)
    assert "68" in article_count.text.get("en")
    assert any("2021" in c.text.get("en") for c in by_id["negotiation-period"].claims)
    # A claim no source supports is never stated as a fact: "climate" appears only in discrepancies.
    for path, value in walk(facts):
        if isinstance(value, Text) and path[0] != "discrepancies":
            assert "climate" not in (value.get("en") or "").lower(), path


def test_every_fact_cites_a_listed_source_and_the_seeds_are_sources():
    facts = load_facts(LIVE_FACTS).facts
    ids = {s.id for s in facts.sources}
    assert "seed-000" in ids
    sourced = [v for _, v in walk(facts) if isinstance(v, Sourced)]
    assert len(sourced) > 80
    assert all(set(v.sources) <= ids for v in sourced)


def test_bundled_fact_file_is_stored_as_nfc():
    raw = LIVE_FACTS.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)


def test_json_schema_validates_the_bundled_file_and_rejects_a_broken_one(runner):
    from generator.commands.cli import main

    schema = json.loads(runner.invoke(main, ["schema"]).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(LIVE_FACTS.read_text(encoding="utf-8"))
    # YAML dates are datetime.date; JSON Schema sees the text form, as an editor does.
    data = json.loads(json.dumps(data, default=str))
    jsonschema.validate(data, schema)
    data["adoption"]["resolution"] = 79
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_committed_schema_is_current(runner):
    """facts/fact-file.schema.json (used by editors) equals `generate schema`."""
    from generator.commands.cli import main

    committed = (REPO / "facts" / "fact-file.schema.json").read_text(encoding="utf-8")
    assert runner.invoke(main, ["schema"]).stdout == committed, "run: generate schema -o facts/fact-file.schema.json"


def test_schema_documents_every_field():
    schema = FactFile.model_json_schema()
    for name, definition in schema["$defs"].items():
        for field_name, field in definition.get("properties", {}).items():
            assert field.get("description"), f"{name}.{field_name} has no description"


def test_a_third_language_is_data_only(in_repo, runner):
    """French added by editing the fact file and adding labels/fr.yaml: no code change."""
    from generator.commands.cli import main

    result = runner.invoke(main, ["check", "--strict", "--facts", "tests/roots/three-languages/facts.yaml",
                                  "--templates", "tests/roots/three-languages/templates"])
    assert result.exit_code == 0, result.output
    assert "3 languages (vi, en, fr)" in result.stdout
    assert "  fr: complete" in result.stdout


# --- Short versions for slides, and sources described per language -----------------------

def test_bundled_statements_too_long_for_a_slide_have_a_short_version_in_every_language():
    """What the deck shows as bullets carries a short version wherever the full text cannot fit."""
    from generator.renderers.slides.outline import MAX_BULLET_CHARS

    facts = load_facts(FROZEN_FACTS).facts
    shown = [*facts.safeguards, *facts.criticisms, *facts.responses, *facts.country_role.points,
             *facts.next_steps, *facts.signature.ceremony.facts,
             *(role for institution in facts.institutions for role in institution.roles)]
    for statement in shown:
        if statement.short is None:
            assert all(len(text) <= MAX_BULLET_CHARS for text in statement.text.root.values()), statement.text
        else:
            assert set(statement.short.languages) == set(facts.languages)
            for lang, short in statement.short.root.items():
                assert len(short) <= MAX_BULLET_CHARS and len(short) < len(statement.text.get(lang)) + 40
    # A criticism's short version names who holds it (the slide shows it without `by`).
    assert facts.criticisms[0].short.get("en").startswith("HRW")


def test_an_overlong_short_version_is_a_slides_warning_at_its_place_in_the_fact_file(tmp_path, monkeypatch):
    """The slide limit is the deck's: the facts stage does not apply it (nor import the renderer);
    the deck's own check reports it with file, line and field."""
    import generator.renderers.slides.deck  # noqa: F401 (imported before the limit is patched: modules copy it)
    from generator.templating.build_context import BuildContext
    from generator.renderers import registry

    path = minimal_facts(tmp_path, lambda data: None)
    monkeypatch.setattr("generator.renderers.slides.outline.MAX_BULLET_CHARS", 30)
    loaded, problems = read_facts(path)
    assert loaded is not None and problems == []  # a valid fact file, whatever the deck's limit
    found = [p for p in registry()["slides"]().lint(BuildContext.load(loaded)) if p.path == "criticisms[0].short.en"]
    assert [(p.severity, p.message) for p in found] == [
        ("warning", "expected a short text of at most 30 characters (a slide bullet), found 40; shorten it")]
    line = next(n for n, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1) if "short:" in text)
    assert found[0].position.line == line + 2  # the line of `en:` under `short:`


@pytest.mark.parametrize("value, message", [
    (5, "sources[1].title: expected text, or a mapping from language code to text, found 5"),
    ([1, 2], "sources[1].title: expected text, or a mapping from language code to text, found a list"),
    ("", "sources[1].title: expected non-empty text, found ''"),
    ({"vi": "Tin", "en": ""}, "sources[1].title.en: expected non-empty text, found ''"),
])
def test_a_bad_title_gets_one_clear_error(tmp_path, value, message):
    """Title, publisher and document are plain text or per-language text: one message, not one per form."""
    def edit(data):
        data["sources"][1]["title"] = value
    _, problems = read_facts(minimal_facts(tmp_path, edit))
    assert [str(p).split(": ", 1)[1] for p in problems] == [message]


def test_a_described_source_needs_every_language(tmp_path):
    def edit(data):
        data["sources"][1]["publisher"] = {"vi": "Báo Mẫu (không rõ tác giả)"}
    loaded, problems = read_facts(minimal_facts(tmp_path, edit))
    assert loaded is not None
    assert [(p.path, p.message) for p in problems] == [("sources[1].publisher", "missing translation: no 'en' text")]


def test_seed_articles_are_described_per_language_and_their_files_stay_internal():
    facts = load_facts(FROZEN_FACTS).facts
    seed = facts.source("seed-000")
    for field in (seed.title, seed.publisher, seed.document):
        assert isinstance(field, Text) and set(field.languages) == {"vi", "en"}
        assert "seeds/" not in " ".join(field.root.values())
        assert "project" not in field.get("en")  # no internal jargon in what documents print
    assert seed.internal_copy.startswith("seeds/")
    # The seed interview (seed 003) is cited through its published version only.
    assert "seed-003" not in {s.id for s in facts.sources}
    assert "vtc-int" in facts.country_role.interview.sources



@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("text", ["languages: [en]\n", "languages: [en\n"], ids=["data", "bad-syntax"])
def test_reading_a_file_pauses_the_collector_and_leaves_it_as_it_was(tmp_path, monkeypatch, enabled, text):
    """The cyclic collector is off while a fact file's YAML is built and its rules run (issue 18: it
    cost a third of a large file's reading), and as the caller left it afterwards, errors included."""
    import gc

    from generator.facts import rules, yamlsource

    seen: list[tuple[str, bool]] = []

    def spy(name, function):
        def spied(*args, **kwargs):
            seen.append((name, gc.isenabled()))
            return function(*args, **kwargs)
        return spied

    monkeypatch.setattr(yamlsource._Builder, "build", spy("build", yamlsource._Builder.build))
    monkeypatch.setattr(yamlsource, "_first_mark_too_deep", spy("depth", yamlsource._first_mark_too_deep))
    monkeypatch.setattr(rules, "check_facts", spy("rules", rules.check_facts))
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        read_facts(path)
        assert gc.isenabled() is enabled
        read_facts(LIVE_FACTS)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert {name for name, _ in seen} == {"depth", "build", "rules"}
    assert not any(on for _, on in seen)
