"""Build templates/handout/handout.docx, the Word template of the handout, reproducibly with python-docx.

Run ``.venv/bin/python scripts/build_handout_template.py`` after changing this script; the
result is committed next to it. Communications staff may instead edit the .docx in Word:
then keep this script in step or stop regenerating the file (see templates/handout/README.md).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.renderers.ooxml import DocumentProperties, finished_package, read_package  # noqa: E402 - after the path setup

OUTPUT = ROOT / "templates" / "handout" / "handout.docx"
FONT = "Times New Roman"  # Vietnamese administrative standard (Decree 30/2020/ND-CP)
NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
TEXT_WIDTH = Mm(165)  # A4 width minus the 30 mm left and 15 mm right margins
Run = tuple[str, str | None]  # (text with Jinja tags, character style or None)
#: Who issues the handout: the brand's organization when a brand file names one, else the fact
#: file's issuer; nothing when neither is given (the toolkit never names itself).
ISSUER = "brand.organization or facts.document.issuer"
#: A draft's mark, and the marking when the fact file gives one, as they open the header.
HEADER_MARKS = ("{% if draft %}{{ L.draft_mark }}{% if facts.document.marking %} · {% endif %}{% endif %}"
                "{% if facts.document.marking %}{{ facts.document.marking|tr }}{% endif %}")


# ---------------------------------------------------------------- page and fonts

def set_up_page(document: docx.document.Document) -> None:
    """A4 portrait with the margins of Vietnamese administrative documents."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def use_one_font(document: docx.document.Document) -> None:
    """Times New Roman everywhere: document defaults, every style, and the theme's fonts.

    Theme font references (``asciiTheme``) win over named fonts in Word, so they are removed;
    the theme's own fonts are renamed too, so Word's "(Body)" and "(Headings)" mean the same font.
    """
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    for size in ("w:sz", "w:szCs"):
        rpr_default.find(qn(size)).set(qn("w:val"), "26")  # 13 pt
    for rfonts in styles.iter(qn("w:rFonts")):
        if rfonts is fonts:
            continue
        for name in [n for n in rfonts.attrib if n.endswith("Theme") or n.endswith("theme")]:
            del rfonts.attrib[name]
        if not any(rfonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi")):
            rfonts.getparent().remove(rfonts)
    theme_part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/theme"))
    theme = etree.fromstring(theme_part.blob)
    drawing = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for latin in theme.iter(f"{drawing}latin"):
        latin.set("typeface", FONT)
    theme_part._blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- styles

def paragraph_style(document, name: str, *, base: str = "Normal", size: float | None = None,
                    bold: bool | None = None, italic: bool | None = None, color: RGBColor | None = None,
                    before: float | None = None, after: float | None = None, keep_next: bool | None = None,
                    align=None):
    """Create or restyle a paragraph style (sizes and spacing in points)."""
    try:
        style = document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.quick_style = True
    if name != "Normal":
        style.base_style = document.styles[base]
    font, paragraph = style.font, style.paragraph_format
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if color is not None:
        font.color.rgb = color
    if before is not None:
        paragraph.space_before = Pt(before)
    if after is not None:
        paragraph.space_after = Pt(after)
    if keep_next is not None:
        paragraph.keep_with_next = keep_next
    if align is not None:
        paragraph.alignment = align
    return style


def drop_style_properties(style, *tags: str) -> None:
    """Remove inherited-from-the-library formatting (borders, numbering, letter spacing)."""
    for container in (style.element.pPr, style.element.rPr):
        if container is None:
            continue
        for tag in tags:
            for child in container.findall(qn(tag)):
                container.remove(child)


def bottom_border(style, color: str, size_eighths: int, space: int) -> None:
    ppr = style.element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    line = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", str(space)), ("w:color", color)):
        line.set(qn(key), value)
    border.append(line)
    ppr.insert_element_before(border, *_AFTER_BORDER)


def shade_and_rule(style, fill: str, color: str) -> None:
    """A tinted paragraph with a rule on its left: a box that stays one paragraph."""
    ppr = style.element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    line = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", color)):
        line.set(qn(key), value)
    border.append(line)
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    ppr.insert_element_before(border, *_AFTER_BORDER)
    ppr.insert_element_before(shading, *_AFTER_BORDER[1:])


#: What follows w:pBdr inside w:pPr (the schema's order); w:shd comes first among them.
_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                 "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                 "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
                 "w:rPr", "w:sectPr", "w:pPrChange")


#: The size of tables, notes, sources and page furniture: one of the page's three sizes.
SMALL = 9
#: Characters of a source's title the handout's source list keeps (cut at a word boundary, "…").
SHORT_TITLE = 27
#: Characters of its publisher's name (the name is linked to the source's page).
SHORT_PUBLISHER = 31


def set_up_styles(document) -> None:
    """The named styles the template uses; restyle them in Word to restyle every handout."""
    normal = paragraph_style(document, "Normal", size=11, after=2)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.widow_control = True

    # Three type sizes on a page: 14 pt for the title (page one only), 11 pt for the body and
    # the headings (set apart by weight, colour and space), 9 pt (SMALL) for tables, notes, sources,
    # the changes box and the running header and footer.
    title = paragraph_style(document, "Title", size=14, bold=True, color=NAVY, after=2)
    drop_style_properties(title, "w:pBdr", "w:contextualSpacing", "w:spacing", "w:kern")
    title.paragraph_format.space_after = Pt(2)
    title.paragraph_format.keep_with_next = True
    subtitle = paragraph_style(document, "Subtitle", size=11, italic=True, color=NAVY, after=2, keep_next=True)
    drop_style_properties(subtitle, "w:numPr", "w:spacing")
    subtitle.paragraph_format.space_after = Pt(2)
    info = paragraph_style(document, "Document Info", size=SMALL, color=GREY, after=3)
    bottom_border(info, "1F3864", 12, 4)

    for name, size, before in (("Heading 1", 11, 2), ("Heading 2", 11, 2)):
        heading = paragraph_style(document, name, size=size, bold=True, color=NAVY, before=before, after=2,
                                  keep_next=True)
        heading.paragraph_format.keep_together = True

    bullet = paragraph_style(document, "List Bullet", after=0)
    drop_style_properties(bullet, "w:contextualSpacing")
    paragraph_style(document, "Table Text", size=SMALL, after=0).paragraph_format.line_spacing = 1.0
    paragraph_style(document, "Note", size=SMALL, italic=True, color=GREY, after=0)
    source = paragraph_style(document, "Source", size=SMALL, after=0)
    source.paragraph_format.line_spacing = Pt(SMALL + 1)  # exactly: room for Vietnamese diacritics, no more
    source.paragraph_format.widow_control = False  # the columns fill to the last line
    # What changed since the previous edition: a tinted box at the small size, under the title.
    edition_style = paragraph_style(document, "Edition", size=SMALL, after=2)
    edition_style.paragraph_format.left_indent = Mm(2)
    shade_and_rule(edition_style, "EAF0F7", "1F3864")
    for name in ("Header", "Footer"):
        style = paragraph_style(document, name, size=SMALL, color=GREY, after=0)
        style.element.pPr.remove(style.element.pPr.find(qn("w:tabs")))  # Letter-width stops
        style.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)

    strong = document.styles["Strong"]  # python-docx's template has it: restyled
    strong.font.bold = True
    strong.font.color.rgb = NAVY
    mark = document.styles.add_style("Header Mark", WD_STYLE_TYPE.CHARACTER)
    mark.font.bold = True
    mark.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)  # the brief's colour for what needs attention
    citation = document.styles.add_style("Citation", WD_STYLE_TYPE.CHARACTER)
    citation.quick_style = True
    citation.font.superscript = True
    citation.font.color.rgb = NAVY
    hyperlink = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
    hyperlink.font.underline = True
    set_up_bullets(document)
    number_sources(document)
    add_table_style(document)


def set_up_bullets(document) -> None:
    """List Bullet's numbering: a real Word list with a round bullet from the body font."""
    numbering = document.part.numbering_part.element
    style_id = document.styles["List Bullet"].style_id
    for level in numbering.iter(qn("w:lvl")):
        owner = level.find(qn("w:pStyle"))
        if owner is None or owner.get(qn("w:val")) != style_id:
            continue
        level.find(qn("w:lvlText")).set(qn("w:val"), "•")
        fonts = level.find(qn("w:rPr")).find(qn("w:rFonts"))
        for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attribute), FONT)
        level.find(qn("w:pPr")).find(qn("w:tabs")).find(qn("w:tab")).set(qn("w:pos"), "340")
        indent = level.find(qn("w:pPr")).find(qn("w:ind"))
        indent.set(qn("w:left"), "340")
        indent.set(qn("w:hanging"), "283")


SOURCE_NUMBERING = """
<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">
  <w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0">
    <w:start w:val="1"/>
    <w:numFmt w:val="decimal"/>
    <w:pStyle w:val="Source"/>
    <w:lvlText w:val="%1."/>
    <w:lvlJc w:val="right"/>
    <w:pPr><w:tabs><w:tab w:val="num" w:pos="340"/></w:tabs><w:ind w:left="340" w:hanging="57"/></w:pPr>
    <w:rPr><w:b/><w:color w:val="1F3864"/></w:rPr>
  </w:lvl>
</w:abstractNum>
"""


def number_sources(document) -> None:
    """"Source" paragraphs form a real numbered list (1., 2., …, hanging indent): the numbers are
    the citation marks' numbers, since the sources are listed in order of first citation."""
    numbering = document.part.numbering_part.element
    abstract = etree.fromstring(SOURCE_NUMBERING)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # every abstractNum comes before the first num
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    abstract_id = OxmlElement("w:abstractNumId")
    abstract_id.set(qn("w:val"), "90")
    num.append(abstract_id)
    numbering.append(num)
    style = document.styles["Source"].element
    properties = style.get_or_add_pPr()
    numbering_properties = OxmlElement("w:numPr")
    num_id = OxmlElement("w:numId")
    num_id.set(qn("w:val"), "90")
    numbering_properties.append(num_id)
    properties.insert(0, numbering_properties)


TABLE_STYLE = """
<w:style xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
         w:type="table" w:customStyle="1" w:styleId="HandoutTable">
  <w:name w:val="Handout Table"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="40"/>
  <w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="8" w:space="0" w:color="1F3864"/>
      <w:bottom w:val="single" w:sz="8" w:space="0" w:color="1F3864"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="30" w:type="dxa"/><w:left w:w="113" w:type="dxa"/>
      <w:bottom w:w="30" w:type="dxa"/><w:right w:w="113" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:trPr><w:cantSplit/></w:trPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>
    <w:trPr><w:tblHeader/></w:trPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="firstCol">
    <w:rPr><w:b/><w:bCs/><w:color w:val="1F3864"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="EAF0F7"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def add_table_style(document) -> None:
    """"Handout Table": rules above, below and between rows; a dark header row; a tinted label column."""
    document.styles.element.append(etree.fromstring(TABLE_STYLE))


# ---------------------------------------------------------------- content helpers

def add_runs(paragraph, runs: list[Run]) -> None:
    for text, style in runs:
        run = paragraph.add_run(text)
        if style:
            part = paragraph.part
            styles = (part.document if hasattr(part, "document") else part.package.main_document_part.document).styles
            run.style = styles[style]


def para(container, style: str, *runs: Run | str):
    """A paragraph of ``style``; plain strings are runs without a character style."""
    paragraph = container.add_paragraph(style=style)
    add_runs(paragraph, [(r, None) if isinstance(r, str) else r for r in runs])
    return paragraph


def cite(expression: str) -> Run:
    """The superscript citation mark of a fact: ``[1,4–6]`` (compact, so it never breaks across lines)."""
    return ("{{ cite_mark(" + expression + ") }}", "Citation")


Paragraph = tuple[str, list[Run]]  # (paragraph style, runs)


def cell_text(*runs: Run | str) -> Paragraph:
    return ("Table Text", [(r, None) if isinstance(r, str) else r for r in runs])


def cell_note(*runs: Run | str) -> Paragraph:
    return ("Note", [(r, None) if isinstance(r, str) else r for r in runs])


def table(document, widths_mm: list[float], rows: list[list[list[Paragraph]]], *, header: bool,
          label_column: bool):
    """A "Handout Table"; each cell is a list of paragraphs."""
    grid = document.add_table(rows=len(rows), cols=len(widths_mm))
    grid.style = document.styles["Handout Table"]
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    grid.autofit = False
    look = grid._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        grid._tbl.tblPr.append(look)
    # The hex bitmask is what LibreOffice (and Word 2007) read; the named flags are for newer Words.
    mask = 0x0600 | (0x0020 if header else 0) | (0x0080 if label_column else 0)
    for key, value in (("w:val", f"{mask:04X}"), ("w:firstRow", "1" if header else "0"), ("w:lastRow", "0"),
                       ("w:firstColumn", "1" if label_column else "0"), ("w:lastColumn", "0"),
                       ("w:noHBand", "1"), ("w:noVBand", "1")):
        look.set(qn(key), value)
    for column, width in zip(grid.columns, widths_mm):
        column.width = Mm(width)
    for row, cells in zip(grid.rows, rows):
        for cell, width, paragraphs in zip(row.cells, widths_mm, cells):
            cell.width = Mm(width)
            for index, (style, runs) in enumerate(paragraphs):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.style = document.styles[style]
                add_runs(paragraph, runs)
    return grid


def field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice compute when laying out pages."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# ---------------------------------------------------------------- the handout

def header_and_footer(document) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    add_runs(header, [("{% if logo %}{{ logo }}\u2003{% endif %}{{ facts.names.short|tr }}", None), ("\t", None)])
    header.add_run(HEADER_MARKS).style = document.styles["Header Mark"]
    unreviewed_notice(section.header, "Header")  # under the short title and the marks
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    add_runs(footer, [("{% if " + ISSUER + " %}{{ (" + ISSUER + ")|tr }} · {% endif %}{{ L.as_of }} {{ as_of|date }}", None),
                      ("\t", None), ("{{ L.page }} ", None)])
    field(footer, "PAGE", "1")
    footer.add_run(" {{ L.page_of }} ")
    field(footer, "NUMPAGES", "2")


def title_block(document) -> None:
    """Title, subtitle, then the marking (when given), as-of date and issuer (when given) above a rule."""
    para(document, "Title", "{{ facts.document.title|tr }}")
    para(document, "Subtitle", "{{ facts.document.subtitle|tr }}")
    para(document, "Document Info",
         "{% if facts.document.marking %}{{ facts.document.marking|tr }} · {% endif %}{{ L.as_of }} {{ as_of|date }}"
         "{% if " + ISSUER + " %} · {{ L.issued_by }}{{ P.colon }}{{ (" + ISSUER + ")|tr }}{% endif %}")
    unreviewed_notice(document, "Normal")


def unreviewed_notice(container, style: str) -> None:
    """A translation no translator has reviewed says so (document.unreviewed_translations), in
    the draft mark's bold dark orange, on a line of its own."""
    para(container, style, "{%p if unreviewed %}")
    para(container, style, ("{{ L.unreviewed_translation }}", "Header Mark"))
    para(container, style, "{%p endif %}")


def disputed(fact: str) -> list[Paragraph]:
    """A quiet note under a value that other sources state differently, worded by how they differ."""
    # One sentence per way of differing (two discrepancies of the same kind would say the same
    # words twice), all in one paragraph: the two-page handout has no line to spare.
    return [cell_note("{%p if disputes(" + fact + ") %}"),
            cell_note("{% for kind in disputes(" + fact + ")|map(attribute='kind')|unique %}"
                      "{{ L['handout_disputed_' ~ kind] }}{% if not loop.last %}{{ P.between_sentences }}{% endif %}{% endfor %}"),
            cell_note("{%p endif %}")]


def differs(item: str) -> Run:
    """After a list item, timeline entry or heading whose facts sources state differently: a
    short note saying so, on its own line (the two-page handout has no line to spare)."""
    return ("{% if disputes(" + item + ") %}{{ P.open_paren }}{{ L.handout_disputed_short }}{{ P.close_paren }}{% endif %}", None)


def only_if(condition: str, row: list[list[Paragraph]]) -> list[list[list[Paragraph]]]:
    """``row``, kept only when ``condition`` holds (docxtpl's ``{%tr %}`` rows vanish from the output)."""
    return [[[cell_text("{%tr if " + condition + " %}")], [cell_text("")]], row,
            [[cell_text("{%tr endif %}")], [cell_text("")]]]


def key_facts(document) -> None:
    """"At a glance": label | value rows, each value with its citation mark and its disputes.

    The rows follow the treaty's state: once it is in force, its date and its parties; while it
    is open for signature, the ceremony, the signatories and the deadline. A row whose fact the
    file does not give is left out, and no row names an instrument the file does not give.
    """
    ceremony = "facts.signature.ceremony"
    chapters = "facts.structure.chapters"
    signatories = "facts.signatories"
    force = "facts.entry_into_force"
    adoption = "facts.adoption"
    pending = "not facts.in_force_since"

    def count(fact: str) -> str:
        return ("{{ " + fact + ".value|number }}{% if " + fact + ".as_of %}{{ P.open_paren }}{{ L.as_of|lower }} "
                "{{ " + fact + ".as_of|date }}{{ P.close_paren }}{% endif %}")

    rows = [
        *only_if("facts.names.common_name",
                 [[cell_text("{{ L.common_name }}")],
                  [cell_text("{{ facts.names.common_name|tr }}", cite("facts.names.common_name")),
                   *disputed("facts.names.common_name")]]),
        [[cell_text("{{ L.full_title }}")],
         [cell_text("{{ facts.names.full_title|tr }}", cite("facts.names.full_title")), *disputed("facts.names.full_title")]],
        [[cell_text("{{ L.adopted }}")],
         [cell_text("{{ " + adoption + ".date|date }} – {{ " + adoption + ".body|tr }}", cite(adoption)),
          cell_text("{%p if (" + adoption + "|instrument) or " + adoption + ".vote %}"),
          cell_text("{{ " + adoption + "|instrument(capital=true) }}{% if (" + adoption + "|instrument) and " + adoption
                    + ".vote %} · {% endif %}{% if " + adoption + ".vote %}{{ " + adoption + ".vote|tr }}{% endif %}"),
          cell_text("{%p endif %}"),
          *disputed(adoption)]],
        # The chapters and their article ranges are in the briefing; a two-page handout gives the count.
        *only_if("facts.structure",
                 [[cell_text("{{ L.structure }}")],
                  # The label's whole phrase, as every kind writes it (a count and its noun are not two
                  # phrases in every language: "共9章68条"); `generate verify` looks for it.
                  [cell_text("{% if " + chapters + " %}{{ L.structure_summary.format(articles=facts.structure."
                             "article_count.value|number, chapters=" + chapters + "|length|number) }}{% else %}"
                             "{{ facts.structure.article_count.value|number }} {{ L.articles }}{% endif %}",
                             cite("facts.structure.article_count")),
                   *disputed("facts.structure.article_count")]]),
        *only_if("facts.in_force_since",
                 [[cell_text("{{ L.in_force_since }}")],
                  [cell_text("{{ facts.in_force_since|date }}", cite("facts.in_force_fact")), *disputed("facts.in_force_fact")]]),
        *only_if("facts.parties",
                 [[cell_text("{{ L.parties }}")],
                  [cell_text(count("facts.parties"), cite("facts.parties")), *disputed("facts.parties")]]),
        *only_if("facts.signature and " + ceremony,
                 [[cell_text("{{ L.signing_ceremony if facts.open_until else L.signing }}")],
                  [cell_text("{{ " + ceremony + ".place|tr }}{% if " + ceremony + ".venue %}{{ P.comma }}{{ " + ceremony
                             + ".venue|tr }}{% endif %}{{ P.comma }}{{ " + ceremony + ".start|daterange(" + ceremony + ".end) }}",
                             cite(ceremony)), *disputed(ceremony)]]),
        *only_if("facts.in_force_since and not facts.parties and facts.ratifications",
                 [[cell_text("{{ L.ratifications }}")],
                  [cell_text(count("facts.ratifications"), cite("facts.ratifications")), *disputed("facts.ratifications")]]),
        *only_if(signatories,
                 [[cell_text("{{ L.signatories }}")],
                  [cell_text(count(signatories), cite(signatories)), *disputed(signatories)]]),
        *only_if("facts.open_until and " + pending,
                 [[cell_text("{{ L.open_until }}")],
                  [cell_text("{{ facts.open_until.date|date }}", cite("facts.open_until")), *disputed("facts.open_until")]]),
        *only_if(force + " and " + pending,
                 [[cell_text("{{ L.entry_into_force }}")],
                  [cell_text("{% if " + force + ".days_after is not none and " + force + ".instruments_required is not none %}"
                             "{{ L.handout_entry_into_force.format(count=" + force + ".instruments_required|number, "
                             "days=" + force + ".days_after|number) }}{% else %}{{ (" + force + ".short or " + force
                             + ")|tr }}{% endif %}", cite(force)),
                   *disputed(force),
                   cell_text("{%p if facts.ratifications %}"),
                   cell_text("{{ L.ratifications }}{{ P.colon }}{{ facts.ratifications.value|number }}", cite("facts.ratifications")),
                   cell_text("{%p endif %}"),
                   cell_note("{%p if " + force + ".status %}"),
                   cell_note("{{ " + force + ".status|tr }}", cite(force + ".status")),
                   cell_note("{%p endif %}")]]),
        *only_if("facts.accession",
                 [[cell_text("{{ L.accession }}")],
                  [cell_text("{{ (facts.accession.short or facts.accession)|tr }}", cite("facts.accession")),
                   *disputed("facts.accession")]]),
    ]
    para(document, "Heading 1", "{{ L.at_a_glance }}")
    table(document, [38, 127], rows, header=False, label_column=True)


def timeline(document) -> None:
    """Milestones from ``facts.timeline``, one row each (``{%tr %}`` repeats the row)."""
    short_range = ("{{ e.date|date('short') }}{% if e.end and e.end != e.date %} – "
                   "{{ e.end|date('short') }}{% endif %}")
    rows = [
        [[cell_text("{{ L.handout_date }}")], [cell_text("{{ L.handout_milestone }}")]],
        [[cell_text("{%tr for e in facts.timeline %}")], [cell_text("")]],
        [[cell_text(short_range)],
         [cell_text("{{ e.title|tr }}{% if e.upcoming %}{{ P.open_paren }}{{ L.upcoming }}{{ P.close_paren }}{% endif %}", differs("e"), cite("e"))]],
        [[cell_text("{%tr endfor %}")], [cell_text("")]],
    ]
    para(document, "Heading 1", "{%p if facts.timeline %}")
    para(document, "Heading 1", "{{ L.timeline }}", differs("facts.timeline"))
    table(document, [48, 117], rows, header=True, label_column=False)
    para(document, "Normal", "{%p endif %}")


def in_two_columns(document, start: bool) -> None:
    """Start (``start=True``) or end a run of two-column text: a continuous section break."""
    in_columns(document, 1 if start else 2)


def in_columns(document, count: int) -> None:
    """A continuous section break that sets the text written since the previous break in
    ``count`` columns (1 to close a run of one-column text before a run of columns).

    python-docx adds a section after everything written so far; the section that the break
    closes is the one whose columns are set.
    """
    document.add_section(WD_SECTION.CONTINUOUS)
    closed = document.sections[-2]
    columns = closed._sectPr.find(qn("w:cols"))
    if columns is None:
        columns = OxmlElement("w:cols")
        closed._sectPr.append(columns)
    columns.set(qn("w:num"), str(count))
    columns.set(qn("w:space"), "340" if count == 2 else "284")


def provisions(document) -> None:
    """What the instrument does, in brief: the offences and the safeguards (its chapters are above)."""
    para(document, "Heading 1", "{%p if facts.offences %}")
    para(document, "Heading 1", "{{ L.handout_offences }}", differs("facts.offences"))
    # One bullet per offence, in two columns; offences with the same sources share one mark,
    # after the last of them.
    in_two_columns(document, start=True)
    para(document, "List Bullet", "{%p for o, mark in citations.shared_marks(facts.offences) %}")
    para(document, "List Bullet", "{{ o.title|tr }}{% if o.article %}{{ P.open_paren }}{{ L.handout_art }} {{ o.article }}{{ P.close_paren }}{% endif %}",
         differs("o"), ("{% if mark is not none %}{{ cite_mark(mark) }}{% endif %}", "Citation"))
    para(document, "List Bullet", "{%p endfor %}")
    in_two_columns(document, start=False)
    para(document, "Normal", "{%p endif %}")

    para(document, "Heading 1", "{%p if facts.safeguards %}")
    para(document, "Heading 1", "{{ L.safeguards }}", differs("facts.safeguards"))
    para(document, "List Bullet", "{%p for s, mark in citations.shared_marks(facts.safeguards) %}")
    para(document, "List Bullet", "{{ (s.short or s)|tr }}", differs("s"),
         ("{% if mark is not none %}{{ cite_mark(mark) }}{% endif %}", "Citation"))
    para(document, "List Bullet", "{%p endfor %}")
    para(document, "Normal", "{%p endif %}")


def edition(document) -> None:
    """A paragraph on what changed since the previous edition, when the fact file names one."""
    para(document, "Edition", "{%p if edition %}")
    para(document, "Edition",
         ("{{ L.edition_changes.format(date=edition.previous_as_of|date) }}{{ P.colon }}", "Strong"),
         "{% for item in edition.changes %}{{ item|tr }}", cite("item"),
         "{% if not loop.last or edition.figures %}{{ P.between_sentences }}{% endif %}{% endfor %}"
         "{% for f in edition.figures %}{% if f.old is none %}{{ L.edition_figure_new.format(name=f.name, "
         "new=f.fact.value|number) }}{% else %}{{ L.edition_figure.format(name=f.name, old=f.old|number, "
         "new=f.fact.value|number) }}{% endif %}", cite("f.fact"),
         "{% if not loop.last %}{{ P.semicolon }}{% else %}{{ P.full_stop }}{% endif %}{% endfor %}")
    para(document, "Edition", "{%p endif %}")


def debate(document) -> None:
    """Who criticises the instrument and who answers, each attributed: the balance the brief and deck have."""
    para(document, "Heading 1", "{%p if facts.criticisms or facts.responses %}")
    para(document, "Heading 1", "{{ L.handout_debate }}")
    para(document, "Note", "{{ L.balance_note }}")
    para(document, "List Bullet", "{%p for item in facts.criticisms %}")
    para(document, "List Bullet", ("{% if not item.short %}{{ item.by|tr }}{{ P.colon }}{% endif %}", "Strong"),
         "{{ (item.short or item)|tr }}", differs("item"), cite("item"))
    para(document, "List Bullet", "{%p endfor %}")
    para(document, "List Bullet", "{%p for item in facts.responses %}")
    para(document, "List Bullet", ("{{ L.responses }} – {% if not item.short %}{{ item.by|tr }}{{ P.colon }}{% endif %}", "Strong"),
         "{{ (item.short or item)|tr }}", differs("item"), cite("item"))
    para(document, "List Bullet", "{%p endfor %}")
    para(document, "Normal", "{%p endif %}")


def next_steps_and_sources(document) -> None:
    para(document, "Heading 1", "{%p if facts.next_steps %}")
    para(document, "Heading 1", "{{ L.next_steps }}", differs("facts.next_steps"))
    para(document, "List Bullet", "{%p for step, mark in citations.shared_marks(facts.next_steps) %}")
    para(document, "List Bullet", "{{ (step.short or step)|tr }}", differs("step"),
         ("{% if mark is not none %}{{ cite_mark(mark) }}{% endif %}", "Citation"))
    para(document, "List Bullet", "{%p endfor %}")
    para(document, "Normal", "{%p endif %}")

    # Numbers follow the order of first citation above, so this list must come last.
    para(document, "Heading 1", "{{ L.sources }}")
    para(document, "Note", "{{ L.handout_sources_note }}")
    # A numbered list in three columns, one source a paragraph with a hanging indent (Word
    # numbering: 1., 2., …).
    # The document's last section is the three-column one.
    in_two_columns(document, start=True)
    final = document.sections[-1]._sectPr
    columns = final.find(qn("w:cols"))
    if columns is None:
        columns = OxmlElement("w:cols")
        final.append(columns)
    columns.set(qn("w:num"), "3")
    columns.set(qn("w:space"), "227")
    para(document, "Source", "{%p for number, src in citations.notes() %}")
    para(document, "Source",
         # Short form, so that a two-page handout holds every source it cites, each one still
         # identifiable: its title and publisher cut at a word boundary ("…"), the publisher
         # linked to the page when there is one, the date, and the reliability level unless the
         # source is secondary (the note under the heading says so). The briefing lists full
         # titles and addresses. A title or name as published is tagged with the source's
         # language; one the fact file describes per language (a mapping) is in the handout's.
         ("{{r in_language(shorten(src.title|tr, " + str(SHORT_TITLE) + "), "
          "src.lang if src.title is string else none, italic=true) }}"
          "{% if shorten(src.title|tr, " + str(SHORT_TITLE) + ")[-1] not in '.…?!' %}.{% endif %} "
          "{{r link(src.url, shorten(src.publisher|tr, " + str(SHORT_PUBLISHER) + "), "
          "src.lang if src.publisher is string else none) }}"
          "{% if src.date %}, {{ src.date|date('short') }}{% endif %}"
          "{% if src.reliability != 'secondary' %} ({{ L['source_reliability_' ~ src.reliability] }}){% endif %}"
          "{% if src.date or src.reliability != 'secondary' or not shorten(src.publisher|tr, " + str(SHORT_PUBLISHER) + ").endswith('…') %}.{% endif %}", None))
    para(document, "Source", "{%p endfor %}")


# ---------------------------------------------------------------- package

def template_properties() -> DocumentProperties:
    """Neutral properties for the template file itself; every rendered handout replaces them."""
    return DocumentProperties(
        title="Handout template", subject="Word template of the generate toolkit's handout",
        creator="generate toolkit", keywords=["template", "handout"],
        description="Jinja tags (docxtpl) are filled from the fact file; see templates/handout/README.md.",
        category="template", language="en-US", created=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))


def drop_library_leftovers(document) -> None:
    """Parts of python-docx's own template that no handout needs.

    ``stylesWithEffects.xml`` is a stale copy of the default styles (Calibri, en-US) kept for
    Word 2010, ``customXml`` an empty bibliography store, and the proofing state a claim
    that the text was already spell-checked.
    """
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            document.part.drop_rel(rel_id)
    # "Proofing already done" would keep Word from spell-checking the handout in its language.
    settings = document.settings.element
    for proof_state in settings.findall(qn("w:proofState")):
        settings.remove(proof_state)


def build() -> bytes:
    """The template as reproducible .docx bytes."""
    document = docx.Document()
    drop_library_leftovers(document)
    set_up_page(document)
    use_one_font(document)
    set_up_styles(document)
    header_and_footer(document)
    title_block(document)
    edition(document)
    key_facts(document)
    timeline(document)
    provisions(document)
    debate(document)
    next_steps_and_sources(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return finished_package(read_package(buffer.getvalue()), template_properties(),
                            "generate toolkit (scripts/build_handout_template.py)")


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(build())
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
