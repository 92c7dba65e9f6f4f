"""An announcement as its recipients get it: who sends it (PROGRAMME_NAME) first, the staff member's message with
its formatting, and how to ask (the help desk: "Tanya Petugas", /tanya) last.

The bot sends that message to the staff member's own chat as the preview, and the broadcast copies the preview to
every recipient (copyMessage, one call each): what staff see is what participants get, and nothing is stored but the
preview's id. The lines are in the default language, as the staff member's own text is.
"""

from __future__ import annotations

import html
import re

from telegram import Message

from bot.context import VokasiContext

# Telegram's limits on a message's text and a photo's or document's caption (characters after formatting).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


async def send_preview(context: VokasiContext, message: Message) -> Message | None:
    """Send the announcement made of `message` back to its chat; None when the lines added would take it past
    Telegram's limit (the caller asks for a shorter one)."""
    services = context.services
    t = services.translations.get(services.settings.default_language)
    head = t("broadcast-sender", programme=services.settings.programme_name)
    foot = t("broadcast-how-to-ask")
    added = len(html.unescape(_untagged(head + foot))) + 4
    if message.text:
        if len(message.text) + added > TEXT_LIMIT:
            return None
        return await context.bot.send_message(message.chat_id, f"{head}\n\n{message.text_html}\n\n{foot}")
    caption = message.caption_html or ""
    if len(message.caption or "") + added > CAPTION_LIMIT:
        return None
    full = f"{head}\n\n{caption}\n\n{foot}" if caption else f"{head}\n\n{foot}"
    if message.photo:
        return await context.bot.send_photo(message.chat_id, message.photo[-1].file_id, caption=full)
    if message.document:
        return await context.bot.send_document(message.chat_id, message.document.file_id, caption=full)
    return None


def _untagged(text: str) -> str:
    """The words of an HTML fragment from the catalogues."""
    return re.sub(r"<[^>]+>", "", text)
