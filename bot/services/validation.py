"""Parsing and validation of what participants type during registration.

Every parser returns the normalised value or raises :class:`ValidationError` carrying a message key
(the texts live in the gettext catalogues, not here). Keys used:

``err-name-chars``, ``err-name-length``,
``err-nik-format``, ``err-nik-province``, ``err-nik-birthdate``, ``err-nik-serial``,
``err-kpj-format``,
``err-phone-format``, ``err-phone-foreign``, ``err-phone-not-mobile``,
``err-regency-format``, ``err-employer-format``,
``err-date-format``, ``err-date-future``, ``err-date-too-old``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import cache

import phonenumbers
from babel.dates import get_month_names

from bot.services.provinces import ProvinceCatalog


class ValidationError(ValueError):
    """Invalid input; ``key`` names the message to show, ``params`` fills its placeholders."""

    key: str
    params: dict[str, str]

    def __init__(self, key: str, params: Mapping[str, str] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params = dict(params) if params else {}


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _letter_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


# --- full name -------------------------------------------------------------------------------------------

NAME_MIN = 2
NAME_MAX = 100
_NAME_PUNCT = frozenset(" '’.-")


def parse_full_name(text: str) -> str:
    name = _collapse(text)
    previous = ""
    for ch in name:
        category = unicodedata.category(ch)
        if category.startswith("L") or ch in _NAME_PUNCT:
            pass
        elif category.startswith("M") and previous.isalpha():
            pass  # combining accent that did not compose with its letter
        else:
            raise ValidationError("err-name-chars")
        if not category.startswith("M"):
            previous = ch
    # A "name" of fewer than two letters ("A.", "--") is reported as too short.
    if not NAME_MIN <= len(name) <= NAME_MAX or _letter_count(name) < 2:
        raise ValidationError("err-name-length", {"min": str(NAME_MIN), "max": str(NAME_MAX)})
    if name == name.lower():  # "budi santoso" -> "Budi Santoso"; names typed with capitals stay as typed
        return " ".join(_capitalise_word(word) for word in name.split(" "))
    return name


# --- NIK (Nomor Induk Kependudukan) ----------------------------------------------------------------------

NIK_LENGTH = 16
MIN_NIK_AGE = 15
_SEPARATORS_RE = re.compile(r"[\s.\-‐‑‒–—−]+")
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class NikInfo:
    nik: str
    province_code: str  # the NIK's first two digits (Kemendagri/Dukcapil code, not the BPS code)
    birth_date: date
    gender: str  # "F" or "M"


def _digits_only(text: str, length: int) -> str | None:
    cleaned = _SEPARATORS_RE.sub("", text)
    if len(cleaned) == length and set(cleaned) <= _ASCII_DIGITS:
        return cleaned
    return None


def parse_nik(text: str, provinces: ProvinceCatalog, today: date) -> NikInfo:
    """Checks, in this order: format, serial, province code, birth date."""
    nik = _digits_only(text, NIK_LENGTH)
    if nik is None:
        raise ValidationError("err-nik-format")
    if nik[12:] == "0000":
        raise ValidationError("err-nik-serial")
    province_code = nik[:2]
    if not provinces.known_nik_code(province_code):
        raise ValidationError("err-nik-province")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    gender = "M"
    if day > 40:
        day -= 40
        gender = "F"
    year = 2000 + yy
    # Assume the 2000s unless that makes the person younger than MIN_NIK_AGE today.
    age = today.year - year - ((today.month, today.day) < (month, day))
    if age < MIN_NIK_AGE:
        year -= 100
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise ValidationError("err-nik-birthdate") from None
    if birth_date > today:
        raise ValidationError("err-nik-birthdate")
    return NikInfo(nik=nik, province_code=province_code, birth_date=birth_date, gender=gender)


def mask_nik(nik: str) -> str:
    """``"3201011501900001"`` -> ``"3201********0001"``; strings of 8 characters or fewer are masked whole."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


# --- KPJ (BPS Ketenagakerjaan membership number) ---------------------------------------------------------

KPJ_LENGTH = 11


def parse_kpj(text: str) -> str:
    kpj = _digits_only(text, KPJ_LENGTH)
    if kpj is None:
        raise ValidationError("err-kpj-format")
    return kpj


# --- phone -----------------------------------------------------------------------------------------------

_PHONE_CHARS = frozenset("0123456789+-.()/ \t")


def _parse_number(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None


def parse_phone(text: str, *, from_contact: bool = False) -> str:
    """Indonesian mobile number in any common notation -> E.164 (``"+6281234567890"``).

    ``from_contact``: the text is a shared Telegram contact's number, which is always international even
    when it comes without "+" ("6281234567890", "4915112345678"). Typed text is read as international
    when it starts with "+" or "62" and as Indonesian national otherwise ("0812...", also "812...").
    """
    raw = text.strip()
    if not raw or not set(raw) <= _PHONE_CHARS:
        raise ValidationError("err-phone-format")
    head = "".join(ch for ch in raw if ch == "+" or ch.isdigit())  # the number without separators
    number: phonenumbers.PhoneNumber | None = None
    if not head.startswith("+") and (from_contact or head.startswith("62")):
        # "62..." without "+" is the country code (national numbers start with 0), even where the
        # national reading would be a landline such as 0628-...
        number = _parse_number("+" + head)
    if number is None or not phonenumbers.is_valid_number(number):
        number = _parse_number(raw)
    if (number is None or not phonenumbers.is_valid_number(number)) and not head.startswith(("+", "0")):
        # Digits of a foreign number in international form without "+", e.g. "4915112345678".
        number = _parse_number("+" + head)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError("err-phone-format")
    if phonenumbers.region_code_for_number(number) != "ID":
        raise ValidationError("err-phone-foreign")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError("err-phone-not-mobile")
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164


# --- regency / city --------------------------------------------------------------------------------------

REGENCY_MIN = 3
REGENCY_MAX = 60
_REGENCY_PUNCT = frozenset(" .-'’()")


def _capitalise_word(word: str) -> str:
    out = []
    start = True
    for ch in word:
        if ch.isalpha():
            upper = ch.upper()
            # Only one-to-one capitals: "ß" would become "SS" and change the name's length.
            out.append(upper if start and len(upper) == 1 else ch)
            start = False
        else:
            out.append(ch)
            start = ch in "-(."
    return "".join(out)


def parse_regency(text: str) -> str:
    regency = _collapse(text)
    if (
        not REGENCY_MIN <= len(regency) <= REGENCY_MAX
        or not all(ch.isalpha() or ch in _REGENCY_PUNCT for ch in regency)
        or _letter_count(regency) < 3
    ):
        raise ValidationError("err-regency-format", {"min": str(REGENCY_MIN), "max": str(REGENCY_MAX)})
    return " ".join(_capitalise_word(w) if w == w.lower() else w for w in regency.split(" "))


# --- employer --------------------------------------------------------------------------------------------

EMPLOYER_MIN = 2
EMPLOYER_MAX = 100


def parse_employer(text: str) -> str:
    employer = _collapse(text)
    if not EMPLOYER_MIN <= len(employer) <= EMPLOYER_MAX or _letter_count(employer) < 1:
        raise ValidationError("err-employer-format", {"min": str(EMPLOYER_MIN), "max": str(EMPLOYER_MAX)})
    return employer


# --- dates -----------------------------------------------------------------------------------------------

DEFAULT_EARLIEST = date(1990, 1, 1)
_MONTH_LOCALES = ("id", "en")
# Common Indonesian abbreviations that CLDR does not list.
_EXTRA_MONTH_ABBREVIATIONS: Mapping[str, int] = {"agt": 8, "ags": 8, "des": 12, "okt": 10, "mei": 5}
_MIN_MONTH_PREFIX = 3
_DATE_SPLIT_RE = re.compile(r"[\s\-/.,]+")


@cache
def _month_names() -> tuple[dict[str, int], dict[str, int]]:
    """(abbreviations, full names) from CLDR via Babel, lower case, for Indonesian and English."""
    abbreviated: dict[str, int] = dict(_EXTRA_MONTH_ABBREVIATIONS)
    wide: dict[str, int] = {}
    for locale in _MONTH_LOCALES:
        for context in ("format", "stand-alone"):
            for month, name in get_month_names("abbreviated", context=context, locale=locale).items():
                abbreviated[str(name).casefold().rstrip(".")] = int(month)
            for month, name in get_month_names("wide", context=context, locale=locale).items():
                wide[str(name).casefold()] = int(month)
    return abbreviated, wide


def _month_from_name(token: str) -> int | None:
    if not token.isalpha():
        return None
    abbreviated, wide = _month_names()
    found = abbreviated.get(token) or wide.get(token)
    if found is not None:
        return found
    if len(token) < _MIN_MONTH_PREFIX:
        return None
    months = {month for name, month in wide.items() if name.startswith(token)}
    return months.pop() if len(months) == 1 else None


def _number(token: str, min_len: int, max_len: int) -> int | None:
    if min_len <= len(token) <= max_len and set(token) <= _ASCII_DIGITS:
        return int(token)
    return None


def _parse_date_tokens(tokens: list[str]) -> tuple[int, int, int] | None:
    """(year, month, day) from the tokens of a typed date, or None when no accepted pattern fits."""
    if len(tokens) == 3:
        a, b, c = tokens
        year = _number(c, 4, 4)
        if year is not None:
            day = _number(a, 1, 2)
            month = _number(b, 1, 2)
            if day is not None and month is not None:  # 15-01-2025
                return year, month, day
            named = _month_from_name(b)
            if day is not None and named is not None:  # 15 Januari 2025
                return year, named, day
            named, day = _month_from_name(a), _number(b, 1, 2)
            if named is not None and day is not None:  # January 15, 2025
                return year, named, day
            return None
        year, month, day = _number(a, 4, 4), _number(b, 1, 2), _number(c, 1, 2)
        if year is not None and month is not None and day is not None:  # 2025-01-15
            return year, month, day
        return None
    if len(tokens) == 2:
        a, b = tokens
        year = _number(b, 4, 4)
        if year is None:
            return None
        month = _number(a, 1, 2)
        if month is None:
            month = _month_from_name(a)
        if month is not None:  # 01/2025, Januari 2025 -> the 1st of the month
            return year, month, 1
    return None


def _tokens(text: str) -> list[str]:
    return [t for t in _DATE_SPLIT_RE.split(text.strip().casefold()) if t]


def parse_date(text: str) -> date:
    """A date as people type it: 15-01-2025, 15 Januari 2025, 2025-01-15, 01/2025 (the 1st of the month)."""
    parts = _parse_date_tokens(_tokens(text))
    if parts is None:
        raise ValidationError("err-date-format")
    try:
        return date(*parts)
    except ValueError:
        raise ValidationError("err-date-format") from None


_TIME_RE = re.compile(r"^(\d{1,2})[.:](\d{2})$")


def parse_date_time(text: str) -> tuple[date, time]:
    """A date and a time of day: 25-11-2026 08.00, 25/11/2026 8:00, 2026-11-25 08:00."""
    parts = text.strip().rsplit(maxsplit=1)
    match = _TIME_RE.match(parts[-1]) if len(parts) == 2 else None
    if match is None:
        raise ValidationError("err-datetime-format")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValidationError("err-datetime-format")
    try:
        day = parse_date(parts[0])
    except ValidationError:
        raise ValidationError("err-datetime-format") from None
    return day, time(hour, minute)


def parse_month(text: str) -> date:
    """A month and year: 03/2026, Maret 2026, 2026-03; returned as the 1st of that month."""
    tokens = _tokens(text)
    if len(tokens) == 2 and _number(tokens[0], 4, 4) is not None:  # 2026-03
        tokens = [tokens[1], tokens[0]]
    parts = _parse_date_tokens(tokens) if len(tokens) == 2 else None
    if parts is None:
        raise ValidationError("err-month-format")
    try:
        return date(*parts)
    except ValueError:
        raise ValidationError("err-month-format") from None


def parse_past_date(text: str, today: date, earliest: date = DEFAULT_EARLIEST) -> date:
    value = parse_date(text)
    if value > today:
        raise ValidationError("err-date-future", {"today": today.isoformat()})
    if value < earliest:
        raise ValidationError("err-date-too-old", {"earliest": earliest.isoformat()})
    return value


def add_months(d: date, months: int) -> date:
    """Calendar month arithmetic: the day is clipped to the target month (31 Mar - 1 month = 28/29 Feb)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    month = month0 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def phk_eligible(phk_date: date, today: date, min_months: int, max_months: int) -> bool:
    """Whether a lay-off (PHK) date lies between ``max_months`` and ``min_months`` months before today."""
    return add_months(today, -max_months) <= phk_date <= add_months(today, -min_months)


# --- education -------------------------------------------------------------------------------------------

# SD, SMP, SMA/SMK, D1-D3, D4/S1, S2/S3
EDUCATION_LEVELS: tuple[str, ...] = ("sd", "smp", "sma", "d3", "s1", "s2")

_EDUCATION_WORDS: Mapping[str, str] = {
    # primary
    "sd": "sd",
    "mi": "sd",
    "sekolahdasar": "sd",
    "madrasahibtidaiyah": "sd",
    "paketa": "sd",
    # lower secondary
    "smp": "smp",
    "sltp": "smp",
    "mts": "smp",
    "sekolahmenengahpertama": "smp",
    "madrasahtsanawiyah": "smp",
    "paketb": "smp",
    # upper secondary
    "sma": "sma",
    "smk": "sma",
    "slta": "sma",
    "ma": "sma",
    "mak": "sma",
    "stm": "sma",
    "smea": "sma",
    "smu": "sma",
    "sekolahmenengahatas": "sma",
    "sekolahmenengahkejuruan": "sma",
    "madrasahaliyah": "sma",
    "paketc": "sma",
    # diploma 1-3
    "d1": "d3",
    "d2": "d3",
    "d3": "d3",
    "dii": "d3",
    "diii": "d3",
    "diploma": "d3",
    "diploma1": "d3",
    "diploma2": "d3",
    "diploma3": "d3",
    "diplomai": "d3",
    "diplomaii": "d3",
    "diplomaiii": "d3",
    "ahlimadya": "d3",
    # diploma 4 / bachelor
    "d4": "s1",
    "div": "s1",
    "diploma4": "s1",
    "diplomaiv": "s1",
    "s1": "s1",
    "strata1": "s1",
    "stratai": "s1",
    "sarjana": "s1",
    "sarjanaterapan": "s1",
    "bachelor": "s1",
    # master / doctorate
    "s2": "s2",
    "s3": "s2",
    "sii": "s2",
    "siii": "s2",
    "strata2": "s2",
    "strata3": "s2",
    "strataii": "s2",
    "strataiii": "s2",
    "magister": "s2",
    "master": "s2",
    "pascasarjana": "s2",
    "doktor": "s2",
    "doctor": "s2",
    "doktoral": "s2",
    "phd": "s2",
}
_EDUCATION_FILLER = frozenset(
    {"lulusan", "lulus", "tamat", "tamatan", "sederajat", "setara", "pendidikan", "terakhir", "jenjang"}
)
_EDUCATION_ALTERNATIVES_RE = re.compile(r"/|,|&|\+|\b(?:atau|dan|or|and)\b")
# Hyphen or dot between a letter and a digit/roman numeral: "D-3", "S.1", "D-III" -> "D3", "S1", "DIII".
_EDUCATION_JOIN_RE = re.compile(r"(?<=\b[ds])[\s.\-]+(?=(?:[0-9]|i{1,3}|iv)\b)")


def _education_level(phrase: str) -> str | None:
    words = [w for w in re.split(r"[^0-9a-z]+", _EDUCATION_JOIN_RE.sub("", phrase)) if w]
    words = [w for w in words if w not in _EDUCATION_FILLER]
    # The first and longest run of words that names a level: "lulusan S1 teknik informatika" -> "s1".
    for start in range(len(words)):
        for end in range(len(words), start, -1):
            level = _EDUCATION_WORDS.get("".join(words[start:end]))
            if level is not None:
                return level
    return None


def match_education(text: str) -> str | None:
    """Education level code from what a person typed ("SMA/SMK", "S1", "d3" ...), or None.

    Alternatives of the same level ("SMA/SMK", "D4/S1", "S2 atau S3") give that level;
    alternatives of different levels ("SMA/D3") are ambiguous and give None.
    """
    normalised = unicodedata.normalize("NFKD", text.casefold()).strip()
    parts = [part for part in _EDUCATION_ALTERNATIVES_RE.split(normalised) if part and part.strip()]
    levels = {level for level in map(_education_level, parts) if level is not None}
    if len(levels) == 1:
        return levels.pop()
    return None
