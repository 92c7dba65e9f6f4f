"""`make run` / `python main.py run` without BOT_TOKEN starts the playground; `python main.py playground --port`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start(*args: str, cwd: Path, **env: str) -> tuple[asyncio.subprocess.Process, str]:
    """The command started; returns the process and the page address it printed."""
    environment = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "PLAYGROUND_PORT"}}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        *args,
        cwd=cwd,
        env={**environment, "LOG_LEVEL": "WARNING", **env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    found = re.search(r"http://127\.0\.0\.1:\d+/", line.decode())
    if found is None:
        process.kill()
        await process.wait()
        pytest.fail(f"no address printed: {line!r}")
    return process, found.group(0)


async def stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """Ctrl+C, then the exit code and what it wrote to stderr."""
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_run_without_a_token_starts_the_playground(tmp_path: Path) -> None:
    port = free_port()
    process, url = await start("run", cwd=tmp_path, BOT_TOKEN="", PLAYGROUND_PORT=str(port))
    try:
        assert url == f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200
                assert "Mode latihan" in await page.text()
            async with http.get(url + "api/state") as state:
                people = (await state.json())["people"]
                assert any(p["staff"] for p in people) and any(not p["staff"] for p in people)
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr
    # It says why it is a playground and how to run the real bot.
    assert "BOT_TOKEN is not set" in stderr and "@BotFather" in stderr
    assert not await asyncio.to_thread(os.listdir, tmp_path), (
        "the playground's database lives in a temporary folder, not here"
    )


async def test_playground_command_takes_a_port(tmp_path: Path) -> None:
    port = free_port()
    process, url = await start("playground", "--port", str(port), "--start", "2026-11-23", cwd=tmp_path)
    try:
        assert url == f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as http, http.get(url + "api/state") as state:
            assert (await state.json())["clock"].startswith("2026-11-22T17:00")  # midnight WIB
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr


def test_make_run_starts_main_run() -> None:
    """`make run` is `main.py run`, which chooses the playground or the real bot by BOT_TOKEN."""
    # Run from `make test`, the inner make would announce its directory; the outer make's flags stay out too.
    environment = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", "run"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert planned.stdout.strip().splitlines()[-1].endswith("main.py run")
