"""The fake Telegram Bot API server: its HTTP surface, its users, and what a test inspects and injects.

:class:`FakeTelegram` serves ``/bot{token}/{method}`` and ``/file/bot{token}/{path}`` on 127.0.0.1 (aiohttp). A
request's parameters are read (:mod:`fakegram.request_params`), the token checked, the injected faults applied
(:mod:`fakegram.faults`), and the method run from the tables of :mod:`fakegram.updates` and the modules of
:mod:`fakegram.methods`; every answer is recorded as a :class:`~fakegram.models.RecordedRequest`. The server is
also what simulated users reach (:class:`~fakegram.client_api.ClientApi`), where a test makes users and groups, and
what it waits on.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal, Self

from aiohttp import web

from fakegram.chats import Chats
from fakegram.errors import ApiError
from fakegram.faults import Faults
from fakegram.files import FileStore, StoredFile
from fakegram.groups import FakeGroup
from fakegram.methods import Method
from fakegram.methods.commands import CommandMethods
from fakegram.methods.forum import ForumMethods
from fakegram.methods.media import MediaMethods
from fakegram.methods.messages import MessageMethods
from fakegram.methods.places import PlaceMethods
from fakegram.methods.profile import ProfileMethods
from fakegram.models import JSONDict, RecordedRequest
from fakegram.request_params import loggable, read_params
from fakegram.updates import UpdateQueue
from fakegram.users import FakeUser

__all__ = ["FakeTelegram"]

_RECENT = 10


def _describe_predicate(predicate: Callable[[], bool]) -> str:
    name = getattr(predicate, "__qualname__", None) or repr(predicate)
    code = getattr(predicate, "__code__", None)
    if code is not None:
        return f"{name} ({code.co_filename}:{code.co_firstlineno})"
    return str(name)


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
        self.changes = 0
        """Counts changes of the server state (requests answered, updates queued): a watcher (the playground's
        page) compares it with the value it last saw, waiting with :meth:`wait_until`."""
        self.internal_errors: list[Exception] = []
        """Unexpected exceptions raised while handling requests (answered with 500); should stay empty."""
        self._requests_by_method: dict[str, list[RecordedRequest]] = collections.defaultdict(list)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._chats = Chats(self.bot_user, self.now)
        self._files = FileStore()
        self._faults = Faults(lambda: self.clock())
        self._updates = UpdateQueue(self._notify)
        self._commands = CommandMethods()
        tables = (
            self._updates.methods(),
            ProfileMethods(self._chats).methods(),
            MessageMethods(self._chats, self._files).methods(),
            MediaMethods(self._chats, self._files).methods(),
            PlaceMethods(self._chats).methods(),
            ForumMethods(self._chats).methods(),
            self._commands.methods(),
        )
        self._methods: dict[str, tuple[str, Method]] = {}
        for table in tables:
            for name, method in table.items():
                if name.lower() in self._methods:
                    raise RuntimeError(f"fakegram: {name} is in two method tables")
                self._methods[name.lower()] = (name, method)

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
        self._updates.open()
        self.host = host
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop the server; pending long polls are answered with no updates first."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self._updates.close()
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
        existing = self._chats.get(user_id)
        if existing is not None:
            return existing
        created = FakeUser(self, user_id, first_name, last_name, username, language_code)
        self._chats.add(created)
        return created

    @property
    def users(self) -> list[FakeUser]:
        return list(self._chats)

    def group(
        self, chat_id: int, title: str, *, forum: bool = True, kind: Literal["group", "supergroup"] = "supergroup"
    ) -> FakeGroup:
        """The group with this id, the bot in it as a plain member (created on first call, then the same object);
        a supergroup's id is ``-100...``, a basic group's (``kind="group"``, never a forum) a small negative one."""
        existing = self._chats.group(chat_id)
        if existing is not None:
            return existing
        created = FakeGroup(self, chat_id, title, forum=forum, kind=kind)
        self._chats.add_group(created)
        return created

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive method name)."""
        return list(self._requests_by_method.get(self._canonical(method), []))

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
    def delivered_update_ids(self) -> list[int]:
        """Every update id handed out by ``getUpdates``, in order (re-deliveries included)."""
        return self._updates.delivered_update_ids

    @property
    def long_polls(self) -> int:
        """Number of ``getUpdates`` requests currently held open (long polling, nothing to deliver yet)."""
        return self._updates.long_polls

    @property
    def webhook_url(self) -> str:
        """The URL of the last ``setWebhook`` ("" after ``deleteWebhook``)."""
        return self._updates.webhook_url

    @property
    def pending_updates(self) -> int:
        """Queued updates not yet handed out by ``getUpdates``."""
        return self._updates.pending

    @property
    def queued_updates(self) -> list[JSONDict]:
        """Updates not yet acknowledged (via ``offset``), delivered or not."""
        return self._updates.queued

    def commands(
        self,
        scope_type: str = "default",
        language_code: str | None = None,
        *,
        chat_id: int | str | None = None,
        user_id: int | None = None,
    ) -> list[JSONDict]:
        """The commands stored by ``setMyCommands`` for this scope/language (``[]`` if none)."""
        return self._commands.stored((scope_type, chat_id, user_id, language_code or ""))

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
        self._faults.block(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._faults.unblock(chat_id)

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sending/editing to the chat -> 403 "user is deactivated"."""
        self._faults.deactivate(chat_id)

    def reactivate(self, chat_id: int) -> None:
        self._faults.reactivate(chat_id)

    def rate_limit(
        self,
        *,
        global_per_s: float | None = None,
        per_chat_per_s: float | None = None,
        retry_after: int = 1,
        per_group_per_min: float | None = None,
    ) -> None:
        """Answer message-sending methods beyond these rates with 429 and ``retry_after``.

        Token buckets on :attr:`clock` (burst = max(1, rate); a group's, any chat with a negative id, holds its whole
        minute, e.g. 20); one request (``copyMessages`` too) takes one token; ``None`` disables a limit.
        """
        self._faults.rate_limit(global_per_s, per_chat_per_s, retry_after, per_group_per_min)

    def fail_next(self, count: int, status: int = 502, methods: set[str] | None = None) -> None:
        """Answer the next ``count`` matching requests with a transient ``status`` (e.g. 5xx).

        ``methods=None`` matches every method except ``getUpdates`` (whose polling would otherwise
        swallow the faults at random); name ``getUpdates`` explicitly to fail polling.
        """
        names = frozenset(self._canonical(m) for m in methods) if methods is not None else None
        self._faults.fail_next(count, status, names)

    # ------------------------------------------------------------------ what simulated users reach (ClientApi)

    def now(self) -> int:
        return int(time.time())

    def store_file(
        self, content: bytes, *, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        return self._files.store(content, kind=kind, file_name=file_name, mime_type=mime_type)

    def new_callback_query(self, user: FakeUser) -> str:
        return self._commands.open_query(user)

    def user_sends(self, user: FakeUser) -> None:
        """A user writes to the bot (which, as in Telegram, unblocks it)."""
        if self._faults.is_deactivated(user.chat_id):
            raise RuntimeError(f"{user!r} is deactivated and cannot send messages")
        self._faults.unblock(user.chat_id)

    async def enqueue_update(self, user: FakeUser, kind: str, payload: JSONDict) -> int:
        update_id = await self._updates.put(kind, payload)
        await self._notify(user)
        return update_id

    async def changed(self) -> None:
        """Wake :meth:`wait_until` watchers after a change kept outside the server (a playground's clock)."""
        await self._notify()

    async def _notify(self, chat: FakeUser | FakeGroup | None = None) -> None:
        self.changes += 1
        async with self._changed:
            self._changed.notify_all()
        if chat is not None:
            await chat.notify()

    # ------------------------------------------------------------------ HTTP surface

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else method

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._files.at_path(request.match_info["file_path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = self.clock()
        method = self._canonical(request.match_info["method"])
        params: JSONDict = {}
        chat: FakeUser | FakeGroup | None = None
        try:
            params = await read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            entry = self._methods.get(method.lower())
            if entry is None:
                raise ApiError(404, "Not Found")
            self._faults.check(method, params)
            chat_id = params.get("chat_id")
            chat = self._chats.find(chat_id) if isinstance(chat_id, int) else None
            if method == "getUpdates":
                result = await self._updates.get_updates(params, request)
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
            params=loggable(params),
            status=status,
            at=arrived,
            description=None if status == 200 else str(body.get("description")),
            response=body,
        )
        self.requests.append(record)
        self._requests_by_method[method].append(record)
        await self._notify(chat)
        return web.json_response(body, status=status)
