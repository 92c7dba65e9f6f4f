"""Texts by key from the gettext catalogues in locales/, one Translator per language.

The catalogues are read with Babel when the bot starts, so a fresh clone needs no compile step. Message ids are
keys ("reg-ask-name"); placeholders use str.format braces ("{name}"). Texts are HTML (parse_mode=HTML): every
parameter is escaped unless wrapped in `Raw`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from datetime import date as _date  # `date` is also a method name below
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.config import LANGUAGES

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

# Indonesia's three zones by the IANA names used for them (Asia/Pontianak is WIB like Jakarta).
ZONE_LABELS: Mapping[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_label(timezone: str) -> str:
    """WIB, WITA or WIT for an Indonesian IANA zone (the zone name itself for any other)."""
    return ZONE_LABELS.get(timezone, timezone)


@dataclass(frozen=True, slots=True)
class Raw:
    """A parameter that is already safe HTML (built from other translated texts)."""

    html: str


def load_catalogue(language: str, locales_dir: Path = LOCALES_DIR) -> dict[str, str]:
    """The translated messages of one language: key -> text. Untranslated entries are left out."""
    path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.string, str) and m.string}


class _Params(dict[str, str]):
    """Parameters of one message; a placeholder nobody filled shows as itself instead of crashing."""

    key = ""

    def __missing__(self, name: str) -> str:
        log.error("message %s needs parameter %s", self.key, name)
        return "{" + name + "}"


class Translator:
    """Texts of one language. Call it with a key and parameters."""

    def __init__(self, language: str, messages: dict[str, str], fallback: Translator | None = None) -> None:
        self.language = language
        self._messages = messages
        self._fallback = fallback

    def __call__(self, key: str, /, **params: object) -> str:
        template = self._messages.get(key)
        if template is None:
            if self._fallback is not None:
                log.warning("message %s missing in %s", key, self.language)
                return self._fallback(key, **params)
            log.error("message %s missing", key)
            return key
        safe = _Params(
            {name: value.html if isinstance(value, Raw) else html.escape(str(value)) for name, value in params.items()}
        )
        safe.key = key
        return template.format_map(safe)

    def plain(self, key: str, /, **params: object) -> str:
        """A text that is not HTML (button labels, file captions): parameters are not escaped."""
        return self(key, **{name: Raw(str(value)) for name, value in params.items()})

    def has(self, key: str) -> bool:
        return key in self._messages

    def date(self, value: date) -> str:
        """A date as people write it in this language: 15 Januari 2025."""
        return str(format_date(value, format="d MMMM y", locale=self.language))

    def weekday_date(self, value: _date) -> str:
        """A date with its weekday: Senin, 7 Desember 2026."""
        return str(format_date(value, format=self("fmt-day"), locale=self.language))

    def month(self, value: _date) -> str:
        """A month as people write it in this language: Maret 2026."""
        return str(format_date(value, format="LLLL y", locale=self.language))

    def number(self, value: int) -> str:
        """A whole number grouped as people write it in this language: 4.500.000 (id), 4,500,000 (en)."""
        return str(format_decimal(value, locale=self.language))

    def time_of_day(self, value: time) -> str:
        """A time of day as people write it in this language: 07.00."""
        return str(format_time(value, format=self("fmt-time"), locale=self.language))

    def moment(self, value: datetime, timezone: str) -> str:
        """A time in a zone, with the zone's label: Senin, 7 Desember 2026 08.00 WIB."""
        local = value.astimezone(ZoneInfo(timezone))
        day = format_date(local, format=self("fmt-day"), locale=self.language)
        clock = format_time(local, format=self("fmt-time"), locale=self.language)
        return f"{day} {clock} {zone_label(timezone)}"

    def clock(self, value: datetime, timezone: str) -> str:
        """The time of day in a zone, without the zone: 08.00."""
        return str(format_time(value.astimezone(ZoneInfo(timezone)), format=self("fmt-time"), locale=self.language))

    def day_word(self, value: datetime, timezone: str, now: datetime) -> str:
        """The day of `value` as seen `now`, in the zone: "hari ini", "besok", else Senin, 7 Desember 2026."""
        zone = ZoneInfo(timezone)
        day, today = value.astimezone(zone).date(), now.astimezone(zone).date()
        if day == today:
            return self("day-today")
        if (day - today).days == 1:
            return self("day-tomorrow")
        return self.weekday_date(day)

    def span(self, start: datetime, end: datetime, timezone: str) -> str:
        """A session: Senin, 7 Desember 2026 08.00–16.00 WIB (the day of the end too if it differs)."""
        zone = ZoneInfo(timezone)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        day = format_date(local_start, format=self("fmt-day"), locale=self.language)
        begin = format_time(local_start, format=self("fmt-time"), locale=self.language)
        if local_end.date() != local_start.date():
            return f"{day} {begin} – {self.moment(end, timezone)}"
        finish = format_time(local_end, format=self("fmt-time"), locale=self.language)
        return f"{day} {begin}–{finish} {zone_label(timezone)}"


class Translations:
    """Every language's Translator; the default language is the fallback of the others."""

    def __init__(self, default_language: str, locales_dir: Path = LOCALES_DIR) -> None:
        default = Translator(default_language, load_catalogue(default_language, locales_dir))
        self.default_language = default_language
        self._by_language: dict[str, Translator] = {
            language: default
            if language == default_language
            else Translator(language, load_catalogue(language, locales_dir), fallback=default)
            for language in LANGUAGES
        }

    def get(self, language: str | None) -> Translator:
        return self._by_language.get(language or self.default_language, self._by_language[self.default_language])

    def all(self) -> list[Translator]:
        return list(self._by_language.values())
