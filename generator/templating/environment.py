"""The one Jinja environment every document kind uses, over the template search path
(:mod:`generator.templating.paths`: overrides first, ``builtin:NAME`` for the bundled file, so an
override can ``{% extends "builtin:brief/base.html.jinja" %}`` and replace only some blocks).
Facts reach templates as data: they are never compiled, so ``{{ 7*7 }}`` in a fact prints as is.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from pathlib import Path

import jinja2
from jinja2 import pass_context
import jinja2.sandbox
from markupsafe import Markup

from generator.templating.bytecode import bytecode_cache
from generator.templating.css import css_colour, css_font_stack, css_string
from generator.errors import TemplateError
from generator.templating.paths import BUNDLED_TEMPLATES, TemplatePath  # noqa: F401 - the names callers import from here
from generator.templating.sandbox import BOUNDED_FILTERS, BoundedSandbox, StrictUndefined, TemplateLoader, bounded_range

_ESCAPED_SUFFIXES = {".html", ".htm", ".xml", ".svg"}


def _autoescape(name: str | None) -> bool:
    if not name:
        return False
    suffixes = Path(name.split(":", 1)[-1]).suffixes
    while suffixes and suffixes[-1] in (".jinja", ".j2"):
        suffixes.pop()
    return bool(suffixes) and suffixes[-1] in _ESCAPED_SUFFIXES


def create_environment(path: TemplatePath) -> jinja2.Environment:
    """A strict environment over ``path`` with the localization and citation helpers.

    Filters read the current language from the render context's ``i18n`` object, so one
    environment serves every language.
    """
    # Sandboxed: a template (a user's file) reaches the facts, labels and helpers, never Python's
    # internals: ``{{ cycler.__init__.__globals__.os.popen("id") }}`` or a label such as
    # "{date.__class__.__mro__}" passed to .format() is refused instead of run. It reads only
    # files inside the template directories, and one expression cannot ask for unbounded work.
    env = BoundedSandbox(
        loader=TemplateLoader(path),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.bytecode_cache = bytecode_cache()
    env.filters.update(BOUNDED_FILTERS)
    env.globals["range"] = bounded_range
    env.filters.update(
        css_string=css_string, css_colour=css_colour, css_font_stack=css_font_stack,
        tr=_tr, date=_date, daterange=_daterange, number=_number, cite=_cite, romans=to_roman,
        direction=text_direction, isolate=_isolate, instrument=_instrument,
    )
    env.globals.update(cite_numbers=_cite_numbers, disputes=_disputes)
    return env


@pass_context
def _instrument(ctx, holder, capital: bool = False) -> str:
    """``{{ adoption | instrument }}``: the act that adopted a text or gave a mandate, as documents
    name it ("resolution 79/243", "Nghị quyết 79/243"), or "" when the facts name none.

    The act's own ``name`` when it has one; else the label ``instrument_<kind>`` with its
    reference; a kind without a reference (or ``none``) is not named: no document prints an
    instrument type the facts do not give. ``capital``: first letter upper case (a line's start).
    """
    act = holder.instrument
    if act is None:
        kind, reference, name = ("resolution", holder.resolution, None) if holder.resolution is not None else ("none", None, None)
    else:
        kind, reference, name = act.kind, act.reference, act.name
    if name is not None:
        words = _tr(ctx, name)
    elif kind == "none" or reference is None:
        return ""
    else:
        words = ctx["L"]["instrument_" + kind].format(reference=reference)
    return words[:1].upper() + words[1:] if capital else words


@pass_context
def _tr(ctx, value) -> str:
    """``{{ field | tr }}``: the current language's text of a bilingual field.

    Text that runs against the document's direction (Arabic in an English document, a Latin
    name in an Arabic one) comes back marked so that the citation, comma or date a template
    puts after it keeps its place: isolated (:func:`isolate`) where the context sets
    ``isolate_bidi`` (the brief), else closed by :func:`close_direction` (Word, PowerPoint and
    Markdown readers all know those marks).
    """
    text = ctx["i18n"].text(value)
    direction = ctx.get("dir", "ltr")
    return isolate(text, direction) if ctx.get("isolate_bidi") else close_direction(text, direction)


_RIGHT_TO_LEFT = {"R", "AL"}
_FIRST_STRONG_ISOLATE, _POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
_RIGHT_TO_LEFT_MARK, _LEFT_TO_RIGHT_MARK = "\u200f", "\u200e"


#: The blocks holding every character of bidirectional class R or AL (Hebrew to Arabic
#: Extended, RIGHT-TO-LEFT MARK, the presentation forms, the historic scripts of planes 1);
#: tests check it against unicodedata. A regex finds candidates in C, so the thousands of
#: Latin and Vietnamese texts a document prints are not looked at character by character.
_RIGHT_TO_LEFT_BLOCKS = re.compile("[\u0590-\u08ff\u200f\ufb1d-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_right_to_left(text: str) -> bool:
    """Whether ``text`` holds a letter of a right-to-left script (bidirectional class R or AL)."""
    return any(unicodedata.bidirectional(match.group()) in _RIGHT_TO_LEFT
               for match in _RIGHT_TO_LEFT_BLOCKS.finditer(text))


def has_left_to_right(text: str) -> bool:
    """Whether ``text`` holds a letter of a left-to-right script (bidirectional class L)."""
    return any(unicodedata.bidirectional(char) == "L" for char in text if not char.isascii() or char.isalpha())


def runs_against(text: str, direction: str) -> bool:
    """Whether ``text`` holds letters running against a document written in ``direction``."""
    return has_left_to_right(text) if direction == "rtl" else has_right_to_left(text)


def close_direction(text: str, direction: str = "ltr") -> str:
    """Text with letters against the document's direction, followed by two marks: in a
    left-to-right document RIGHT-TO-LEFT MARK + LEFT-TO-RIGHT MARK, in a right-to-left one the
    reverse.

    The first keeps the text's closing punctuation on its own side; the second stops a following
    "[1]", ": 18" or "2024" from joining its run (it would be shown on the wrong side of it).
    Other text is returned unchanged.
    """
    if not runs_against(text, direction):
        return text
    if direction == "rtl":
        return text + _LEFT_TO_RIGHT_MARK + _RIGHT_TO_LEFT_MARK
    return text + _RIGHT_TO_LEFT_MARK + _LEFT_TO_RIGHT_MARK



def text_direction(text: object, default: str = "ltr") -> str:
    """``{{ text | direction }}``: ``rtl`` when the first strong letter is Arabic, Hebrew…, ``ltr``
    when it is Latin, Cyrillic, Han…, and ``default`` when there is none (digits, punctuation).

    What HTML's ``dir="auto"`` computes, for renderers that ignore ``auto`` (WeasyPrint, Word,
    PowerPoint), ``default`` standing for the direction of the element around it.
    """
    for char in str(text):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in _RIGHT_TO_LEFT:
            return "rtl"
    return default


def isolate(text: object, direction: str = "ltr") -> str:
    """``{{ text | isolate }}``: text with letters against the document's direction (``direction``:
    Arabic in a left-to-right document, Latin in a right-to-left one) wrapped in FIRST STRONG ISOLATE …
    POP DIRECTIONAL ISOLATE, the plain-text ``<bdi>``.

    The text then takes the direction of its first strong letter, and a citation, comma or
    date after it is not pulled into its right-to-left run. Other text is returned unchanged;
    the marks are invisible and PDF text extraction drops them.
    """
    value = text if isinstance(text, Markup) else str(text)
    if not runs_against(value, direction):
        return value
    if isinstance(value, Markup):
        return Markup(_FIRST_STRONG_ISOLATE) + value + Markup(_POP_DIRECTIONAL_ISOLATE)
    return _FIRST_STRONG_ISOLATE + value + _POP_DIRECTIONAL_ISOLATE


@pass_context
def _isolate(ctx, text) -> str:
    """``{{ text | isolate }}`` against the direction of the document being rendered."""
    return isolate(text, ctx.get("dir", "ltr"))


@pass_context
def _date(ctx, value, style: str = "formal") -> str:
    """``{{ d | date }}`` -> "ngày 24 tháng 12 năm 2024" / "24 December 2024"; styles from the label file."""
    return ctx["i18n"].date(value, style)


@pass_context
def _daterange(ctx, start, end=None, style: str = "formal") -> str:
    """``{{ s.start | daterange(s.end) }}`` -> "25–26 October 2025"; ``daterange(s.end, "short")`` -> "25–26/10/2025"."""
    return ctx["i18n"].date_range(start, end, style)


@pass_context
def _number(ctx, value) -> str:
    """``{{ n | number }}`` -> "1.234" (vi) / "1,234" (en)."""
    return ctx["i18n"].number(value)


@pass_context
def _cite(ctx, fact) -> str:
    """``{{ fact | cite }}`` -> "[1, 4–5]": plain citation marks (HTML templates use ``cite_numbers``)."""
    from generator.templating.context import citation_mark

    return citation_mark(ctx["citations"].numbers(fact))


@pass_context
def _cite_numbers(ctx, fact) -> list[int]:
    """Note numbers of the sources of ``fact``, numbered in order of first citation."""
    return ctx["citations"].numbers(fact)


@pass_context
def _disputes(ctx, fact) -> list:
    """Discrepancies recorded about ``fact`` (for footnotes next to it)."""
    return ctx["citations"].disputes(fact)


def to_roman(number: int) -> str:
    """Chapter numerals: 9 -> "IX"."""
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def render_template(env: jinja2.Environment, name: str, context: dict) -> str:
    """Render ``name``; any template problem becomes a :class:`TemplateError` naming file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        raise template_error(exc, env, name) from None
    except (RecursionError, MemoryError) as exc:  # a macro calling itself without end, say
        raise template_error(exc, env, name) from None
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        if not raised_by_template(exc):
            raise  # a bug in the toolkit's own code keeps its traceback
        raise template_error(exc, env, name) from None


def raised_by_template(exc: BaseException) -> bool:
    """True when ``exc`` was raised by template code itself or by ``str.format`` it called (a label
    with an unknown placeholder such as ``{chapterz}``), not by the toolkit's Python helpers."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    innermost = frames[-1].filename
    return (innermost.endswith((".jinja", ".j2", "string.py")) or "<template>" in innermost
            or f"{Path(jinja2.__file__).parent}" in innermost)


def template_error(exc: Exception, env: jinja2.Environment, name: str) -> TemplateError:
    """Describe a Jinja failure as ``FILE:LINE: message`` for the template that caused it."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        shown = _shown(exc.filename) if exc.filename else exc.name or name
        message = exc.message or ""
        at_end = "end of template" in message
        unclosed = _unclosed_tag(env, exc) if at_end or "needs to be closed" in message else None
        if unclosed:  # Jinja notices later (at the end of the file); the mistake is where the tag was opened
            tag, line = unclosed
            later = "the end of the file" if at_end else f"line {exc.lineno}"
            return TemplateError(f"{shown}:{line}: {{% {tag} %}} opened here is never closed "
                                 f"(expected {{% end{tag} %}} before {later})")
        return TemplateError(f"{shown}:{exc.lineno}: template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"{name}: template not found: {exc.name}")
    where = _template_frame(exc) or name
    message = str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        message = f"undefined name: {message} (the facts or labels do not provide it)"
    elif isinstance(exc, jinja2.sandbox.SecurityError):
        message = f"not allowed in a template: {message}"
    elif isinstance(exc, KeyError):
        message = f"unknown placeholder {{{exc.args[0]}}} in a text being formatted (a label?)"
    elif isinstance(exc, (RecursionError, MemoryError)):
        message = template_exhaustion(exc)
    elif not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return TemplateError(f"{where}: {message}")


_PAIRED_TAGS = {"if", "for", "block", "macro", "call", "filter", "with", "raw", "autoescape", "trans"}


def _unclosed_tag(env: jinja2.Environment, exc: jinja2.TemplateSyntaxError) -> tuple[str, int] | None:
    """``(tag, line)`` of the innermost tag the template opens and never closes, if any."""
    source = exc.source
    if source is None and exc.filename and not exc.filename.startswith("<"):
        try:
            source = Path(exc.filename).read_text(encoding="utf-8")
        except OSError:
            return None
    if source is None:
        return None
    stack: list[tuple[str, int]] = []
    tokens = iter(env.lex(source))
    try:
        for line, kind, value in tokens:
            if line >= exc.lineno and "end of template" not in exc.message:
                break  # the tag Jinja stopped at: what is open before it is what is unclosed
            if kind != "block_begin":
                continue
            _, _, name = next(tokens)
            while name.isspace():
                _, _, name = next(tokens)
            if name in _PAIRED_TAGS:
                stack.append((name, line))
            elif name == "set":  # {% set x %}...{% endset %} only when no "=" follows
                rest = []
                for _, kind, value in tokens:
                    if kind == "block_end":
                        break
                    rest.append(value)
                if "=" not in rest:
                    stack.append((name, line))
            elif name.startswith("end") and stack and stack[-1][0] == name[3:]:
                stack.pop()
    except (jinja2.TemplateSyntaxError, StopIteration):
        return None
    return stack[-1] if stack else None


def template_exhaustion(exc: BaseException) -> str:
    """Our words for a template that recursed or allocated without end."""
    if isinstance(exc, RecursionError):
        return ("templates call each other too deeply (a macro or include that calls itself "
                "without end?); stopped")
    return "the template needed more memory than there is; stopped"


def _template_frame(exc: Exception) -> str | None:
    """The innermost ``template-file:line`` in the traceback Jinja rewrote for us."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".jinja", ".j2", ".html", ".md", ".xml", ".svg", ".css")) or "<template>" in frame.filename:
            found = f"{_shown(frame.filename)}:{frame.lineno}"
    return found


def _shown(filename: str) -> str:
    """A template's path as the user would type it (relative to the working directory when inside it)."""
    from generator.facts.yamlsource import display_path

    return display_path(Path(filename)) if not filename.startswith("<") else filename
