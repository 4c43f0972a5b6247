"""Browser tests: Playwright driving Debian's Chromium against a live server on loopback."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Migrate and load the whole demo first: ~15 s of CPU, over a minute of wall time when the
# suite's other workers share the cores. A server that fails exits and is reported at once.
def _wait_for(port: int, proc, seconds=600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"browser test server exited: {proc.stderr.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("browser test server did not start")


@pytest.fixture(scope="session")
def live_workdir(tmp_path_factory):
    """The live server's folder; a walk may move the server's clock with `clock_offset`
    there (seconds, see serve.py) and must set it back to 0."""
    return tmp_path_factory.mktemp("browser")


@contextlib.contextmanager
def serving(work: Path, port: int | None = None):
    """serve.py on a free loopback port over `work` (database, files, clock_offset)."""
    port = port or _free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "serve.py"), str(port), str(work)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def serve():
    """`serving` itself, for a walk whose live server needs settings of its own (a
    WORKDIR/settings.json, see serve.py) and a port it knows beforehand (`free_port`)."""
    return serving


@pytest.fixture(scope="session")
def free_port():
    return _free_port


@pytest.fixture(scope="session")
def live_server(live_workdir):
    with serving(live_workdir) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("TRADING_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required (apt-get install chromium chromium-driver)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


# -- the sealing library on its own: trading/static served from disk, no app server --------

STATIC_ROOT = HERE.parents[1] / "trading" / "static"
# localhost is a secure context (WebCrypto needs one) and Playwright answers every request
# from the route below: nothing listens on this port.
SANDBOX = "http://localhost:9"
_TYPES = {".js": "text/javascript", ".html": "text/html", ".json": "application/json"}


def _serve_from_disk(route):
    from urllib.parse import urlparse

    path = urlparse(route.request.url).path
    if path == "/":
        return route.fulfill(body="<!doctype html><meta charset=utf-8><title>tbid</title>",
                             content_type="text/html")
    roots = {"/static/": STATIC_ROOT, "/tests/": HERE / "js"}
    for prefix, root in roots.items():
        if path.startswith(prefix):
            file = (root / path.removeprefix(prefix)).resolve()
            if root in file.parents and file.is_file():
                return route.fulfill(path=str(file), content_type=_TYPES.get(file.suffix,
                                                                              "text/plain"))
    return route.fulfill(status=404, body="not found")


@pytest.fixture(scope="module")
def tbid(browser):
    """A page with trading/static/js/tbid.js and the test harness loaded as `window.h`."""
    context = browser.new_context()
    context.route(f"{SANDBOX}/**", _serve_from_disk)
    page = context.new_page()
    page.goto(f"{SANDBOX}/")
    page.evaluate("async () => { window.h = await import('/tests/harness.js'); }")
    yield page
    context.close()
