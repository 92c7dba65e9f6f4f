"""The bot's HTTP client to the Bot API (bot/delivery/http.py) as PTB uses it: requests, files, and its failures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.delivery.http import AiohttpRequest
from fakegram import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
    assert server.internal_errors == []


class SilentServer:
    """A server on 127.0.0.1 that accepts connections, reads what comes, and never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self.connected = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> SilentServer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        for writer in self._writers:
            writer.close()
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot123:ABC"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.connected.set()
        self._writers.append(writer)
        while await reader.read(4096):
            pass


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_messages_and_files_reach_telegram_through_it(fake: FakeTelegram) -> None:
    budi = fake.user(41)
    fake.user_sends(budi)
    request = AiohttpRequest(4)
    async with Bot(fake.token, base_url=fake.base_url, request=request, get_updates_request=AiohttpRequest()) as bot:
        sent = await bot.send_message(budi.user_id, "<b>Halo</b> Budi", parse_mode="HTML")
        await bot.send_document(budi.user_id, b"%PDF-1.4 sertifikat", filename="sertifikat.pdf", caption="Ini")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(999_999, "tidak ada")
    text, document = budi.messages
    assert (text.message_id, text.plain_text) == (sent.message_id, "Halo Budi")
    assert (document.document, document.file_name) == (b"%PDF-1.4 sertifikat", "sertifikat.pdf")
    assert document.caption == "Ini"


async def test_a_request_before_initialize_or_after_shutdown_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/getMe", "POST")


async def test_nobody_listening_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=2)
    async with request:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{closed_port()}/bot1:A/getMe", "POST")
    assert not isinstance(raised.value, TimedOut)


async def test_an_answer_that_never_comes_times_out_after_the_read_timeout() -> None:
    async with SilentServer() as server, AiohttpRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.do_request(f"{server.url}/getMe", "POST")
        # A caller's own read timeout wins over the default.
        with pytest.raises(TimedOut):
            await request.do_request(f"{server.url}/getMe", "POST", read_timeout=0.05)
    assert server.connections >= 1


async def test_a_full_pool_times_out_without_sending() -> None:
    async with SilentServer() as server, AiohttpRequest(1, read_timeout=None, pool_timeout=0.1) as request:
        stuck = asyncio.create_task(request.do_request(f"{server.url}/getMe", "POST"))
        await server.connected.wait()
        with pytest.raises(TimedOut):
            await request.do_request(f"{server.url}/getMe", "POST", connect_timeout=0.1)
        assert server.connections == 1
        stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
