"""Run an Application until told to stop: the lifecycle of PTB's run_polling, usable inside a running loop.

Production (main.py) and the flow tests both go through `serve`, so tests exercise the same start and stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)


async def serve(app: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event, *, poll_timeout: int = 10) -> None:
    """Initialise, poll for updates until `stop` is set, then shut down in order (post_shutdown last)."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
        await app.start()
        await stop.wait()
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def serve_until_signal(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """`serve`, stopped by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("polling for updates; stop with Ctrl+C")
    await serve(app, stop)
