"""The frame the simulated bank and the simulated guarantee provider share: a SQLite state
file behind one lock, a WSGI app whose JSON answers carry the simulator's signature and
whose pages are plain HTML forms, an in-process poster (demo data, no socket), and the
command line that prints the listening address once the socket is bound.

Standard library plus bid_crypto's keys only: a simulator imports no part of the platform.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bid_crypto.receipts import SigningKey, load_signing_key

from .signed import canonical, sign, urllib_post

PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">
<h1>{title}</h1>{content}</body></html>"""
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict"}


def page(title: str, content: str) -> str:
    """A whole HTML page; `content` is already escaped by the caller."""
    return PAGE.format(title=html.escape(title), content=content)


def table(fields) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(label))}</th><td>{html.escape(str(value))}</td>"
                   "</tr>" for label, value in fields)
    return f"<table>{rows}</table>"


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


class SimServer:
    """One simulator: `route` answers (status, dict → signed JSON | str → page/text)."""

    signature_header = ""
    schema = ""

    def __init__(self, key: SigningKey, state: str | Path = ":memory:", post=urllib_post,
                 now=None):
        self.key, self.post = key, post
        self.now = now or (lambda: datetime.now(UTC))
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(state), check_same_thread=False, isolation_level=None)
        self.db.executescript(self.schema)

    def route(self, method: str, path: str, environ) -> tuple[int, dict | str]:
        raise NotImplementedError

    def wsgi(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            status, payload = self.route(method, path, environ)
        except (ValueError, TypeError, KeyError) as error:
            status, payload = 400, {"error": "invalid", "message": str(error)}
        if isinstance(payload, str):
            kind = "text/html; charset=utf-8" if payload.startswith("<!doctype") \
                else "text/plain"
            body, headers = payload.encode(), [("Content-Type", kind)]
        else:
            body = canonical(payload)
            headers = [("Content-Type", "application/json"),
                       (self.signature_header, sign(self.key, body))]
        start_response(f"{status} {REASONS.get(status, 'Error')}",
                       headers + [("Content-Length", str(len(body)))])
        return [body]

    def poster(self):
        """A Poster that calls this simulator in-process (demo data, no socket)."""
        def post(url: str, body: bytes, headers: dict) -> tuple[int, bytes, dict]:
            environ = {"REQUEST_METHOD": "POST", "PATH_INFO": urlsplit(url).path,
                       "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
            answer = {}

            def start_response(status, response_headers):
                answer["status"] = int(status.split()[0])
                answer["headers"] = dict(response_headers)

            payload = b"".join(self.wsgi(environ, start_response))
            return answer["status"], payload, answer["headers"]

        return post


def read_body(environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def json_body(environ) -> dict:
    data = json.loads(read_body(environ) or b"null")
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def form_body(environ) -> dict[str, str]:
    """An HTML form's fields (application/x-www-form-urlencoded), one value each."""
    fields = parse_qs(read_body(environ).decode(), keep_blank_values=True)
    return {name: values[0].strip() for name, values in fields.items()}


def base_url(environ) -> str:
    host = environ.get("HTTP_HOST") or \
        f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def load_or_create_key(path: Path) -> SigningKey:
    if path.exists():
        return load_signing_key(path.read_bytes())
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key.to_pem())
    return key


def serve(argv, *, name: str, description: str, port: int, make, extra=()) -> int:
    """The simulator's command line: its key (made on first start), its public key written
    for the platform to pin, its state file; `make(args, key)` builds the simulator.
    ``extra`` adds options: (flag, default, help)."""
    parser = argparse.ArgumentParser(prog=f"python -m trading.bidsecurity.{name}",
                                     description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--state", default=f"var/{name}.sqlite3")
    parser.add_argument("--key", default=f"var/{name}.key")
    parser.add_argument("--public-out", default=f"var/{name}.pub")
    for flag, default, text in extra:
        parser.add_argument(flag, default=default, help=text)
    args = parser.parse_args(argv)
    key = load_or_create_key(Path(args.key))
    Path(args.public_out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.public_out).write_text(key.public_key().to_pem())
    Path(args.state).parent.mkdir(parents=True, exist_ok=True)
    simulator = make(args, key)
    from waitress import create_server

    server = create_server(simulator.wsgi, host=args.host, port=args.port, threads=2)
    # Printed once the socket listens: a supervising script or test reads this line.
    print(f"{name} listening on http://{args.host}:{server.effective_port}", flush=True)
    server.run()
    return 0
