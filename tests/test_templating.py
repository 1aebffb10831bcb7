"""Localized formatting, the Jinja environment, citations: what every document kind relies on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.templating.context import template_context
from generator.errors import TemplateError
from generator.facts.load import load_facts
from generator.templating.environment import create_environment, render_template
from generator.templating.paths import TemplatePath
from tests.conftest import FROZEN_FACTS, root

ADOPTED = dt.date(2024, 12, 24)


@pytest.fixture(scope="module")
def loaded():
    return load_facts(FROZEN_FACTS)


def context(loaded, lang, templates=None):
    return template_context(loaded, lang, templates or TemplatePath())


@pytest.mark.parametrize("lang, formal, short, number", [
    ("vi", "ngày 24 tháng 12 năm 2024", "24/12/2024", "1.234,5"),
    ("en", "24 December 2024", "24 Dec 2024", "1,234.5"),
])
def test_dates_and_numbers_follow_the_language(loaded, lang, formal, short, number):
    i18n = context(loaded, lang)["i18n"]
    assert i18n.date(ADOPTED) == formal
    assert i18n.date(ADOPTED, "short") == short
    assert i18n.number(1234.5) == number


@pytest.mark.parametrize("lang, same_month, same_year, across_years", [
    ("vi", "ngày 25–26 tháng 10 năm 2025", "ngày 28 tháng 2 – 11 tháng 3 năm 2022",
     "ngày 30 tháng 12 năm 2024 – ngày 2 tháng 1 năm 2025"),
    ("en", "25–26 October 2025", "28 February – 11 March 2022", "30 December 2024 – 2 January 2025"),
])
def test_date_ranges_read_as_formal_text(loaded, lang, same_month, same_year, across_years):
    i18n = context(loaded, lang)["i18n"]
    assert i18n.date_range(dt.date(2025, 10, 25), dt.date(2025, 10, 26)) == same_month
    assert i18n.date_range(dt.date(2022, 2, 28), dt.date(2022, 3, 11)) == same_year
    assert i18n.date_range(dt.date(2024, 12, 30), dt.date(2025, 1, 2)) == across_years


@pytest.mark.parametrize("lang, same_month, same_year", [
    ("vi", "25–26/10/2025", "28/02–11/03/2022"),
    ("en", "25–26 Oct 2025", "28 Feb – 11 Mar 2022"),
])
def test_short_date_ranges_write_the_shared_tail_once(loaded, lang, same_month, same_year):
    i18n = context(loaded, lang)["i18n"]
    assert i18n.date_range(dt.date(2025, 10, 25), dt.date(2025, 10, 26), "short") == same_month
    assert i18n.date_range(dt.date(2022, 2, 28), dt.date(2022, 3, 11), "short") == same_year
    assert i18n.date_range(dt.date(2025, 10, 25), None, "short") == i18n.date(dt.date(2025, 10, 25), "short")


def test_third_language_formats_through_babel_from_labels_alone():
    loaded = load_facts(root("three-languages") / "facts.yaml")
    templates = TemplatePath(overrides=(root("three-languages") / "templates",))
    ctx = template_context(loaded, "fr", templates)
    assert ctx["i18n"].date(ADOPTED) == "24 décembre 2024"
    assert ctx["i18n"].number(1234.5) == "1\u202f234,5"
    assert ctx["language_tag"] == "fr-FR"
    assert ctx["i18n"].text(loaded.facts.names.short_title) == "Model Convention (fr)"


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).parent.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")


def test_facts_are_data_never_templates(tmp_path, loaded):
    """A fact whose text is Jinja syntax prints literally (and HTML is escaped in HTML templates)."""
    write(tmp_path, "t.html.jinja", "<p>{{ value }}</p>")
    write(tmp_path, "t.md.jinja", "{{ value }}")
    templates = TemplatePath(overrides=(tmp_path,))
    env = create_environment(templates)
    ctx = context(loaded, "vi", templates) | {"value": "{{ 7*7 }} <b>&"}
    assert render_template(env, "t.html.jinja", ctx) == "<p>{{ 7*7 }} &lt;b&gt;&amp;</p>"
    assert render_template(env, "t.md.jinja", ctx) == "{{ 7*7 }} <b>&"


def test_tr_picks_the_current_language(tmp_path, loaded):
    write(tmp_path, "t.txt.jinja", "{{ facts.names.common_name | tr }} | {{ facts.adoption.date | date }}")
    templates = TemplatePath(overrides=(tmp_path,))
    env = create_environment(templates)
    assert render_template(env, "t.txt.jinja", context(loaded, "vi", templates)) == "Công ước Hà Nội | ngày 24 tháng 12 năm 2024"
    assert render_template(env, "t.txt.jinja", context(loaded, "en", templates)) == "Hanoi Convention | 24 December 2024"


def test_undefined_names_fail_with_template_file_and_line(tmp_path, loaded):
    write(tmp_path, "t.html.jinja", "line one\n{{ facts.adoption.dat }}\n")
    templates = TemplatePath(overrides=(tmp_path,))
    with pytest.raises(TemplateError) as caught:
        render_template(create_environment(templates), "t.html.jinja", context(loaded, "en", templates))
    message = caught.value.format_message()
    assert message.startswith(f"{tmp_path / 't.html.jinja'}:2: undefined name:")
    assert "dat" in message


def test_syntax_errors_name_file_and_line(tmp_path, loaded):
    write(tmp_path, "t.html.jinja", "ok\n{% if %}\n")
    templates = TemplatePath(overrides=(tmp_path,))
    with pytest.raises(TemplateError, match=r"t\.html\.jinja:2: template syntax error"):
        render_template(create_environment(templates), "t.html.jinja", context(loaded, "en", templates))


def test_override_directory_wins_and_builtin_prefix_reaches_the_bundled_file(tmp_path):
    write(tmp_path, "labels/en.yaml", "overridden")
    templates = TemplatePath(overrides=(tmp_path,))
    assert templates.find("labels/en.yaml") == (tmp_path / "labels/en.yaml").resolve()
    assert templates.origin("labels/en.yaml").startswith("overridden")
    assert templates.find("builtin:labels/en.yaml") == (TemplatePath().bundled / "labels/en.yaml").resolve()
    assert templates.origin("labels/vi.yaml") == "bundled"
    with pytest.raises(TemplateError, match="outside the template directory"):
        templates.find("../../etc/passwd")


def test_citations_number_sources_in_order_of_first_use(loaded):
    citations = context(loaded, "en")["citations"]
    facts = loaded.facts
    first = citations.numbers(facts.adoption)
    assert first == list(range(1, len(set(facts.adoption.sources)) + 1))
    again = citations.numbers(facts.adoption)
    assert again == first
    notes = citations.notes()
    assert [n for n, _ in notes] == list(range(1, len(notes) + 1))
    assert [s.id for _, s in notes] == list(dict.fromkeys(facts.adoption.sources))


def test_disputes_attach_discrepancies_to_the_fact_they_concern(loaded):
    citations = context(loaded, "en")["citations"]
    disputes = citations.disputes(loaded.facts.structure.article_count)
    assert [d.id for d in disputes] == ["article-count"]
    assert citations.disputes(loaded.facts.adoption) == []


def test_missing_labels_for_a_language_is_a_clear_error(tmp_path):
    """German: no labels for it are bundled (French is, since issue 19), nor given as an override."""
    text = (root("three-languages") / "facts.yaml").read_text(encoding="utf-8")
    german = tmp_path / "facts.yaml"
    german.write_text(text.replace("fr: ", "de: ").replace("[vi, en, fr]", "[vi, en, de]"), encoding="utf-8")
    loaded = load_facts(german)
    with pytest.raises(TemplateError, match=r"no labels for language 'de': create labels/de.yaml"):
        template_context(loaded, "de", TemplatePath())
