"""The indexes behind linear checks and builds: source lookups, citation numbers, compiled templates."""

from __future__ import annotations

import pytest

from generator.templating.context import Citations
from generator.facts.load import load_facts


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
    from generator.templating import bytecode
    from generator.renderers.slides.markdown import outline_environment
    from generator.templating.environment import create_environment
    from generator.templating.paths import TemplatePath

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


def _reference_walk(obj, path=()):
    """The tree walk written the obvious way: what :func:`generator.facts.models.walk` must equal."""
    from pydantic import BaseModel, RootModel

    yield path, obj
    if isinstance(obj, RootModel):
        return
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _reference_walk(obj.__dict__[name], path + (name,))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from _reference_walk(item, path + (index,))


def test_the_walk_visits_every_node_in_file_order_and_instances_filter_it(facts):
    from generator.facts.models import Count, Text, instances, walk

    expected = list(_reference_walk(facts))
    assert [(p, id(v)) for p, v in walk(facts)] == [(p, id(v)) for p, v in expected]
    assert walk(facts) is walk(facts)  # the frozen file is walked once
    texts = [(p, id(v)) for p, v in expected if isinstance(v, Text)]
    assert texts and [(p, id(v)) for p, v in instances(facts, Text)] == texts
    counts = [p for p, v in expected if isinstance(v, Count)]
    assert counts and [p for p, _ in instances(facts, Count)] == counts
    section = facts.signature
    assert [p for p, _ in walk(section, ("signature",))] == [p for p, _ in _reference_walk(section, ("signature",))]


def test_field_reads_are_reported_only_inside_the_reading_context(facts):
    from generator.facts.models import Model, reading_fields

    seen: list[str] = []
    with reading_fields(lambda obj, name: seen.append(name)):
        with reading_fields(lambda obj, name: seen.append("inner " + name)):
            facts.document
        facts.sources
    facts.languages
    assert seen == ["inner document", "sources"]
    assert "__getattribute__" not in Model.__dict__  # no Python hook left on every attribute read


def test_every_right_to_left_character_lies_in_the_blocks_searched_first():
    import sys
    import unicodedata

    from generator.templating.environment import _RIGHT_TO_LEFT_BLOCKS, has_right_to_left

    outside = [hex(code) for code in range(sys.maxunicode + 1)
               if unicodedata.bidirectional(chr(code)) in ("R", "AL") and not _RIGHT_TO_LEFT_BLOCKS.match(chr(code))]
    assert outside == []
    assert has_right_to_left("Công ước \u0627\u0644\u0623\u0645\u0645") and has_right_to_left("\u05e9\u05dc\u05d5\u05dd")
    assert not has_right_to_left("Công ước Hà Nội \u0300\u05b0")  # Hebrew points are NSM, not R


def test_glyph_lookups_remember_characters_and_still_find_the_first_undrawable():
    from generator.templating.glyphs import Coverage, first_undrawable

    coverage = Coverage((0x20, 0xC0), (0x7E, 0x1EF9))  # ASCII and Latin with Vietnamese letters
    assert first_undrawable("Hà Nội", coverage) is None
    assert first_undrawable("Hà Nội 中文", coverage) == 7
    assert first_undrawable("中", coverage) == 0  # remembered as undrawable, found again
    assert coverage.drawable["中"] is False and coverage.drawable["à"] is True
