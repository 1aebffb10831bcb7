"""The Jinja sandbox every template runs in: no way into Python, out of the template directories,
or into unbounded work.

Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment` already refuses Python's internals
(``cycler.__init__.__globals__``). This subclass also bounds what one expression can cost:
ranges, repetition (``"x" * n``), exponentiation, padding and format widths (``{date:>1500000000}``
in a label would allocate gigabytes). Loops and recursion are bounded by the render's time
budget (:mod:`generator.pipeline.budget`) and by Python's recursion limit. Templates are read by
:class:`TemplateLoader`: real paths inside the template directories only, regular files only.
"""

from __future__ import annotations

import re
import string
import types
from contextvars import ContextVar
from functools import lru_cache, update_wrapper
from typing import TYPE_CHECKING, Any, Callable

import jinja2
import jinja2.filters
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup

from generator.errors import InputRefused
from generator.templating.paths import BUILTIN_PREFIX
from generator.limits import MAX_TEMPLATE_BYTES, read_regular_file

if TYPE_CHECKING:
    from generator.templating.paths import TemplatePath

#: Numbers one ``range()`` may produce (Jinja's own sandbox limit).
MAX_RANGE = 100_000
#: Characters or items a repetition, concatenation, padding or replacement may produce.
MAX_SEQUENCE = 1_000_000
#: Binary digits an exponentiation may produce (2**10000 has 3,011 decimal digits).
MAX_POWER_BITS = 10_000
#: Width or precision in a format (``{:>20}``, ``%.3f``); a page is not 1,000 characters wide.
MAX_FORMAT_WIDTH = 1_000


class TooMuchWork(jinja2.TemplateRuntimeError):
    """A template asked for more than the sandbox allows (the message says what and the limit)."""


class TemplateOutside(jinja2.TemplateError):
    """A template lookup that leads outside the template directories or to something not a file."""


def format_spec_problem(spec: str) -> str | None:
    """Why a format spec (``>1500000000``, ``%1500000000d``) is refused, or None.

    Every number in it counts, whatever the value's type: widths, precisions, and the
    padding widths ``strftime`` accepts (``%1500000000d``).
    """
    if "*" in spec:
        return f"a format width taken from the arguments (*) is not allowed, found {spec!r}"
    for number in re.findall(r"\d+", spec):
        if int(number) > MAX_FORMAT_WIDTH:
            return (f"a format width or precision of at most {MAX_FORMAT_WIDTH:,} is allowed, "
                    f"found {int(number):,} in {_short(spec)!r}")
    return None


def format_string_problem(text: str) -> str | None:
    """Why a ``str.format`` text (a label, say) is refused, or None; ValueError for unbalanced braces."""
    for _, name, spec, _ in string.Formatter().parse(text):
        if name is not None and spec:
            problem = format_spec_problem(spec)
            if problem:
                return problem
    return None


_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?([-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d*))?)[hlL]?[a-zA-Z%]")


def printf_problem(text: str) -> str | None:
    """Why a ``%`` format text is refused, or None."""
    for match in _PRINTF_SPEC.finditer(text):
        problem = format_spec_problem(match.group(1))
        if problem:
            return problem
    return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse(message: str) -> None:
    raise TooMuchWork(message)


def _check_length(length: int, what: str) -> None:
    if length > MAX_SEQUENCE:
        _refuse(f"{what} would make {length:,} characters or items; at most {MAX_SEQUENCE:,} are allowed")


def bounded_range(*args: int) -> range:
    """``range()`` of at most :data:`MAX_RANGE` numbers."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        _refuse(f"range() of {len(numbers):,} numbers; at most {MAX_RANGE:,} are allowed")
    return numbers


def _is_sequence(value: object) -> bool:
    return isinstance(value, (str, list, tuple))


def _repeat(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        if _is_sequence(sequence) and isinstance(count, int):
            _check_length(len(sequence) * max(count, 0), "repeating a text or list")
    return left * right


def _concatenate(left: Any, right: Any) -> Any:
    if _is_sequence(left) and _is_sequence(right):
        _check_length(len(left) + len(right), "joining two texts or lists")
    return left + right


def _power(left: Any, right: Any, modulo: Any = None) -> Any:
    if modulo is None and isinstance(left, int) and isinstance(right, int) and right > 0:
        bits = right * max(abs(left).bit_length() - 1, 0)
        if bits > MAX_POWER_BITS:
            _refuse(f"{_short(str(left), 20)} ** {right:,} is too large a number "
                    f"(at most {MAX_POWER_BITS:,} binary digits are allowed)")
    try:
        return pow(left, right, modulo) if modulo is not None else left ** right
    except OverflowError:
        _refuse(f"{_short(str(left), 20)} ** {_short(str(right), 20)} is too large a number")


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        problem = printf_problem(left)
        if problem:
            _refuse(problem)
    return left % right


# String methods a template can call that allocate in proportion to an argument.
_PADDING_METHODS = {"ljust", "rjust", "center", "zfill"}


def _check_str_method(method: Any, args: tuple) -> None:
    name = method.__name__
    text = method.__self__
    if name in _PADDING_METHODS and args and isinstance(args[0], int):
        _check_length(args[0], f"{name}()")
    elif name == "expandtabs" and args and isinstance(args[0], int):
        _check_length(text.count("\t") * args[0] + len(text), "expandtabs()")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = len(text) + 1 if args[0] == "" else text.count(args[0])
        _check_length(len(text) + count * len(args[1]), "replace()")
    elif name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], (list, tuple)) else args[0]
        _check_length(sum(len(str(item)) for item in items) + len(text) * max(len(items) - 1, 0), "join()")


class _BoundedFormatter(string.Formatter):
    """Refuses format specs that would pad or print beyond :data:`MAX_FORMAT_WIDTH`."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        problem = format_spec_problem(format_spec) if format_spec else None
        if problem:
            _refuse(problem)
        return super().format_field(value, format_spec)


def _formatter_types() -> tuple[type, type]:
    from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter

    plain = type("BoundedSandboxedFormatter", (_BoundedFormatter, SandboxedFormatter), {})
    escaping = type("BoundedSandboxedEscapeFormatter", (_BoundedFormatter, SandboxedEscapeFormatter), {})
    return plain, escaping


_PLAIN_FORMATTER, _ESCAPE_FORMATTER = _formatter_types()


@lru_cache(maxsize=None)
def _fact_fields(kind: type) -> frozenset[str]:
    """The declared fields of a fact-file model class; nothing for any other type."""
    from generator.facts.models import Model

    return frozenset(kind.model_fields) if issubclass(kind, Model) else frozenset()


#: While a document renders, called with the file of every template it uses (see
#: :mod:`generator.pipeline.recording`): the build's environment compiles a template once and serves
#: it to every document from memory, so an opened file would be seen by the first document only.
template_used: ContextVar[Callable[[str], None] | None] = ContextVar("template_used", default=None)


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with the bounds of this module and messages of our own wording."""

    def _load_template(self, name: Any, globals: Any) -> jinja2.Template:
        # Every get_template, include, import and extends comes here, from the cache or not.
        template = super()._load_template(name, globals)
        listener = template_used.get()
        if listener is not None and template.filename:
            listener(template.filename)
        return template

    intercepted_binops = frozenset({"*", "+", "**", "%"})
    _BINOPS: dict[str, Callable[[Any, Any], Any]] = {"*": _repeat, "+": _concatenate, "**": _power, "%": _modulo}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return self._BINOPS[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's API
        if isinstance(__obj, types.BuiltinMethodType) and isinstance(getattr(__obj, "__self__", None), str):
            _check_str_method(__obj, args)
        if __obj is pow:
            return _power(*args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A fact-file field is data (text, dates, numbers, lists, other fact objects): the
        # sandbox's inspection of each access can be skipped, which a list of 5,000 sources,
        # a quarter of a million lookups per check, makes worth it. Anything else is inspected.
        if attribute in _fact_fields(type(obj)):
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        return self.undefined(
            f"the attribute {attribute!r} of a {type(obj).__name__} value (Python's internals are "
            f"out of a template's reach)", name=attribute, obj=obj, exc=SecurityError)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format``/``format_map`` through a formatter that also bounds format widths."""
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) \
                or value.__name__ not in ("format", "format_map") or not isinstance(value.__self__, str):
            return None
        text = value.__self__
        formatter = (_ESCAPE_FORMATTER(self, escape=text.escape) if isinstance(text, Markup)
                     else _PLAIN_FORMATTER(self))
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return type(text)(formatter.vformat(text, args, kwargs))

        return update_wrapper(wrapper, value)


class StrictUndefined(jinja2.StrictUndefined):
    """Jinja's strict undefined, with a message of our own wording (tests and users rely on it)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is jinja2.utils.missing:
            return f"{self._undefined_name!r} is not defined"
        owner = self._undefined_obj
        kind = "None" if owner is None else f"a {type(owner).__name__} value"
        return f"{kind} has no attribute or key {self._undefined_name!r}"


def _bounded_filter(name: str, check: Callable[..., None]) -> Callable[..., Any]:
    original = jinja2.filters.FILTERS[name]

    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return original(*args, **kwargs)

    return update_wrapper(bounded, original)


def _check_format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    problem = printf_problem(str(value))
    if problem:
        _refuse(problem)


def _check_center(value: Any, width: int = 80) -> None:
    if isinstance(width, int):
        _check_length(width, "center")


def _check_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    if isinstance(width, int):
        _check_length(width * (str(value).count("\n") + 1), "indent")
    elif isinstance(width, str):
        _check_length(len(width) * (str(value).count("\n") + 1), "indent")


def _check_batch(value: Any, linecount: int = 1, *args: Any, **kwargs: Any) -> None:
    if isinstance(linecount, int):
        _check_length(linecount, "batch")


def _check_replace(eval_ctx: Any, value: Any, old: Any = "", new: Any = "", count: Any = None) -> None:
    text, old, new = str(value), str(old), str(new)
    found = len(text) + 1 if old == "" else text.count(old)
    _check_length(len(text) + found * len(new), "replace")


BOUNDED_FILTERS = {
    "format": _bounded_filter("format", _check_format_filter),
    "center": _bounded_filter("center", _check_center),
    "indent": _bounded_filter("indent", _check_indent),
    "batch": _bounded_filter("batch", _check_batch),
    "replace": _bounded_filter("replace", _check_replace),
}


class TemplateLoader(jinja2.BaseLoader):
    """Templates from the template directories only, by real path, regular files only.

    ``builtin:NAME`` is the bundled file; other names are looked up override-first. A name
    that resolves outside the template directories (through ``..``, an absolute path or a
    symbolic link) is never read: ``..`` and absolute names are not found, a link pointing
    out is refused, naming its target.
    """

    def __init__(self, path: "TemplatePath") -> None:
        self.path = path

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        name = template.split(":", 1)[1] if template.startswith(BUILTIN_PREFIX + ":") else template
        pieces = name.split("/")
        if not name or name.startswith("/") or "\\" in name or any(p in ("..", ".") for p in pieces):
            raise jinja2.TemplateNotFound(template)
        directories = [self.path.bundled.resolve()] if name != template else list(self.path.dirs)
        for directory in directories:
            candidate = directory.joinpath(*pieces)
            if not (candidate.exists() or candidate.is_symlink()):
                continue
            real = candidate.resolve()
            if not any(real.is_relative_to(d) for d in self.path.dirs):
                raise TemplateOutside(f"refused to read the template {template}: it is a link to {real}, "
                                      f"outside the template directories")
            try:
                data = read_regular_file(real, MAX_TEMPLATE_BYTES)
            except InputRefused as refused:
                raise TemplateOutside(f"refused to read the template {template}: {refused.message}") from None
            except OSError as exc:
                raise TemplateOutside(f"cannot read the template {template}: {exc.strerror or exc}") from None
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateOutside(f"refused to read the template {template}: expected UTF-8 text, "
                                      f"found bytes that are not UTF-8") from None
            return source, str(real), lambda: True
        raise jinja2.TemplateNotFound(template)
