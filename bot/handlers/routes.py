"""Every handler of the bot, in the order PTB tries them; each command and button declares who may use it
(`public` or `staff_only`, bot/handlers/access.py), which tests/test_roles.py checks for every one registered here."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.context import VokasiApp, VokasiContext
from bot.handlers import (
    account,
    attendance,
    broadcasts,
    certificates,
    completion,
    courses,
    dispatch,
    helpdesk,
    helpdesk_staff,
    menu,
    mydata,
    presence,
    presence_scan,
    prompts,
    registration,
    reports,
    roster,
    schedule,
    surveys,
    vacancy_browse,
    vacancy_staff,
    venue,
)
from bot.handlers.access import Public, StaffOnly, public, staff_only
from bot.handlers.commands import ALIASES
from bot.handlers.errors import on_error
from bot.logs import update_context
from bot.services.presence import BUTTONS_ATTEMPT as PRESENCE_BUTTONS
from bot.services.registration_dialog import Step
from bot.services.staff import (
    ATTENDANCE,
    BROADCAST,
    COMPLETION,
    COURSE_PARTICIPANTS,
    HELPDESK_READ,
    REPORTS,
    VACANCIES,
)

log = logging.getLogger(__name__)


def register_handlers(app: VokasiApp, settings: Settings) -> None:
    """Order matters: commands, then buttons, then free messages; the first matching handler wins."""
    private = filters.ChatType.PRIVATE
    new_message = private & filters.UpdateType.MESSAGE

    # Every command and button declares who may use it: `public`, or `staff_only` with the permission it needs
    # (checked before the handler runs, refusals audited; tests/test_roles.py walks this list).
    def command(names: str | tuple[str, ...], access: Public | StaffOnly) -> CommandHandler[VokasiContext, None]:
        return CommandHandler(names, access, filters=new_message)

    def button(pattern: str | None, access: Public | StaffOnly) -> CallbackQueryHandler[VokasiContext, None]:
        return CallbackQueryHandler(access, pattern=pattern)

    # Group -2 first: an update delivered twice (a webhook retry) is handled once; log lines get its context.
    app.add_handler(TypeHandler(Update, _once), group=-2)
    # Group -1 runs before every other handler: someone who had blocked the bot and writes again is reachable.
    app.add_handler(TypeHandler(Update, _note_reachable), group=-1)
    # Attendance (/absen, the venue's QR, the roll call, the participant's scan and location), first: /start with a
    # QR's code before the plain /start, a location before the answer every other message gets.
    app.add_handlers(
        [
            CommandHandler(
                "start",
                public(presence_scan.start_with_code),
                filters=new_message & filters.Regex(presence_scan.START_PATTERN),
            ),
            command(ALIASES["absen"], staff_only(ATTENDANCE, "absen", presence.absen_command)),
            button(presence.PATTERN, staff_only(ATTENDANCE, PRESENCE_BUTTONS, presence.presence_button)),
            MessageHandler(new_message & filters.LOCATION, presence_scan.location),
        ]
    )
    app.add_handlers(
        [
            # Certificates: the QR code's deep link (/start c-<number>) before /start itself; /cek answers anyone,
            # registered or not; /sertifikat sends the person's own again. Revoking is /staf cabut (team.py).
            CommandHandler(
                "start", public(certificates.check_link), filters=new_message & filters.Regex(r"^/start c-")
            ),
            command(ALIASES["cek"], public(certificates.check_command)),
            command(ALIASES["sertifikat"], public(certificates.certificates_command)),
            command("start", public(registration.start)),
            command(ALIASES["batal"], public(registration.cancel)),
            command(ALIASES["profil"], public(account.profile)),
            command(ALIASES["bahasa"], public(account.language)),
            command(ALIASES["bantuan"], public(account.help_command)),
            command(ALIASES["dataku"], public(mydata.mydata_command)),
            # In a group, /dataku is refused (the data goes only to the private chat); before the helpdesk topics.
            CommandHandler(
                ALIASES["dataku"],
                public(mydata.refuse_in_group),
                filters=filters.ChatType.GROUPS & filters.UpdateType.MESSAGE,
            ),
            command(ALIASES["hapusdata"], public(account.erase)),
            command(ALIASES["pelatihan"], public(courses.courses_command)),
            command(ALIASES["jadwal"], public(schedule.schedule_command)),
            command(ALIASES["statuskerja"], public(surveys.employment_status)),
            command(ALIASES["berhenti"], public(account.mute)),
            command(ALIASES["lanjut"], public(account.unmute)),
            command(ALIASES["tanya"], public(helpdesk.ask_command)),
            # Vacancies for participants: /loker (staff's /lowongan KODE is another command).
            command(ALIASES["loker"], public(vacancy_browse.vacancies_command)),
            # Staff commands: anyone else gets the unknown-command answer (audited). The handlers check the course
            # itself where one is named (an LPK member acts on their own institutes' courses only).
            command(ALIASES["selesai"], staff_only(COMPLETION, "selesai", completion.complete_command)),
            command(ALIASES["siaran"], staff_only(BROADCAST, "siaran", broadcasts.broadcast_command)),
            # Those that ask for a missing argument are declared with the answer to that question (prompts.py).
            command(ALIASES["cari"], prompts.PROMPTED["cari"]),
            command(ALIASES["staf"], prompts.PROMPTED["staf"]),
            command(ALIASES["laporan"], staff_only(REPORTS, "laporan", reports.report_command)),
            command(ALIASES["peserta"], prompts.PROMPTED["peserta"]),
            command(ALIASES["tiket"], staff_only(HELPDESK_READ, "tiket", helpdesk_staff.tickets_command)),
            command(ALIASES["lowongan"], staff_only(VACANCIES, "lowongan", vacancy_staff.vacancies_command)),
            # Buttons. Each pattern admits only data some keyboard produces; anything else is stale or forged.
            button(r"^consent:(yes|no|show)$", public(registration.consent_button)),
            button(_dialog_pattern(), public(registration.answer_button)),
            button(r"^profile:[a-z_]{1,20}$", public(account.profile_button)),
            button(r"^lang:[a-z]{2}$", public(account.language_button)),
            button(r"^erase:(yes|no)$", public(account.erase_button)),
            button(mydata.PATTERN, public(mydata.mydata_button)),
            button(COURSE_BUTTONS, public(courses.course_button)),
            button(vacancy_browse.PATTERN, public(vacancy_browse.vacancy_button)),
            button(r"^r:(y|n):\d{1,9}:\d{1,9}$", public(attendance.attendance_button)),
            button(venue.PATTERN, public(venue.venue_button)),
            button(SURVEY_BUTTONS, public(surveys.survey_button)),
            button(r"^s:(c:\d{1,9}|x:\d{1,9}|k|i|a|s)$", public(schedule.schedule_button)),
            button(helpdesk.PATTERN, public(helpdesk.button)),
            # Staff buttons: anyone else's press is answered like a stale button (audited).
            button(completion.PATTERN, staff_only(COMPLETION, "button:completion", completion.complete_button)),
            button(broadcasts.PATTERN, staff_only(BROADCAST, "button:broadcast", broadcasts.broadcast_button)),
            button(reports.PATTERN, staff_only(REPORTS, "button:report", reports.report_button)),
            button(roster.PATTERN, staff_only(COURSE_PARTICIPANTS, "button:peserta", roster.roster_button)),
            button(vacancy_staff.PATTERN, staff_only(VACANCIES, "button:lowongan", vacancy_staff.vacancy_button)),
            # Viewers may press them: the help desk tells them they may read, not answer (audited there).
            button(helpdesk_staff.PATTERN, staff_only(HELPDESK_READ, "button:helpdesk", helpdesk_staff.private_button)),
            button(None, public(menu.stale_button)),
            # Free messages: commands we do not have, text, a shared contact, edits, and everything else. Each goes
            # to what the person is in the middle of (the table in bot/handlers/dispatch.py), else the menu's answer.
            MessageHandler(new_message & filters.COMMAND, dispatch.unknown_command),
            MessageHandler(new_message & filters.TEXT, dispatch.text),
            MessageHandler(new_message & filters.CONTACT, dispatch.contact),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, dispatch.edited),
            MessageHandler(new_message, dispatch.other),
            # A helpdesk group: what staff write in a ticket's topic (answers and /tutup, /catatan, /jawab, /ambil).
            MessageHandler(
                filters.ChatType.SUPERGROUP
                & filters.UpdateType.MESSAGE
                & filters.IS_TOPIC_MESSAGE
                & filters.Chat(list(settings.helpdesk_chat_ids)),
                helpdesk_staff.topic_message,
            ),
        ]
    )
    app.add_error_handler(on_error)


# c:p:<page>:<cat> c:f:<page>:<cat> c:d|a|e:<course>:<page>:<cat> c:y|w:<course>; <cat> is "a" or a number.
COURSE_BUTTONS = r"^c:((p|f):\d{1,4}:(a|\d{1,3})|(d|a|e):\d{1,9}:\d{1,4}:(a|\d{1,3})|(y|w):\d{1,9})$"


# q:<run>:r, or q:<run>:<question index>:<option index | t<index> | ok | s> (bot/delivery/render.py).
SURVEY_BUTTONS = r"^q:\d{1,9}:(r|\d{1,2}:(\d{1,2}|t\d{1,2}|ok|s))$"


def _dialog_pattern() -> str:
    steps = "|".join(step.value for step in Step)
    return rf"^d:({steps}):[A-Za-z0-9_:]{{1,40}}$"


async def _once(update: Update, context: VokasiContext) -> None:
    user = update.effective_user
    update_context(update.update_id, None if user is None else user.id)
    if not await context.services.operations.first_time(update.update_id):
        log.info("update delivered again: ignored")
        raise ApplicationHandlerStop


async def _note_reachable(update: Update, context: VokasiContext) -> None:
    if update.effective_user is not None:
        await context.services.dispatcher.seen(update.effective_user.id)
