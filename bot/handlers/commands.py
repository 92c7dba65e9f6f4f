"""The command menu Telegram shows, published in every language (setMyCommands)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import Translations, Translator
from bot.services.staff import (
    ATTENDANCE,
    BROADCAST,
    COMPLETION,
    COURSE_PARTICIPANTS,
    HELPDESK_READ,
    LOOKUP,
    MANAGE_STAFF,
    PERMISSIONS,
    REPORTS,
    VACANCIES,
)

log = logging.getLogger(__name__)

# Command names per language: Indonesian names work for everyone; English users also get English aliases.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "id": (
        ("start", "cmd-start"),
        ("pelatihan", "cmd-courses"),
        ("jadwal", "cmd-schedule"),
        ("statuskerja", "cmd-employment"),
        ("loker", "cmd-vacancies"),
        ("profil", "cmd-profile"),
        ("bahasa", "cmd-language"),
        ("tanya", "cmd-ask"),
        ("bantuan", "cmd-help"),
        ("berhenti", "cmd-mute"),
        ("lanjut", "cmd-unmute"),
        ("dataku", "cmd-mydata"),
        ("sertifikat", "cmd-certificate"),
        ("hapusdata", "cmd-erase"),
        ("batal", "cmd-cancel"),
    ),
    "en": (
        ("start", "cmd-start"),
        ("courses", "cmd-courses"),
        ("schedule", "cmd-schedule"),
        ("jobstatus", "cmd-employment"),
        ("jobs", "cmd-vacancies"),
        ("profile", "cmd-profile"),
        ("language", "cmd-language"),
        ("ask", "cmd-ask"),
        ("help", "cmd-help"),
        ("unsubscribe", "cmd-mute"),
        ("subscribe", "cmd-unmute"),
        ("mydata", "cmd-mydata"),
        ("certificate", "cmd-certificate"),
        ("deletedata", "cmd-erase"),
        ("cancel", "cmd-cancel"),
    ),
}
ALIASES = {
    "pelatihan": ("pelatihan", "courses"),
    "jadwal": ("jadwal", "schedule"),
    "statuskerja": ("statuskerja", "jobstatus"),
    # Job vacancies for participants ("loker": lowongan kerja); staff use /lowongan KODE.
    "loker": ("loker", "jobs"),
    "profil": ("profil", "profile"),
    "bahasa": ("bahasa", "language"),
    "bantuan": ("bantuan", "help"),
    "berhenti": ("berhenti", "unsubscribe"),
    "lanjut": ("lanjut", "subscribe"),
    "dataku": ("dataku", "mydata"),
    "hapusdata": ("hapusdata", "deletedata"),
    "batal": ("batal", "cancel"),
    # Certificates: the participant's own again, and verification by anyone (an employer, too).
    "sertifikat": ("sertifikat", "certificate"),
    "cek": ("cek", "verify"),
    # Staff: listed only in staff members' own chats (per-chat scope), by role.
    "selesai": ("selesai", "complete"),
    "siaran": ("siaran", "broadcast"),
    "cari": ("cari", "find"),
    "staf": ("staf", "staff"),
    "laporan": ("laporan", "report"),
    "peserta": ("peserta", "participants"),
    "tanya": ("tanya", "ask"),
    "tiket": ("tiket", "tickets"),
    "absen": ("absen", "attendance"),
    "lowongan": ("lowongan", "vacancies"),
}
# Staff commands in menu order: (Indonesian, English, description key, the permission it needs).
STAFF_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("siaran", "broadcast", "cmd-broadcast", BROADCAST),
    ("selesai", "complete", "cmd-complete", COMPLETION),
    ("laporan", "report", "cmd-report", REPORTS),
    ("peserta", "participants", "cmd-participants", COURSE_PARTICIPANTS),
    ("cari", "find", "cmd-find", LOOKUP),
    ("staf", "staff", "cmd-staff", MANAGE_STAFF),
    ("tiket", "tickets", "cmd-tickets", HELPDESK_READ),
    ("absen", "attendance", "cmd-attendance", ATTENDANCE),
    ("lowongan", "vacancies", "cmd-vacancy-applicants", VACANCIES),
)


async def publish_commands(bot: Bot, translations: Translations) -> None:
    """One list per language, and the default language's list for clients in any other language."""
    for t in translations.all():
        commands = [BotCommand(name, t(key)) for name, key in COMMANDS[t.language]]
        await bot.set_my_commands(commands, language_code=t.language)
        if t.language == translations.default_language:
            await bot.set_my_commands(commands)


async def publish_staff_commands(bot: Bot, translations: Translations, members: Mapping[int, str | None]) -> None:
    """Each staff member's own menu: the participants' commands and the staff commands their role allows.
    A role of None (removed from staff) goes back to the participants' menu."""
    for user_id, role in members.items():
        scope = BotCommandScopeChat(user_id)
        for t in translations.all():
            if role is None:
                await bot.delete_my_commands(scope=scope, language_code=t.language)
                continue
            commands = [BotCommand(name, t(key)) for name, key in COMMANDS[t.language]]
            commands += [BotCommand(name, t(key)) for name, key in staff_commands(role, t.language)]
            await bot.set_my_commands(commands, scope=scope, language_code=t.language)


def staff_commands(role: str, language: str) -> list[tuple[str, str]]:
    """The staff commands `role` may use, named in `language`, with their description keys, in menu order: what
    the member's own command menu lists, and their welcome at /start."""
    english = language == "en"
    return [(en if english else name, key) for name, en, key, needs in STAFF_COMMANDS if needs in PERMISSIONS[role]]


def staff_welcome(t: Translator, role: str) -> str:
    """/start for a staff member who is not a participant: their role and the commands it allows."""
    commands = staff_commands(role, t.language)
    lines = [t("staff-welcome-command", command=name, description=t(key)) for name, key in commands]
    return t("staff-welcome", role=t(f"role-{role}")) + "\n" + "\n".join(lines) + "\n\n" + t("staff-welcome-register")


async def publish_all_staff_commands(bot: Bot, translations: Translations, members: Mapping[int, str | None]) -> None:
    """At start-up: every staff member's menu; one who never talked to the bot is skipped (Telegram refuses)."""
    for user_id, role in members.items():
        try:
            await publish_staff_commands(bot, translations, {user_id: role})
        except TelegramError as error:
            log.info("staff command menu not published for one member: %s", error.message)
