"""Run the playground until Ctrl+C or SIGTERM: a temporary folder for the database, removed at the end."""

from __future__ import annotations

import asyncio
import logging
import signal
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from playground.web import PlaygroundPage
from playground.world import Playground

log = logging.getLogger(__name__)


async def serve_playground(
    settings: Settings,
    port: int,
    *,
    start: datetime | None = None,
    stop: asyncio.Event | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Run until `stop` is set (by default: SIGINT or SIGTERM). `ready` gets the page's address once it answers."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    with tempfile.TemporaryDirectory(prefix="vokasi-latihan-") as folder:
        async with Playground(settings, Path(folder), start=start) as world:
            page = PlaygroundPage(world)
            await page.start(port)
            try:
                log.info("playground ready at %s (database in a temporary folder)", page.url)
                if ready is not None:
                    ready(page.url)
                await stop.wait()
                log.info("stopping the playground")
            finally:
                await page.stop()
