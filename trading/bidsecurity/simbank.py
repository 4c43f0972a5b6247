"""A simulated bank for development, tests and drills: its own process, its own key.

    python -m trading.bidsecurity.simbank --port 6550 --state var/simbank.sqlite3 \\
        --key var/simbank.key --notify http://localhost:6543/api/v1/bidsecurity/notifications

* ``GET /`` — the bank's online counter (网上银行): a bidder transfers from its basic
  account into its sub-account (子账号) with a form, and the bank sends the platform its
  signed notification at once; ``GET /accounts/<no>`` — an account's statement: the
  transfers out of it and the refunds (with interest) paid into it;
* ``GET /key`` — the bank's Ed25519 public key (PEM); the platform pins it through
  ``bidsecurity.bank_public_key`` (``--public-out`` writes it to a file at start);
* ``POST /pay`` — the same transfer as JSON: ``{"reference", "amount_fen", "payer_name",
  "payer_account"}`` (``paid_at``/``sent_at`` may be given for drills); the bank books it,
  signs the notification, delivers it to ``--notify`` and returns it;
* ``POST /refunds`` — a refund order (see `bank`): paid once per idempotency key, kept in
  the SQLite state file so a restarted bank still knows what it paid;
* ``GET /refunds`` — every refund paid, for drills that count them.

Standard library plus bid_crypto's keys only; no part of the platform is imported.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from decimal import Decimal, InvalidOperation

from .bank import SIGNATURE_HEADER
from .signed import PeerUnavailable, canonical, iso, sign, urllib_post
from .simserver import (  # noqa: F401 - load_or_create_key: importable from here as before
    SimServer,
    form_body,
    json_body,
    load_or_create_key,
    page,
    serve,
    table,
    yuan,
)

NAME = "模拟银行（演示）"
ACCOUNT = re.compile(r"^[0-9]{8,34}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS refunds (
    idempotency_key TEXT PRIMARY KEY, payee_name TEXT NOT NULL, payee_account TEXT NOT NULL,
    amount_fen INTEGER NOT NULL, memo TEXT NOT NULL, bank_reference TEXT NOT NULL,
    paid_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payments (
    serial TEXT PRIMARY KEY, body TEXT NOT NULL, signature TEXT NOT NULL);
"""


class SimBank(SimServer):
    """The bank's state and behaviour; `wsgi` serves it."""

    signature_header, schema = SIGNATURE_HEADER, SCHEMA

    def __init__(self, key, state=":memory:", notify_url: str = "", post=urllib_post,
                 now=None):
        super().__init__(key, state, post, now)
        self.notify_url = notify_url

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
            try:
                status, answer, _ = self.post(self.notify_url, body, {
                    "Content-Type": "application/json", SIGNATURE_HEADER: signature})
            except PeerUnavailable as error:  # booked all the same; the platform is down
                status, answer = 0, canonical({"message": str(error)})
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

    def route(self, method: str, path: str, environ) -> tuple[int, dict | str]:
        if (method, path) == ("GET", "/key"):
            return 200, self.key.public_key().to_pem()
        if (method, path) == ("GET", "/refunds"):
            return 200, {"items": self.refunds()}
        if (method, path) == ("GET", "/"):
            return 200, self.counter()
        if (method, path) == ("POST", "/transfer"):
            return self.transfer(form_body(environ))
        if method == "GET" and path.startswith("/accounts/"):
            return self.statement(path.removeprefix("/accounts/"))
        if method != "POST" or path not in ("/pay", "/refunds"):
            return 404, {"error": "not_found"}
        data = json_body(environ)
        if path == "/refunds":
            return self.refund(data)
        return 200, self.pay(**data)

    # -- the bank's own pages (网上银行) -----------------------------------------------

    def counter(self, error: str = "", values: dict | None = None) -> str:
        values = values or {}
        fields = (("payer_account", "付款账号（基本账户）"), ("payer_name", "付款户名"),
                  ("reference", "收款账号（子账号）"), ("amount", "金额（元）"))
        inputs = "".join(
            f'<p><label>{label}<br><input name="{name}" value="'
            f'{html.escape(values.get(name, ""))}" required></label></p>'
            for name, label in fields)
        flash = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        return page("网上银行 · 转账", f"<p>{NAME}</p>{flash}"
                    f'<form method="post" action="/transfer">{inputs}'
                    '<button type="submit">确认转账</button></form>')

    def transfer(self, form: dict) -> tuple[int, str]:
        """A transfer typed on the counter: checked like a teller would, then booked and
        notified exactly as `pay`; bad input is shown on the form, nothing booked."""
        account, reference = form.get("payer_account", ""), form.get("reference", "")
        name = form.get("payer_name", "")
        try:
            amount = Decimal(form.get("amount", "").replace(",", ""))
        except InvalidOperation:
            amount = Decimal(0)
        error = ("付款账号应为 8–34 位数字" if not ACCOUNT.fullmatch(account) else
                 "收款账号应为 8–34 位数字" if not ACCOUNT.fullmatch(reference) else
                 "请填写付款户名" if not name else
                 "金额应为大于 0 的元，最多两位小数"
                 if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2
                 else "")
        if error:
            return 400, self.counter(error, form)
        paid = self.pay(reference=reference, amount_fen=int(amount * 100),
                        payer_name=name, payer_account=account)
        delivered = paid["delivered"] or {"status": 0, "answer": {}}
        note = paid["notification"]
        told = ("银行已向交易平台发送到账通知" if delivered["status"] in (200, 422)
                else "到账通知未能送达交易平台")
        message = html.escape(str(delivered["answer"].get("message", "")))
        content = table((("流水号", note["serial"]), ("付款账号", account),
                         ("收款账号", reference), ("金额（元）", yuan(note["amount_fen"])))) \
            + f"<p>转账成功，{told}：{message}</p>" \
            f'<p><a href="/accounts/{html.escape(account)}">查看账户明细</a></p>'
        return 200, page("转账成功", content)

    def statement(self, account: str) -> tuple[int, str]:
        """An account's statement: transfers out, refunds in (本金 + 利息 in one credit)."""
        if not ACCOUNT.fullmatch(account):
            return 404, page("账户不存在", "<p>账号格式无效。</p>")
        rows = []
        for body, in self.db.execute("SELECT body FROM payments ORDER BY serial"):
            note = json.loads(body)
            if note["payer_account"] == account:
                rows.append((note["paid_at"], "转出", note["reference"],
                             f"-{yuan(note['amount_fen'])}", note["serial"]))
        for refund in self.refunds():
            if refund["payee_account"] == account:
                rows.append((refund["paid_at"], refund["memo"], "—",
                             f"+{yuan(refund['amount_fen'])}", refund["bank_reference"]))
        head = "".join(f"<th>{h}</th>" for h in ("时间", "摘要", "对方账号", "金额（元）",
                                                 "流水号"))
        head = f"<tr>{head}</tr>"
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
                       + "</tr>" for row in sorted(rows))
        return 200, page(f"账户明细 {account}", f"<table id=\"statement\">{head}{body}</table>"
                         '<p><a href="/">转账</a></p>')


def main(argv: list[str] | None = None) -> int:
    return serve(argv, name="simbank", port=6550,
                 description="模拟银行（投标保证金子账号、到账通知、退款）",
                 make=lambda args, key: SimBank(key, args.state, args.notify),
                 extra=(("--notify", "", "the platform's notification URL "
                         "(…/api/v1/bidsecurity/notifications)"),))


if __name__ == "__main__":
    raise SystemExit(main())
