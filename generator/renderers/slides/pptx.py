"""Write a planned deck into the master deck with python-pptx, then make the package reproducible.

Imported only when a deck is rendered (python-pptx is slow to import).
"""

from __future__ import annotations

import io
from copy import deepcopy
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Pt

from generator.renderers.slides.figures import add_column_chart, add_tiles, add_timeline, mirror_tiles, mirror_timeline
from generator.renderers.slides.outline import Outline
from generator.renderers.ooxml import DocumentProperties, OfficeScripts, finished_package, read_package
from generator.renderers.slides.plan import DeckPlan, SlidePlan, TextPlan
from generator.renderers.slides.runs import add_runs, no_bullet, tag_language
from generator.renderers.slides.scripts import direct_paragraphs, mirror_text_styles, theme_script_fonts, upright
from generator.renderers.slides.theme import brand_colours, brand_fonts, restyle_theme
from generator.templating.writing import writing

_SLIDE_NUMBER_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"  # fixed: a random GUID would change the bytes


def build_pptx(plan: DeckPlan, outline: Outline, master_path: Path, info: DocumentProperties,
               scripts: OfficeScripts, brand=None) -> bytes:
    """The .pptx bytes of ``plan`` on the master at ``master_path``, with ``info`` as its properties.

    ``scripts``: the deck's direction, languages and per-script fonts (see :mod:`.scripts`).
    ``brand`` (a user's ``LoadedBrand``, or None to keep the master's look) recolours the
    theme, sets its fonts and puts the logo on the first slide.
    """
    prs = Presentation(str(master_path))
    _drop_existing_slides(prs)
    if brand is not None:
        _apply_brand(prs, brand)
    _theme_script_fonts(prs, scripts)
    layouts: dict[str, object] = {}
    for master in prs.slide_masters:  # the first layout of a name wins, as in master.py
        for layout in master.slide_layouts:
            layouts.setdefault(layout.name, layout)
    for slide_plan in plan.slides:
        _add_slide(prs, layouts[slide_plan.layout.name], slide_plan, outline, scripts)
    if brand is not None and brand.logo_path is not None and len(prs.slides):
        _add_logo(prs, prs.slides[0], brand.logo_path, info.creator)
    _tag_shared_parts(prs, scripts)
    prs.core_properties  # adds the part (and its relationship) to a master without one; written below
    buffer = io.BytesIO()
    prs.save(buffer)
    return finished_package(read_package(buffer.getvalue()), info, "generate",
                            deck_statistics(len(plan.slides), prs.slide_width / prs.slide_height))


def _apply_brand(prs, brand) -> None:
    """The colours and fonts the brand names into the theme of every slide master and of the notes master."""
    masters = list(prs.slide_masters) + [prs.notes_master]
    for master in masters:
        theme = master.part.part_related_by(RT.THEME)
        theme._blob = restyle_theme(theme.blob, brand_colours(brand), *brand_fonts(brand))


def _add_logo(prs, slide, logo: Path, owner: str) -> None:
    """The logo in the top right corner of the title slide, 0.8 in high."""
    margin = Emu(int(0.4 * 914400))
    picture = slide.shapes.add_picture(str(logo), margin, margin, height=Emu(int(0.8 * 914400)))
    picture.left = prs.slide_width - margin - picture.width
    picture._element.find(".//" + qn("p:cNvPr")).set("descr", owner)


def _drop_existing_slides(prs) -> None:
    """A corporate master may carry sample slides; the deck starts empty."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _theme_script_fonts(prs, scripts: OfficeScripts) -> None:
    """The brand's complex-script and East Asian fonts into the theme of every master and of the notes master."""
    for master in list(prs.slide_masters) + [prs.notes_master]:
        theme = master.part.part_related_by(RT.THEME)
        theme._blob = theme_script_fonts(theme.blob, scripts)


def _add_slide(prs, layout, plan: SlidePlan, outline: Outline, scripts: OfficeScripts) -> None:
    language_tag = scripts.tag
    slide = prs.slides.add_slide(layout)
    by_idx = {shape.placeholder_format.idx: shape for shape in slide.placeholders}
    _fill(by_idx[plan.title.placeholder.idx], plan.title)
    for text in plan.texts:
        _fill(by_idx[text.placeholder.idx], text)
    figure = plan.figure
    if figure is not None:
        box = figure.placeholder.box
        _remove(by_idx[figure.placeholder.idx])
        # A right-to-left language reads figures from the right: the first chapter's column, the
        # earliest event and the first tile on the right.
        rtl = writing(language_tag).rtl
        if figure.kind == "column-chart":
            add_column_chart(slide, box, figure.block.table, plan.slide.alt, language_tag, right_to_left=rtl)
        elif figure.kind == "timeline":
            geometry = mirror_timeline(figure.geometry, box) if rtl else figure.geometry
            add_timeline(slide, geometry, figure.block.table, box, plan.slide.alt)
        else:
            items = [p for p in figure.block.paragraphs if p.kind == "bullet"]
            geometry = mirror_tiles(figure.geometry, box) if rtl else figure.geometry
            add_tiles(slide, geometry, items, plan.slide.title_text, right_to_left=rtl)
    for placeholder in plan.unused:
        _remove(by_idx[placeholder.idx])
    if outline.footer:
        _add_footer(slide, layout, outline.footer)
    if outline.header:
        _add_header_mark(prs, slide, outline.header)
    paginate = plan.slide.paginate if plan.slide.paginate is not None else outline.paginate
    if paginate:
        _add_slide_number(slide, layout, len(prs.slides))
    _order_by_position(slide)
    _write_notes(slide, prs, plan.slide.notes)
    alternative = _alternative_language(scripts)
    for element in (slide._element, slide.notes_slide._element):
        tag_language(element, language_tag, alternative)
        direct_paragraphs(element, scripts.rtl)
        if scripts.slot != "latin":
            upright(element)
    for shape in slide.shapes:
        if shape.has_chart:
            tag_language(shape.chart._chartSpace, language_tag, alternative)
            direct_paragraphs(shape.chart._chartSpace, scripts.rtl)


def _alternative_language(scripts: OfficeScripts) -> str | None:
    """``altLang`` of the runs of a deck not written in Latin letters: the language of the Latin
    words in it (codes, names), as PowerPoint records it for a Chinese or Arabic deck."""
    latin = scripts.languages["latin"]
    return latin if scripts.slot != "latin" and latin != scripts.tag else None


#: Shapes whose tops differ by less than this share a row of the reading order.
_ROW_TOLERANCE = Emu(int(0.5 * 914400))


def _order_by_position(slide) -> None:
    """Put the shape tree, which is the reading order of screen readers, in visual order: the
    title first, then top to bottom and, within a row, left to right (a chart on the left is
    read before the bullets on its right)."""
    tree = slide.shapes._spTree
    shapes = list(slide.shapes)

    def position(index_and_shape):
        index, shape = index_and_shape
        is_title = shape.is_placeholder and shape.placeholder_format.type in (
            PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
        top, left = int(shape.top or 0), int(shape.left or 0)
        return (not is_title, top // _ROW_TOLERANCE, left, index)

    ordered = [shape for _, shape in sorted(enumerate(shapes), key=position)]
    for shape in ordered:
        tree.append(shape._element)  # appending moves the element to the end, in this order


def _write_notes(slide, prs, lines: list[str]) -> None:
    """Speaker notes, one paragraph a line, at the notes master's size.

    The size is repeated on each run because LibreOffice otherwise sets notes at its own,
    much larger default.
    """
    frame = slide.notes_slide.notes_text_frame
    frame.text = "\n".join(lines)
    style = prs.notes_master._element.find(f"{qn('p:notesStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
    size = int(style.get("sz", "1200")) if style is not None else 1200
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size / 100)


def _fill(shape, text: TextPlan) -> None:
    """Write ``text``'s paragraphs into a placeholder, sized by the plan (autofit off)."""
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    levels = text.placeholder.levels
    for index, paragraph in enumerate(text.paragraphs):
        target = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        style = levels[min(paragraph.level, len(levels) - 1)]
        if paragraph.kind == "bullet":
            target.level = paragraph.level
        elif style.bullet:
            no_bullet(target)
        heading = paragraph.kind == "heading"
        add_runs(target, paragraph.runs, style.size * text.scale, set_size=text.scale != 1,
                 bold=heading, colour=MSO_THEME_COLOR.ACCENT_1 if heading else None)


def _remove(shape) -> None:
    element = shape._element
    element.getparent().remove(element)


def _layout_placeholder(layout, kind):
    return next((shape for shape in layout.placeholders if shape.placeholder_format.type == kind), None)


def _clone(slide, layout, kind):
    """Copy a footer-row placeholder from the layout (python-pptx leaves those out of new slides)."""
    source = _layout_placeholder(layout, kind)
    if source is None:
        return None
    slide.shapes.clone_placeholder(source)
    idx = source.placeholder_format.idx
    return next(shape for shape in slide.placeholders if shape.placeholder_format.idx == idx)


def _add_footer(slide, layout, text: str) -> None:
    shape = _clone(slide, layout, PP_PLACEHOLDER.FOOTER)
    if shape is None:
        return
    paragraph = shape.text_frame.paragraphs[0]
    run = paragraph.add_run()
    run.text = text
    _repeat_master_footer_style(paragraph, run, layout)


def _repeat_master_footer_style(paragraph, run, layout) -> None:
    """Repeat the master's footer alignment and run style on the slide itself.

    LibreOffice draws slide footers with its own defaults (centred, serif) unless the slide
    says otherwise; PowerPoint inherits the same values anyway.
    """
    master_footer = _layout_placeholder(layout.slide_master, PP_PLACEHOLDER.FOOTER)
    style = None if master_footer is None else master_footer._element.find(".//" + qn("a:lvl1pPr"))
    if style is None:
        return
    if style.get("algn"):
        paragraph._p.get_or_add_pPr().set("algn", style.get("algn"))
    defaults = style.find(qn("a:defRPr"))
    properties = run._r.get_or_add_rPr()
    if defaults is not None:
        for name, value in defaults.attrib.items():
            properties.set(name, value)
        for child in defaults:
            properties.append(deepcopy(child))
    if properties.find(qn("a:latin")) is None:
        latin = etree.SubElement(properties, qn("a:latin"))
        latin.set("typeface", "+mn-lt")


#: The header mark (a draft's "DRAFT"): the colour the brief uses for what needs attention.
MARK_COLOUR = RGBColor(0x9A, 0x34, 0x12)


def _add_header_mark(prs, slide, text: str) -> None:
    """``text`` in bold, boxed, at the top right of the slide, above the title (Marp's ``header``)."""
    inch = 914400
    width, height = Emu(int(1.6 * inch)), Emu(int(0.36 * inch))
    box = slide.shapes.add_textbox(prs.slide_width - width - Emu(int(0.3 * inch)), Emu(int(0.06 * inch)), width, height)
    box.name = "Header mark"
    box.fill.solid()  # white behind the mark, with a rule in its colour: visible on dark title slides too
    box.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    box.line.color.rgb = MARK_COLOUR
    frame = box.text_frame
    frame.auto_size = MSO_AUTO_SIZE.SHAPE_TO_FIT_TEXT
    frame.word_wrap = False
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = text
    run.font.bold = True
    run.font.size = Pt(16)
    run.font.color.rgb = MARK_COLOUR


def _add_slide_number(slide, layout, number: int) -> None:
    shape = _clone(slide, layout, PP_PLACEHOLDER.SLIDE_NUMBER)
    if shape is None:
        return
    body = shape.text_frame._txBody
    for paragraph in body.findall(qn("a:p")):
        body.remove(paragraph)
    body.append(etree.fromstring(
        f'<a:p xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<a:fld id="{_SLIDE_NUMBER_FIELD}" type="slidenum"><a:rPr/><a:t>{number}</a:t></a:fld></a:p>'))


def _tag_shared_parts(prs, scripts: OfficeScripts) -> None:
    """The deck language on masters, layouts and the default text style too; their text styles
    right to left in a right-to-left deck."""
    elements = []
    for master in prs.slide_masters:
        elements.append(master._element)
        elements += [layout._element for layout in master.slide_layouts]
    elements.append(prs.notes_master._element)
    default_style = prs.part._element.find(qn("p:defaultTextStyle"))
    if default_style is not None:
        elements.append(default_style)
    alternative = _alternative_language(scripts)
    for element in elements:
        tag_language(element, scripts.tag, alternative)
        if scripts.rtl:
            mirror_text_styles(element)
        if scripts.slot != "latin":
            upright(element)


def deck_statistics(slides: int, ratio: float) -> tuple[tuple[str, str], ...]:
    """What docProps/app.xml says of a deck of ``slides`` slides, each with notes, at width/height ``ratio``
    (the master's says "0 slides")."""
    layout = "Widescreen" if abs(ratio - 16 / 9) < 0.01 else "Custom"
    return (("PresentationFormat", layout), ("Slides", str(slides)), ("Notes", str(slides)), ("HiddenSlides", "0"))
