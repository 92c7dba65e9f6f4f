"""The fake Telegram Bot API server (aiohttp) and all of its state."""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import mimetypes
import re
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from aiohttp import BodyPartReader, hdrs, web

from fakegram._html import EntityParseError, parse_html, utf16_len
from fakegram.models import BotMessage, RecordedRequest
from fakegram.users import FakeUser

__all__ = ["FakeTelegram", "StoredFile"]

JSONDict = dict[str, Any]
_Handler = Callable[[JSONDict], Awaitable[Any]]

_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_CALLBACK_DATA = 64

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "allowed_updates",
        "commands",
        "scope",
        "media",
        "menu_button",
        "rights",
        "message_ids",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "max_connections",
        "duration",
        "width",
        "height",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "is_personal",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "remove_caption",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_CONTENT_KEYS = ("text", "document", "photo", "sticker", "voice", "location", "contact")
_COPYABLE_KEYS = ("text", "entities", "caption", "caption_entities", *_CONTENT_KEYS[1:])
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_RECENT = 10


class ApiError(Exception):
    """An error answer of the Bot API (raised inside method handlers)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


@dataclass(frozen=True, slots=True)
class _Upload:
    filename: str
    content: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file known to the server (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    kind: str
    file_name: str | None
    mime_type: str | None

    @property
    def size(self) -> int:
        return len(self.content)

    def document_dict(self) -> JSONDict:
        document: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            document["file_name"] = self.file_name
        if self.mime_type is not None:
            document["mime_type"] = self.mime_type
        return document

    def photo_size_dict(self) -> JSONDict:
        width, height = _image_size(self.content)
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": self.size,
        }

    def file_dict(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


def _image_size(content: bytes) -> tuple[int, int]:
    """Width/height of a PNG, GIF or JPEG image; (800, 600) when unknown."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(content):
            if content[index] != 0xFF:
                break
            marker = content[index + 1]
            (length,) = struct.unpack(">H", content[index + 2 : index + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return 800, 600


class _Bucket:
    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp

    def available(self, rate: float, now: float) -> float:
        return min(max(1.0, rate), self.tokens + (now - self.stamp) * rate)


@dataclass(slots=True)
class _Fault:
    remaining: int
    status: int
    methods: frozenset[str] | None


@dataclass(slots=True)
class _CallbackQuery:
    user: FakeUser
    answered: bool = False


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {key} JSON object") from None
    if key in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            pass
        try:
            return float(value)
        except ValueError:
            return value
    if key in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    if key in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _is_sending(method: str) -> bool:
    """Methods that create messages (subject to rate limits)."""
    return method.startswith(("send", "copy", "forward")) and method != "sendChatAction"


def _is_chat_targeted(method: str) -> bool:
    """Methods that fail with 403 when the target user blocked the bot / is deactivated."""
    return method.startswith(("send", "copy", "forward", "edit"))


def _describe_predicate(predicate: Callable[[], bool]) -> str:
    name = getattr(predicate, "__qualname__", None) or repr(predicate)
    code = getattr(predicate, "__code__", None)
    if code is not None:
        return f"{name} ({code.co_filename}:{code.co_firstlineno})"
    return str(name)


def _kind(raw: JSONDict) -> str:
    for key in _CONTENT_KEYS:
        if key in raw:
            return key
    return "other"


class FakeTelegram:
    """A fake Telegram Bot API server for tests, benchmarks and a local playground.

    See the package docstring for how to point a python-telegram-bot ``Application`` at it.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "vokasi_test_bot",
        *,
        bot_first_name: str = "Vokasi Bot",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock = clock
        """Monotonic clock used for rate limits and ``RecordedRequest.at`` (replaceable in tests)."""
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.host = "127.0.0.1"
        self.port = 0
        self.requests: list[RecordedRequest] = []
        """Every Bot API request, in the order the responses were produced."""
        self.delivered_update_ids: list[int] = []
        """Every update id handed out by ``getUpdates``, in order (re-deliveries included)."""
        self.webhook_url = ""
        self.long_polls = 0
        self.changes = 0
        """Counts changes of the server state (requests answered, updates queued): a watcher (the playground's
        page) compares it with the value it last saw, waiting with :meth:`wait_until`."""
        self.internal_errors: list[Exception] = []
        """Unexpected exceptions raised while handling requests (answered with 500); should stay empty."""
        """Number of ``getUpdates`` requests currently held open (long polling, nothing to deliver yet)."""
        self._requests_by_method: dict[str, list[RecordedRequest]] = collections.defaultdict(list)
        self._users: dict[int, FakeUser] = {}
        self._updates: collections.deque[JSONDict] = collections.deque()
        self._next_update_id = 1
        self._last_delivered_id = 0
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._next_file = 1
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._next_callback_query = 1
        self._commands: dict[tuple[str, int | str | None, int | None, str], list[JSONDict]] = {}
        self._blocked: set[int] = set()
        self._deactivated: set[int] = set()
        self._faults: list[_Fault] = []
        self._global_rate: float | None = None
        self._chat_rate: float | None = None
        self._retry_after = 1
        self._global_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._changed = asyncio.Condition()
        self._updates_cond = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in self._method_table().items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start listening (``port=0`` picks a free port, see :attr:`port`)."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._closing = False
        self.host = host
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop the server; pending long polls are answered with no updates first."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        async with self._updates_cond:
            self._updates_cond.notify_all()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``; PTB appends the token."""
        return f"http://{self.host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ users & introspection

    def user(
        self,
        user_id: int,
        first_name: str = "Budi",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
    ) -> FakeUser:
        """The simulated user with this id (created on first call; later calls return the same object)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = FakeUser(self, user_id, first_name, last_name, username, language_code)
        self._users[user_id] = created
        return created

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive method name)."""
        entry = self._methods.get(method.lower())
        return list(self._requests_by_method.get(entry[0] if entry else method, []))

    def reset_log(self) -> None:
        """Forget the recorded requests (not the chat state)."""
        self.requests.clear()
        self._requests_by_method.clear()

    def describe_recent_requests(self, count: int = _RECENT) -> str:
        recent = [
            f"{r.method}({r.params.get('chat_id', '')})->{r.status}" + (f" {r.description!r}" if r.description else "")
            for r in self.requests[-count:]
        ]
        return f"Last {len(recent)} of {len(self.requests)} requests: {recent}"

    @property
    def pending_updates(self) -> int:
        """Queued updates not yet handed out by ``getUpdates``."""
        count = len(self._updates)
        for update in self._updates:
            if update["update_id"] > self._last_delivered_id:
                break
            count -= 1
        return count

    @property
    def queued_updates(self) -> list[JSONDict]:
        """Updates not yet acknowledged (via ``offset``), delivered or not."""
        return list(self._updates)

    def commands(
        self,
        scope_type: str = "default",
        language_code: str | None = None,
        *,
        chat_id: int | str | None = None,
        user_id: int | None = None,
    ) -> list[JSONDict]:
        """The commands stored by ``setMyCommands`` for this scope/language (``[]`` if none)."""
        return list(self._commands.get((scope_type, chat_id, user_id, language_code or ""), []))

    def file(self, file_id: str) -> StoredFile:
        """A stored file by id (``KeyError`` if unknown)."""
        return self._files[file_id]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` is true; it is re-checked on every change of the server state.

        Raises:
            TimeoutError: naming the predicate and listing the latest requests.
        """
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(predicate)
            except TimeoutError:
                raise TimeoutError(
                    f"wait_until: {_describe_predicate(predicate)} still false after {timeout}s; "
                    f"pending updates: {self.pending_updates}. {self.describe_recent_requests()}"
                ) from None

    # ------------------------------------------------------------------ fault injection

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sending/editing to the chat -> 403 (until :meth:`unblock`)."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sending/editing to the chat -> 403 "user is deactivated"."""
        self._deactivated.add(chat_id)

    def reactivate(self, chat_id: int) -> None:
        self._deactivated.discard(chat_id)

    def rate_limit(
        self,
        *,
        global_per_s: float | None = None,
        per_chat_per_s: float | None = None,
        retry_after: int = 1,
    ) -> None:
        """Answer message-sending methods beyond these rates with 429 and ``retry_after``.

        Token buckets (burst = max(1, rate)) on :attr:`clock`; ``None`` disables a limit.
        """
        self._global_rate = global_per_s
        self._chat_rate = per_chat_per_s
        self._retry_after = retry_after
        self._global_bucket = None
        self._chat_buckets.clear()

    def fail_next(self, count: int, status: int = 502, methods: set[str] | None = None) -> None:
        """Answer the next ``count`` matching requests with a transient ``status`` (e.g. 5xx).

        ``methods=None`` matches every method except ``getUpdates`` (whose polling would otherwise
        swallow the faults at random); name ``getUpdates`` explicitly to fail polling.
        """
        names = frozenset(self._canonical(m) for m in methods) if methods is not None else None
        self._faults.append(_Fault(count, status, names))

    # ------------------------------------------------------------------ helpers used by FakeUser

    def now(self) -> int:
        return int(time.time())

    def store_file(
        self, content: bytes, *, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        folder = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=f"fg-{kind}-{number}",
            file_unique_id=f"fgu{number}",
            file_path=f"{folder.get(kind, kind + 's')}/file_{number}{ext}",
            content=bytes(content),
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def new_callback_query(self, user: FakeUser) -> str:
        query_id = str(4_000_000_000_000 + self._next_callback_query)
        self._next_callback_query += 1
        self._callback_queries[query_id] = _CallbackQuery(user)
        return query_id

    def user_sends(self, user: FakeUser) -> None:
        """A user writes to the bot (which, as in Telegram, unblocks it)."""
        if user.chat_id in self._deactivated:
            raise RuntimeError(f"{user!r} is deactivated and cannot send messages")
        self._blocked.discard(user.chat_id)

    async def enqueue_update(self, user: FakeUser, kind: str, payload: JSONDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        async with self._updates_cond:
            self._updates_cond.notify_all()
        await self._notify(user)
        return update_id

    async def changed(self) -> None:
        """Wake :meth:`wait_until` watchers after a change kept outside the server (a playground's clock)."""
        await self._notify()

    async def _notify(self, user: FakeUser | None = None) -> None:
        self.changes += 1
        async with self._changed:
            self._changed.notify_all()
        if user is not None:
            await user.notify()

    # ------------------------------------------------------------------ HTTP layer

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else method

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._files_by_path.get(request.match_info["file_path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = self.clock()
        method = self._canonical(request.match_info["method"])
        params: JSONDict = {}
        user: FakeUser | None = None
        try:
            params = await self._read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            entry = self._methods.get(method.lower())
            if entry is None:
                raise ApiError(404, "Not Found")
            self._inject_faults(method, params)
            chat_id = params.get("chat_id")
            user = self._users.get(chat_id) if isinstance(chat_id, int) else None
            if method == "getUpdates":
                result = await self._get_updates(params, request)
            else:
                result = await entry[1](params)
        except ApiError as error:
            status, body = error.status, error.body()
        except Exception as error:  # a bug in fakegram: answer 500 (PTB: NetworkError) and keep it for the test
            self.internal_errors.append(error)
            status = 500
            body = {"ok": False, "error_code": 500, "description": f"Internal Server Error (fakegram: {error!r})"}
        else:
            status, body = 200, {"ok": True, "result": result}
        record = RecordedRequest(
            method=method,
            params={
                k: ({"filename": v.filename, "size": len(v.content)} if isinstance(v, _Upload) else v)
                for k, v in params.items()
            },
            status=status,
            at=arrived,
            description=None if status == 200 else str(body.get("description")),
            response=body,
        )
        self.requests.append(record)
        self._requests_by_method[method].append(record)
        await self._notify(user)
        return web.json_response(body, status=status)

    async def _read_params(self, request: web.Request) -> JSONDict:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, _Upload] = {}
        if request.method == "POST" and request.can_read_body:
            content_type = request.content_type
            if content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON request body") from None
                if not isinstance(body, dict):
                    raise _bad("request body must be a JSON object")
                raw.update(body)
            elif content_type == "multipart/form-data":
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        raise _bad("unsupported multipart part")
                    if part.filename is not None:
                        content = bytes(await part.read(decode=True))
                        uploads[part.name] = _Upload(part.filename, content, part.headers.get(hdrs.CONTENT_TYPE))
                    else:
                        raw[part.name] = await part.text()
            else:
                raw.update(await request.post())
        params: JSONDict = {key: _coerce(key, value) if isinstance(value, str) else value for key, value in raw.items()}
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name in uploads:
                    params[key] = uploads.pop(name)
        for key, upload in uploads.items():
            params.setdefault(key, upload)
        return params

    def _inject_faults(self, method: str, params: JSONDict) -> None:
        for fault in self._faults:
            matches = method in fault.methods if fault.methods is not None else method != "getUpdates"
            if fault.remaining > 0 and matches:
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                try:
                    phrase = HTTPStatus(fault.status).phrase
                except ValueError:
                    phrase = "Server Error"
                raise ApiError(fault.status, phrase)
        chat_id = params.get("chat_id")
        if _is_sending(method):
            self._check_rate(chat_id if isinstance(chat_id, int) else None)
        if _is_chat_targeted(method) and isinstance(chat_id, int):
            if chat_id in self._deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_rate(self, chat_id: int | None) -> None:
        if self._global_rate is None and self._chat_rate is None:
            return
        now = self.clock()
        buckets: list[tuple[_Bucket, float]] = []
        if self._global_rate is not None:
            if self._global_bucket is None:
                self._global_bucket = _Bucket(max(1.0, self._global_rate), now)
            buckets.append((self._global_bucket, self._global_rate))
        if self._chat_rate is not None and chat_id is not None:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = self._chat_buckets[chat_id] = _Bucket(max(1.0, self._chat_rate), now)
            buckets.append((bucket, self._chat_rate))
        levels = [bucket.available(rate, now) for bucket, rate in buckets]
        allowed = all(level >= 1.0 for level in levels)
        for (bucket, _rate), level in zip(buckets, levels, strict=True):
            bucket.tokens = level - 1.0 if allowed else level
            bucket.stamp = now
        if not allowed:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {self._retry_after}",
                {"retry_after": self._retry_after},
            )

    # ------------------------------------------------------------------ validation helpers

    def _chat(self, params: JSONDict, key: str = "chat_id") -> FakeUser:
        chat_id = params.get(key)
        if chat_id is None or chat_id == "":
            raise _bad(f"{key} is empty")
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@")
            for user in self._users.values():
                if user.username == name:
                    return user
            raise _bad("chat not found")
        found = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if found is None:
            raise _bad("chat not found")
        return found

    @staticmethod
    def _message_id(params: JSONDict) -> int:
        if "inline_message_id" in params and "message_id" not in params:
            raise _bad("inline messages are not supported by fakegram")
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message_id is empty" if message_id in (None, "") else "MESSAGE_ID_INVALID")
        return message_id

    @staticmethod
    def _render(text: Any, parse_mode: Any, entities: Any, *, caption: bool = False) -> tuple[str, list[JSONDict]]:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if entities not in (None, ""):
            if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
                raise _bad("can't parse entities JSON object")
            plain, result = text, list(entities)
        else:
            mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
            if mode == "html":
                try:
                    plain, result = parse_html(text)
                except EntityParseError as error:
                    raise _bad(f"can't parse entities: {error}") from None
            elif mode in ("", "markdown", "markdownv2"):
                plain, result = text, []
            else:
                raise _bad("unsupported parse_mode")
        limit, what = (_MAX_CAPTION, "message caption is too long") if caption else (_MAX_TEXT, "")
        if utf16_len(plain) > limit:
            raise _bad(what or "message is too long")
        return plain, result

    @staticmethod
    def _check_markup(markup: Any) -> JSONDict | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise _bad("can't parse inline keyboard button: Text must be a String")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str) or not 1 <= len(data.encode()) <= _MAX_CALLBACK_DATA:
                            raise _bad("BUTTON_DATA_INVALID")
                    elif not any(action in button for action in _INLINE_BUTTON_ACTIONS):
                        raise _bad(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad("can't parse keyboard button: KeyboardButton must be a String or an Object")
            for row in rows:
                for button in row:
                    if not isinstance(button, str | dict) or (
                        isinstance(button, dict) and not isinstance(button.get("text"), str)
                    ):
                        raise _bad("can't parse keyboard button: Text must be a String")
        elif "remove_keyboard" not in markup and "force_reply" not in markup:
            raise _bad("can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _inline(markup: JSONDict | None) -> JSONDict | None:
        return markup if markup is not None and "inline_keyboard" in markup else None

    def _reply_to(self, user: FakeUser, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
        elif params.get("reply_to_message_id") is not None:
            message_id, allow = params["reply_to_message_id"], params.get("allow_sending_without_reply")
        else:
            return None
        raw = user.raw_message(message_id) if isinstance(message_id, int) else None
        if raw is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return {k: v for k, v in raw.items() if k != "reply_to_message"}

    def _resolve_file(self, params: JSONDict, field: str, kind: str) -> tuple[StoredFile, bool]:
        """The stored file for an upload or a file_id; the flag tells whether it is new."""
        value = params.get(field)
        if isinstance(value, _Upload):
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            if kind == "photo":
                mime = mime if mime and mime.startswith("image/") else "image/jpeg"
            return self.store_file(value.content, kind=kind, file_name=value.filename, mime_type=mime), True
        if isinstance(value, str) and value:
            stored = self._files.get(value)
            if stored is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            if kind == "photo" and stored.kind != "photo":
                raise _bad(f"can't use file of type {stored.kind.capitalize()} as Photo")
            return stored, False
        raise _bad(f"there is no {field} in the request")

    def _deliver(
        self,
        user: FakeUser,
        params: JSONDict,
        content: JSONDict,
        *,
        text: str | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        plain: str | None = None,
        entities: list[JSONDict] | None = None,
        stored: StoredFile | None = None,
        markup: JSONDict | None = None,
    ) -> JSONDict:
        """Create a bot message in ``user``'s chat; return its API dict."""
        reply_to = self._reply_to(user, params)
        message_id = user.alloc_message_id()
        raw: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": user.chat_dict,
            "date": self.now(),
            **content,
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        inline = self._inline(markup)
        if inline is not None:
            raw["reply_markup"] = inline
        if params.get("protect_content"):
            raw["has_protected_content"] = True
        kind = _kind(raw)
        view = BotMessage(
            message_id=message_id,
            chat_id=user.chat_id,
            text=text,
            caption=caption,
            parse_mode=parse_mode,
            inline_keyboard=inline["inline_keyboard"] if inline else None,
            reply_markup=markup,
            kind=kind,
            document=stored.content if stored is not None and kind == "document" else None,
            file_name=stored.file_name if stored is not None else None,
            photo=stored.content if stored is not None and kind == "photo" else None,
            plain_text=plain,
            entities=list(entities or []),
            mime_type=stored.mime_type if stored is not None else None,
            file_id=stored.file_id if stored is not None else None,
            date=raw["date"],
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
            raw=raw,
        )
        user.add_bot_message(view)
        user.apply_reply_markup(markup)
        return raw

    def _editable(self, params: JSONDict) -> tuple[FakeUser, BotMessage]:
        user = self._chat(params)
        message_id = self._message_id(params)
        view = user.bot_message(message_id)
        if view is None:
            if user.raw_message(message_id) is not None:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return user, view

    def _edit(
        self, user: FakeUser, view: BotMessage, raw_changes: JSONDict, markup: JSONDict | None, **changes: Any
    ) -> JSONDict:
        """Apply an edit (``raw_changes`` with ``None`` values delete keys); raise 'not modified'."""
        old = view.raw
        new = {k: v for k, v in old.items() if k != "edit_date"}
        for key, value in raw_changes.items():
            if value is None or value == []:
                new.pop(key, None)
            else:
                new[key] = value
        inline = self._inline(markup)
        if inline is None:
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = inline
        if new == {k: v for k, v in old.items() if k != "edit_date"}:
            raise _bad(_NOT_MODIFIED)
        new["edit_date"] = self.now()
        user.replace_bot_message(
            view,
            raw=new,
            inline_keyboard=inline["inline_keyboard"] if inline else None,
            reply_markup=inline,
            **changes,
        )
        return new

    # ------------------------------------------------------------------ Bot API methods

    def _method_table(self) -> dict[str, _Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "logOut": self._true,
            "close": self._true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "setMyDescription": self._true,
            "setMyShortDescription": self._true,
            "setMyName": self._true,
            "setChatMenuButton": self._true,
        }

    async def _true(self, params: JSONDict) -> Any:
        return True

    async def _get_me(self, params: JSONDict) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict, request: web.Request | None = None) -> Any:
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            self._acknowledge(offset)
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        if isinstance(timeout, int | float) and timeout > 0 and not self._updates and not self._closing:
            self.long_polls += 1
            await self._notify()
            try:
                async with self._updates_cond:
                    try:
                        async with asyncio.timeout(timeout):
                            await self._updates_cond.wait_for(lambda: bool(self._updates) or self._closing)
                    except TimeoutError:
                        pass
            finally:
                self.long_polls -= 1
        if self._closing or (request is not None and request.transport is None):
            return []  # shutting down / the client went away while we long-polled: hand out nothing
        batch = list(itertools.islice(self._updates, limit))
        for update in batch:
            self.delivered_update_ids.append(update["update_id"])
            self._last_delivered_id = max(self._last_delivered_id, update["update_id"])
        return batch

    def _acknowledge(self, offset: int) -> None:
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    async def _delete_webhook(self, params: JSONDict) -> Any:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: JSONDict) -> Any:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _send_message(self, params: JSONDict) -> Any:
        user = self._chat(params)
        text = params.get("text")
        plain, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _bad("message text is empty")
        markup = self._check_markup(params.get("reply_markup"))
        content: JSONDict = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._deliver(
            user,
            params,
            content,
            text=str(text),
            parse_mode=params.get("parse_mode") or None,
            plain=plain,
            entities=entities,
            markup=markup,
        )

    async def _send_media(self, params: JSONDict, field: str) -> Any:
        user = self._chat(params)
        stored, _new = self._resolve_file(params, field, field)
        markup = self._check_markup(params.get("reply_markup"))
        content: JSONDict = (
            {"photo": [stored.photo_size_dict()]} if field == "photo" else {"document": stored.document_dict()}
        )
        caption = params.get("caption")
        plain: str | None = None
        entities: list[JSONDict] = []
        if caption not in (None, ""):
            plain, entities = self._render(
                caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
            )
            content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
        return self._deliver(
            user,
            params,
            content,
            caption=str(caption) if caption not in (None, "") else None,
            parse_mode=params.get("parse_mode") or None,
            plain=plain,
            entities=entities,
            stored=stored,
            markup=markup,
        )

    async def _send_document(self, params: JSONDict) -> Any:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: JSONDict) -> Any:
        return await self._send_media(params, "photo")

    async def _send_chat_action(self, params: JSONDict) -> Any:
        user = self._chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        user.chat_actions.append(str(action))
        return True

    async def _edit_message_text(self, params: JSONDict) -> Any:
        user, view = self._editable(params)
        if "text" not in view.raw:
            raise _bad("there is no text in the message to edit")
        text = params.get("text")
        plain, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _bad("message text is empty")
        markup = self._check_markup(params.get("reply_markup"))
        return self._edit(
            user,
            view,
            {"text": plain, "entities": entities},
            markup,
            text=str(text),
            parse_mode=params.get("parse_mode") or None,
            plain_text=plain,
            entities=entities,
        )

    async def _edit_message_caption(self, params: JSONDict) -> Any:
        user, view = self._editable(params)
        if "text" in view.raw:
            raise _bad("there is no caption in the message to edit")
        caption = params.get("caption")
        plain, entities = (
            self._render(caption, params.get("parse_mode"), params.get("caption_entities"), caption=True)
            if caption not in (None, "")
            else ("", [])
        )
        markup = self._check_markup(params.get("reply_markup"))
        return self._edit(
            user,
            view,
            {"caption": plain or None, "caption_entities": entities},
            markup,
            caption=str(caption) if plain else None,
            parse_mode=params.get("parse_mode") or None,
            plain_text=plain or None,
            entities=entities,
        )

    async def _edit_message_reply_markup(self, params: JSONDict) -> Any:
        user, view = self._editable(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup is not None and self._inline(markup) is None:
            raise _bad("inline keyboard expected")
        return self._edit(user, view, {}, markup)

    async def _delete_message(self, params: JSONDict) -> Any:
        user = self._chat(params)
        if not user.delete_message(self._message_id(params)):
            raise _bad("message to delete not found")
        return True

    async def _answer_callback_query(self, params: JSONDict) -> Any:
        query_id = params.get("callback_query_id")
        query = self._callback_queries.get(str(query_id)) if query_id is not None else None
        if query is None or query.answered:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        query.answered = True
        answer: JSONDict = {
            "callback_query_id": str(query_id),
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert", False)),
        }
        for key in ("url", "cache_time"):
            if key in params:
                answer[key] = params[key]
        query.user.callback_answers.append(answer)
        await query.user.notify()
        return True

    def _commands_key(self, params: JSONDict) -> tuple[str, int | str | None, int | None, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad("can't parse BotCommandScope JSON object")
        language = params.get("language_code") or ""
        if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
            raise _bad("invalid language code specified")
        user_id = scope.get("user_id")
        return scope["type"], scope.get("chat_id"), user_id if isinstance(user_id, int) else None, language

    async def _set_my_commands(self, params: JSONDict) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> Any:
        return list(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSONDict) -> Any:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _source_message(self, params: JSONDict, what: str, done: str) -> JSONDict:
        source_chat = self._chat(params, "from_chat_id")
        raw = source_chat.raw_message(self._message_id(params))
        if raw is None:
            raise _bad(f"message to {what} not found")
        if _kind(raw) == "other":
            raise _bad(f"message can't be {done}")
        return raw

    def _replay(self, target: FakeUser, params: JSONDict, content: JSONDict, markup: JSONDict | None) -> JSONDict:
        file_id: str | None = None
        if "document" in content:
            file_id = content["document"]["file_id"]
        elif "photo" in content:
            file_id = content["photo"][-1]["file_id"]
        stored = self._files.get(file_id) if file_id else None
        is_text = "text" in content
        return self._deliver(
            target,
            params,
            content,
            text=content.get("text"),
            caption=content.get("caption"),
            plain=content.get("text") if is_text else content.get("caption"),
            entities=content.get("entities" if is_text else "caption_entities"),
            stored=stored,
            markup=markup,
        )

    async def _copy_message(self, params: JSONDict) -> Any:
        raw = self._source_message(params, "copy", "copied")
        target = self._chat(params)
        markup = self._check_markup(params.get("reply_markup"))
        content = {k: raw[k] for k in _COPYABLE_KEYS if k in raw}
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if params["caption"] not in (None, ""):
                plain, entities = self._render(
                    params["caption"], params.get("parse_mode"), params.get("caption_entities"), caption=True
                )
                content["caption"] = plain
                if entities:
                    content["caption_entities"] = entities
        return {"message_id": self._replay(target, params, content, markup)["message_id"]}

    async def _forward_message(self, params: JSONDict) -> Any:
        raw = self._source_message(params, "forward", "forwarded")
        target = self._chat(params)
        content: JSONDict = {k: raw[k] for k in _COPYABLE_KEYS if k in raw}
        sender = raw.get("from", self.bot_user)
        content["forward_origin"] = {"type": "user", "date": raw["date"], "sender_user": sender}
        return self._replay(target, params, content, None)

    async def _get_file(self, params: JSONDict) -> Any:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _bad("invalid file_id")
        return stored.file_dict()

    async def _get_chat(self, params: JSONDict) -> Any:
        user = self._chat(params)
        return {
            **user.chat_dict,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
