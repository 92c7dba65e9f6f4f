"""The certificate's layout: data/certificate.yaml (CERTIFICATE_TEMPLATE), read and checked once, at start-up.

A programme changes the page, the frames, where each text goes, its size, weight and colour, the list of the
sessions attended and the QR code without touching code. The words come from the locales (each text names a
message key), so every certificate is in its holder's language. A mistake (a position off the page, an unknown
colour, a key missing from a catalogue, a placeholder the certificate cannot fill) stops the bot with the file,
the place and what is wrong, instead of a broken PDF in a worker's hands.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Literal

import matplotlib
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from bot.config import LANGUAGES
from bot.i18n import load_catalogue

# The placeholders the certificate's texts may use, filled by bot/services/certificate_pdf.py.
TEXT_FIELDS = frozenset(
    {"name", "course", "code", "institute", "city", "dates", "hours", "attended", "total", "number", "issued", "link"}
)
SESSION_FIELDS = frozenset({"position", "topic", "when"})
MORE_FIELDS = frozenset({"count"})
# Page sizes in millimetres, portrait (width, height).
PAGE_SIZES: Mapping[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4)}
# The fonts bundled with matplotlib (DejaVu covers Indonesian, English and the symbols a title may use).
BUNDLED_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

MessageKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9_]+)+$")]
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class CertificateTemplateError(ValueError):
    """A template that cannot be used; the message names the file and every problem in it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Page(_Strict):
    size: Literal["A4", "A5", "Letter"] = "A4"
    orientation: Literal["landscape", "portrait"] = "landscape"

    @property
    def width(self) -> float:
        short, long = PAGE_SIZES[self.size]
        return long if self.orientation == "landscape" else short

    @property
    def height(self) -> float:
        short, long = PAGE_SIZES[self.size]
        return short if self.orientation == "landscape" else long


class Fonts(_Strict):
    regular: str = "DejaVuSans.ttf"
    bold: str = "DejaVuSans-Bold.ttf"


class Box(_Strict):
    """A place on the page, in millimetres from the top-left corner."""

    x: float = Field(ge=0)
    y: float = Field(ge=0)
    w: float = Field(gt=0)


class Frame(Box):
    h: float = Field(gt=0)
    line: float = Field(default=0.5, gt=0, le=5)
    colour: str = "ink"


class Text(Box):
    key: MessageKey
    size: float = Field(default=12, ge=4, le=72)
    bold: bool = False
    colour: str = "ink"
    align: Literal["left", "center", "right"] = "left"
    # Millimetres between lines of a text that wraps; default from the size.
    line_height: float | None = Field(default=None, gt=0)


class Sessions(Box):
    """The sessions attended, one line each (at most `max_lines`, then a line saying how many more)."""

    heading: MessageKey | None = None
    line: MessageKey
    more: MessageKey
    size: float = Field(default=9, ge=4, le=24)
    colour: str = "ink"
    line_height: float = Field(default=4.5, gt=0)
    max_lines: int = Field(default=10, ge=1, le=40)


class Qr(_Strict):
    """The QR code of the verification link (a square of `size` millimetres)."""

    x: float = Field(ge=0)
    y: float = Field(ge=0)
    size: float = Field(ge=15, le=120)
    colour: str = "ink"


class CertificateTemplate(_Strict):
    page: Page = Page()
    fonts: Fonts = Fonts()
    colours: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,20}$")], str] = {"ink": "#000000"}
    frames: list[Frame] = []
    texts: list[Text] = Field(min_length=1)
    sessions: Sessions | None = None
    qr: Qr
    # Where the template was read from (fonts given as paths are relative to it).
    source: Path = Path()

    @model_validator(mode="after")
    def _fits(self) -> CertificateTemplate:
        problems = list(self._problems())
        if problems:
            raise ValueError("\n  ".join(problems))
        return self

    def _problems(self) -> Iterator[str]:
        for name, value in self.colours.items():
            if not _HEX.match(value):
                yield f"colours > {name}: {value!r} is not a colour like '#1f4e79'"
        width, height = self.page.width, self.page.height
        places: list[tuple[str, float, float, float, str]] = [
            (f"frames[{i}]", f.x + f.w, f.y + f.h, 0, f.colour) for i, f in enumerate(self.frames)
        ]
        places += [(f"texts[{i}] ({t.key})", t.x + t.w, t.y, 0, t.colour) for i, t in enumerate(self.texts)]
        if self.sessions is not None:
            s = self.sessions
            places.append(("sessions", s.x + s.w, s.y, s.line_height * (s.max_lines + 2), s.colour))
        places.append(("qr", self.qr.x + self.qr.size, self.qr.y + self.qr.size, 0, self.qr.colour))
        for place, right, bottom, extent, colour in places:
            if right > width or bottom + extent > height:
                yield f"{place}: goes off the {width:g} x {height:g} mm page"
            if colour not in self.colours:
                yield f"{place}: colour {colour!r} is not one of the colours ({', '.join(self.colours)})"

    def message_keys(self) -> set[str]:
        """Every message key the template uses."""
        keys = {text.key for text in self.texts}
        if self.sessions is not None:
            keys |= {self.sessions.line, self.sessions.more}
            if self.sessions.heading is not None:
                keys.add(self.sessions.heading)
        return keys

    def font_path(self, name: str) -> Path:
        """A font named in the template: one of matplotlib's bundled fonts, or a path relative to the file."""
        bundled = BUNDLED_FONTS / name
        return bundled if bundled.is_file() else self.source.parent / name

    def check_texts(self, catalogues: Mapping[str, Mapping[str, str]]) -> None:
        """Every key is in every language's catalogue and uses only placeholders the certificate fills."""
        allowed: dict[str, frozenset[str]] = {text.key: TEXT_FIELDS for text in self.texts}
        if self.sessions is not None:
            allowed[self.sessions.line] = SESSION_FIELDS
            allowed[self.sessions.more] = MORE_FIELDS
            if self.sessions.heading is not None:
                allowed[self.sessions.heading] = TEXT_FIELDS
        problems = []
        for key, fields in sorted(allowed.items()):
            for language, catalogue in catalogues.items():
                if key not in catalogue:
                    problems.append(f"  {key}: no text in the {language!r} catalogue")
                    continue
                unknown = sorted(_placeholders(catalogue[key]) - fields)
                if unknown:
                    problems.append(
                        f"  {key} ({language}): unknown placeholders {unknown}; a text may use {sorted(fields)}"
                    )
        if problems:
            raise CertificateTemplateError(f"{self.source}:\n" + "\n".join(problems))

    @classmethod
    def load(cls, path: Path) -> CertificateTemplate:
        """Read and check the file (not its texts: check_texts); raises CertificateTemplateError."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CertificateTemplateError(f"{path}: cannot be read ({error.strerror})") from None
        except yaml.YAMLError as error:
            raise CertificateTemplateError(f"{path}: not valid YAML: {error}") from None
        if not isinstance(raw, dict):
            raise CertificateTemplateError(f"{path}: expected a template (page, colours, texts, qr, ...)")
        try:
            template = cls.model_validate({**raw, "source": path})
        except ValidationError as error:
            raise CertificateTemplateError(f"{path}:\n" + "\n".join(_describe(e) for e in error.errors())) from None
        missing = [
            name for name in (template.fonts.regular, template.fonts.bold) if not template.font_path(name).is_file()
        ]
        if missing:
            raise CertificateTemplateError(f"{path}: fonts > no such font file: {', '.join(missing)}")
        return template


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _describe(error: Mapping[str, object]) -> str:
    """A pydantic error as "  texts[2] > size: Input should be less than or equal to 72"."""
    parts: list[str] = []
    for step in error.get("loc", ()):  # type: ignore[attr-defined]
        if isinstance(step, int) and parts:
            parts[-1] += f"[{step}]"
        else:
            parts.append(str(step))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"  {' > '.join(parts) or 'template'}: {message}"


def load_template(path: Path) -> CertificateTemplate:
    """The template, its layout and its texts in every language checked (what start-up calls)."""
    template = CertificateTemplate.load(path)
    template.check_texts({language: load_catalogue(language) for language in LANGUAGES})
    return template
