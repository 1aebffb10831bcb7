"""The slide outline: Marp-compatible Markdown, parsed strictly into slides, blocks and runs.

Format (see templates/slides/README.md): YAML front matter; slides separated by ``---``
lines (after a blank line); per slide a ``<!-- _class: LAYOUT -->`` comment naming the
master layout (plus optional ``figure:`` and ``_paginate:``), one ``#``/``##`` title,
``###`` column headings, ``- `` bullets (two-space indent for a second level), plain
paragraphs, one table for a figure, and speaker notes in any other HTML comment.
Inline, only ``**bold**``, ``*italic*``, backslash escapes and citation marks ``[1, 3–5]``
mean something; anything else the parser does not know is an error, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from generator.errors import OutlineError

DEFAULT_LAYOUT = "Title and Content"
MAX_BULLETS = 6
"""Bullets a slide may show (figure items such as tiles are not bullets)."""
MAX_BULLET_CHARS = 110
"""Characters a bullet may have, not counting its citation mark."""
MAX_TIMELINE_EVENTS = 10
"""Events a timeline slide draws: the outline picks them from a longer timeline (``timeline_pick``)."""
FIGURES = ("column-chart", "timeline", "tiles")
DIRECTIVE_KEYS = {"_class", "_paginate", "figure", "alt"}

_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_BULLET = re.compile(r"^( *)([-*+])[ \t]+(.*)$")
_ORDERED = re.compile(r"^ *\d+[.)][ \t]")
_DELIMITER_ROW = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_INLINE = re.compile(
    r"\\(?P<esc>[!-/:-@\[-`{-~])"            # backslash escape of ASCII punctuation
    r"|(?P<strong>\*\*)|(?P<em>\*)"
    r"|(?P<cite>\[\d+(?:(?:, ?|–)\d+)*\])"   # a citation mark written by the template
    r"|(?P<text>[^\\*\[]+|.)",
    re.S,
)


@dataclass
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    cite: bool = False
    """A citation mark such as ``[3, 5]`` (set smaller on slides)."""


@dataclass
class Paragraph:
    """A bullet, a plain paragraph or a column heading."""

    runs: list[Run]
    kind: str  # "bullet", "text" or "heading"
    level: int = 0
    line: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def words(self) -> str:
        """The text without citation marks: what the length limit applies to."""
        return "".join(run.text for run in self.runs if not run.cite).strip()


@dataclass
class Table:
    """A table: the data of a figure."""

    header: list[str]
    rows: list[list[str]]
    """Cell texts without markup."""
    line: int
    cells: list[list[list[Run]]] = field(default_factory=list)
    """The same cells as styled runs (citation marks kept apart)."""


@dataclass
class Block:
    """What goes into one content placeholder (one column)."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    table: Table | None = None

    @property
    def has_content(self) -> bool:
        return self.table is not None or any(p.kind != "heading" for p in self.paragraphs)


@dataclass
class Slide:
    """One slide of the outline."""

    number: int
    line: int
    layout: str = DEFAULT_LAYOUT
    figure: str | None = None
    paginate: bool | None = None
    alt: str = ""
    """Alternative text of the figure (``alt:`` in the layout comment)."""
    title: list[Run] | None = None
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_directive: bool = False

    @property
    def title_text(self) -> str:
        return "".join(run.text for run in self.title or []).strip()

    @property
    def label(self) -> str:
        return f'slide {self.number} "{self.title_text}"'

    @property
    def bullets(self) -> list[Paragraph]:
        """Bullets shown as text (a tiles figure's items are not bullets)."""
        blocks = self.blocks[1:] if self.figure == "tiles" else self.blocks
        return [p for block in blocks for p in block.paragraphs if p.kind == "bullet"]


@dataclass
class Outline:
    """A parsed outline: front matter and slides."""

    meta: dict
    slides: list[Slide]

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def footer(self) -> str:
        return str(self.meta.get("footer") or "")

    @property
    def header(self) -> str:
        """Marp's ``header``: shown on every slide (the draft mark)."""
        return str(self.meta.get("header") or "")

    @property
    def paginate(self) -> bool:
        return bool(self.meta.get("paginate", False))


def parse_inline(text: str, where: str) -> list[Run]:
    """Runs of one line of Markdown text; an unclosed ``*``/``**`` is an error."""
    runs: list[Run] = []
    bold = italic = False
    for match in _INLINE.finditer(text):
        kind = match.lastgroup
        if kind == "strong":
            bold = not bold
        elif kind == "em":
            italic = not italic
        elif kind == "cite":
            runs.append(Run(match.group(), cite=True))
        else:
            piece = match.group("esc") if kind == "esc" else match.group()
            if runs and not runs[-1].cite and (runs[-1].bold, runs[-1].italic) == (bold, italic):
                runs[-1].text += piece
            else:
                runs.append(Run(piece, bold, italic))
    if bold or italic:
        raise OutlineError(f"{where}: unclosed {'**' if bold else '*'} (escape a literal asterisk as \\*)")
    return runs


def parse_outline(text: str, source: str) -> Outline:
    """Parse a rendered outline; ``source`` names it in error messages (one line each)."""
    return _Parser(text, source).parse()


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.lines = text.split("\n")
        self.source = source
        self.slides: list[Slide] = []
        self.slide: Slide | None = None
        self.block: Block | None = None
        self.open_paragraph: Paragraph | None = None
        self.previous_blank = True
        self.in_table = False  # the previous line was a table row
        self.delimiter_expected = False

    def error(self, line: int, message: str) -> OutlineError:
        where = f"{self.source}, line {line}"
        if self.slide is not None and self.slide.title:
            where += f" ({self.slide.label})"
        elif self.slide is not None:
            where += f" (slide {self.slide.number})"
        return OutlineError(f"{where}: {message}")

    def parse(self) -> Outline:
        meta, first = self.front_matter()
        self.start_slide(first)
        comment: list[str] | None = None
        comment_start = 0
        for number, raw in enumerate(self.lines[first - 1:], start=first):
            line = raw.rstrip()
            if comment is not None:
                if "-->" in line:
                    body, after = line.split("-->", 1)
                    if after.strip():
                        raise self.error(number, "text after '-->' on the same line")
                    self.comment(comment + [body], comment_start)
                    comment = None
                else:
                    comment.append(line)
                continue
            stripped = line.strip()
            if stripped.startswith("<!--"):
                rest = stripped[4:]
                if "-->" in rest:
                    body, after = rest.split("-->", 1)
                    if after.strip():
                        raise self.error(number, "text after '-->' on the same line")
                    self.comment([body], number)
                else:
                    comment, comment_start = [rest], number
                self.open_paragraph = None
                self.previous_blank = False
                self.in_table = False
                continue
            if stripped == "---":
                if not self.previous_blank:
                    raise self.error(number, "a slide separator '---' needs a blank line before it "
                                             "(otherwise Markdown reads the line above as a heading)")
                self.finish_slide()
                self.start_slide(number + 1)
                continue
            was_table = self.in_table
            self.in_table = False
            self.content(line, stripped, number, was_table)
            self.previous_blank = not stripped
        if comment is not None:
            raise self.error(comment_start, "comment '<!--' is never closed with '-->'")
        self.finish_slide()
        return Outline(meta, self.slides)

    def front_matter(self) -> tuple[dict, int]:
        if not self.lines or self.lines[0].strip() != "---":
            raise OutlineError(f"{self.source}, line 1: expected YAML front matter starting with '---'")
        try:
            end = next(i for i in range(1, len(self.lines)) if self.lines[i].strip() == "---")
        except StopIteration:
            raise OutlineError(f"{self.source}, line 1: the front matter is never closed with '---'") from None
        try:
            meta = yaml.safe_load("\n".join(self.lines[1:end])) or {}
        except yaml.YAMLError as exc:
            raise OutlineError(f"{self.source}, front matter: invalid YAML ({exc})") from None
        if not isinstance(meta, dict):
            raise OutlineError(f"{self.source}, front matter: expected a mapping of keys")
        for key in ("title", "lang"):
            if not isinstance(meta.get(key), str) or not meta[key].strip():
                raise OutlineError(f"{self.source}, front matter: expected a text value for {key!r}")
        if "paginate" in meta and not isinstance(meta["paginate"], bool):
            raise OutlineError(f"{self.source}, front matter: 'paginate' must be true or false")
        return meta, end + 2

    def start_slide(self, line: int) -> None:
        self.slide = Slide(number=len(self.slides) + 1, line=line)
        self.block = None
        self.open_paragraph = None
        self.previous_blank = True

    def finish_slide(self) -> None:
        slide = self.slide
        if slide.title is None and not slide.blocks:
            raise self.error(slide.line, "empty slide (two '---' separators in a row, or a trailing one)")
        if slide.title is None or not slide.title_text:
            raise self.error(slide.line, "every slide needs a title: a '# ' or '## ' heading")
        if slide.figure in ("column-chart", "timeline") and (not slide.blocks or slide.blocks[0].table is None):
            raise self.error(slide.line, f"figure '{slide.figure}' needs a table as the slide's first content")
        if slide.figure == "tiles" and (not slide.blocks or not any(p.kind == "bullet" for p in slide.blocks[0].paragraphs)):
            raise self.error(slide.line, "figure 'tiles' needs a bullet list as the slide's first content")
        for block in slide.blocks[1 if slide.figure else 0:]:
            if block.table is not None:
                raise self.error(block.table.line, "a table is only allowed as the data of a figure "
                                                   "(figure: column-chart or timeline, as the first content)")
        self.slides.append(slide)

    def comment(self, lines: list[str], number: int) -> None:
        body = "\n".join(lines).strip()
        if body.startswith("_class:"):
            self.directive(body, number)
        elif body:
            if self.slide.notes:
                self.slide.notes.append("")
            self.slide.notes.extend(_dedent(lines))

    def directive(self, body: str, number: int) -> None:
        slide = self.slide
        if slide.has_directive:
            raise self.error(number, "a second layout comment on the same slide")
        try:
            values = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise self.error(number, f"the layout comment is not valid YAML ({exc.__class__.__name__})") from None
        unknown = sorted(set(values) - DIRECTIVE_KEYS)
        if unknown:
            raise self.error(number, f"unknown key {unknown[0]!r} in the layout comment; expected "
                                     f"{', '.join(sorted(DIRECTIVE_KEYS))}")
        layout = values.get("_class")
        if not isinstance(layout, str) or not layout.strip():
            raise self.error(number, "'_class' must name a layout of the master, e.g. _class: Title and Content")
        figure = values.get("figure")
        if figure is not None and figure not in FIGURES:
            raise self.error(number, f"unknown figure {figure!r}; expected one of {', '.join(FIGURES)}")
        paginate = values.get("_paginate")
        if paginate is not None and not isinstance(paginate, bool):
            raise self.error(number, "'_paginate' must be true or false")
        alt = values.get("alt") or ""
        if not isinstance(alt, str):
            raise self.error(number, "'alt' must be text (quote it)")
        slide.layout, slide.figure, slide.paginate, slide.alt = layout.strip(), figure, paginate, alt.strip()
        slide.has_directive = True

    def content(self, line: str, stripped: str, number: int, continues_table: bool) -> None:
        if not stripped:
            self.open_paragraph = None
            return
        where = f"{self.source}, line {number}"
        heading = _HEADING.match(stripped) if stripped.startswith("#") else None
        if heading:
            self.heading(len(heading.group(1)), heading.group(2) or "", number)
            return
        if stripped.startswith("|"):
            self.table_row(stripped, number, continues_table)
            self.in_table = True
            return
        if self.slide.title is None:
            raise self.error(number, "text before the slide title (every slide starts with a '#' or '##' heading)")
        if re.search(r"(?<!\\)<!--", line):
            raise self.error(number, "a comment inside a line; put speaker notes and layout comments on their own lines")
        bullet = _BULLET.match(line)
        if bullet:
            indent, marker, body = bullet.groups()
            if marker != "-":
                raise self.error(number, f"bullets start with '- ', not '{marker} '")
            level = len(indent) // 2
            if level > 1 or len(indent) % 2:
                raise self.error(number, "bullets nest one level deep, indented by two spaces")
            self.add(Paragraph(parse_inline(body, where), "bullet", level, number))
            return
        if _ORDERED.match(line):
            raise self.error(number, "numbered lists are not supported; use '- ' bullets")
        if stripped.startswith((">", "```", "~~~", "![", "<")) or line.startswith(("    ", "\t")):
            raise self.error(number, f"unsupported Markdown: {stripped[:40]!r}")
        if self.open_paragraph is not None:  # a continuation line joins its paragraph, as in Markdown
            self.open_paragraph.runs += [Run(" ")] + parse_inline(stripped, where)
            return
        self.add(Paragraph(parse_inline(stripped, where), "text", 0, number))

    def heading(self, level: int, text: str, number: int) -> None:
        where = f"{self.source}, line {number}"
        slide = self.slide
        if level <= 2:
            if slide.title is not None:
                raise self.error(number, "a second '#'/'##' heading: each slide has one title; "
                                         "use '###' for a column heading or '---' for a new slide")
            slide.title = parse_inline(text, where)
            self.open_paragraph = None
            return
        if level > 3:
            raise self.error(number, "headings go down to '###' (column headings)")
        if slide.title is None:
            raise self.error(number, "a '###' column heading before the slide title")
        self.block = Block()
        slide.blocks.append(self.block)
        self.block.paragraphs.append(Paragraph(parse_inline(text, where), "heading", 0, number))
        self.open_paragraph = None

    def add(self, paragraph: Paragraph) -> None:
        if self.block is None or self.block.table is not None:
            self.block = Block()
            self.slide.blocks.append(self.block)
        self.block.paragraphs.append(paragraph)
        self.open_paragraph = paragraph

    def table_row(self, stripped: str, number: int, continues_table: bool) -> None:
        where = f"{self.source}, line {number}"
        runs = [parse_inline(cell, where) for cell in _split_row(stripped)]
        cells = ["".join(run.text for run in cell).strip() for cell in runs]
        block = self.block
        table = block.table if continues_table and block is not None else None
        if table is None:
            if self.slide.title is None:
                raise self.error(number, "a table before the slide title")
            if block is None or block.has_content:
                block = self.block = Block()
                self.slide.blocks.append(block)
            block.table = Table(cells, [], number)
            self.delimiter_expected = True
            self.open_paragraph = None
            return
        if self.delimiter_expected:
            if not _DELIMITER_ROW.match(stripped) or len(_split_row(stripped)) != len(table.header):
                raise self.error(number, "the second table row must be the delimiter row, e.g. |---|---:|, "
                                         "with one cell per column")
            self.delimiter_expected = False
            return
        if len(cells) != len(table.header):
            raise self.error(number, f"table row with {len(cells)} cells; the header has {len(table.header)}")
        table.rows.append(cells)
        table.cells.append(runs)


def _split_row(row: str) -> list[str]:
    """Cells of a table row, split on pipes that are not backslash-escaped."""
    cells, current, index = [], "", 0
    body = row.strip()
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            current += body[index:index + 2]
            index += 2
            continue
        if char == "|":
            cells.append(current)
            current = ""
        else:
            current += char
        index += 1
    cells.append(current)
    if body.startswith("|"):
        cells = cells[1:]
    if cells and not cells[-1].strip() and body.endswith("|"):
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def _dedent(lines: list[str]) -> list[str]:
    """Note lines without the comment's common indentation and surrounding blank lines."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    kept: list[str] = []
    for line in lines:
        if line.strip() or (kept and kept[-1]):  # one blank line at most between note paragraphs
            kept.append(line[cut:].rstrip())
    return kept
