"""Vokasi Bot command line: `python main.py run`, `python main.py migrate`. See --help."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from pydantic import ValidationError

from bot.app import build_application
from bot.config import Settings
from bot.logs import configure_logging
from bot.runner import serve_until_signal
from bot.storage.db import Database

NO_TOKEN = """BOT_TOKEN is not set, so the bot cannot connect to Telegram.

1. Ask @BotFather on Telegram for a token (/newbot).
2. Copy .env.example to .env and put the token after BOT_TOKEN=
3. Run `make run` again.
"""


def cmd_run(settings: Settings) -> int:
    if not settings.bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    app = build_application(settings)
    asyncio.run(serve_until_signal(app))
    return 0


def cmd_migrate(settings: Settings) -> int:
    async def migrate() -> list[str]:
        db = await Database.open(settings.sqlite_path)
        try:
            return await db.migrate()
        finally:
            await db.close()

    applied = asyncio.run(migrate())
    print("\n".join(f"applied {name}" for name in applied) or "database is up to date")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="main.py",
        description="Vokasi Bot: Telegram bot of the BPJS Ketenagakerjaan vocational training programme.",
        epilog="Settings come from the environment and .env (see .env.example).",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling)", description="Run the bot with long polling.")
    commands.add_parser(
        "migrate",
        help="create or upgrade the database",
        description="Apply database migrations that are not applied yet (run also does this at start).",
    )
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # PTB 22 warns unless retry_after and similar durations are timedelta objects (the PTB 23 behaviour).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Configuration error:\n{error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    handlers = {"run": cmd_run, "migrate": cmd_migrate}
    return handlers[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
