from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

import phonenumbers
import pytest
from babel.dates import get_month_names
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.services.dates import add_months, parse_past_date, phk_eligible
from bot.services.education import EDUCATION_LEVELS, match_education
from bot.services.identifiers import NikInfo, parse_kpj, parse_nik, parse_phone
from bot.services.names import parse_employer, parse_full_name, parse_regency
from bot.services.provinces import ProvinceCatalog
from bot.services.validation import ValidationError
from bot.storage.vault import mask_nik

TODAY = date(2026, 11, 23)
CATALOG = ProvinceCatalog.load()
NIK_CODES = sorted({code for p in CATALOG.all() for code in p.nik_codes})

ALL_KEYS = {
    "err-name-chars",
    "err-name-length",
    "err-nik-format",
    "err-nik-province",
    "err-nik-birthdate",
    "err-nik-serial",
    "err-kpj-format",
    "err-phone-format",
    "err-phone-foreign",
    "err-phone-not-mobile",
    "err-regency-format",
    "err-employer-format",
    "err-date-format",
    "err-date-future",
    "err-date-too-old",
}


def error_key(func: Callable[..., Any], *args: Any) -> str:
    with pytest.raises(ValidationError) as info:
        func(*args)
    return info.value.key


# --- ValidationError ---------------------------------------------------------------------------------------


def test_validation_error_carries_key_and_params() -> None:
    error = ValidationError("err-x", {"min": "2"})
    assert isinstance(error, ValueError)
    assert error.key == "err-x"
    assert error.params == {"min": "2"}
    assert ValidationError("err-y").params == {}


# --- full name ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Budi Santoso", "Budi Santoso"),
        ("  budi    santoso  ", "Budi Santoso"),
        ("Siti\tNurhaliza\n", "Siti Nurhaliza"),
        ("Ni Made Ayu", "Ni Made Ayu"),
        ("José Ramos-Horta", "José Ramos-Horta"),
        ("Jose\u0301", "José"),  # decomposed accent is composed
        ("Ma'ruf Amin", "Ma'ruf Amin"),
        ("Ma’ruf Amin", "Ma’ruf Amin"),
        ("R.A. Kartini", "R.A. Kartini"),
        ("Yo", "Yo"),
        ("A" * 100, "A" * 100),
        ("SUKARNO", "SUKARNO"),
    ],
)
def test_parse_full_name_ok(typed: str, expected: str) -> None:
    assert parse_full_name(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "Budi2",
        "Budi 😀",
        "Budi_Santoso",
        "Budi, Santoso",
        "Budi@Santoso",
        "Budi (Ucok)",
        "Budi/Santoso",
        "Budi!",
    ],
)
def test_parse_full_name_chars(typed: str) -> None:
    assert error_key(parse_full_name, typed) == "err-name-chars"


@pytest.mark.parametrize("typed", ["", "   ", "A", " B ", "A.", "--", "'.", "A" * 101, "Ab " * 34])
def test_parse_full_name_length(typed: str) -> None:
    assert error_key(parse_full_name, typed) == "err-name-length"


def test_parse_full_name_length_params() -> None:
    with pytest.raises(ValidationError) as info:
        parse_full_name("A")
    assert info.value.params == {"min": "2", "max": "100"}


@given(st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=100))
def test_parse_full_name_letters_always_ok(name: str) -> None:
    composed = unicodedata.normalize("NFC", name)
    assume(len(composed) >= 2)  # e.g. two Hangul jamo compose into one syllable
    parsed = parse_full_name(name)
    # Kept as typed, except that an all-lower-case name gets capital initials.
    if parsed != composed:
        assert composed == composed.lower()
        assert len(parsed) == len(composed)
        assert all(p == c or p == c.upper() for p, c in zip(parsed, composed, strict=True))


@given(st.text(min_size=1, max_size=50), st.characters(categories=["N", "S", "P"], exclude_characters="'’.-"))
def test_parse_full_name_refuses_digits_and_symbols(prefix: str, bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_full_name("Budi" + prefix + bad)
    assert info.value.key in {"err-name-chars", "err-name-length"}


# --- NIK ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "birth_date", "gender"),
    [
        ("3201011501900001", date(1990, 1, 15), "M"),
        ("3201015501900001", date(1990, 1, 15), "F"),  # women: day + 40
        ("3201 0141 0385 1234", date(1985, 3, 1), "F"),
        ("32.01.01.150190.0001", date(1990, 1, 15), "M"),
        ("3201-0115-0190-0001", date(1990, 1, 15), "M"),
        (" 3201011501900001 ", date(1990, 1, 15), "M"),
        ("3171017112990002", date(1999, 12, 31), "F"),  # day 71 = 31 + 40
        ("3201013112050001", date(2005, 12, 31), "M"),
        ("3201012902000001", date(2000, 2, 29), "M"),  # 2000 is a leap year
        ("3201016902960001", date(1996, 2, 29), "F"),
        # 2011 would make the person younger than 15 on TODAY -> 1911
        ("3201011501110001", date(2011, 1, 15), "M"),
        ("3201012411110001", date(1911, 11, 24), "M"),
        ("3201012311110001", date(2011, 11, 23), "M"),  # exactly 15 today
        ("3201010101250001", date(1925, 1, 1), "M"),
    ],
)
def test_parse_nik_ok(typed: str, birth_date: date, gender: str) -> None:
    info = parse_nik(typed, CATALOG, TODAY)
    assert info.nik == "".join(ch for ch in typed if ch.isdigit())
    assert info.province_code == info.nik[:2]
    assert info.birth_date == birth_date
    assert info.gender == gender


@pytest.mark.parametrize("code", ["91", "92", "93", "94", "95", "96"])
def test_parse_nik_papua_codes(code: str) -> None:
    info = parse_nik(f"{code}01011501900001", CATALOG, TODAY)
    assert info == NikInfo(f"{code}01011501900001", code, date(1990, 1, 15), "M")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "320101150190000",  # 15 digits
        "32010115019000011",  # 17 digits
        "320101150190000A",
        "3201/0115/0190/0001",
        "３２０１０１１５０１９００００１",  # full-width digits
        "NIK 3201011501900001",
    ],
)
def test_parse_nik_format(typed: str) -> None:
    assert error_key(parse_nik, typed, CATALOG, TODAY) == "err-nik-format"


@pytest.mark.parametrize("code", ["00", "10", "20", "97", "99"])
def test_parse_nik_province(code: str) -> None:
    assert error_key(parse_nik, f"{code}01011501900001", CATALOG, TODAY) == "err-nik-province"


@pytest.mark.parametrize(
    "birth",
    [
        "000190",  # day 0
        "320190",  # day 32
        "400190",  # day 40 (neither a man's nor a woman's day)
        "720190",  # day 72
        "151390",  # month 13
        "150090",  # month 0
        "310490",  # 31 April
        "290201",  # 29 Feb 2001 / 1901
        "690201",  # 29 Feb for a woman, not a leap year
        "300292",  # 30 Feb
    ],
)
def test_parse_nik_birthdate(birth: str) -> None:
    assert error_key(parse_nik, f"320101{birth}0001", CATALOG, TODAY) == "err-nik-birthdate"


def test_parse_nik_birthdate_in_the_future() -> None:
    # Only reachable with a `today` before the 19YY reading, e.g. a clock far in the past.
    assert error_key(parse_nik, "3201011501900001", CATALOG, date(1989, 6, 1)) == "err-nik-birthdate"


def test_parse_nik_leap_day_century() -> None:
    # 29-02-00 is 2000-02-29 when the person is at least 15, but 1900-02-29 does not exist.
    assert parse_nik("3201012902000001", CATALOG, TODAY).birth_date == date(2000, 2, 29)
    assert error_key(parse_nik, "3201012902000001", CATALOG, date(2010, 1, 1)) == "err-nik-birthdate"


def test_parse_nik_serial() -> None:
    assert error_key(parse_nik, "3201011501900000", CATALOG, TODAY) == "err-nik-serial"


def test_mask_nik() -> None:
    assert mask_nik("3201011501900001") == "3201********0001"
    assert mask_nik("12345678") == "********"
    assert mask_nik("") == ""


@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, str, date, str]:
    """(nik, province code, birth date, gender) for a birth date that the century rule reads back."""
    today = TODAY
    earliest = add_months(today, -115 * 12) + timedelta(days=1)
    latest = add_months(today, -15 * 12)
    province = draw(st.sampled_from(NIK_CODES))
    area = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    birth = draw(st.dates(min_value=earliest, max_value=latest))
    gender = draw(st.sampled_from(["F", "M"]))
    serial = draw(st.integers(min_value=1, max_value=9999))
    day = birth.day + (40 if gender == "F" else 0)
    nik = f"{province}{area}{day:02}{birth.month:02}{birth.year % 100:02}{serial:04}"
    return nik, province, birth, gender


def insert_separators(draw: Callable[[st.SearchStrategy[Any]], Any], text: str, separators: str) -> str:
    positions = draw(st.lists(st.integers(min_value=0, max_value=len(text)), max_size=6))
    chars = list(text)
    for position in sorted(positions, reverse=True):
        chars.insert(position, draw(st.sampled_from(separators)))
    return "".join(chars)


@given(valid_niks())
def test_valid_niks_parse(case: tuple[str, str, date, str]) -> None:
    nik, province, birth, gender = case
    assert parse_nik(nik, CATALOG, TODAY) == NikInfo(nik, province, birth, gender)


@given(valid_niks(), st.data())
def test_valid_niks_parse_with_separators(case: tuple[str, str, date, str], data: st.DataObject) -> None:
    nik, province, birth, gender = case
    typed = insert_separators(data.draw, nik, " .-")
    info = parse_nik(typed, CATALOG, TODAY)
    assert (info.nik, info.province_code, info.birth_date, info.gender) == (nik, province, birth, gender)
    assert mask_nik(info.nik) == nik[:4] + "*" * 8 + nik[-4:]


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_serial_0000_always_refused(first12: str) -> None:
    assert error_key(parse_nik, first12 + "0000", CATALOG, TODAY) == "err-nik-serial"


@given(valid_niks(), st.integers(min_value=0, max_value=16), st.characters(categories=["L"]))
def test_nik_with_a_letter_refused(case: tuple[str, str, date, str], position: int, letter: str) -> None:
    nik = case[0]
    assert error_key(parse_nik, nik[:position] + letter + nik[position:], CATALOG, TODAY) == "err-nik-format"
    replaced = nik[:position] + letter + nik[position + 1 :]
    assert error_key(parse_nik, replaced, CATALOG, TODAY) == "err-nik-format"


@given(st.text(alphabet="0123456789", min_size=0, max_size=30).filter(lambda s: len(s) != 16))
def test_nik_wrong_length_refused(digits: str) -> None:
    assert error_key(parse_nik, digits, CATALOG, TODAY) == "err-nik-format"


# --- KPJ ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12345678901", "12345678901"),
        ("123 4567 8901", "12345678901"),
        ("123.4567.8901", "12345678901"),
        ("1234-5678-901", "12345678901"),
        (" 00000000000 ", "00000000000"),
    ],
)
def test_parse_kpj_ok(typed: str, expected: str) -> None:
    assert parse_kpj(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "1234567890", "123456789012", "1234567890A", "KPJ12345678901", "１２３４５６７８９０１"]
)
def test_parse_kpj_format(typed: str) -> None:
    assert error_key(parse_kpj, typed) == "err-kpj-format"


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.data())
def test_parse_kpj_with_separators(kpj: str, data: st.DataObject) -> None:
    assert parse_kpj(insert_separators(data.draw, kpj, " .-")) == kpj


# --- phone -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890",
        "0812 3456 7890",
        "081234567890",
        "6281234567890",
        "62 812 3456 7890",
        "+6281234567890",
        "+62 812 3456 7890",
        "+62-812-3456-7890",
        "+62 (812) 3456-7890",
        "  0812.3456.7890  ",
    ],
)
def test_parse_phone_ok(typed: str) -> None:
    assert parse_phone(typed) == "+6281234567890"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0811123456", "+62811123456"),
        ("0895-1234-5678", "+6289512345678"),
        ("0857 1234 567", "+628571234567"),
    ],
)
def test_parse_phone_lengths(typed: str, expected: str) -> None:
    assert parse_phone(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "12", "0812", "abc", "0812-CALL-ME", "0812345678901234567", "+62", "08x2"]
)
def test_parse_phone_format(typed: str) -> None:
    assert error_key(parse_phone, typed) == "err-phone-format"


@pytest.mark.parametrize("typed", ["+4915112345678", "4915112345678", "+1 202 555 0123", "+60 12-345 6789"])
def test_parse_phone_foreign(typed: str) -> None:
    assert error_key(parse_phone, typed) == "err-phone-foreign"


@pytest.mark.parametrize("typed", ["021-5551234", "(021) 555 1234", "+62 21 5551234", "022 2501234", "0361 234567"])
def test_parse_phone_not_mobile(typed: str) -> None:
    assert error_key(parse_phone, typed) == "err-phone-not-mobile"


def test_parse_phone_62_prefix_is_the_country_code() -> None:
    # Read nationally, "62811000000" would be a landline in area 0628; without "+" it is still +62.
    assert parse_phone("62811000000") == "+62811000000"
    assert error_key(parse_phone, "62 21 5551234") == "err-phone-not-mobile"


@pytest.mark.parametrize(
    ("shared", "expected"),
    [
        ("6281234567890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
    ],
)
def test_parse_phone_from_contact(shared: str, expected: str) -> None:
    assert parse_phone(shared, from_contact=True) == expected


def test_parse_phone_from_contact_foreign() -> None:
    # Without from_contact these digits read as an Indonesian number; a contact's number is international.
    assert parse_phone("819012345678") == "+62819012345678"
    with pytest.raises(ValidationError) as info:
        parse_phone("819012345678", from_contact=True)
    assert info.value.key == "err-phone-foreign"
    with pytest.raises(ValidationError) as info:
        parse_phone("4915112345678", from_contact=True)
    assert info.value.key == "err-phone-foreign"


MOBILE_PREFIXES = ["0811", "0812", "0813", "0821", "0852", "0856", "0857", "0878", "0895", "0896"]


@st.composite
def typed_mobile_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(as typed, expected E.164)"""
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    rest = draw(st.text(alphabet="0123456789", min_size=6, max_size=8))
    national = prefix + rest
    number = phonenumbers.parse(national, "ID")
    assume(phonenumbers.is_valid_number(number))
    assume(phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)
    significant = national[1:]
    form = draw(st.sampled_from(["0", "62", "+62"]))
    digits = (form if form != "0" else "0") + significant
    lead = 1 if form == "+62" else 0
    typed = digits[:lead] + insert_separators(draw, digits[lead:], " -")
    return typed, "+62" + significant


@given(typed_mobile_numbers())
def test_mobile_numbers_normalise_to_e164(case: tuple[str, str]) -> None:
    typed, expected = case
    assert parse_phone(typed) == expected


@given(typed_mobile_numbers())
def test_mobile_number_forms_agree(case: tuple[str, str]) -> None:
    _, e164 = case
    significant = e164[3:]
    forms = {
        "0" + significant,
        "62" + significant,
        "+62" + significant,
        "+62 " + significant,
        "62-" + significant,
    }
    assert {parse_phone(form) for form in forms} == {e164}


# --- regency -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kota bandung", "Kota Bandung"),
        ("  kabupaten   bogor ", "Kabupaten Bogor"),
        ("Kab. Bandung Barat", "Kab. Bandung Barat"),
        ("kab. bandung barat", "Kab. Bandung Barat"),
        ("KOTA BANDUNG", "KOTA BANDUNG"),
        ("kota BANDUNG", "Kota BANDUNG"),
        ("bandung (kota)", "Bandung (Kota)"),
        ("tanjung-pinang", "Tanjung-Pinang"),
        ("Pangkajene dan Kepulauan", "Pangkajene Dan Kepulauan"),
        ("pulau taliabu", "Pulau Taliabu"),
        ("Toli-Toli", "Toli-Toli"),
        ("Bau-Bau", "Bau-Bau"),
        ("'s Hertogenbosch", "'s Hertogenbosch"),
        ("Bim", "Bim"),
    ],
)
def test_parse_regency_ok(typed: str, expected: str) -> None:
    assert parse_regency(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "ab", "a.b", "Kota 1", "Bandung!", "Bandung/Cimahi", "A" * 61, "(-.)", "Bandung 😀"]
)
def test_parse_regency_format(typed: str) -> None:
    assert error_key(parse_regency, typed) == "err-regency-format"


# --- employer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("PT Maju Jaya", "PT Maju Jaya"),
        ("  PT.   Sumber   Alfaria  Trijaya, Tbk ", "PT. Sumber Alfaria Trijaya, Tbk"),
        ("CV 88 & Co.", "CV 88 & Co."),
        ("3M", "3M"),
        ("X" * 100, "X" * 100),
    ],
)
def test_parse_employer_ok(typed: str, expected: str) -> None:
    assert parse_employer(typed) == expected


@pytest.mark.parametrize("typed", ["", " ", "A", "12345", "-- --", "X" * 101])
def test_parse_employer_format(typed: str) -> None:
    assert error_key(parse_employer, typed) == "err-employer-format"


# --- dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15-01-2025", date(2025, 1, 15)),
        ("15/01/2025", date(2025, 1, 15)),
        ("15.01.2025", date(2025, 1, 15)),
        ("15 1 2025", date(2025, 1, 15)),
        ("5/1/2025", date(2025, 1, 5)),
        ("2025-01-15", date(2025, 1, 15)),
        ("2025/1/15", date(2025, 1, 15)),
        ("15 Januari 2025", date(2025, 1, 15)),
        ("15 januari 2025", date(2025, 1, 15)),
        ("15 JANUARI 2025", date(2025, 1, 15)),
        ("15 Jan 2025", date(2025, 1, 15)),
        ("15 Jan. 2025", date(2025, 1, 15)),
        ("15-jan-2025", date(2025, 1, 15)),
        ("15 january 2025", date(2025, 1, 15)),
        ("January 15, 2025", date(2025, 1, 15)),
        ("Januari 2025", date(2025, 1, 1)),
        ("Jan 2025", date(2025, 1, 1)),
        ("jan 2025", date(2025, 1, 1)),
        ("01/2025", date(2025, 1, 1)),
        ("1-2025", date(2025, 1, 1)),
        ("12.2024", date(2024, 12, 1)),
        # Indonesian and English names, abbreviations and prefixes
        ("3 Februari 2025", date(2025, 2, 3)),
        ("3 Feb 2025", date(2025, 2, 3)),
        ("3 Maret 2025", date(2025, 3, 3)),
        ("3 march 2025", date(2025, 3, 3)),
        ("3 Mei 2025", date(2025, 5, 3)),
        ("3 May 2025", date(2025, 5, 3)),
        ("3 Juni 2025", date(2025, 6, 3)),
        ("3 June 2025", date(2025, 6, 3)),
        ("3 Juli 2025", date(2025, 7, 3)),
        ("17 Agustus 2025", date(2025, 8, 17)),
        ("17 Agu 2025", date(2025, 8, 17)),
        ("17 Agt 2025", date(2025, 8, 17)),
        ("17 ags 2025", date(2025, 8, 17)),
        ("17 Aug 2025", date(2025, 8, 17)),
        ("17 agust 2025", date(2025, 8, 17)),
        ("1 Sept 2025", date(2025, 9, 1)),
        ("1 Okt 2025", date(2025, 10, 1)),
        ("1 Oct 2025", date(2025, 10, 1)),
        ("1 Oktober 2025", date(2025, 10, 1)),
        ("1 Nov 2025", date(2025, 11, 1)),
        ("25 Des 2025", date(2025, 12, 25)),
        ("25 Desember 2025", date(2025, 12, 25)),
        ("25 Dec 2025", date(2025, 12, 25)),
        ("25 desem 2025", date(2025, 12, 25)),
        ("Agustus 2025", date(2025, 8, 1)),
        ("mei 2025", date(2025, 5, 1)),
        ("29-02-2024", date(2024, 2, 29)),
        # boundaries
        ("23-11-2026", TODAY),
        ("November 2026", date(2026, 11, 1)),
        ("01-01-1990", date(1990, 1, 1)),
        ("Januari 1990", date(1990, 1, 1)),
    ],
)
def test_parse_past_date_ok(typed: str, expected: date) -> None:
    assert parse_past_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3 bulan yang lalu", date(2026, 8, 23)),
        ("3 bulan lalu", date(2026, 8, 23)),
        ("3 Bulan Lalu.", date(2026, 8, 23)),
        ("bulan lalu", date(2026, 10, 23)),
        ("tahun lalu", date(2025, 11, 23)),
        ("2 minggu yang lalu", date(2026, 11, 9)),
        ("kemarin", date(2026, 11, 22)),
        ("last month", date(2026, 10, 23)),
        ("2 years ago", date(2024, 11, 23)),
        ("1 month ago", date(2026, 10, 23)),
        # A part of a month or year (issue 22); the end of the current one is today at the latest.
        ("awal tahun ini", date(2026, 1, 1)),
        ("Akhir tahun lalu", date(2025, 12, 31)),
        ("awal bulan ini", date(2026, 11, 1)),
        ("akhir bulan lalu", date(2026, 10, 31)),
        ("pertengahan tahun lalu", date(2025, 7, 1)),
        ("akhir tahun ini", TODAY),
        ("early this year", date(2026, 1, 1)),
        ("end of last month", date(2026, 10, 31)),
    ],
)
def test_parse_past_date_relative_to_today(typed: str, expected: date) -> None:
    """In CLDR's words for Indonesian and English, with "yang" optional ("3 bulan lalu")."""
    assert parse_past_date(typed, TODAY) == expected


def test_a_relative_date_beyond_the_earliest_is_refused() -> None:
    assert error_key(parse_past_date, "50 tahun lalu", TODAY) == "err-date-too-old"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "3 bulan",  # a number of months, but not "ago"
        "3 lalu",
        "bulan 3 4 lalu",
        "awal",
        "awal kemarin",  # a part of a day is no date
        "awal minggu ini",
        "15-01-25",  # two-digit year
        "15/1/25",
        "Jan 25",
        "01/25",
        "31-02-2025",
        "29-02-2025",
        "31 April 2025",
        "32-01-2025",
        "15-13-2025",
        "00-01-2025",
        "13/2025",
        "0/2025",
        "15 Ja 2025",  # month prefix shorter than 3 letters
        "15 Jum 2025",
        "15 Januarii 2025",
        "2025",
        "15 01 2025 10",
        "15012025",
        "2025-15-01",
        "15-01-02025",
        "1x-01-2025",
    ],
)
def test_parse_past_date_format(typed: str) -> None:
    assert error_key(parse_past_date, typed, TODAY) == "err-date-format"


@pytest.mark.parametrize("typed", ["24-11-2026", "Desember 2026", "01/2027", "2030-01-01"])
def test_parse_past_date_future(typed: str) -> None:
    assert error_key(parse_past_date, typed, TODAY) == "err-date-future"


@pytest.mark.parametrize("typed", ["31-12-1989", "Desember 1989", "1900-01-01"])
def test_parse_past_date_too_old(typed: str) -> None:
    assert error_key(parse_past_date, typed, TODAY) == "err-date-too-old"


def test_parse_past_date_custom_earliest() -> None:
    earliest = date(2025, 6, 1)
    assert parse_past_date("01-06-2025", TODAY, earliest) == earliest
    with pytest.raises(ValidationError) as info:
        parse_past_date("31-05-2025", TODAY, earliest)
    assert info.value.key == "err-date-too-old"
    assert info.value.params == {"earliest": "2025-06-01"}


def month_name(month: int, width: Literal["wide", "abbreviated"], locale: str) -> str:
    return str(get_month_names(width, locale=locale)[month])


FULL_DATE_STYLES: list[Callable[[date], str]] = [
    lambda d: d.strftime("%d-%m-%Y"),
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: d.strftime("%d.%m.%Y"),
    lambda d: f"{d.day} {d.month} {d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.day} {month_name(d.month, 'wide', 'id')} {d.year}",
    lambda d: f"{d.day} {month_name(d.month, 'abbreviated', 'id')} {d.year}",
    lambda d: f"{d.day} {month_name(d.month, 'wide', 'en')} {d.year}",
    lambda d: f"{d.day} {month_name(d.month, 'abbreviated', 'en')} {d.year}",
    lambda d: f"{d.day:02} {month_name(d.month, 'wide', 'id').upper()} {d.year}",
    lambda d: f"{d.day}-{month_name(d.month, 'abbreviated', 'en').lower()}-{d.year}",
    lambda d: f"{month_name(d.month, 'wide', 'en')} {d.day}, {d.year}",
]
MONTH_STYLES: list[Callable[[date], str]] = [
    lambda d: f"{month_name(d.month, 'wide', 'id')} {d.year}",
    lambda d: f"{month_name(d.month, 'abbreviated', 'id')} {d.year}",
    lambda d: f"{month_name(d.month, 'wide', 'en')} {d.year}",
    lambda d: f"{month_name(d.month, 'abbreviated', 'en').lower()} {d.year}",
    lambda d: f"{d.month:02}/{d.year}",
    lambda d: f"{d.month}-{d.year}",
    lambda d: f"{d.month}.{d.year}",
]
past_dates = st.dates(min_value=date(1990, 1, 1), max_value=TODAY)


@given(past_dates, st.sampled_from(FULL_DATE_STYLES))
def test_full_dates_parse_back(d: date, style: Callable[[date], str]) -> None:
    assert parse_past_date(style(d), TODAY) == d


@given(past_dates, st.sampled_from(MONTH_STYLES))
def test_month_only_dates_parse_to_the_first(d: date, style: Callable[[date], str]) -> None:
    assert parse_past_date(style(d), TODAY) == d.replace(day=1)


@given(
    st.dates(min_value=TODAY + timedelta(days=1), max_value=date(2200, 12, 31)),
    st.sampled_from(FULL_DATE_STYLES),
)
def test_future_dates_refused(d: date, style: Callable[[date], str]) -> None:
    assert error_key(parse_past_date, style(d), TODAY) == "err-date-future"


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(1989, 12, 31)), st.sampled_from(FULL_DATE_STYLES))
def test_too_old_dates_refused(d: date, style: Callable[[date], str]) -> None:
    assert error_key(parse_past_date, style(d), TODAY) == "err-date-too-old"


@given(
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["id", "en"]),
    st.integers(min_value=3, max_value=12),
)
def test_month_name_prefixes(month: int, locale: str, length: int) -> None:
    name = month_name(month, "wide", locale)
    assume(length <= len(name))
    assert parse_past_date(f"2 {name[:length]} 2025", TODAY) == date(2025, month, 2)


@given(st.text(max_size=30))
def test_parse_past_date_never_crashes(text: str) -> None:
    result: date | str
    try:
        result = parse_past_date(text, TODAY)
    except ValidationError as error:
        result = error.key
    if isinstance(result, date):
        assert date(1990, 1, 1) <= result <= TODAY
    else:
        assert result in {"err-date-format", "err-date-future", "err-date-too-old"}


# --- month arithmetic and PHK eligibility ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 11, 23), -12, date(2025, 11, 23)),
        (date(2026, 11, 23), -25, date(2024, 10, 23)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 5, 31), -3, date(2025, 2, 28)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_out_of_range() -> None:
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 1), 1)
    with pytest.raises(OverflowError):
        add_months(date(1, 1, 1), -1)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=-1200, max_value=1200),
)
def test_add_months_properties(d: date, months: int) -> None:
    result = add_months(d, months)
    assert result.day <= d.day
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    if d.day <= 28:
        assert result.day == d.day
        assert add_months(result, -months) == d


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=-600, max_value=600),
    st.integers(min_value=-600, max_value=600),
)
def test_add_months_is_monotonic(d: date, a: int, b: int) -> None:
    if a <= b:
        assert add_months(d, a) <= add_months(d, b)


@pytest.mark.parametrize(
    ("phk", "expected"),
    [
        (date(2026, 11, 23), True),  # today, min 0
        (date(2025, 11, 23), True),  # exactly 12 months ago
        (date(2025, 11, 22), False),
        (date(2026, 5, 1), True),
        (date(2026, 11, 24), False),  # future
    ],
)
def test_phk_eligible_0_to_12_months(phk: date, expected: bool) -> None:
    assert phk_eligible(phk, TODAY, 0, 12) is expected


@pytest.mark.parametrize(
    ("phk", "expected"),
    [
        (date(2026, 10, 23), True),  # exactly 1 month ago
        (date(2026, 10, 24), False),  # less than a month ago
        (date(2020, 11, 23), True),  # exactly 72 months ago
        (date(2020, 11, 22), False),
    ],
)
def test_phk_eligible_1_to_72_months(phk: date, expected: bool) -> None:
    assert phk_eligible(phk, TODAY, 1, 72) is expected


def test_phk_eligible_month_end() -> None:
    today = date(2025, 3, 31)
    assert phk_eligible(date(2025, 2, 28), today, 1, 6)
    assert not phk_eligible(date(2025, 3, 1), today, 1, 6)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=24),
    st.integers(min_value=0, max_value=120),
)
def test_phk_eligible_matches_definition(phk: date, today: date, min_months: int, max_months: int) -> None:
    expected = add_months(today, -max_months) <= phk <= add_months(today, -min_months)
    assert phk_eligible(phk, today, min_months, max_months) is expected
    if phk > today and min_months >= 0:
        assert not phk_eligible(phk, today, min_months, max_months)


# --- education ---------------------------------------------------------------------------------------------


def test_education_levels() -> None:
    assert EDUCATION_LEVELS == ("sd", "smp", "sma", "d3", "s1", "s2")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sd", "sd"),
        ("SD", "sd"),
        ("Sekolah Dasar", "sd"),
        ("MI", "sd"),
        ("SMP", "smp"),
        ("SLTP", "smp"),
        ("MTs", "smp"),
        ("SMA", "sma"),
        ("smk", "sma"),
        ("sma/smk", "sma"),
        ("SMA / SMK", "sma"),
        ("SMK sederajat", "sma"),
        ("SLTA", "sma"),
        ("STM", "sma"),
        ("Paket C", "sma"),
        ("SMA Negeri 1 Bandung", "sma"),
        ("lulusan SMK", "sma"),
        ("D1", "d3"),
        ("D2", "d3"),
        ("d3", "d3"),
        ("D-3", "d3"),
        ("D III", "d3"),
        ("Diploma 3", "d3"),
        ("D1-D3", "d3"),
        ("D4", "s1"),
        ("D-IV", "s1"),
        ("S1", "s1"),
        ("s-1", "s1"),
        ("S.1", "s1"),
        ("D4/S1", "s1"),
        ("Sarjana", "s1"),
        ("S1 Teknik Informatika", "s1"),
        ("Strata 1", "s1"),
        ("S2", "s2"),
        ("S3", "s2"),
        ("s2/s3", "s2"),
        ("S2 atau S3", "s2"),
        ("Magister", "s2"),
        ("Doktor", "s2"),
        ("Ph.D.", "s2"),
    ],
)
def test_match_education(typed: str, expected: str) -> None:
    assert match_education(typed) == expected
    assert expected in EDUCATION_LEVELS


@pytest.mark.parametrize("typed", ["", "   ", "tidak sekolah", "xyz", "universitas", "SMA/D3", "di rumah"])
def test_match_education_unknown(typed: str) -> None:
    assert match_education(typed) is None


@given(st.text(max_size=40))
def test_match_education_never_crashes(text: str) -> None:
    assert match_education(text) in (*EDUCATION_LEVELS, None)


# --- every message key ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "args", "key"),
    [
        (parse_full_name, ("Budi 2",), "err-name-chars"),
        (parse_full_name, ("B",), "err-name-length"),
        (parse_nik, ("3201", CATALOG, TODAY), "err-nik-format"),
        (parse_nik, ("9901011501900001", CATALOG, TODAY), "err-nik-province"),
        (parse_nik, ("3201013102900001", CATALOG, TODAY), "err-nik-birthdate"),
        (parse_nik, ("3201011501900000", CATALOG, TODAY), "err-nik-serial"),
        (parse_kpj, ("123",), "err-kpj-format"),
        (parse_phone, ("0812",), "err-phone-format"),
        (parse_phone, ("+4915112345678",), "err-phone-foreign"),
        (parse_phone, ("021 5551234",), "err-phone-not-mobile"),
        (parse_regency, ("x",), "err-regency-format"),
        (parse_employer, ("1",), "err-employer-format"),
        (parse_past_date, ("3 bulan", TODAY), "err-date-format"),
        (parse_past_date, ("1 Desember 2026", TODAY), "err-date-future"),
        (parse_past_date, ("1 Desember 1989", TODAY), "err-date-too-old"),
    ],
)
def test_every_error_key(func: Callable[..., Any], args: tuple[Any, ...], key: str) -> None:
    assert key in ALL_KEYS
    assert error_key(func, *args) == key


def test_all_keys_listed_in_module_docstring() -> None:
    import bot.services.validation as validation

    assert validation.__doc__ is not None
    for key in ALL_KEYS:
        assert key in validation.__doc__


def test_lower_case_names_are_capitalised_and_others_kept() -> None:
    assert parse_full_name("  budi   santoso ") == "Budi Santoso"
    assert parse_full_name("ma'ruf amin") == "Ma'ruf Amin"
    assert parse_full_name("BUDI SANTOSO") == "BUDI SANTOSO"
    assert parse_full_name("Muhammad bin Abdullah") == "Muhammad bin Abdullah"
