"""Turning an outbox row into a message, at send time, in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw, Translator


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


def attendance_keyboard(t: Translator, enrollment_id: int, session_id: int) -> InlineKeyboardMarkup:
    """Callback data r:y|n:<enrollment>:<session>; the answer replaces these buttons."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("btn-attend-yes"), callback_data=f"r:y:{enrollment_id}:{session_id}"),
                InlineKeyboardButton(t("btn-attend-no"), callback_data=f"r:n:{enrollment_id}:{session_id}"),
            ]
        ]
    )


def render(t: Translator, key: str, params: dict[str, Any]) -> Rendered:
    """The message of an outbox row. Times travel as ISO strings and are shown in the venue's zone."""
    timezone = str(params.get("timezone", "Asia/Jakarta"))
    match key:
        case "reminder-day-before" | "reminder-soon":
            when = t.span(
                datetime.fromisoformat(params["starts_at"]), datetime.fromisoformat(params["ends_at"]), timezone
            )
            text = t(key, title=params["title"], topic=params["topic"], when=when, venue=params["venue"])
            return Rendered(text, attendance_keyboard(t, int(params["enrollment_id"]), int(params["session_id"])))
        case "waitlist-promoted":
            first = params.get("first_start")
            when = t.moment(datetime.fromisoformat(first), timezone) if first else "-"
            return Rendered(t(key, title=params["title"], first=when))
        case "schedule-changed":
            lines = [_change(t, change, timezone) for change in params["changes"]]
            return Rendered(t(key, title=params["title"], changes=Raw("\n".join(lines))))
    return Rendered(t(key, **params))


def _change(t: Translator, change: dict[str, Any], timezone: str) -> str:
    def span(start: str | None, end: str | None) -> str:
        if start is None or end is None:
            return ""
        return t.span(datetime.fromisoformat(start), datetime.fromisoformat(end), timezone)

    old, new = span(change["old_start"], change["old_end"]), span(change["new_start"], change["new_end"])
    if not old:
        return t("schedule-change-added", topic=change["topic"], new=new)
    if not new:
        return t("schedule-change-removed", topic=change["topic"], old=old)
    return t("schedule-change-moved", topic=change["topic"], old=old, new=new)
