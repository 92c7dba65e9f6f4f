"""Progress survives SIGKILL: the real `python main.py run` process, killed right after the NIK step."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.i18n import Translations
from fakegram import FakeTelegram
from tests.processes import bot_process


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
