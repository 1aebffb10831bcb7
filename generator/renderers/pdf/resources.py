"""Which files and URLs a document's HTML would make WeasyPrint (or a browser) fetch, and refusing those
outside the template directories before anything is laid out."""

from __future__ import annotations

import html as html_module
import re
from typing import TYPE_CHECKING, Callable
from urllib.parse import urljoin

if TYPE_CHECKING:
    from generator.templating.environment import TemplatePath

# Resource references WeasyPrint would (or a browser might) fetch: URL attributes of the elements that
# load something, and url()/@import in stylesheets. Facts are escaped, so they never form a tag; in
# CSS a fact can only be a string literal, which the scanner steps over as a whole.
_FETCHING_TAG = re.compile(r"<(?:img|link|image|use|object|embed|iframe|source|video|audio|input|track)\b[^>]*>"
                           r"""|<a\b[^>]*\brel\s*=\s*["'][^"']*\battachment\b[^>]*>""", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|xlink:href|data|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_STYLE = re.compile(r"""<style\b[^>]*>(.*?)</style\s*>|\bstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                    re.IGNORECASE | re.DOTALL)
_CSS_REFERENCE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@import\s*(?:"([^"]*)"|'([^']*)')"""
                            r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.IGNORECASE)


def resource_refs(html: str) -> list[str]:
    """Files and URLs the HTML would make WeasyPrint fetch (``data:`` URLs and fragments excluded).

    Only markup and stylesheets count: a fact that mentions ``url(http://…)`` is text.
    """
    refs = [value for tag in _FETCHING_TAG.findall(html)
            for match in _URL_ATTRIBUTE.findall(tag) for value in match if value]
    for match in _STYLE.findall(html):
        css = html_module.unescape(match[1] or match[2]) if not match[0] else match[0]
        refs += [value for groups in _CSS_REFERENCE.findall(css) for value in groups if value]
    refs = (html_module.unescape(ref).strip() for ref in refs)
    return [ref for ref in dict.fromkeys(refs) if ref and not ref.startswith(("data:", "#"))]


def refuse_outside_resources(html: str, templates: "TemplatePath", kind: str) -> None:
    """Raise :class:`ResourceError` for the first reference outside the template directories.

    WeasyPrint's fetcher refuses what it loads; this also catches what it would silently
    skip (an iframe, a video poster), so a build and ``generate check`` agree.
    """
    from generator.renderers.pdf import resolve_resource, resource_base

    base = resource_base(templates, kind)
    for ref in resource_refs(html):
        resolve_resource(urljoin(base, ref), templates, kind)


def resource_problems(html: str, templates: "TemplatePath", kind: str) -> list[str]:
    """One message per reference outside the template directories (for ``generate check``)."""
    from generator.errors import GenerateError
    from generator.renderers.pdf import resolve_resource, resource_base

    base = resource_base(templates, kind)
    problems = []
    for ref in resource_refs(html):
        try:
            resolve_resource(urljoin(base, ref), templates, kind)
        except GenerateError as exc:
            problems.append(exc.format_message())
    return problems


def lint_html(build, kind: str, render: "Callable[[str], str]") -> list:
    """``generate check`` for an HTML kind: ``render(lang)`` in every language of ``build`` (no layout),
    each template error and each reference outside the template directories as a problem."""
    from generator.errors import GenerateError
    from generator.facts.yamlsource import Problem

    problems = []
    for lang in build.facts.languages:
        where = f"{kind} ({lang})"
        try:
            html = render(lang)
        except GenerateError as exc:
            problems.append(Problem(None, where, exc.format_message()))
            continue
        problems += [Problem(None, where, message) for message in resource_problems(html, build.templates, kind)]
    return problems
