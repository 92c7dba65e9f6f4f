"""A certificate as a PDF (fpdf2), laid out by the template (data/certificate.yaml) in the holder's language.

Building one takes about a tenth of a second of CPU (the fonts are parsed and subset each time), so callers run
`render_pdf` in a worker thread (bot/delivery/certificates.py), never on the event loop. The QR code (segno) is drawn as
vector squares: sharp at any zoom and on any printer.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import segno
from babel.numbers import format_decimal
from fpdf import FPDF

from bot.i18n import Translator
from bot.services.certificate_template import CertificateTemplate
from bot.services.certificates import CertificateDocument

REGULAR, BOLD = "", "B"
FAMILY = "certificate"
ALIGN = {"left": "L", "center": "C", "right": "R"}
# One point in millimetres; a text's lines are this many times its size apart unless the template says.
PT = 25.4 / 72
LINE_SPACING = 1.25


@dataclass(frozen=True, slots=True)
class CertificateTexts:
    """Everything the page says, as plain text: the fields the template's texts use, and the session lines."""

    fields: dict[str, str]
    sessions: list[dict[str, str]]


def exit_with_parent(parent: int) -> None:
    """In a worker process (its initializer, given the bot's process id): end it when the bot that started it is
    gone, even killed with SIGKILL, instead of lingering as an orphan (checked every second)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="watching the bot", daemon=True).start()


def warm_up() -> bool:
    """Nothing: called in a fresh worker process, it makes the process import this module (fpdf2, segno) early."""
    return True


def verification_link(bot_username: str, number: str) -> str:
    """The deep link in the QR code: opens the bot, which answers whether the certificate is valid."""
    return f"https://t.me/{bot_username}?start=c-{number}"


def certificate_texts(t: Translator, document: CertificateDocument, link: str) -> CertificateTexts:
    certificate, course = document.certificate, document.course
    zone = ZoneInfo(course.timezone)
    first = course.first_start or certificate.issued_at
    last = course.last_end or certificate.issued_at
    start_day, end_day = first.astimezone(zone).date(), last.astimezone(zone).date()
    dates = t.date(start_day) if start_day == end_day else f"{t.date(start_day)} – {t.date(end_day)}"
    hours = format_decimal(certificate.minutes_attended / 60, format="#,##0.#", locale=t.language)
    fields = {
        "name": document.holder,
        "course": course.title,
        "code": course.code,
        "institute": course.institute_name,
        "city": course.institute_city,
        "dates": dates,
        "hours": str(hours),
        "attended": str(certificate.sessions_attended),
        "total": str(certificate.sessions_total),
        "number": certificate.number,
        "issued": t.date(certificate.issued_at.astimezone(zone).date()),
        "link": link,
    }
    sessions = [
        {"position": str(s.position), "topic": s.topic, "when": t.span(s.starts_at, s.ends_at, course.timezone)}
        for s in certificate.sessions
    ]
    return CertificateTexts(fields, sessions)


def render_pdf(template: CertificateTemplate, t: Translator, document: CertificateDocument, link: str) -> bytes:
    """The certificate's PDF. CPU-bound: call it in a worker thread."""
    texts = certificate_texts(t, document, link)
    pdf = FPDF(orientation="L" if template.page.orientation == "landscape" else "P", unit="mm",
               format=template.page.size.lower() if template.page.size != "Letter" else "letter")  # fmt: skip
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(t.plain("cert-pdf-title") + " " + document.certificate.number)
    pdf.set_creator("Vokasi Bot")
    pdf.add_font(FAMILY, REGULAR, template.font_path(template.fonts.regular))
    pdf.add_font(FAMILY, BOLD, template.font_path(template.fonts.bold))
    pdf.add_page()
    colours = {name: _rgb(value) for name, value in template.colours.items()}
    for frame in template.frames:
        pdf.set_draw_color(*colours[frame.colour])
        pdf.set_line_width(frame.line)
        pdf.rect(frame.x, frame.y, frame.w, frame.h)
    for text in template.texts:
        pdf.set_font(FAMILY, BOLD if text.bold else REGULAR, text.size)
        pdf.set_text_color(*colours[text.colour])
        pdf.set_xy(text.x, text.y)
        height = text.line_height or text.size * PT * LINE_SPACING
        pdf.multi_cell(text.w, height, t.plain(text.key, **texts.fields), align=ALIGN[text.align])
    if template.sessions is not None:
        _sessions(pdf, template, t, texts, colours)
    _qr(pdf, template, link, colours[template.qr.colour])
    return bytes(pdf.output())


def _sessions(
    pdf: FPDF,
    template: CertificateTemplate,
    t: Translator,
    texts: CertificateTexts,
    colours: dict[str, tuple[int, int, int]],
) -> None:
    layout = template.sessions
    assert layout is not None
    pdf.set_text_color(*colours[layout.colour])
    y = layout.y
    lines = texts.sessions
    shown = lines if len(lines) <= layout.max_lines else lines[: layout.max_lines - 1]
    if layout.heading is not None:
        pdf.set_font(FAMILY, BOLD, layout.size)
        pdf.set_xy(layout.x, y)
        pdf.cell(layout.w, layout.line_height, t.plain(layout.heading, **texts.fields))
        y += layout.line_height
    pdf.set_font(FAMILY, REGULAR, layout.size)
    rows = [t.plain(layout.line, **line) for line in shown]
    if len(shown) < len(lines):
        rows.append(t.plain(layout.more, count=len(lines) - len(shown)))
    for row in rows:
        pdf.set_xy(layout.x, y)
        # One line per session: a topic too long for the width is shortened rather than overlapping the next.
        pdf.cell(layout.w, layout.line_height, _fit(pdf, row, layout.w))
        y += layout.line_height


def _qr(pdf: FPDF, template: CertificateTemplate, link: str, colour: tuple[int, ...]) -> None:
    code = segno.make(link, error="m")
    matrix = list(code.matrix_iter(border=0))
    module = template.qr.size / len(matrix)
    pdf.set_fill_color(*colour)
    for row_index, row in enumerate(matrix):
        start = None
        # Runs of dark modules as one rectangle each (a few hundred instead of over a thousand).
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                x = template.qr.x + start * module
                # A hair taller than a module, so no light seam shows between rows when it is rasterised.
                pdf.rect(x, template.qr.y + row_index * module, (column - start) * module, module + 0.02, style="F")
                start = None


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
