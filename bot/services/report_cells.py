"""How the report's values read in a cell or a line: percentages, check-in waves, stored times in WIB."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.reports import REPORT_ZONE
from bot.storage.db import from_db_time


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def wave_label(t: Translator, wave: str) -> str:
    """ "+30 hari" for d30 (the waves follow CHECKIN_DAYS), "sendiri" for a check-in the participant started."""
    if wave.startswith("d") and wave[1:].isdigit():
        return t.plain("wave-days", days=wave[1:])
    return t.plain(f"wave-{wave}") if t.has(f"wave-{wave}") else wave


def local_time(value: str | None) -> str:
    """A stored UTC time as the programme's local time (WIB), for a spreadsheet cell."""
    return "" if not value else from_db_time(value).astimezone(REPORT_ZONE).strftime("%Y-%m-%d %H:%M")
