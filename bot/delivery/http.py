"""PTB's requests to the Bot API over aiohttp's client instead of httpx.

Profiling outbox delivery (bench/delivery.py, BENCHMARKS.md "HTTP client") showed httpx/httpcore's connection
pool as the largest single cost of a send: for every request it walks every pooled connection (`is_idle`,
`getpeername` through anyio's socket attributes), a fifth of the process's time at 32 concurrent sends. aiohttp's
connector keeps idle connections in a list per host and hands one out without a scan. PTB supports other HTTP
clients through ``telegram.request.BaseRequest``; this is one, used for both of the Application's request objects
(updates and everything else) by ``bot.app.build_application``.

Same behaviour as PTB's HTTPXRequest where the bot relies on it: parameters sent as form fields (files as
multipart), PTB's timeouts per request (``None`` waits forever), a full pool raising ``TimedOut`` after the pool
timeout (nothing sent), every other client error a ``NetworkError``; the status and body returned as they are
(PTB turns 4xx/5xx into its errors).
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's HTTPXRequest defaults (seconds).
DEFAULT_TIMEOUT = 5.0
DEFAULT_MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp ClientSession with a pool of `connection_pool_size` connections."""

    __slots__ = ("_connect_timeout", "_pool_size", "_pool_timeout", "_read_timeout", "_session", "_write_timeout")

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # Our own timeouts per request (below); the session's default of 5 minutes total is lifted.
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        data: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            data = aiohttp.FormData()
            for name, value in (fields or {}).items():
                data.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                data.add_field(name, content, filename=filename, content_type=mime)
        pool = _chosen(pool_timeout, self._pool_timeout)
        connect = _chosen(connect_timeout, self._connect_timeout)
        write = _chosen(write_timeout, DEFAULT_MEDIA_WRITE_TIMEOUT if files else self._write_timeout)
        read = _chosen(read_timeout, self._read_timeout)
        timeout = aiohttp.ClientTimeout(
            # The whole request (a stuck upload too): every part's time together.
            total=_sum(pool, connect, write, read),
            # aiohttp's `connect` includes waiting for a free connection of the pool: PTB's pool timeout too.
            connect=_sum(pool, connect),
            sock_read=read,
        )
        try:
            async with session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _chosen(given: object, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE when the caller chose nothing."""
    if given is BaseRequest.DEFAULT_NONE:
        return default
    assert given is None or isinstance(given, int | float)
    return given


def _sum(*parts: float | None) -> float | None:
    """None (no limit) when any part has none."""
    return None if any(part is None for part in parts) else sum(part for part in parts if part is not None)
