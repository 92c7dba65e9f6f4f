"""The answer to a staff command's question for its missing argument: /cari alone asks "whom?", and the next
message ("siti") runs /cari siti. The commands that ask are listed in PROMPTED, which bot/handlers/routes.py
registers too, so the command answered is the one registered, with the same role check (a member removed meanwhile
is refused like any staff tool). The typed text may be a NIK: it is handed to the command and never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Update

from bot.context import VokasiContext
from bot.handlers import lookup, roster, team
from bot.handlers.access import StaffOnly, staff_only
from bot.handlers.common import user_id_of
from bot.services.pending import Pending
from bot.services.staff import COURSE_PARTICIPANTS, LOOKUP, MANAGE_STAFF

log = logging.getLogger(__name__)

# The staff commands that ask for their argument when it is missing, by the name they are asked under.
PROMPTED: Mapping[str, StaffOnly] = {
    "cari": staff_only(LOOKUP, "cari", lookup.lookup_command),
    "peserta": staff_only(COURSE_PARTICIPANTS, "peserta", roster.roster_command),
    "staf": staff_only(MANAGE_STAFF, "staf", team.staff_command_handler),
}


async def argument(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """Typed text after a staff command's question: the command again, with the words as its arguments."""
    prompt = await context.services.staff_prompts.take(user_id_of(update))
    message = update.effective_message
    command = None if prompt is None else PROMPTED.get(prompt.command)
    if prompt is None or command is None or message is None or not message.text:
        return False
    log.info("a staff member answered the question for the argument for /%s", prompt.command)  # not the answer
    context.args = [*prompt.prefix.split(), *message.text.split()]
    await command(update, context)
    return True
