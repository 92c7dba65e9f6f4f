"""GET /health: whether the database answers and how late the outbox dispatcher is, for a process supervisor
or a load balancer. 200 with {"status": "ok", ...}, or 503 with the reason."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from telegram.ext import Application

log = logging.getLogger(__name__)


async def start_health(
    app: Application[Any, Any, Any, Any, Any, Any], listen: str, port: int, mode: str
) -> web.AppRunner:
    """Serve /health until the returned runner is cleaned up."""

    async def health(_: web.Request) -> web.Response:
        services = app.bot_data.services
        result = await services.operations.health()
        body = {
            "status": "ok" if result.ok else "unhealthy",
            "database": "ok" if result.database else "unreachable",
            "dispatcher_delay_s": round(result.delay_s, 1),
            "max_delay_s": result.max_delay_s,
            "mode": mode,
            # Several instances on PostgreSQL: whether this one is the elected sender of the outbox.
            "sends_outbox": services.dispatcher.active,
        }
        return web.json_response(body, status=200 if result.ok else 503)

    server = web.Application()
    server.router.add_get("/health", health)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    log.info("health endpoint on http://%s:%d/health", listen, port)
    return runner
