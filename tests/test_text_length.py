"""Every text a participant gets fits one phone screen: at most 12 lines of 32 characters.

Which keys are participant-facing: every key of the catalogues except those whose key starts with one of
STAFF_PREFIXES (texts shown only to programme staff and LPK members: staff commands, reports, imports,
broadcast tools, rosters, roll call and QR posters, audit lines, workbook columns). A new participant text is
therefore checked by default; a new staff family is added to the list by name.

How a text is measured: rendered with realistic long-ish sample values (SAMPLES; a placeholder that holds
several lines built from other texts gets a few such lines), HTML tags removed, each explicit line wrapped at
32 characters with textwrap (an empty line counts as one). A text over MAX_LINES fails unless its key is in
EXCEPTIONS with the reason it has to be long, or it is the whole text shown by a "Selengkapnya" button (IN_FULL,
naming the short text that offers it, which must fit).
"""

from __future__ import annotations

import re
import string
import textwrap

import pytest

from bot.i18n import load_catalogue

WIDTH = 32  # characters per line on a small phone in Telegram's default font
MAX_LINES = 12

STAFF_PREFIXES = (
    "audit-",
    "broadcast-",  # the staff panel; what a recipient sees (broadcast-sender, broadcast-how-to-ask) is checked below
    "chart-",
    "cmd-staff",
    "complete-",
    "enrollment-",
    "filter-",
    "helpdesk-staff",
    "import-",
    "lookup-",
    "presence-qr",
    "presence-roll",
    "prompt-",
    "report-",
    "role-",
    "roster-",
    "staff-",
    "vacancy-funnel-",
    "vacancy-import",
    "vacancy-report",
    "vacancy-staff",
    "vacancy-xlsx-",
    "xlsx-",
)
# Staff-prefixed keys a participant does receive.
PARTICIPANT_DESPITE_PREFIX = {"broadcast-sender", "broadcast-how-to-ask"}

EXCEPTIONS = {
    "consent-notice": "the legal notice (UU PDP) must be read whole before anything is stored",
    "help": "the help page answers every question at once; it is asked for, not pushed",
    "vacancy-consent": "consent to hand personal data to an employer: what goes where must be read whole",
    # The person's record: ten labelled fields, one a line. Cut or behind a button, a wrong NIK or phone number
    # would go unnoticed; without labels ("🏭 PT ...") a reader with little schooling cannot tell what is what.
    "details": "the registration record, every field labelled (the review and /profil show it whole)",
    "summary": "the registration review: the record (details) and 'Sudah benar?', confirmed before saving",
    "profile": "/profil: the record (details) and the status, to choose which field to change",
}
# A long text behind a "Selengkapnya" button, by the key of the short text that offers it (which must fit).
IN_FULL = {
    "course-detail-full": "course-detail",
    "vacancy-detail-full": "vacancy-detail",
}

# Realistic long-ish values: a long course title, a long institute name, a full date with its zone.
SAMPLES = {
    "name": "Siti Nurhaliza Rahayu",
    "title": "Operator Forklift Tingkat Dasar",
    "course": "Operator Forklift Tingkat Dasar",
    "institute": "LPK Karya Mandiri Sejahtera",
    "employer": "PT Maju Jaya Sentosa Abadi",
    "position": "Operator Forklift Gudang",
    "when": "Senin, 14 Desember 2026 08.00 WIB",
    "date": "Senin, 14 Desember 2026",
    "dates": "14–25 Desember 2026",
    "venue": "Gedung Balai Latihan Kerja Bekasi",
    "where": "Kabupaten Bekasi, Jawa Barat",
    "address": "Jl. Raya Industri No. 12, Cikarang",
    "number": "VOK-2026-000123",
    "code": "LOW-0042",
    "topic": "Keselamatan kerja dan perawatan harian",
    "about": "\nBelajar mengemudikan forklift dengan aman di gudang.\n",
    "seats": "12 kursi tersisa",
    "deadline": "Jumat, 11 Desember 2026 23.59 WIB",
    "closes": "Jumat, 11 Desember 2026",
}
# Counts and numbers: a realistic two-digit value.
SAMPLES |= dict.fromkeys(("page", "pages", "count", "n", "minutes", "min_months", "max_months", "waiting"), "12")
SAMPLES |= dict.fromkeys(("enrollments", "surveys", "checkins", "tickets", "version", "months"), "12")
SAMPLES |= dict.fromkeys(("registered", "consent_at"), "14 Desember 2026")
LINES_SAMPLE = "\n".join(["• Operator Forklift Dasar, 14 Des 2026", "• Barista Pemula, 4 Jan 2027", "• K3 Listrik"])
MULTI_LINE = {"sessions", "vacancies", "courses", "requirements", "how", "lines", "details", "entries"}
DEFAULT = "Operator Forklift Dasar"
# Where a placeholder holds another text of a known shape, that shape (as the handler builds it).
KEY_SAMPLES = {
    "course-detail": {
        "category": "Alat Berat",
        "about": "Belajar mengemudikan forklift dengan aman di…\n",  # course-about-short
        "sessions": "🗓 14–25 Desember 2026 · 10 sesi\n🕗 Biasanya 08.00–16.00 WIB\n▶️ Mulai Senin, 14 Desember 2026",
        "deadline": "11 Desember 2026",
    },
    "retention-notice": {"date": "14 Desember 2026"},
    "vacancy-detail": {
        "note": "",
        "salary": "💰 Rp5.500.000–Rp7.000.000/bulan\n",
        "more": "\nPersyaratan\n• Sertifikat pelatihan operator forklift\n• Pengalaman 1 tahun diutamakan"
        "\n• Bersedia kerja shift",
    },
}


def participant_keys(catalogue: dict[str, str]) -> list[str]:
    return sorted(key for key in catalogue if key in PARTICIPANT_DESPITE_PREFIX or not key.startswith(STAFF_PREFIXES))


def render(text: str, key: str = "") -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    values = {n: LINES_SAMPLE if n in MULTI_LINE else SAMPLES.get(n, DEFAULT) for n in names}
    values |= KEY_SAMPLES.get(key, {})
    return re.sub(r"<[^>]+>", "", text.format_map(values))


def screen_lines(text: str) -> int:
    """Lines on a phone: each explicit line wrapped at WIDTH characters, an empty line counting as one."""
    return sum(len(textwrap.wrap(line, WIDTH)) or 1 for line in text.split("\n"))


def test_the_measure_counts_wrapped_and_empty_lines() -> None:
    assert screen_lines("Halo") == 1
    assert screen_lines("a\n\nb") == 3
    assert screen_lines("kata " * 20) == 4  # 100 characters wrap into four lines of at most 32


def test_a_too_long_text_is_flagged() -> None:
    """The check can fail: a text of thirteen short lines, or one long paragraph, is over the limit."""
    catalogue = {"too-long": "\n".join(["Baris pendek"] * 13), "paragraph": "Kata panjang " * 40, "ok": "Baris"}
    assert too_long(catalogue) == ["paragraph", "too-long"]


def too_long(catalogue: dict[str, str]) -> list[str]:
    keys = participant_keys(catalogue)
    allowed = EXCEPTIONS.keys() | IN_FULL.keys()
    return sorted(k for k in keys if k not in allowed and screen_lines(render(catalogue[k], k)) > MAX_LINES)


def test_staff_texts_are_told_apart_from_participant_texts() -> None:
    keys = participant_keys(load_catalogue("id"))
    assert {"ask-kpj", "welcome", "broadcast-sender", "reminder-day-before"} <= set(keys)
    assert not {"report-title", "roster-title", "import-done"} & set(keys)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_participant_text_fits_one_screen(language: str) -> None:
    catalogue = load_catalogue(language)
    flagged = {key: screen_lines(render(catalogue[key], key)) for key in too_long(catalogue)}
    assert flagged == {}, f"{language}: over {MAX_LINES} lines of {WIDTH} characters: {flagged}"


def test_every_exception_is_a_real_key() -> None:
    assert set(EXCEPTIONS) | set(IN_FULL) | set(IN_FULL.values()) <= set(load_catalogue("id"))


@pytest.mark.parametrize("language", ["id", "en"])
def test_what_offers_a_long_text_in_full_is_itself_short(language: str) -> None:
    catalogue = load_catalogue(language)
    for short in IN_FULL.values():
        assert short not in EXCEPTIONS and screen_lines(render(catalogue[short], short)) <= MAX_LINES, short
