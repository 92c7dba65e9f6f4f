"""Running the real `python main.py run` as a separate process against the fake server (for kill -9 tests)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fakegram import FakeTelegram
from tests.backends import database_url

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def bot_process(server: FakeTelegram, workdir: Path, **env: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python main.py run` pointed at the fake server; killed at the end if still alive."""
    environment = {
        **os.environ,
        "BOT_TOKEN": server.token,
        "BOT_API_URL": server.base_url,
        "BOT_FILE_URL": server.base_file_url,
        "DATABASE_URL": database_url(workdir / "vokasi.db"),
        "LOG_LEVEL": "WARNING",
        # No health endpoint unless a test asks for one (a fixed port could be taken).
        "HEALTH_PORT": "0",
        **env,
    }
    # start_polling sends deleteWebhook right before its first getUpdates.
    starts_before = len(server.requests_for("deleteWebhook"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), "run", cwd=workdir, env=environment, stdin=asyncio.subprocess.DEVNULL
    )
    try:
        await server.wait_until(lambda: len(server.requests_for("deleteWebhook")) > starts_before, timeout=30)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
