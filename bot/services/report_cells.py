"""How the report's values read in a cell or a line: percentages, check-in waves, stored times in WIB.

A workbook converts the same few values again and again (a status, a wave, a label; the times of a few hundred
thousand rows): `Memo` converts each distinct value once, `LocalTimes` each hour of stored times once. Both give
what the plain conversion gives (tests/test_report_cells.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta, tzinfo
from typing import TypeVar

from bot.i18n import Translator
from bot.services.reports import REPORT_ZONE
from bot.storage.db import from_db_time

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Values a Memo keeps; past this many it starts again (a column of free answers would otherwise keep them all).
MEMO_LIMIT = 20_000
# The stored form (bot/storage/db.py to_db_time): 2026-12-07T03:04:05.123456Z, the hour in the first 13 characters.
_STORED_LENGTH = len("2026-12-07T03:04:05.123456Z")
_HOUR = timedelta(hours=1)
_TICK = timedelta(microseconds=1)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def wave_label(t: Translator, wave: str) -> str:
    """ "+30 hari" for d30 (the waves follow CHECKIN_DAYS), "sendiri" for a check-in the participant started."""
    if wave.startswith("d") and wave[1:].isdigit():
        return t.plain("wave-days", days=wave[1:])
    return t.plain(f"wave-{wave}") if t.has(f"wave-{wave}") else wave


def local_time(value: str | None, zone: tzinfo = REPORT_ZONE) -> str:
    """A stored UTC time as the programme's local time (WIB), for a spreadsheet cell."""
    return "" if not value else from_db_time(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")


class Memo(dict[K, V]):
    """`convert(value)` for each distinct value computed once: ``memo[value]``. At most MEMO_LIMIT values are
    kept (then it starts again), so a column whose values are all different costs no more than converting."""

    def __init__(self, convert: Callable[[K], V], limit: int = MEMO_LIMIT) -> None:
        super().__init__()
        self._convert = convert
        self._limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self._limit:
            self.clear()
        value = self[key] = self._convert(key)
        return value


class LocalTimes:
    """`local_time` for many stored times: ``times(value)``. A time in the stored form is its hour's local date and
    hour (worked out once per UTC hour) and its own minutes; any other form, and an hour in which the zone is not a
    whole number of hours from UTC throughout, is converted in full."""

    def __init__(self, zone: tzinfo = REPORT_ZONE) -> None:
        self._zone = zone
        self._hours: dict[str, str | None] = {}

    def __call__(self, value: str | None) -> str:
        if not value:
            return ""
        if len(value) == _STORED_LENGTH and value[-1] == "Z" and value[13] == ":" and value[14:16].isdigit():
            key = value[:13]
            hour = self._hours.get(key, "")
            if hour == "":
                hour = self._hours[key] = self._hour(key)
            if hour is not None:
                return hour + value[13:16]
        return local_time(value, self._zone)

    def _hour(self, key: str) -> str | None:
        """The local "YYYY-MM-DD HH" of a UTC hour ("YYYY-MM-DDTHH"), None if its minutes are not UTC's."""
        if len(self._hours) >= MEMO_LIMIT:
            self._hours.clear()
        try:
            start = datetime.fromisoformat(f"{key}:00:00+00:00")
        except ValueError:
            return None  # converted in full, which says what is wrong with it
        first, last = start.astimezone(self._zone), (start + _HOUR - _TICK).astimezone(self._zone)
        offset = first.utcoffset()
        if offset is None or offset != last.utcoffset() or offset % _HOUR:
            return None
        return first.strftime("%Y-%m-%d %H")
