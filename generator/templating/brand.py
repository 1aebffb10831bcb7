"""The brand: colours, fonts, logo and organization name, applied to every format.

One YAML file (``brand.yaml`` on the template search path, or ``--brand FILE``) feeds CSS
variables in the PDF and the download page, styles in the .docx, and the theme colours,
fonts and logo of the .pptx.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from generator.templating.css import css_colour, css_font_stack
from generator.errors import TemplateError
from generator.limits import MAX_LOGO_BYTES, MAX_LOGO_PIXELS, read_or_reason, read_regular_file
from generator.facts.models import Text
from generator.templating.paths import TemplatePath
from generator.facts.validation import validate
from generator.facts.yamlsource import load_yaml

Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
ScriptCode = Annotated[str, Field(pattern=r"^[A-Z][a-z]{3}$")]
BRAND_FILE = "brand.yaml"
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
#: What Pillow calls the format each logo suffix promises.
_LOGO_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Colours(_Strict):
    """Six colours, as ``#RRGGBB``."""

    primary: Colour = "#1f3864"
    """Headings, title bars, chart bars, buttons."""
    accent: Colour = "#2e5597"
    """Links, list markers, secondary highlights."""
    light: Colour = "#eef2f8"
    """Backgrounds of boxes and cards."""
    rule: Colour = "#b7c2d6"
    """Lines and borders."""
    text: Colour = "#1a1a1a"
    """Body text."""
    muted: Colour = "#5f6b7a"
    """Secondary text: captions, headers and footers."""


class Fonts(_Strict):
    """Font family names; the fallbacks cover systems without the first choice."""

    body: str = "Times New Roman"
    """Body text (Vietnamese administrative documents use Times New Roman)."""
    heading: str = "Times New Roman"
    """Headings and titles."""
    fallbacks: list[str] = ["Liberation Serif", "Noto Serif", "serif"]
    """Tried in order when a font is missing (HTML and PDF only; Word and PowerPoint substitute themselves)."""
    scripts: dict[ScriptCode, str] = {"Arab": "Noto Naskh Arabic", "Hans": "WenQuanYi Micro Hei",
                                      "Hant": "WenQuanYi Micro Hei"}
    """A font per ISO 15924 script (``Arab``, ``Hans``, ``Cyrl``…) for text the body and heading
    fonts do not suit: a document in that script's language is set in it, and text in it inside
    another document (an Arabic name in an English brief) too. Word and PowerPoint get it as their
    complex-script (Arabic) or East Asian (Chinese) font. A script left out uses ``body``."""

    def for_script(self, script: str, family: str) -> str:
        """The font a document written in ``script`` sets ``family``'s text in."""
        return self.scripts.get(script, family)


class Brand(_Strict):
    """A brand file."""

    organization: Text | None = None
    """Organization name per language; when absent, documents use the fact file's ``document.issuer``."""
    colours: Colours = Colours()
    """Colour palette."""
    fonts: Fonts = Fonts()
    """Fonts."""
    logo: str | None = None
    """Logo image (PNG or JPEG), relative to the brand file; shown on covers, title slides and in the page header."""


class LoadedBrand:
    """A validated brand plus its resolved logo."""

    def __init__(self, brand: Brand, logo_path: Path | None, source: Path | None, custom: bool = False,
                 document=None) -> None:
        self.brand = brand
        self.document = document
        """The parsed brand file (positions for messages), None for the defaults."""
        self.custom = custom
        """True for the user's own brand file; the bundled defaults leave templates' own styles alone."""
        self.colours = brand.colours
        self.fonts = brand.fonts
        self.organization = brand.organization
        self.logo_path = logo_path
        self.source = source

    def css_font_stack(self, family: str, script: str | None = None) -> str:
        """``"Times New Roman", "Noto Naskh Arabic", …, "Liberation Serif", serif`` for CSS, every
        name escaped: the brand's font for ``script`` (the document's) first when it names one, then
        ``family``, the other scripts' fonts (for text in them inside the document), the fallbacks."""
        own = self.fonts.scripts.get(script) if script else None
        families = [own, family, *self.fonts.scripts.values(), *self.fonts.fallbacks] if own else \
            [family, *self.fonts.scripts.values(), *self.fonts.fallbacks]
        return css_font_stack(dict.fromkeys(name for name in families if name))

    def css_colour(self, role: str) -> str:
        """The colour of ``role`` (``primary``, ``accent``…) for CSS."""
        return css_colour(getattr(self.colours, role))

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as a ``data:`` URL for HTML and PDF."""
        if self.logo_path is None:
            return None
        mime = _LOGO_TYPES[self.logo_path.suffix.lower()]
        data = read_regular_file(self.logo_path, MAX_LOGO_BYTES)  # checked when the brand was loaded
        return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")

    def sets_colour(self, name: str) -> bool:
        """True when the brand file itself names colour ``name`` (a user's edits in Word or
        PowerPoint stay for every colour it leaves out)."""
        return "colours" in self.brand.model_fields_set and name in self.brand.colours.model_fields_set

    def sets_font(self, role: str) -> bool:
        """True when the brand file itself names the ``body`` or ``heading`` font."""
        return "fonts" in self.brand.model_fields_set and role in self.brand.fonts.model_fields_set

    def hex(self, name: str) -> str:
        """A colour without ``#`` (for OOXML attributes)."""
        return getattr(self.colours, name).lstrip("#").upper()


def load_brand(templates: TemplatePath, explicit: Path | None = None) -> LoadedBrand:
    """The brand from ``explicit`` or the first ``brand.yaml`` on the search path; defaults if none."""
    path = Path(explicit) if explicit else _find(templates)
    if path is None:
        return LoadedBrand(Brand(), None, None)
    doc = load_yaml(path)
    problems = [p for p in doc.problems if p.severity == "error"]
    brand = None
    if not problems:
        brand, problems = validate(Brand, doc) if doc.data is not None else (Brand(), [])
    if problems or brand is None:
        raise TemplateError("\n".join(str(p) for p in problems))
    logo = None
    if brand.logo:
        logo = (path.parent / brand.logo).resolve()
        position = doc.position(("logo",))
        if logo.suffix.lower() not in _LOGO_TYPES:
            raise TemplateError(f"{position}: logo: expected a PNG or JPEG file, found {brand.logo!r}")
        if not logo.is_file():
            raise TemplateError(f"{position}: logo: file not found: {logo}")
        allowed = [d for d in templates.dirs] + [path.parent.resolve()]
        if not any(logo.is_relative_to(d) for d in allowed):
            raise TemplateError(f"{position}: logo: {brand.logo!r} is outside the brand file's directory and the template directories")
        problem = logo_problem(logo, brand.logo)
        if problem:
            raise TemplateError(f"{position}: logo: {problem}")
    custom = path.resolve() != (templates.bundled / BRAND_FILE).resolve()
    return LoadedBrand(brand, logo, path, custom, doc)


def logo_problem(path: Path, shown: str) -> str | None:
    """Why the logo at ``path`` cannot be used, or None: it must be the image its suffix names
    (PNG or JPEG), a regular file of at most 10 MB and of at most 25 megapixels.

    Only the image header is read (Pillow decodes nothing until asked): a 17 kB PNG that
    claims 12000 × 12000 pixels, 576 MB once decoded, is refused at no cost.
    """
    import warnings

    from PIL import Image

    data, why = read_or_reason(path, MAX_LOGO_BYTES)
    if data is None:
        return f"{shown!r}: {why}"
    expected = _LOGO_FORMATS[path.suffix.lower()]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we apply our own, lower limit
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as image:
                found, (width, height) = image.format, image.size
    except (Image.UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return f"{shown!r} is not a {expected} image (its content is not a PNG or JPEG image)"
    if found != expected:
        return f"{shown!r} is a {found} image, not the {expected} image its name says; rename it or convert it"
    if width * height > MAX_LOGO_PIXELS:
        return (f"{shown!r} is {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
                f"expected at most {MAX_LOGO_PIXELS // 1_000_000} megapixels (a logo of 2000 × 2000 prints sharp)")
    return None


def _find(templates: TemplatePath) -> Path | None:
    for directory in templates.dirs:
        if (directory / BRAND_FILE).is_file():
            return directory / BRAND_FILE
    return None
