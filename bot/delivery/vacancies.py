"""Sending a message of matched vacancies (outbox kind VACANCY_KIND, queued by bot/services/vacancy_matching.py).

The row carries only the vacancies' ids; the text is rendered when its turn comes, in the recipient's language,
from the vacancies as they are then: one changed meanwhile shows its new wording, one closed meanwhile (a digest
computed at night, sent after the quiet hours) is left out, and a message with nothing open left is not sent.
Each vacancy gets a button opening its detail (callback data v:d:<id>:0:a, the participant's vacancy browser).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.delivery.ratelimit import Withdrawn
from bot.delivery.render import Rendered
from bot.i18n import Raw, Translator
from bot.services.provinces import ProvinceCatalog
from bot.storage.outbox import OutboxMessage
from bot.storage.store import Store
from bot.storage.vacancies import Vacancy

# A button's label is cut here (Telegram shows about this much of a full-width button on a phone).
BUTTON_POSITION_CHARS = 40


def detail_data(vacancy_id: int) -> str:
    """The callback data of a vacancy's detail, opened from page 0 of every category."""
    return f"v:d:{vacancy_id}:0:a"


def _place(t: Translator, vacancy: Vacancy, provinces: ProvinceCatalog) -> str:
    if vacancy.province_code is None:
        return t.plain("vacancy-digest-national")
    province = provinces.get(vacancy.province_code)
    name = province.name if province is not None else vacancy.province_code
    return f"{vacancy.regency}, {name}" if vacancy.regency else name


def _short(text: str) -> str:
    return text if len(text) <= BUTTON_POSITION_CHARS else text[: BUTTON_POSITION_CHARS - 1].rstrip() + "…"


def digest_message(t: Translator, key: str, vacancies: Sequence[Vacancy], provinces: ProvinceCatalog) -> Rendered:
    """The message listing these vacancies (in this order), one button each."""
    lines = [
        t(
            "vacancy-digest-line",
            number=number,
            position=vacancy.position,
            employer=vacancy.employer,
            place=_place(t, vacancy, provinces),
            closes=t.date(vacancy.closes_on),
        )
        for number, vacancy in enumerate(vacancies, start=1)
    ]
    text = t(key, count=len(vacancies), vacancies=Raw("\n\n".join(lines)))
    buttons = [
        [
            InlineKeyboardButton(
                t.plain("btn-vacancy-digest", number=number, position=_short(vacancy.position)),
                callback_data=detail_data(vacancy.id),
            )
        ]
        for number, vacancy in enumerate(vacancies, start=1)
    ]
    return Rendered(text, InlineKeyboardMarkup(buttons))


class VacancySender:
    def __init__(self, bot: ExtBot[Any], store: Store, provinces: ProvinceCatalog, clock: Clock) -> None:
        self._bot = bot
        self._store = store
        self._provinces = provinces
        self._clock = clock

    async def send(self, message: OutboxMessage, t: Translator, limit: dict[str, Any]) -> int:
        """Send one queued list; raises Withdrawn when none of its vacancies is open any more."""
        ids = [int(value) for value in message.params.get("vacancies", [])]
        async with self._store.read() as unit:
            found = await unit.vacancies.by_ids(ids)
        now = self._clock.now()
        shown = sorted(
            (vacancy for vacancy in found if vacancy.closes_at > now),
            key=lambda vacancy: (vacancy.province_code is None, vacancy.closes_at, vacancy.id),
        )
        if not shown:
            raise Withdrawn("every vacancy it listed closed before its turn")
        assert message.message_key is not None
        rendered = digest_message(t, message.message_key, shown, self._provinces)
        sent = await self._bot.send_message(
            message.telegram_user_id, rendered.text, reply_markup=rendered.markup, rate_limit_args=limit
        )
        return sent.message_id
