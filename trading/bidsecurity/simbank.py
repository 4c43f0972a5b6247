"""A simulated bank for development, tests and drills: its own process, its own key.

    python -m trading.bidsecurity.simbank --port 6550 --state var/simbank.sqlite3 \\
        --key var/simbank.key --notify http://localhost:6543/api/v1/bidsecurity/notifications

* ``GET /key`` — the bank's Ed25519 public key (PEM); the platform pins it through
  ``bidsecurity.bank_public_key`` (``--public-out`` writes it to a file at start);
* ``POST /pay`` — a bidder pays: ``{"reference", "amount_fen", "payer_name",
  "payer_account"}`` (``paid_at``/``sent_at`` may be given for drills); the bank books it,
  signs the notification, delivers it to ``--notify`` and returns it;
* ``POST /refunds`` — a refund order (see `bank`): paid once per idempotency key, kept in
  the SQLite state file so a restarted bank still knows what it paid;
* ``GET /refunds`` — every refund paid, for drills that count them.

Standard library plus bid_crypto's keys only; no part of the platform is imported.
"""

from __future__ import annotations

import argparse
import io
import json
import secrets
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bid_crypto.receipts import SigningKey, load_signing_key

from .bank import SIGNATURE_HEADER, canonical, iso, sign, urllib_post

SCHEMA = """
CREATE TABLE IF NOT EXISTS refunds (
    idempotency_key TEXT PRIMARY KEY, payee_name TEXT NOT NULL, payee_account TEXT NOT NULL,
    amount_fen INTEGER NOT NULL, memo TEXT NOT NULL, bank_reference TEXT NOT NULL,
    paid_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payments (
    serial TEXT PRIMARY KEY, body TEXT NOT NULL, signature TEXT NOT NULL);
"""


class SimBank:
    """The bank's state and behaviour; `wsgi` serves it."""

    def __init__(self, key: SigningKey, state: str | Path = ":memory:",
                 notify_url: str = "", post=urllib_post, now=lambda: datetime.now(UTC)):
        self.key, self.notify_url, self.post, self.now = key, notify_url, post, now
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(state), check_same_thread=False, isolation_level=None)
        self.db.executescript(SCHEMA)

    # -- payments ---------------------------------------------------------------------

    def notification(self, reference: str, amount_fen: int, payer_name: str,
                     payer_account: str, paid_at: str | None = None,
                     sent_at: str | None = None, serial: str | None = None) -> tuple[bytes, str]:
        now = iso(self.now())
        body = canonical({"serial": serial or f"SIM{secrets.token_hex(8).upper()}",
                          "reference": reference, "amount_fen": amount_fen,
                          "payer_name": payer_name, "payer_account": payer_account,
                          "paid_at": paid_at or now, "sent_at": sent_at or now})
        return body, sign(self.key, body)

    def pay(self, **fields) -> dict:
        body, signature = self.notification(**fields)
        serial = json.loads(body)["serial"]
        with self.lock:
            self.db.execute("INSERT INTO payments VALUES (?, ?, ?)",
                            (serial, body.decode(), signature))
        delivered = None
        if self.notify_url:
            status, answer, _ = self.post(self.notify_url, body, {
                "Content-Type": "application/json", SIGNATURE_HEADER: signature})
            delivered = {"status": status, "answer": json.loads(answer or b"{}")}
        return {"notification": json.loads(body), "signature": signature,
                "delivered": delivered}

    # -- refunds ----------------------------------------------------------------------

    def refund(self, order: dict) -> tuple[int, dict]:
        keys = ("idempotency_key", "payee_name", "payee_account", "amount_fen", "memo")
        if set(order) != set(keys) or type(order["amount_fen"]) is not int \
                or order["amount_fen"] <= 0:
            return 400, {"error": "invalid_order"}
        with self.lock:
            row = self.db.execute(
                "SELECT payee_account, amount_fen, bank_reference FROM refunds "
                "WHERE idempotency_key = ?", (order["idempotency_key"],)).fetchone()
            if row is None:
                reference = f"RF{secrets.token_hex(8).upper()}"
                self.db.execute("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)", (
                    order["idempotency_key"], order["payee_name"], order["payee_account"],
                    order["amount_fen"], order["memo"], reference, iso(self.now())))
            elif (row[0], row[1]) != (order["payee_account"], order["amount_fen"]):
                return 409, {"error": "idempotency_key_reused"}
            else:
                reference = row[2]
        return 200, {"idempotency_key": order["idempotency_key"], "bank_reference": reference,
                     "amount_fen": order["amount_fen"], "status": "done"}

    def refunds(self) -> list[dict]:
        cursor = self.db.execute("SELECT idempotency_key, payee_name, payee_account, "
                                 "amount_fen, memo, bank_reference, paid_at FROM refunds "
                                 "ORDER BY paid_at, idempotency_key")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    # -- HTTP -------------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            status, payload = self._route(method, path, environ)
        except (ValueError, TypeError, KeyError) as error:
            status, payload = 400, {"error": "invalid", "message": str(error)}
        if isinstance(payload, str):
            body, headers = payload.encode(), [("Content-Type", "text/plain")]
        else:
            body = canonical(payload)
            headers = [("Content-Type", "application/json"),
                       (SIGNATURE_HEADER, sign(self.key, body))]
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict"}
        start_response(f"{status} {reason.get(status, 'Error')}",
                       headers + [("Content-Length", str(len(body)))])
        return [body]

    def poster(self):
        """A bank.Poster that calls this bank in-process (demo data, no socket)."""
        def post(url: str, body: bytes, headers: dict) -> tuple[int, bytes, dict]:
            environ = {"REQUEST_METHOD": "POST", "PATH_INFO": urlsplit(url).path,
                       "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
            answer = {}

            def start_response(status, response_headers):
                answer["status"], answer["headers"] = int(status.split()[0]), \
                    dict(response_headers)

            payload = b"".join(self.wsgi(environ, start_response))
            return answer["status"], payload, answer["headers"]

        return post

    def _route(self, method: str, path: str, environ) -> tuple[int, dict | str]:
        if (method, path) == ("GET", "/key"):
            return 200, self.key.public_key().to_pem()
        if (method, path) == ("GET", "/refunds"):
            return 200, {"items": self.refunds()}
        if method != "POST" or path not in ("/pay", "/refunds"):
            return 404, {"error": "not_found"}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length) or b"null")
        if not isinstance(data, dict):
            raise ValueError("body must be a JSON object")
        if path == "/refunds":
            return self.refund(data)
        return 200, self.pay(**data)


def load_or_create_key(path: Path) -> SigningKey:
    if path.exists():
        return load_signing_key(path.read_bytes())
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key.to_pem())
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trading.bidsecurity.simbank",
                                     description="模拟银行（投标保证金子账号、到账通知、退款）")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6550)
    parser.add_argument("--state", default="var/simbank.sqlite3")
    parser.add_argument("--key", default="var/simbank.key")
    parser.add_argument("--public-out", default="var/simbank.pub")
    parser.add_argument("--notify", default="",
                        help="the platform's notification URL (…/api/v1/bidsecurity/notifications)")
    args = parser.parse_args(argv)
    key = load_or_create_key(Path(args.key))
    Path(args.public_out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.public_out).write_text(key.public_key().to_pem())
    Path(args.state).parent.mkdir(parents=True, exist_ok=True)
    bank = SimBank(key, args.state, args.notify)
    from waitress import create_server

    server = create_server(bank.wsgi, host=args.host, port=args.port, threads=2)
    # Printed once the socket listens: a supervising script or test reads this line.
    print(f"simbank listening on http://{args.host}:{server.effective_port}", flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
