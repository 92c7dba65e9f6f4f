"""Turning an outbox row into text, at send time, in the recipient's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import Raw, Translator


def render(t: Translator, key: str, params: dict[str, Any]) -> str:
    """The text of an outbox message. Times travel as ISO strings and are shown in the venue's zone."""
    timezone = str(params.get("timezone", "Asia/Jakarta"))
    match key:
        case "waitlist-promoted":
            first = params.get("first_start")
            when = t.moment(datetime.fromisoformat(first), timezone) if first else "-"
            return t(key, title=params["title"], first=when)
        case "schedule-changed":
            lines = [_change(t, change, timezone) for change in params["changes"]]
            return t(key, title=params["title"], changes=Raw("\n".join(lines)))
    return t(key, **params)


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
