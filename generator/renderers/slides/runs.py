"""Write outline runs into python-pptx paragraphs, and tag every run with the deck's language."""

from __future__ import annotations

from lxml import etree
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.oxml.ns import qn
from pptx.util import Pt

from generator.renderers.slides.outline import Run

CITE_SCALE = 0.7
"""Citation marks are set this much smaller than their text, in grey."""


def half_points(size: float) -> Pt:
    """``size`` rounded to the half point PowerPoint offers."""
    return Pt(round(size * 2) / 2)


def add_runs(paragraph, runs: list[Run], size: float, *, set_size: bool = True, bold: bool = False,
             colour: MSO_THEME_COLOR | None = None) -> None:
    """Append ``runs`` to a python-pptx paragraph at ``size`` points.

    With ``set_size`` False the text keeps the size its placeholder inherits (so a
    corporate master's sizes apply); citation marks are always sized relative to ``size``.
    """
    for run in runs:
        if not run.text:
            continue
        target = paragraph.add_run()
        target.text = run.text.replace(" ", "\u00a0") if run.cite else run.text  # a mark never breaks
        font = target.font
        if run.cite:
            font.size = half_points(size * CITE_SCALE)
            font.color.theme_color = MSO_THEME_COLOR.TEXT_1
            font.color.brightness = 0.45
            continue
        if set_size:
            font.size = half_points(size)
        if run.bold or bold:
            font.bold = True
        if run.italic:
            font.italic = True
        if colour is not None:
            font.color.theme_color = colour


def no_bullet(paragraph) -> None:
    """Set a paragraph flush left without a bullet (for text in a bulleted placeholder)."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.set("marL", "0")
    ppr.set("indent", "0")
    for tag in ("a:buNone", "a:buChar", "a:buAutoNum", "a:buBlip"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    marker = etree.SubElement(ppr, qn("a:buNone"))
    # buNone must come before tab stops, default run properties and extensions
    for later in ("a:tabLst", "a:defRPr", "a:extLst"):
        node = ppr.find(qn(later))
        if node is not None:
            node.addprevious(marker)
            break


def tag_language(element, language_tag: str, alternative: str | None = None) -> None:
    """Set ``lang`` (and ``altLang`` when given) on every run, field, paragraph end and default
    run style under ``element``."""
    targets = []
    for run in element.iter(qn("a:r"), qn("a:fld")):
        properties = run.find(qn("a:rPr"))
        if properties is None:
            properties = etree.Element(qn("a:rPr"))
            run.insert(0, properties)
        targets.append(properties)
    targets += element.iter(qn("a:endParaRPr"), qn("a:defRPr"))
    for properties in targets:
        properties.set("lang", language_tag)
        if alternative:
            properties.set("altLang", alternative)
