"""Private PostgreSQL and Redis servers for the drills: started, restarted and stopped here.

The shared servers on 5432 and 6379 are never touched: each drill runs its own cluster in a
temporary directory on a free loopback port. A missing binary is a skip, or a failure under
TRADING_REQUIRE_SERVICES=1 (as CI sets).
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30, proc=None) -> None:
    """Poll until something accepts on the port (processes start in their own time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {seconds} s")


def missing(what: str) -> None:
    if os.environ.get("TRADING_REQUIRE_SERVICES") == "1":
        pytest.fail(f"TRADING_REQUIRE_SERVICES=1 but {what} is not installed")
    pytest.skip(f"{what} is not installed")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or \
        [p for p in [shutil.which(name)] if p]
    if not found:
        missing(f"PostgreSQL ({name})")
    return found[-1]


@dataclass
class PrivatePostgres:
    base: Path
    port: int
    as_postgres: list

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/drill"

    def ctl(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, _pg_bin("pg_ctl"), "-D", str(self.base / "data"),
                        "-l", str(self.base / "server.log"), "-w", "-t", "60", *args],
                       check=True, capture_output=True, timeout=90)

    def start(self) -> None:
        self.ctl("-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c max_connections=60", "start")

    def restart(self) -> None:
        """A fast restart: every session is ended, in-flight transactions roll back."""
        self.ctl("-m", "fast", "restart")


@contextmanager
def private_postgres():
    initdb = _pg_bin("initdb")
    # initdb refuses root: run the server as the postgres OS user, in a folder it owns.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="drill-pg-"))
    if as_postgres:
        shutil.chown(base, "postgres")
    pg = PrivatePostgres(base, free_port(), as_postgres)
    try:
        subprocess.run([*as_postgres, initdb, "-D", str(base / "data"), "-A", "trust",
                        "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, timeout=120)
        pg.start()
        subprocess.run([*as_postgres, _pg_bin("createdb"), "-h", "127.0.0.1", "-p",
                        str(pg.port), "-U", "postgres", "drill"], check=True,
                       capture_output=True, timeout=60)
        yield pg
    finally:
        try:
            pg.ctl("-m", "immediate", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class PrivateRedis:
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


@contextmanager
def private_redis():
    """A Redis on a free port, not started: the drill decides when it is up."""
    if shutil.which("redis-server") is None:
        missing("redis-server")
    redis = PrivateRedis(free_port())
    try:
        yield redis
    finally:
        redis.stop()
