"""The personal identifiers a participant gives: NIK (read for its province, birth date and gender, and masked for
staff), KPJ membership number, and an Indonesian mobile phone number normalised to E.164. These are the values
that are never logged and never stored readable (DESIGN.md, invariant 5): this module only reads and masks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers

from bot.services.provinces import ProvinceCatalog
from bot.services.validation import ValidationError

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
