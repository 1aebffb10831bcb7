"""Punctuation as label data (issue 19): the marks templates put between the pieces they join come
from the language's label file (``punctuation``, ``P`` in templates), so that Chinese reads
«河内，2025年10月25日至26日» and French puts its no-break space before «:»."""

from __future__ import annotations

import re

import pytest

from generator.errors import TemplateError
from generator.renderers.brief.html import render_html
from generator.renderers.card import CardRenderer
from generator.renderers.slides.markdown import outline_context, render_outline
from generator.templating.build_context import BuildContext
from generator.templating.i18n import Punctuation, load_labels
from generator.templating.paths import TemplatePath
from tests.conftest import REPO, root

TEMPLATES = REPO / "templates"
BUNDLED = ["en", "vi", "fr", "es", "ru", "zh", "ar"]
HAN = r"[\u4e00-\u9fff]"


@pytest.fixture(scope="module")
def six() -> BuildContext:
    return BuildContext.load(root("six-languages") / "facts.yaml", TemplatePath())


def card_html(build: BuildContext, lang: str) -> str:
    return CardRenderer().html(build.environment(), build.template_context(lang))


def visible(html: str) -> str:
    """The text of an HTML fragment: tags dropped, citation marks (superscripts) left out."""
    html = re.sub(r"<sup\b.*?</sup>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html).replace("&#8288;", "")


@pytest.mark.parametrize("lang", BUNDLED)
def test_every_bundled_label_file_has_valid_punctuation(lang):
    punctuation = load_labels([TEMPLATES], lang).punctuation
    assert isinstance(punctuation, Punctuation)
    assert len(punctuation.quotes) == 4 and all(punctuation.quotes)
    # The two parts templates use apart put the whole mark back together.
    assert punctuation.colon_mark + punctuation.colon_space == punctuation.colon
    assert punctuation.open_paren_space + punctuation.open_paren_mark == punctuation.open_paren
    if lang in ("en", "vi"):
        assert punctuation == Punctuation()  # English typography, the defaults


def test_a_label_file_without_punctuation_gets_the_english_defaults(tmp_path):
    (tmp_path / "labels").mkdir()
    english = (TEMPLATES / "labels" / "en.yaml").read_text(encoding="utf-8")
    without = re.sub(r"\npunctuation:\n(?:  .*\n)+", "\n", english)
    assert "punctuation:" not in without
    (tmp_path / "labels" / "xx.yaml").write_text(without, encoding="utf-8")
    labels = load_labels([tmp_path, TEMPLATES], "xx")
    assert labels.punctuation.comma == ", " and labels.punctuation.quotes == ["“", "”", "‘", "’"]


def test_bad_punctuation_is_refused_with_its_file_and_field(tmp_path):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "zh.yaml").write_text('punctuation:\n  quotes: ["“", "”"]\n  semicolon: ""\n',
                                                 encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        load_labels([tmp_path, TEMPLATES], "zh")
    message = str(error.value)
    assert "zh.yaml" in message and "punctuation.quotes" in message and "punctuation.semicolon" in message


def test_chinese_card_joins_pieces_with_full_width_marks(six):
    html = card_html(six, "zh")
    text = visible(html)
    assert "河内，2025年10月25日至26日" in text  # the signing place and dates
    assert "2024年12月24日，联合国大会，第79/243号决议" in text
    assert not re.search(HAN + r", ", text), re.search(".{10}" + HAN + ", .{10}", text)
    # The English card joins the same pieces with Latin marks.
    assert "Hanoi, 25–26 October 2025" in visible(card_html(six, "en"))


def test_chinese_brief_joins_pieces_with_full_width_marks(six):
    html = render_html(six.environment(), six.template_context("zh"), six.templates)
    # Up to the source list, a bibliography that keeps reference-list punctuation (GB/T 7714).
    text = visible(html.split('<section class="sources">')[0].split("</style>")[1])
    assert "68 条，分为 9 章。" in text  # the structure's lead sentence, built from the label
    assert "河内（国家会议中心），2025年10月25日至26日" in text
    assert "在纽约的签署截止（即将到来）" in text  # the timeline, drawn from Python
    assert "时间线：2019年12月27日：" in text  # the timeline's alternative text
    assert not re.search(HAN + r"[.,:;(] ?", text), re.search(".{10}" + HAN + "[.,:;(].{10}", text)
    assert 'q { quotes: "“" "”" "‘" "’"; }' in html  # Chinese quotation marks for <q>


def test_french_brief_puts_a_no_break_space_before_the_colon(six):
    html = render_html(six.environment(), six.template_context("fr"), six.templates)
    assert "<strong>Signataires\u00a0:</strong> 72" in html  # the bold label keeps its colon, the space after it
    assert "Thème\u00a0: <q>" in html
    assert 'q { quotes: "«\u00a0" "\u00a0»" "“" "”"; }' in html  # the theme shows as « … »
    running = visible(html.split('<section class="sources">')[0].split("</style>")[1])
    assert not re.search(r"\w: ", running), re.search(r".{20}\w: .{10}", running)  # no colon without its space


def test_slide_outline_keeps_the_spaces_of_the_punctuation_and_closes_bold_labels(six):
    chinese = render_outline(six.environment(), outline_context(six, "zh"))
    # No space after the Chinese colon: it follows the bold, so CommonMark still closes the bold.
    assert "- **开放签署仪式**：河内，2025年10月25日至26日 [" in chinese
    french = render_outline(six.environment(), outline_context(six, "fr"))
    assert "**Cérémonie d’ouverture à la signature\u00a0:** Hanoï, 25–26 octobre 2025 [" in french
    english = render_outline(six.environment(), outline_context(six, "en"))
    assert "**Adopted:** 24 December 2024, United Nations General Assembly" in english
