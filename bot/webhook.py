"""The webhook receiver: Telegram POSTs each update to WEBHOOK_URL with WEBHOOK_SECRET in a header; the update goes
to the Application's queue, exactly where PTB's own webhook server would put it.

Why not PTB's `Updater.start_webhook`: its Tornado server takes request bodies up to Tornado's default of 100 MB,
held in memory before anything is checked, and PTB 22 offers no parameter to lower that (the HTTPServer is built
inside `Updater._start_webhook`; changing it would mean patching PTB's private internals). Telegram's updates are a
few KB, so this receiver, on aiohttp like /health and fed through PTB's public `Application.update_queue` (PTB's
"custom webhook" way), refuses a body over `MAX_BODY_BYTES` with 413: at once when its Content-Length says so, and
after reading at most that much when it is sent in chunks. A reverse proxy in front keeps its own limit too
(deploy/nginx.conf).

It behaves as PTB's did otherwise: POST on the URL's path (with or without a trailing slash), 403 without the right
X-Telegram-Bot-Api-Secret-Token (compared in constant time), 400 for a body that is not an update, 200 once the
update is queued. Nothing of a request's content is logged: updates carry what participants type.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Final
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

log = logging.getLogger(__name__)

# The largest update body accepted. Telegram's updates are far smaller (a message is at most 4,096 characters;
# files arrive as ids, not bytes).
MAX_BODY_BYTES: Final = 1024 * 1024
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"


async def start_webhook(
    app: Application[Any, Any, Any, Any, Any, Any], *, listen: str, port: int, url: str, secret: str
) -> web.AppRunner:
    """Listen on `listen`:`port`, then register `url` with Telegram (so the first update finds the server up).
    Receives until the returned runner is cleaned up."""

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return web.Response(status=403)
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length or 0)
        body = await request.read()  # 413 past client_max_size, for a body without a Content-Length
        try:
            data = json.loads(body)
            update = Update.de_json(data, app.bot) if isinstance(data, dict) else None
        except Exception:  # whatever a malformed body makes json or PTB raise, it is the sender's mistake
            update = None
        if update is None:
            log.warning("webhook: a request that is not an update was refused (%d bytes)", len(body))
            return web.Response(status=400)
        if isinstance(app.bot, ExtBot):
            app.bot.insert_callback_data(update)  # as PTB's webhook does (arbitrary callback data, if enabled)
        await app.update_queue.put(update)
        return web.Response(status=200)

    path = "/" + urlparse(url).path.strip("/")
    server = web.Application(client_max_size=MAX_BODY_BYTES)
    server.router.add_post(path, receive)
    if path != "/":
        server.router.add_post(path + "/", receive)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, listen, port).start()
        await app.bot.set_webhook(url, allowed_updates=Update.ALL_TYPES, secret_token=secret)
    except BaseException:
        await runner.cleanup()
        raise
    return runner
