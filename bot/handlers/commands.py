"""The command menu Telegram shows, published in every language (setMyCommands)."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import Translations

# Command names per language: Indonesian names work for everyone; English users also get English aliases.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "id": (
        ("start", "cmd-start"),
        ("pelatihan", "cmd-courses"),
        ("jadwal", "cmd-schedule"),
        ("statuskerja", "cmd-employment"),
        ("profil", "cmd-profile"),
        ("bahasa", "cmd-language"),
        ("bantuan", "cmd-help"),
        ("hapusdata", "cmd-erase"),
        ("batal", "cmd-cancel"),
    ),
    "en": (
        ("start", "cmd-start"),
        ("courses", "cmd-courses"),
        ("schedule", "cmd-schedule"),
        ("jobstatus", "cmd-employment"),
        ("profile", "cmd-profile"),
        ("language", "cmd-language"),
        ("help", "cmd-help"),
        ("deletedata", "cmd-erase"),
        ("cancel", "cmd-cancel"),
    ),
}
ALIASES = {
    "pelatihan": ("pelatihan", "courses"),
    "jadwal": ("jadwal", "schedule"),
    "statuskerja": ("statuskerja", "jobstatus"),
    # Staff only (not in the published lists).
    "selesai": ("selesai", "complete"),
    "profil": ("profil", "profile"),
    "bahasa": ("bahasa", "language"),
    "bantuan": ("bantuan", "help"),
    "hapusdata": ("hapusdata", "deletedata"),
    "batal": ("batal", "cancel"),
}


async def publish_commands(bot: Bot, translations: Translations) -> None:
    """One list per language, and the default language's list for clients in any other language."""
    for t in translations.all():
        commands = [BotCommand(name, t(key)) for name, key in COMMANDS[t.language]]
        await bot.set_my_commands(commands, language_code=t.language)
        if t.language == translations.default_language:
            await bot.set_my_commands(commands)
