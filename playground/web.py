"""The playground's web page and its small JSON API (aiohttp), with updates streamed as Server-Sent Events.

The page is a Telegram client for the simulated people: it shows each chat as fakegram holds it (both sides'
messages, edits applied, deletions removed, the reply keyboard, button answers) and turns clicks and typing into
the updates a Telegram client would send; beside the phones, the staff's helpdesk group (playground/group_view.py),
where Dewi reads the tickets' topics and writes in them. The bot's texts travel as plain text plus Telegram message
entities and the page builds the formatting from those, so nothing the bot sends is ever inserted as HTML.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from aiohttp import web

from fakegram import FakeUser
from playground.group_view import GroupView, message_json
from playground.world import SAMPLE_CATALOGUE, Playground

STATIC_DIR = Path(__file__).resolve().parent / "static"
# A stream sends a comment this often when nothing changes, so proxies and browsers keep it open.
KEEPALIVE_S = 15.0
MAX_TEXT = 4096
MAX_UPLOAD = 20 * 1024 * 1024  # Telegram bots may download files up to 20 MB
ADVANCES = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "30d": timedelta(days=30)}

JSONDict = dict[str, Any]


class PlaygroundPage:
    """The web server of the playground; `start(port)` binds 127.0.0.1 only."""

    def __init__(self, world: Playground) -> None:
        self.world = world
        self.group = GroupView(world)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._closing = False

    # ------------------------------------------------------------------ lifecycle

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 64 * 1024, middlewares=[_same_origin])
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/events", self._events)
        app.router.add_post("/api/people", self._add_person)
        app.router.add_post("/api/clock", self._advance)
        app.router.add_post("/api/chats/{user_id:\\d+}/text", self._send_text)
        app.router.add_post("/api/chats/{user_id:\\d+}/press", self._press)
        app.router.add_post("/api/chats/{user_id:\\d+}/reply", self._reply_button)
        app.router.add_post("/api/chats/{user_id:\\d+}/document", self._send_document)
        app.router.add_post("/api/chats/{user_id:\\d+}/sample-catalogue", self._send_sample_catalogue)
        app.router.add_post("/api/group/topics/{thread_id:\\d+}/open", self._open_topic)
        app.router.add_post("/api/group/topics/{thread_id:\\d+}/text", self._write_in_topic)
        app.router.add_get("/api/files/{file_id}", self._file)
        return app

    async def start(self, port: int) -> None:
        runner = web.AppRunner(self.application(), handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        await self.world.server.changed()  # open streams see `_closing` and end
        await runner.cleanup()

    # ------------------------------------------------------------------ what the page shows

    def state(self) -> JSONDict:
        return {**self.meta(), "chats": [self.chat(uid) for uid in self.world.people], "group": self.group.state()}

    def meta(self) -> JSONDict:
        world = self.world
        return {
            "type": "meta",
            "clock": world.clock.now().isoformat(),
            "busy": world.busy,
            "bot": {"name": world.server.bot_first_name, "username": world.server.bot_username},
            "people": [person.as_json() for person in world.people.values()],
        }

    def chat(self, user_id: int) -> JSONDict:
        user = self.world.user(user_id)
        answers = user.callback_answers
        last_answer = answers[-1] if answers else None
        return {
            "type": "chat",
            "id": user_id,
            "messages": [self._message(raw) for raw in user.history()],
            "keyboard": _reply_keyboard(user),
            "answers": len(answers),
            "answer": None
            if last_answer is None or not last_answer.get("text")
            else {"text": last_answer["text"], "alert": bool(last_answer.get("show_alert"))},
            "actions": len(user.chat_actions),
            "action": user.chat_actions[-1] if user.chat_actions else None,
            "commands": self._commands(user),
        }

    def _message(self, raw: JSONDict) -> JSONDict:
        return message_json(raw, mine=raw.get("from", {}).get("id") != self.world.server.bot_id)

    def _commands(self, user: FakeUser) -> list[JSONDict]:
        """The bot's command menu as this person's client shows it: their own scope first, then the default."""
        server, language = self.world.server, user.language_code or ""
        for scope, chat_id in (("chat", user.chat_id), ("default", None)):
            for code in (language, ""):
                found = server.commands(scope, code, chat_id=chat_id)
                if found:
                    return found
        return []

    # ------------------------------------------------------------------ routes

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})

    async def _state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.state())

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: the state at once, then whatever changed (a chat or the group in full; the clock and
        people)."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        await response.prepare(request)
        server, world = self.world.server, self.world
        sent_chats: dict[int, str] = {}
        sent_group = ""
        seen: tuple[int, int] | None = None
        try:
            while not self._closing:
                current = (server.changes, world.version)
                if current != seen:
                    seen = current
                    await _event(response, json.dumps(self.meta()))
                    for user_id in list(world.people):
                        chat = json.dumps(self.chat(user_id))
                        if sent_chats.get(user_id) != chat:
                            sent_chats[user_id] = chat
                            await _event(response, chat)
                    group = json.dumps(self.group.state())
                    if group != sent_group:
                        sent_group = group
                        await _event(response, group)
                try:
                    await server.wait_until(functools.partial(self._changed_since, current), timeout=KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the page was closed
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response

    def _changed_since(self, seen: tuple[int, int]) -> bool:
        return self._closing or (self.world.server.changes, self.world.version) != seen

    async def _add_person(self, request: web.Request) -> web.StreamResponse:
        body = await _json(request)
        name = str(body.get("name", "")).strip()
        if not 1 <= len(name) <= 64:
            raise web.HTTPBadRequest(text="name: 1 to 64 characters")
        person = self.world.add_person(name)
        await self.world.changed()
        return web.json_response(person.as_json())

    async def _advance(self, request: web.Request) -> web.StreamResponse:
        body = await _json(request)
        delta = ADVANCES.get(str(body.get("by", "")))
        if delta is None:
            raise web.HTTPBadRequest(text=f"by: one of {', '.join(ADVANCES)}")
        now = await self.world.advance(delta)
        return web.json_response({"clock": now.isoformat()})

    def _user(self, request: web.Request) -> FakeUser:
        try:
            return self.world.user(int(request.match_info["user_id"]))
        except KeyError:
            raise web.HTTPNotFound(text="no such person") from None

    async def _send_text(self, request: web.Request) -> web.StreamResponse:
        user = self._user(request)
        text = str((await _json(request)).get("text", ""))
        if not text.strip() or len(text) > MAX_TEXT:
            raise web.HTTPBadRequest(text=f"text: 1 to {MAX_TEXT} characters")
        update_id = await user.send_text(text)
        return web.json_response({"update_id": update_id})

    async def _press(self, request: web.Request) -> web.StreamResponse:
        """An inline button of a message in the chat (only buttons the message really has, as in a client)."""
        user = self._user(request)
        body = await _json(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise web.HTTPBadRequest(text="message_id and data are required")
        try:
            message = user.message(message_id)
        except KeyError:
            raise web.HTTPNotFound(text="no such message") from None
        if data not in message.callback_data():
            raise web.HTTPBadRequest(text="the message has no such button")
        return web.json_response({"update_id": await user.press_data(data, message_id=message_id)})

    async def _reply_button(self, request: web.Request) -> web.StreamResponse:
        """A reply keyboard button: its text, or the person's own contact for a contact-sharing button."""
        user = self._user(request)
        text = (await _json(request)).get("text")
        buttons = [button for row in user.reply_keyboard or [] for button in row]
        button = next((b for b in buttons if b.get("text") == text), None)
        if button is None:
            raise web.HTTPBadRequest(text="the keyboard has no such button")
        if button.get("request_contact"):
            person = self.world.people[user.user_id]
            update_id = await user.send_contact(person.phone)
        else:
            update_id = await user.press_reply(str(text))
        return web.json_response({"update_id": update_id})

    async def _send_document(self, request: web.Request) -> web.StreamResponse:
        user = self._user(request)
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="file is required")
        content = upload.file.read()
        if not content:
            raise web.HTTPBadRequest(text="the file is empty")
        name = Path(upload.filename or "file").name
        update_id = await user.send_document(content, name, mime_type=upload.content_type or _guess_mime(name))
        return web.json_response({"update_id": update_id})

    async def _send_sample_catalogue(self, request: web.Request) -> web.StreamResponse:
        """The sample catalogue CSV as a document, as staff would send the file from their phone."""
        user = self._user(request)
        content = await asyncio.to_thread(SAMPLE_CATALOGUE.read_bytes)
        update_id = await user.send_document(content, SAMPLE_CATALOGUE.name, mime_type="text/csv")
        return web.json_response({"update_id": update_id})

    async def _open_topic(self, request: web.Request) -> web.StreamResponse:
        """The topic the page shows (one at a time); the one shown before counts as read."""
        try:
            self.group.open_topic(int(request.match_info["thread_id"]))
        except KeyError:
            raise web.HTTPNotFound(text="no such topic") from None
        await self.world.changed()
        return web.json_response({"open": self.group.open})

    async def _write_in_topic(self, request: web.Request) -> web.StreamResponse:
        """Dewi writes in a topic of the helpdesk group (a command such as /tutup is text starting with /)."""
        text = str((await _json(request)).get("text", ""))
        if not text.strip() or len(text) > MAX_TEXT:
            raise web.HTTPBadRequest(text=f"text: 1 to {MAX_TEXT} characters")
        try:
            message_id = await self.group.write(int(request.match_info["thread_id"]), text)
        except LookupError:
            raise web.HTTPNotFound(text="no such topic") from None
        except PermissionError:
            raise web.HTTPConflict(text="the topic is closed; only the group's administrators write there") from None
        return web.json_response({"message_id": message_id})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        try:
            stored = self.world.server.file(request.match_info["file_id"])
        except KeyError:
            raise web.HTTPNotFound(text="no such file") from None
        mime = stored.mime_type or "application/octet-stream"
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if stored.kind == "photo" and mime in ("image/png", "image/jpeg", "image/gif", "image/webp"):
            headers["Content-Disposition"] = "inline"
        elif mime == "application/pdf":
            # A certificate opens in the browser's PDF viewer (a tab of its own); "unduh" on the page downloads it.
            name = stored.file_name or "document.pdf"
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
        else:
            # Downloaded, never shown in the page's origin (a document could be HTML).
            name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return web.Response(body=stored.content, content_type=mime, headers=headers)


@web.middleware
async def _same_origin(request: web.Request, handler: Any) -> web.StreamResponse:
    """Only the page itself may act: another site open in the same browser cannot post to 127.0.0.1."""
    if request.method not in ("GET", "HEAD"):
        origin = request.headers.get("Origin")
        if origin is not None and urlparse(origin).netloc != request.host:
            raise web.HTTPForbidden(text="cross-origin request refused")
    response: web.StreamResponse = await handler(request)
    return response


async def _json(request: web.Request) -> JSONDict:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="application/json expected")
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="invalid JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object expected")
    return body


async def _event(response: web.StreamResponse, data: str) -> None:
    await response.write(f"data: {data}\n\n".encode())


def _guess_mime(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".csv"):
        return "text/csv"
    if lower.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/octet-stream"


def _reply_keyboard(user: FakeUser) -> JSONDict | None:
    markup = user.reply_keyboard_markup
    if not user.reply_keyboard or markup is None:
        return None
    return {
        "rows": [
            [{"text": str(b.get("text", "")), "contact": bool(b.get("request_contact"))} for b in row]
            for row in user.reply_keyboard
        ],
        "placeholder": markup.get("input_field_placeholder"),
    }
