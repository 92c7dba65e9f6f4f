"""/dataku (/mydata): a person's own data, the right of access and to a copy of UU PDP No. 27/2022.

The bot says what it will send and asks to confirm; on confirmation it sends, in the person's private chat only,
a short summary and a text file with everything it holds about them (bot/services/mydata_file.py). Callback data:
  my:ok:<Telegram user id>:<when the button was made, Unix seconds>   send it
  my:no                                                               send nothing
A button of another account, of another chat or older than CONFIRM_VALID changes nothing.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.context import Services, VokasiContext
from bot.handlers.common import edit_pressed, send, translator_for, user_id_of
from bot.i18n import Raw, Translator
from bot.services import mydata_file
from bot.services.mydata import MyData, TooSoon

log = logging.getLogger(__name__)

PATTERN = r"^my:(ok:\d{1,15}:\d{1,12}|no)$"
# A confirmation is for the request just made: an old message's button asks for a new /dataku.
CONFIRM_VALID = timedelta(minutes=15)


async def mydata_command(update: Update, context: VokasiContext) -> None:
    """/dataku in the private chat: what will be sent, with a button to confirm (or, to someone not registered,
    what little is held)."""
    t = await translator_for(update, context)
    services = context.services
    user_id = user_id_of(update)
    wait = services.mydata.wait(user_id)
    if wait is not None:
        await send(update, context, _too_soon(t, wait))
        return
    if await services.accounts.participant(user_id) is None:
        await send(update, context, unregistered_text(t, services, await services.mydata.collect(user_id)))
        return
    await send(update, context, t("mydata-confirm"), _confirm_buttons(t, user_id, services))


async def refuse_in_group(update: Update, context: VokasiContext) -> None:
    """/dataku in a group: personal data goes only to the person's private chat with the bot."""
    t = await translator_for(update, context)
    message = update.effective_message
    assert message is not None
    await message.reply_text(t("mydata-private-only", bot=context.bot.username))


async def mydata_button(update: Update, context: VokasiContext) -> None:
    """my:ok:<user>:<made> | my:no: send the summary and the file to the person's own chat, or nothing."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    services = context.services
    if query.data == "my:no":
        await query.answer()
        await edit_pressed(query, t("mydata-cancelled"))
        return
    user_id = user_id_of(update)
    _, _, owner, made = (query.data or "").split(":")
    chat_id = query.message.chat.id if query.message is not None else None
    age = services.clock.now().timestamp() - int(made)
    # The account that asked, pressing in its own private chat (a private chat's id is the user's), recently.
    if int(owner) != user_id or chat_id != user_id or not 0 <= age <= CONFIRM_VALID.total_seconds():
        await query.answer(t("mydata-stale"), show_alert=True)
        return
    result = await services.mydata.export(user_id)
    if isinstance(result, TooSoon):
        await query.answer(_too_soon(t, result.wait), show_alert=True)
        return
    await query.answer()
    await edit_pressed(query, None, None)
    if not result.registered:  # erased (/hapusdata) since the button was shown
        await context.bot.send_message(user_id, unregistered_text(t, services, result))
        return
    await _send_copy(context, t, user_id, result)


def summary_text(t: Translator, services: Services, data: MyData) -> str:
    """The chat message with the file: what kinds of data are held, and how much of each."""
    person = data.participant
    assert person is not None
    zone = mydata_file.person_zone(services.provinces, data)
    return t(
        "mydata-summary",
        registered=t.date(person.registered_at.astimezone(ZoneInfo(zone)).date()),  # the file has the times
        enrollments=len(data.enrollments),
        surveys=data.surveys_answered,
        checkins=len(data.checkins),
        tickets=len(data.tickets),
        version=person.consent_version,
        consent_at=t.date(person.consent_at.astimezone(ZoneInfo(zone)).date()),
    )


def unregistered_text(t: Translator, services: Services, data: MyData) -> str:
    """Someone not registered: the language they picked, a registration not finished, tickets, if any."""
    if not data.anything:
        return t("mydata-nothing")
    held = []
    if data.language is not None:
        held.append(t("mydata-held-language", language=t.plain(f"lang-name-{data.language}")))
    if data.draft is not None:
        zone = mydata_file.person_zone(services.provinces, data)
        answers = mydata_file.draft_lines(t, services.provinces, data.draft, full=False)
        held.append(
            t("mydata-held-draft", started=t.moment(data.draft.started_at, zone), answers="\n".join(answers) or "-")
        )
    if data.tickets:
        held.append(t("mydata-held-tickets", count=len(data.tickets)))
    return t("mydata-unregistered", held=Raw("\n\n".join(held)))


async def _send_copy(context: VokasiContext, t: Translator, user_id: int, data: MyData) -> None:
    services = context.services
    await context.bot.send_chat_action(user_id, "upload_document")
    content = mydata_file.render(t, services.provinces, services.surveys.catalog, data)
    stamp = data.collected_at.astimezone(ZoneInfo(mydata_file.person_zone(services.provinces, data)))
    await context.bot.send_message(user_id, summary_text(t, services, data))
    await context.bot.send_document(
        user_id,
        InputFile(content, filename=t.plain("mydata-filename", date=stamp.strftime("%Y%m%d"))),
        caption=t.plain("mydata-file-caption"),
    )
    log.info("data copy sent to its owner (%d bytes)", len(content))


def _confirm_buttons(t: Translator, user_id: int, services: Services) -> InlineKeyboardMarkup:
    made = int(services.clock.now().timestamp())
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-mydata-yes"), callback_data=f"my:ok:{user_id}:{made}")],
            [InlineKeyboardButton(t("btn-mydata-no"), callback_data="my:no")],
        ]
    )


def _too_soon(t: Translator, wait: timedelta) -> str:
    return t("mydata-too-soon", minutes=max(1, math.ceil(wait.total_seconds() / 60)))
