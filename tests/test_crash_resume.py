"""Progress survives SIGKILL: the real `python main.py run` process, killed right after the NIK step."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.i18n import Translations
from fakegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def bot_process(server: FakeTelegram, workdir: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python main.py run` pointed at the fake server; killed at the end if still alive."""
    env = {
        **os.environ,
        "BOT_TOKEN": server.token,
        "BOT_API_URL": server.base_url,
        "BOT_FILE_URL": server.base_file_url,
        "DATABASE_URL": f"sqlite:///{workdir / 'vokasi.db'}",
        "LOG_LEVEL": "WARNING",
    }
    # start_polling sends deleteWebhook right before its first getUpdates.
    starts_before = len(server.requests_for("deleteWebhook"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), "run", cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL
    )
    try:
        await server.wait_until(lambda: len(server.requests_for("deleteWebhook")) > starts_before, timeout=30)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_registration_resumes_after_sigkill(server: FakeTelegram, tmp_path: Path) -> None:
    t = Translations("id").get("id")
    user = server.user(3001)
    async with bot_process(server, tmp_path) as first:
        await user.send_text("/start")
        assert (await user.wait_messages(1, timeout=10))[-1].text == t("consent-notice")
        await user.press(t("btn-consent-yes"))
        assert t("ask-name") in ((await user.wait_messages(2, timeout=10))[-1].text or "")
        await user.send_text("Budi Santoso")
        assert (await user.wait_messages(1, timeout=10))[-1].text == t("ask-nik")
        await user.send_text("3201011201850002")
        assert (await user.wait_messages(1, timeout=10))[-1].text == t("ask-kpj")
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL

    async with bot_process(server, tmp_path) as second:
        await user.send_text("12345678901")
        assert (await user.wait_messages(1, timeout=10))[-1].text == t("ask-phone")
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=15) == 0
