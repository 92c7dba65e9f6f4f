"""Run an Application until told to stop: the lifecycle of PTB's run_polling, usable inside a running loop.

Production (main.py) and the flow tests both go through `serve`, so tests exercise the same start and stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.health import start_health
from bot.webhook import start_webhook

log = logging.getLogger(__name__)


async def serve(
    app: Application[Any, Any, Any, Any, Any, Any],
    stop: asyncio.Event,
    *,
    poll_timeout: int = 10,
    settings: Settings | None = None,
) -> None:
    """Initialise, take updates (long polling, or a webhook when WEBHOOK_URL is set) until `stop` is set, then shut
    down in order: no new updates, the updates already taken are handled, jobs finish, the database closes last.

    Without `settings` (a bare Application) it polls and serves no health endpoint.
    """
    health: web.AppRunner | None = None
    receiver: web.AppRunner | None = None
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        webhook = settings is not None and bool(settings.webhook_url)
        if settings is not None and settings.health_port:
            health = await start_health(
                app, settings.health_listen, settings.health_port, "webhook" if webhook else "polling"
            )
        if settings is not None and settings.webhook_url and settings.webhook_secret:  # (Settings requires both)
            # Our own receiver, not PTB's start_webhook: it caps the body size (bot/webhook.py says why).
            receiver = await start_webhook(
                app,
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url=settings.webhook_url,
                secret=settings.webhook_secret.get_secret_value(),
            )
            log.info("receiving updates by webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        else:
            await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
        await app.start()
        await stop.wait()
        log.info("stopping: no new updates; finishing the ones taken")
    finally:
        if receiver is not None:
            await receiver.cleanup()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
        if health is not None:
            await health.cleanup()


async def serve_until_signal(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    """`serve`, stopped by SIGINT or SIGTERM (a supervisor's stop); a second signal does not interrupt the stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("running; stop with Ctrl+C or SIGTERM")
    await serve(app, stop, settings=settings)
