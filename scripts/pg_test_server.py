#!/usr/bin/env python3
"""A throw-away PostgreSQL server for the tests and benchmarks: Debian's package, a cluster in a temporary folder.

    python scripts/pg_test_server.py available        # exit 0 when a server can be started (installs when root)
    python scripts/pg_test_server.py run -- CMD ...   # start one, run CMD with TEST_POSTGRESQL_URL set, stop it

`tests/conftest.py` imports `PostgresServer` for `pytest --backend=postgresql` when no TEST_POSTGRESQL_URL is given.

The server is the `postgres` binary run as our own child process (not daemonised by pg_ctl), so stopping it ends
exactly the PID we started: SIGINT, PostgreSQL's "fast" shutdown, then SIGKILL if it does not go within 30 s. It
listens on 127.0.0.1 only, on a port that was free a moment before, with its socket in the cluster's folder, trust
authentication (nothing else can reach it) and durability off (fsync, synchronous_commit): test data is thrown
away, and the tests measure behaviour, not disks. initdb refuses to run as root, so as root the cluster belongs to
the `postgres` user (created by Debian's package) and the server runs as that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started here (no binaries, and no way to install them)."""


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "postgres").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    found = shutil.which("postgres")
    return Path(found).parent if found and shutil.which("initdb") else None


def install() -> Path | None:
    """Debian's `postgresql` package, when missing and we may install it (root, or password-less sudo)."""
    bindir = find_bindir()
    if bindir is not None:
        return bindir
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        return None
    print("installing Debian's postgresql for the tests (once)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], env=env, check=False, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-qq", "postgresql"], env=env, check=False, stdout=subprocess.DEVNULL
    )
    return find_bindir()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One cluster in a temporary folder and the server process on it; `stop()` removes both."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="vokasi-pg-"))
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._user: str | None = None

    @property
    def url(self) -> str:
        """The maintenance database; tests create a database of their own in it."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start_new(cls) -> PostgresServer:
        bindir = install()
        if bindir is None:
            raise Unavailable("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        server = cls(bindir)
        try:
            server.start()
        except BaseException:
            server.stop()
            raise
        return server

    def _as_owner(self) -> dict[str, object]:
        """Popen arguments running a command as the cluster's owner (ourselves, or `postgres` when we are root)."""
        if self._user is None:
            return {}
        entry = pwd.getpwnam(self._user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "env": self._env()}

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        if self._user is not None:
            env["HOME"] = str(self.folder)
        return env

    def start(self) -> None:
        data = self.folder / "data"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as error:
                raise Unavailable("running as root and there is no 'postgres' user to own the cluster") from error
            self._user = "postgres"
            shutil.chown(self.folder, user="postgres", group="postgres")
        # C collation: text (times are ISO text) sorts byte by byte, as in SQLite.
        subprocess.run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.folder,
            **self._as_owner(),  # type: ignore[call-overload]
        )
        self.port = free_port()
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115 (the child writes it until it stops)
        self.process = subprocess.Popen(
            [
                str(self.bindir / "postgres"),
                "-D",
                str(data),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"port={self.port}",
                "-c",
                f"unix_socket_directories={self.folder}",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=128MB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,  # Ctrl+C in the terminal reaches us; we stop the server ourselves
            **self._as_owner(),  # type: ignore[call-overload]
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL stopped at start-up:\n{self.log_tail()}")
            ready = subprocess.run(
                [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start within {STARTUP_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace")[-3000:]
        return ""

    def stop(self) -> None:
        """Fast shutdown of the process we started (only that PID), then remove the cluster."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["available"]:
        return 0 if install() is not None else 1
    if argv[:1] == ["run"]:
        command = argv[1:]
        if command[:1] == ["--"]:
            command = command[1:]
        if not command:
            print("usage: pg_test_server.py run -- COMMAND ...", file=sys.stderr)
            return 2
        # A plain `kill` (SIGTERM) stops the command and the server too, like Ctrl+C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        server = PostgresServer.start_new()
        try:
            env = {**os.environ, "TEST_POSTGRESQL_URL": server.url}
            return subprocess.run(command, env=env, check=False).returncode
        except KeyboardInterrupt:
            return 130
        finally:
            server.stop()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
