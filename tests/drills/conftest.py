"""The drill harness: a private ini, database, queue and storage per drill, real processes.

A drill starts `agent.py` processes (setup, the real worker, the web server), kills them
with SIGKILL where it matters, and checks the committed state through its own engine.
Waiting is polling with a timeout: these are other processes on their own clocks.
"""

import configparser
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from bidding.conftest import world, world_factory  # noqa: F401  (for the in-process drills)
from drills import agent
from drills.services import free_port, private_postgres, private_redis, wait_for_port
from sqlalchemy.orm import Session

from trading.db import get_engine, load_models

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AGENT = HERE / "agent.py"


def pytest_collection_modifyitems(config, items):
    # The real-process drills that do not fit `make test`'s time run with `make drills`.
    if config.getoption("--drills"):
        return
    slow = [item for item in items if "drill" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "drill" not in item.keywords]

INI_SETTINGS = {
    "huey.workers": "2",
    "auth.argon2_time_cost": "1",
    "auth.argon2_memory_cost": "8",
    "pyramid.reload_templates": "false",
    "keys.generate_missing": "false",
    # A killed worker's leases expire this soon: the restarted one takes its work over
    # (Huey retries a locked task after its retry delay) within the drills' patience.
    "jobs.lease_seconds": "5",
}


def write_ini(workdir: Path) -> Path:
    """development.ini with its var/ under the drill's folder and cheap test settings."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(ROOT / "development.ini", encoding="utf-8")
    for section in parser.sections():
        for key, value in parser.items(section):
            value = value.replace("%(here)s/var", str(workdir))
            parser.set(section, key, value.replace("%(here)s", str(ROOT)))
    for key, value in INI_SETTINGS.items():
        parser.set("app:main", key, value)
    ini = workdir / "drill.ini"
    with ini.open("w", encoding="utf-8") as out:
        parser.write(out)
    return ini


@dataclass
class Drill:
    workdir: Path
    ini: Path
    env: dict
    procs: list = field(default_factory=list)

    def _env(self, extra) -> dict:
        return {**self.env, **(extra or {})}

    def _log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def run(self, *args: str, env=None, timeout=180, check=True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, str(AGENT), *args], env=self._env(env),
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        if check and done.returncode != 0:
            raise AssertionError(f"agent {args[0]} failed: {done.stderr[-3000:]}")
        return done

    def setup(self, scenario: str, env=None, **options) -> dict:
        out = self.workdir / f"{scenario}.json"
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
        self.run("setup", scenario, str(self.ini), str(out), *flags, env=env)
        return json.loads(out.read_text())

    def start(self, name: str, *args: str, env=None) -> subprocess.Popen:
        log = self._log(name).open("w")
        proc = subprocess.Popen([sys.executable, str(AGENT), *args], env=self._env(env),
                                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        proc.drill_name = name
        self.procs.append(proc)
        return proc

    def worker(self, name: str = "worker", pause: str | None = None, env=None):
        return self.start(name, "worker", str(self.ini),
                          *(["--pause", pause] if pause else []), env=env)

    def serve(self, env=None, name: str = "web") -> int:
        port = free_port()
        proc = self.start(name, "serve", str(self.ini), str(port), env=env)
        try:
            wait_for_port(port, seconds=60, proc=proc)
        except RuntimeError as error:
            raise AssertionError(f"{error}: {self.tail(proc)}") from None
        return port

    def tail(self, proc) -> str:
        return self._log(proc.drill_name).read_text()[-3000:]

    def wait_paused(self, proc, seconds=90) -> str:
        """Wait until the process reached its pause point; return what it had computed."""
        marker = self.workdir / "paused"
        self.until(marker.exists, seconds, proc=proc, what="the pause point")
        text = marker.read_text()
        marker.unlink()
        return text

    def kill(self, proc) -> None:
        """SIGKILL: no handler runs, no transaction is finished, no lock is released."""
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self, proc) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def until(self, predicate, seconds=90, proc=None, what="the condition"):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"{proc.drill_name} exited ({proc.returncode}) before "
                                     f"{what}: {self.tail(proc)}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}"
                             + (f": {self.tail(proc)}" if proc is not None else ""))

    @contextmanager
    def session(self):
        """A read of the committed state, outside every process under test."""
        engine = get_engine({"sqlalchemy.url": self.env["TRADING_DATABASE_URL"]})
        try:
            with Session(engine) as db:
                yield db
        finally:
            engine.dispose()

    def scalar(self, query):
        with self.session() as db:
            return db.scalar(query)

    def close(self) -> None:
        for proc in self.procs:
            self.stop(proc)


@pytest.fixture
def drill(tmp_path):
    load_models()
    ini = write_ini(tmp_path)
    env = {**os.environ,
           "TRADING_DATABASE_URL": f"sqlite:///{tmp_path / 'drill.sqlite3'}",
           "TRADING_STORAGE_ROOT": str(tmp_path / "files"),
           "TRADING_HUEY_BACKEND": "sqlite",
           "TRADING_KEK": agent.KEK, "TRADING_SIGNING_KEY": agent.SIGNING_KEY,
           "PYTHONUNBUFFERED": "1"}
    for name in ("TRADING_REDIS_URL", "TRADING_TEST_DATABASE_URL"):
        env.pop(name, None)
    d = Drill(tmp_path, ini, env)
    yield d
    d.close()


@pytest.fixture
def postgres():
    with private_postgres() as pg:
        yield pg


@pytest.fixture
def redis_server():
    with private_redis() as redis:
        yield redis


BOUNDARY = "----drill-boundary"


def upload(port: int, path: str, token: str, envelope: bytes, timeout=120) -> dict:
    """One bidder's POST of its envelope to the JSON API; a connection error is a result."""
    body = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="envelope"; '
            f'filename="bid.tbid"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode() + envelope + f"\r\n--{BOUNDARY}--\r\n".encode()
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("POST", path, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        status, payload = response.status, response.read()
        conn.close()
    except OSError as error:
        status, payload = 0, str(error).encode()
    return {"status": status, "body": payload, "start": start, "end": time.monotonic()}


def api(port: int, method: str, path: str, token: str | None = None, body=None) -> tuple:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


def count(model_column, *where):
    return sa.select(sa.func.count(model_column)).where(*where)
