"""The language data of issue 19: bundled labels in the six UN languages (and Vietnamese), their
date formats, and the six-language fixture (tests/roots/six-languages)."""

from __future__ import annotations

import datetime as dt
import string
import unicodedata

import pytest
import yaml

from generator.facts.load import load_facts
from generator.facts.models import Text, TextList, instances
from generator.templating.i18n import Localizer, load_labels
from tests.conftest import REPO, root

TEMPLATES = REPO / "templates"
#: Every language whose labels are bundled.
BUNDLED = ["en", "vi", "fr", "es", "ru", "zh", "ar"]
SIX = root("six-languages") / "facts.yaml"


def _label_files() -> list:
    """Every bundled label file of every language, the shared ones and each kind's own words."""
    return sorted(path for path in TEMPLATES.glob("**/labels/*.yaml"))


def _texts(path) -> dict[str, str]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["text"]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_language_has_its_shared_and_kind_label_files():
    kinds = sorted({path.parent.parent.name for path in TEMPLATES.glob("*/labels/en.yaml")} - {"templates"})
    assert kinds  # the card brings its own words
    for lang in BUNDLED:
        assert (TEMPLATES / "labels" / f"{lang}.yaml").is_file(), lang
        for kind in kinds:
            assert (TEMPLATES / kind / "labels" / f"{lang}.yaml").is_file(), (kind, lang)


@pytest.mark.parametrize("path", _label_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_label_file_has_exactly_the_keys_and_placeholders_of_english(path):
    english = _texts(path.parent / "en.yaml")
    texts = _texts(path)
    assert set(texts) == set(english), f"missing {set(english) - set(texts)}, extra {set(texts) - set(english)}"
    for key, text in texts.items():
        assert _placeholders(text) == _placeholders(english[key]), key
        assert text.strip(), key
        assert unicodedata.is_normalized("NFC", text), key


@pytest.mark.parametrize("lang", BUNDLED)
def test_labels_load_and_name_the_new_unreviewed_translation_notice(lang):
    labels = load_labels([TEMPLATES], lang)
    assert labels.text["unreviewed_translation"]
    assert labels.text["kind_card"]  # the card's words are merged in
    # A notice in the language itself, not the English one left in place.
    assert lang == "en" or labels.text["unreviewed_translation"] != load_labels([TEMPLATES], "en").text["unreviewed_translation"]


#: (formal date of 24 December 2024, range 25–26 October 2025, range 28 February – 11 March 2022),
#: as each language writes them in formal documents (checked by reading Babel's output).
EXPECTED_DATES = {
    "en": ("24 December 2024", "25–26 October 2025", "28 February – 11 March 2022"),
    "vi": ("ngày 24 tháng 12 năm 2024", "ngày 25–26 tháng 10 năm 2025", "ngày 28 tháng 2 – 11 tháng 3 năm 2022"),
    "fr": ("24 décembre 2024", "25–26 octobre 2025", "28 février – 11 mars 2022"),
    "es": ("24 de diciembre de 2024", "25–26 de octubre de 2025", "28 de febrero – 11 de marzo de 2022"),
    "ru": ("24 декабря 2024 года", "25–26 октября 2025 года", "28 февраля – 11 марта 2022 года"),
    "zh": ("2024年12月24日", "2025年10月25日至26日", "2022年2月28日至3月11日"),
    "ar": ("24 ديسمبر 2024", "25–26 أكتوبر 2025", "28 فبراير – 11 مارس 2022"),
}


@pytest.mark.parametrize("lang", BUNDLED)
def test_dates_read_as_each_language_writes_them(lang):
    i18n = Localizer(lang, "en", load_labels([TEMPLATES], lang))
    formal, same_month, same_year = EXPECTED_DATES[lang]
    assert i18n.date(dt.date(2024, 12, 24)) == formal
    assert i18n.date_range(dt.date(2025, 10, 25), dt.date(2025, 10, 26)) == same_month
    assert i18n.date_range(dt.date(2022, 2, 28), dt.date(2022, 3, 11)) == same_year


def test_arabic_writes_western_digits_unless_told_otherwise():
    """The `ar` locale writes 0–9 (as UN News in Arabic does); `ar-EG` writes ٠–٩."""
    labels = load_labels([TEMPLATES], "ar")
    assert labels.numbering_system is None
    assert Localizer("ar", "en", labels).number(1234) == "1,234"
    egyptian = labels.model_copy(update={"language_tag": "ar-EG"})
    assert Localizer("ar", "en", egyptian).date(dt.date(2024, 12, 24)) == "٢٤ ديسمبر ٢٠٢٤"


def test_six_language_fixture_is_complete_and_nfc_in_every_language():
    facts = load_facts(SIX).facts
    assert facts.languages == ["en", "fr", "es", "ru", "zh", "ar"]
    assert facts.document.unreviewed_translations == ["fr", "es", "ru", "zh", "ar"]
    texts = instances(facts, (Text, TextList))
    assert len(texts) >= 50  # titles, statements, chapter titles, events, claims, source titles
    for path, value in texts:
        assert set(value.languages) == set(facts.languages), path
        for lang in facts.languages:
            found = value.get(lang)
            for text in found if isinstance(found, list) else [found]:
                assert text.strip(), (path, lang)
                assert unicodedata.is_normalized("NFC", text), (path, lang)


def test_six_language_fixture_mixes_latin_codes_into_arabic_and_chinese():
    facts = load_facts(SIX).facts
    adopted = next(event for event in facts.timeline if event.date == dt.date(2024, 12, 24))
    assert "A/RES/79/243" in adopted.title.get("ar") and "A/RES/79/243" in adopted.title.get("zh")
    assert "UNODC" in facts.responses[0].by.get("ar")
    assert facts.names.common.text.get("ar") == "اتفاقية هانوي"


def test_six_language_fixture_keeps_the_bundled_figures():
    facts = load_facts(SIX).facts
    assert facts.adoption.resolution == "79/243" and facts.adoption.date == dt.date(2024, 12, 24)
    assert facts.signatories.value == 72 and facts.signatories.as_of == dt.date(2025, 10, 26)
    assert (facts.entry_into_force.instruments_required, facts.entry_into_force.days_after) == (40, 90)
    assert facts.structure.article_count.value == 68
    assert [(c.first_article, c.last_article, c.range_confirmed) for c in facts.structure.chapters] == [
        (1, 6, True), (7, 21, False), (22, 22, False), (23, 34, False), (35, 52, True), (53, 53, False),
        (54, 56, False), (57, 58, False), (59, 68, True)]


def test_six_language_fixture_passes_check_strict(monkeypatch, runner):
    from generator.commands.cli import main

    monkeypatch.chdir(REPO)

    result = runner.invoke(main, ["check", "--strict", "--facts", "tests/roots/six-languages/facts.yaml"])
    assert result.exit_code == 0, result.output
    assert "6 languages (en, fr, es, ru, zh, ar)" in result.stdout
    for lang in ("fr", "es", "ru", "zh", "ar"):
        assert f"  {lang}: complete" in result.stdout
