"""One place decides what a message is for. Every free message (typed text, a shared contact, a photo or
document or sticker, an edit, a command the bot does not have) reads once what the person is in the middle of
(bot/services/pending.py: the broadcast draft, dialog or survey waiting for their answer) and goes to its owner
through the table OWNERS; what is left when nothing waits answers from DEFAULTS (bot/handlers/menu.py).

A new thing that waits for an answer (the help desk's question, ticket and staff reply are) is one more Kind and
one more row of OWNERS.
Buttons need no table: their callback data names what they answer (the draft, the run, the dialog's step).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum

from telegram import Update

from bot.context import VokasiContext
from bot.handlers import broadcasts, helpdesk, helpdesk_staff, menu, prompts, registration, staff, surveys
from bot.handlers.common import user_id_of
from bot.services.pending import Kind, Pending, Situation
from bot.services.staff import CATALOGUE, HELPDESK_ANSWER, VACANCIES


class Incoming(StrEnum):
    """What kind of message it is, as far as its owner cares."""

    TEXT = "text"
    # Typed text that is the label of a main-menu button.
    MENU_BUTTON = "menu_button"
    CONTACT = "contact"
    # A document from someone whose role may import the course catalogue or job vacancies.
    CATALOGUE = "catalogue"
    # Photos, other documents, stickers, voice notes, locations...
    MEDIA = "media"
    EDITED = "edited"
    COMMAND = "command"


# An owner's entry is given what waits; it returns False when that was over by the time it came to it (a survey
# that expired meanwhile), and the message goes on to the next thing waiting or the default answer.
Entry = Callable[[Update, VokasiContext, Pending], Awaitable[bool]]
Default = Callable[[Update, VokasiContext, Situation], Awaitable[None]]

# Who answers what while something waits. A message kind an owner has no entry for goes to the next thing waiting
# (Situation.waiting, most pressing first), else to its default: a broadcast draft wants no contact, so a contact
# shared mid-dialog still reaches the dialog. The main menu's buttons stay on screen during a survey, so a survey
# has no MENU_BUTTON entry and they open their item; a catalogue file imports, mid-dialog or mid-survey.
OWNERS: Mapping[Kind, Mapping[Incoming, Entry]] = {
    # A staff command's missing argument: typed words only (a menu button still opens its item).
    Kind.STAFF_ARGUMENT: {Incoming.TEXT: prompts.argument},
    Kind.ANNOUNCEMENT: {
        Incoming.TEXT: broadcasts.announcement,
        Incoming.MENU_BUTTON: broadcasts.announcement,
        Incoming.CATALOGUE: broadcasts.announcement,
        Incoming.MEDIA: broadcasts.announcement,
    },
    Kind.SEND_TIME: {
        Incoming.TEXT: broadcasts.send_time,
        Incoming.MENU_BUTTON: broadcasts.send_time,
        Incoming.CATALOGUE: broadcasts.send_time,
        Incoming.MEDIA: broadcasts.send_time,
    },
    Kind.DIALOG: {
        Incoming.TEXT: registration.dialog_text,
        Incoming.MENU_BUTTON: registration.dialog_text,
        Incoming.CONTACT: registration.dialog_contact,
        Incoming.MEDIA: registration.dialog_other,
        Incoming.EDITED: registration.dialog_edited,
        Incoming.COMMAND: registration.dialog_command,
    },
    Kind.SURVEY: {
        Incoming.TEXT: surveys.survey_text,
        Incoming.CONTACT: surveys.survey_other,
        Incoming.MEDIA: surveys.survey_other,
        Incoming.EDITED: surveys.survey_edited,
    },
    # The help desk. The question (typed: first the FAQ answers it matches), then whatever the person sends while
    # the ticket is open; the menu's buttons keep opening their items. A staff member's answer after "Balas".
    Kind.QUESTION: {
        Incoming.TEXT: helpdesk.question_text,
        Incoming.CONTACT: helpdesk.to_ticket,
        Incoming.MEDIA: helpdesk.to_ticket,
    },
    Kind.TICKET: {
        Incoming.TEXT: helpdesk.to_ticket,
        Incoming.CONTACT: helpdesk.to_ticket,
        Incoming.MEDIA: helpdesk.to_ticket,
    },
    Kind.STAFF_REPLY: {
        Incoming.TEXT: helpdesk_staff.staff_reply,
        Incoming.MENU_BUTTON: helpdesk_staff.staff_reply,
        Incoming.CATALOGUE: helpdesk_staff.staff_reply,
        Incoming.MEDIA: helpdesk_staff.staff_reply,
        Incoming.COMMAND: helpdesk_staff.staff_reply,
    },
}

# The answer when nothing waiting takes the message.
DEFAULTS: Mapping[Incoming, Default] = {
    Incoming.TEXT: menu.unknown_text,
    Incoming.MENU_BUTTON: menu.open_item,
    Incoming.CONTACT: menu.not_understood,
    Incoming.CATALOGUE: staff.catalogue_document,
    Incoming.MEDIA: menu.not_understood,
    Incoming.EDITED: menu.edit_ignored,
    Incoming.COMMAND: menu.unknown_command,
}


async def text(update: Update, context: VokasiContext) -> None:
    """Typed text: an answer to what waits, a main-menu button, or something we do not understand."""
    incoming = Incoming.MENU_BUTTON if menu.chosen_item(update, context) is not None else Incoming.TEXT
    await route(update, context, await _situation(update, context), incoming)


async def contact(update: Update, context: VokasiContext) -> None:
    """A shared contact: the phone answer during a dialog, otherwise not something we use."""
    await route(update, context, await _situation(update, context), Incoming.CONTACT)


async def other(update: Update, context: VokasiContext) -> None:
    """Photos, documents, stickers, voice notes...: an announcement, a catalogue file, or an answer in words."""
    situation = await _situation(update, context)
    message = update.effective_message
    importer = situation.may(CATALOGUE) or situation.may(VACANCIES)
    catalogue = message is not None and message.document is not None and importer
    await route(update, context, situation, Incoming.CATALOGUE if catalogue else Incoming.MEDIA)


async def edited(update: Update, context: VokasiContext) -> None:
    """An edited message: only a dialog or survey in progress needs to hear that edits are not read."""
    await route(update, context, await _situation(update, context), Incoming.EDITED)


async def unknown_command(update: Update, context: VokasiContext) -> None:
    """A command the bot does not have: said so, and mid-dialog the question again."""
    await route(update, context, await _situation(update, context), Incoming.COMMAND)


async def route(update: Update, context: VokasiContext, situation: Situation, incoming: Incoming) -> None:
    """Send the message to the owner of the first thing waiting that takes this kind (the next one when that was over
    by the time it came to it), else to the default. A staff member's Telegram reply to a ticket in their private
    chat is an answer to it, whatever else waits."""
    message = update.effective_message
    replying = message is not None and message.reply_to_message is not None and situation.may(HELPDESK_ANSWER)
    if replying and await helpdesk_staff.reply_in_private(update, context):
        return
    for pending in situation.waiting:
        entry = OWNERS[pending.kind].get(incoming)
        if entry is not None and await entry(update, context, pending):
            return
    await DEFAULTS[incoming](update, context, situation)


async def _situation(update: Update, context: VokasiContext) -> Situation:
    return await context.services.pending.situation(user_id_of(update))
