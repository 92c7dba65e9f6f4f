"""📍 Lokasi under a course's detail and under a session reminder: v:<course id>:<session id, or 0>.

The course's venue as a Telegram venue (the map pin, the institute's name, the address) when the catalogue gives
its coordinates (columns lat, lon), else the address as text. A session held elsewhere (its own address in the
catalogue) gets that address as text: the course's coordinates are not its place.
"""

from __future__ import annotations

from telegram import Update

from bot.context import VokasiContext
from bot.handlers.common import send, translator_for

PATTERN = r"^v:\d{1,9}:\d{1,9}$"


async def venue_button(update: Update, context: VokasiContext) -> None:
    """Send where the course (or the session) takes place; an unknown course is a stale button."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    t = await translator_for(update, context)
    _, course_id, session_id = (query.data or "").split(":")
    place = await context.services.catalogue.place(int(course_id), int(session_id))
    if place is None:
        await query.answer(t("button-stale"), show_alert=True)
        return
    await query.answer()
    if place.coordinates is not None:
        latitude, longitude = place.coordinates
        await context.bot.send_venue(
            chat.id, latitude=latitude, longitude=longitude, title=place.name, address=place.address
        )
    else:
        await send(update, context, t("venue-address", title=place.title, name=place.name, address=place.address))
