"""The download page: one static HTML page per language listing every document, with relative links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.units import format_unit

from generator.templating.environment import render_template
from generator.templating.writing import writing

if TYPE_CHECKING:
    from generator.templating.build_context import BuildContext

PAGE_TEMPLATE = "site/index.html.jinja"
STYLESHEET = "site/style.css.jinja"
#: The order of a kind's formats on the page: the document an official opens first, first.
FORMATS = ["pdf", "docx", "pptx", "md"]


def _rank(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def page_name(lang: str, primary: str) -> str:
    """``index.html`` for the primary language, ``<lang>.html`` for the others."""
    return "index.html" if lang == primary else f"{lang}.html"


def human_size(size: int, lang_locale) -> str:
    """``1,2 MB`` / ``350 kB`` in the page's locale."""
    if size >= 1_000_000:
        return format_unit(size / 1_000_000, "digital-megabyte", length="short", locale=lang_locale, format="#,##0.0")
    return format_unit(max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=lang_locale)


def grid_columns(count: int) -> int:
    """Columns for ``count`` cards on a wide screen: no lone card on the last row, then the
    fewest empty places, then three columns before two and four (4 cards: 2 × 2; 5: 3 + 2;
    7: 4 + 3). Phones show one column whatever this says."""
    if count <= 1:
        return 1
    preference = (3, 2, 4)

    def cost(columns: int) -> tuple[bool, int, int]:
        last_row = count % columns or columns
        return last_row == 1, columns - last_row, preference.index(columns)

    return min(preference, key=cost)


def site_files(build: "BuildContext", documents: list[dict]) -> dict[str, bytes]:
    """Every file of the download page, by path relative to OUT."""
    from generator.renderers import kinds

    facts = build.facts
    env = build.environment()
    # The same order whatever built which document when (`generate all`, or `brief` after `all`).
    documents = sorted(documents, key=lambda d: (_rank(kinds(), d["kind"]), _rank(facts.languages, d["lang"]),
                                                 _rank(FORMATS, d["format"]), d["path"]))
    files: dict[str, bytes] = {}
    pages = [{"lang": lang, "href": page_name(lang, facts.primary_language)} for lang in facts.languages]
    for lang in facts.languages:
        context = build.template_context(lang)
        if lang == facts.primary_language:
            files["assets/site.css"] = render_template(env, STYLESHEET, context).encode("utf-8")
        i18n = context["i18n"]
        for page in pages:
            if "name" not in page:
                labels = build.labels(page["lang"])
                page.update(name=labels.language_name, tag=labels.language_tag,
                            dir=writing(labels.language_tag).direction)
        entries = [dict(doc, size=human_size(doc["bytes"], i18n.locale)) for doc in documents]
        context.update(
            pages=pages,
            documents=[d for d in entries if d["lang"] == lang],
            other_documents=[d for d in entries if d["lang"] != lang],
            stylesheet="assets/site.css",
            grid_columns=grid_columns,
            language_names={page["lang"]: page["name"] for page in pages},
            scripts={page["lang"]: writing(page["tag"]).script for page in pages},
        )
        html = render_template(env, PAGE_TEMPLATE, context)
        files[page_name(lang, facts.primary_language)] = html.encode("utf-8")
    return files
