"""The indexes behind linear checks and builds: source lookups, citation numbers, compiled templates."""

from __future__ import annotations

import pytest

from generator.context import Citations
from generator.facts import load_facts


@pytest.fixture(scope="module")
def facts():
    return load_facts().facts


def test_every_source_is_found_by_its_id_and_an_unknown_id_is_a_key_error(facts):
    for source in facts.sources:
        assert facts.source(source.id) is source
    with pytest.raises(KeyError):
        facts.source("no-such-source")


def test_a_changed_sources_list_is_looked_up_afresh(facts):
    first, second = facts.sources[0], facts.sources[1]
    renamed = facts.model_copy(update={"sources": [second.model_copy(update={"id": first.id})]})
    assert renamed.source(first.id).title == second.title
    assert facts.source(first.id) is first  # the original file still finds its own
    with pytest.raises(KeyError):
        renamed.source(second.id)


def test_citations_are_numbered_in_order_of_first_use(facts):
    citations = Citations(facts)
    ids = [s.id for s in facts.sources[:4]]
    assert citations.numbers([ids[2], ids[0]]) == [1, 2]
    assert citations.numbers([ids[0], ids[3], ids[2]]) == [1, 2, 3]
    assert [(n, s.id) for n, s in citations.notes()] == [(1, ids[2]), (2, ids[0]), (3, ids[3])]
    assert citations.note(2) == (2, facts.source(ids[0]))


def test_compiled_templates_are_kept_apart_by_environment_settings(tmp_path, monkeypatch):
    """The outline's overlay escapes every value for Markdown: it must never run code compiled without that."""
    from generator import bytecode
    from generator.renderers.slides.markdown import outline_environment
    from generator.templating import TemplatePath, create_environment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    bytecode.bytecode_cache.cache_clear()
    try:
        (tmp_path / "t").mkdir()
        (tmp_path / "t" / "x.md.jinja").write_text("{{ value }}\n", encoding="utf-8")
        templates = TemplatePath(overrides=(tmp_path / "t",))
        plain = create_environment(templates)
        assert plain.bytecode_cache is not None
        assert plain.get_template("x.md.jinja").render(value="# *a*") == "# *a*\n"
        outline = outline_environment(create_environment(templates))
        assert outline.get_template("x.md.jinja").render(value="# *a*") == "\\# \\*a\\*\n"
        assert len(list((tmp_path / "generate" / "jinja").iterdir())) == 2
        again = create_environment(templates)  # from the cache this time: the same output
        assert again.get_template("x.md.jinja").render(value="# *a*") == "# *a*\n"
    finally:
        bytecode.bytecode_cache.cache_clear()
