"""Dates as people type them (15-01-2025, 15 Januari 2025, 01/2025, with a time of day, or a month alone, month
names in Indonesian and English from CLDR; a past date also relative to today, "3 bulan lalu" or "last month", in
CLDR's words), and calendar-month arithmetic, with the PHK-date window of the programme's eligibility rule built
on it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date, time, timedelta
from functools import cache

from babel import Locale
from babel.dates import get_month_names

from bot.services.validation import ValidationError

DEFAULT_EARLIEST = date(1990, 1, 1)
_MONTH_LOCALES = ("id", "en")
# Common Indonesian abbreviations that CLDR does not list.
_EXTRA_MONTH_ABBREVIATIONS: Mapping[str, int] = {"agt": 8, "ags": 8, "des": 12, "okt": 10, "mei": 5}
_MIN_MONTH_PREFIX = 3
_DATE_SPLIT_RE = re.compile(r"[\s\-/.,]+")
_ASCII_DIGITS = frozenset("0123456789")


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


# Relative dates in the words CLDR gives Babel for Indonesian and English ("bulan lalu", "3 bulan yang lalu",
# "last month", "2 weeks ago", "kemarin"): unit -> how to step back from today by n of it.
_UNITS = ("day", "week", "month", "year")


def _back(today: date, unit: str, n: int) -> date:
    if unit == "day":
        return today - timedelta(days=n)
    if unit == "week":
        return today - timedelta(weeks=n)
    return add_months(today, -n * (12 if unit == "year" else 1))


@cache
def _relative_phrases() -> tuple[dict[tuple[str, ...], tuple[str, int]], list[tuple[tuple[str, ...], str]]]:
    """(phrase -> (unit, offset) for "bulan lalu"/"tahun ini"/"kemarin"...; [(pattern words with "{0}", unit)])."""
    fixed: dict[tuple[str, ...], tuple[str, int]] = {}
    counted: list[tuple[tuple[str, ...], str]] = []
    for locale in _MONTH_LOCALES:
        fields = Locale.parse(locale)._data["date_fields"]
        for unit in _UNITS:
            for offset, phrase in fields[unit]["relative"].items():
                if int(offset) <= 0:
                    fixed[tuple(_words(str(phrase)))] = (unit, -int(offset))
            for pattern in fields[unit]["past"].values():
                counted.append((tuple(_words(str(pattern).replace("{0}", " 0 "))), unit))
    return fixed, counted


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.casefold()).split()


def _fits(typed: list[str], pattern: tuple[str, ...]) -> bool:
    """The typed words are the pattern's, or the pattern's with one inner word left out ("3 bulan lalu" for
    "3 bulan yang lalu"); the number stands where the pattern has 0."""
    if len(typed) == len(pattern):
        return list(pattern) == typed
    if len(typed) != len(pattern) - 1:
        return False
    return any(list(pattern[:i] + pattern[i + 1 :]) == typed for i in range(1, len(pattern) - 1))


# A part of a month or year said before its relative name: "awal tahun ini", "akhir tahun lalu", "early last year".
_PARTS: Mapping[tuple[str, ...], str] = {
    ("awal",): "start",
    ("akhir",): "end",
    ("pertengahan",): "middle",
    ("tengah",): "middle",
    ("early",): "start",
    ("beginning", "of"): "start",
    ("start", "of"): "start",
    ("late",): "end",
    ("end", "of"): "end",
    ("mid",): "middle",
    ("middle", "of"): "middle",
}


def _part_of(part: str, unit: str, anchor: date) -> date:
    """The first, middle or last day of the month or year `anchor` falls in."""
    if unit == "year":
        return {"start": date(anchor.year, 1, 1), "middle": date(anchor.year, 7, 1), "end": date(anchor.year, 12, 31)}[
            part
        ]
    last = calendar.monthrange(anchor.year, anchor.month)[1]
    return anchor.replace(day={"start": 1, "middle": 15, "end": last}[part])


def _parted(typed: list[str], today: date) -> date | None:
    """ "awal tahun ini", "akhir tahun lalu", "awal bulan ini": a part of a month or year named relative to today;
    the end of the current one is today at the latest."""
    fixed, _ = _relative_phrases()
    for words, part in _PARTS.items():
        if tuple(typed[: len(words)]) != words:
            continue
        found = fixed.get(tuple(typed[len(words) :]))
        if found is None or found[0] not in ("month", "year"):
            return None
        unit, n = found
        return min(_part_of(part, unit, _back(today, unit, n)), today)
    return None


def parse_relative_date(text: str, today: date) -> date | None:
    """A date said relative to today ("bulan lalu", "3 bulan lalu", "2 weeks ago", "awal tahun ini"), or None if it
    is not one."""
    typed = _words(text)
    fixed, counted = _relative_phrases()
    if (parted := _parted(typed, today)) is not None:
        return parted
    if tuple(typed) in fixed:
        unit, n = fixed[tuple(typed)]
        return _back(today, unit, n)
    numbers = [i for i, word in enumerate(typed) if set(word) <= _ASCII_DIGITS and len(word) <= 3]
    if len(numbers) != 1:
        return None
    n = int(typed[numbers[0]])
    generic = [*typed[: numbers[0]], "0", *typed[numbers[0] + 1 :]]
    for pattern, unit in counted:
        if _fits(generic, pattern):
            return _back(today, unit, n)
    return None


def parse_past_date(text: str, today: date, earliest: date = DEFAULT_EARLIEST) -> date:
    value = parse_relative_date(text, today) or parse_date(text)
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
