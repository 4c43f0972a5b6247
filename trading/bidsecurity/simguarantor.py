"""A simulated guarantee provider (模拟担保机构) for development, tests and drills: its own
process, its own key.

    python -m trading.bidsecurity.simguarantor --port 6551 --state var/simguarantor.sqlite3 \\
        --key var/simguarantor.key --public-out var/simguarantor.pub

* ``GET /key`` — the provider's Ed25519 public key (PEM), pinned by the platform through
  ``bidsecurity.guarantor_public_key``;
* ``POST /applications`` — the platform registers a bidder's application (see `guarantee`);
* ``GET /apply/<no>`` — the bidder's page: what is guaranteed, a button to pay the premium;
  ``POST /apply/<no>`` issues the signed guarantee document, delivers it to the platform's
  ``notify_url`` and links back to ``return_url``;
* ``POST /releases``, ``POST /claims`` — orders, each done once per idempotency key and
  kept in the SQLite state so a restarted provider still knows them;
* ``GET /guarantees`` — every guarantee and its status, for drills.

Standard library plus bid_crypto's keys only; no part of the platform is imported.
"""

from __future__ import annotations

import html
import json
import secrets

from .guarantee import APPLICATION_FIELDS, SIGNATURE_HEADER
from .signed import canonical, iso, sign, urllib_post
from .simserver import SimServer, base_url, json_body, page, serve

NAME = "模拟担保机构（演示）"
SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    application_no TEXT PRIMARY KEY, body TEXT NOT NULL, guarantee_no TEXT);
CREATE TABLE IF NOT EXISTS guarantees (
    guarantee_no TEXT PRIMARY KEY, body TEXT NOT NULL, signature TEXT NOT NULL,
    status TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS orders (
    idempotency_key TEXT PRIMARY KEY, kind TEXT NOT NULL, guarantee_no TEXT NOT NULL,
    amount_fen INTEGER NOT NULL, reference TEXT NOT NULL, done_at TEXT NOT NULL);
"""


class SimGuarantor(SimServer):
    signature_header, schema = SIGNATURE_HEADER, SCHEMA

    def __init__(self, key, state=":memory:", post=urllib_post, now=None, name: str = NAME):
        super().__init__(key, state, post, now)
        self.name = name

    # -- applications and issuing -------------------------------------------------------

    def register(self, application: dict, base_url: str = "") -> tuple[int, dict]:
        if set(application) != set(APPLICATION_FIELDS) \
                or type(application["amount_fen"]) is not int or application["amount_fen"] <= 0:
            return 400, {"error": "invalid_application"}
        number = str(application["application_no"])
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO applications (application_no, body) "
                            "VALUES (?, ?)", (number, canonical(application).decode()))
        return 200, {"application_no": number, "status": "accepted",
                     "pay_url": f"{base_url.rstrip('/')}/apply/{number}"}

    def application(self, number: str) -> dict | None:
        row = self.db.execute("SELECT body, guarantee_no FROM applications "
                              "WHERE application_no = ?", (number,)).fetchone()
        if row is None:
            return None
        return {**json.loads(row[0]), "guarantee_no": row[1]}

    def document(self, application: dict, **overrides) -> tuple[bytes, str]:
        """The signed guarantee document for an application; tests override fields."""
        now = iso(self.now())
        fields = {"guarantee_no": f"BH{secrets.token_hex(8).upper()}",
                  "application_no": application["application_no"], "provider": self.name,
                  "applicant_name": application["applicant_name"],
                  "applicant_code": application["applicant_code"],
                  "beneficiary": application["beneficiary"],
                  "project": application["project"], "lot": application["lot"],
                  "amount_fen": application["amount_fen"], "issued_at": now,
                  "valid_until": application["valid_until"], "sent_at": now, **overrides}
        body = canonical(fields)
        return body, sign(self.key, body)

    def issue(self, number: str) -> dict:
        """Premium paid: sign the guarantee, keep it, deliver it to the platform."""
        application = self.application(number)
        if application is None:
            raise KeyError("unknown application")
        if application["guarantee_no"]:
            row = self.db.execute("SELECT body, signature FROM guarantees WHERE "
                                  "guarantee_no = ?", (application["guarantee_no"],)).fetchone()
            body, signature = row[0].encode(), row[1]
        else:
            body, signature = self.document(application)
            guarantee_no = json.loads(body)["guarantee_no"]
            with self.lock:
                self.db.execute("INSERT INTO guarantees VALUES (?, ?, ?, 'issued', 0)",
                                (guarantee_no, body.decode(), signature))
                self.db.execute("UPDATE applications SET guarantee_no = ? "
                                "WHERE application_no = ?", (guarantee_no, number))
        return {**self.deliver(application["notify_url"], body, signature),
                "document": json.loads(body), "signature": signature,
                "return_url": application["return_url"]}

    def deliver(self, url: str, body: bytes, signature: str) -> dict:
        try:
            status, answer, _ = self.post(url, body, {"Content-Type": "application/json",
                                                      SIGNATURE_HEADER: signature})
        except Exception as error:  # noqa: BLE001 - shown to the bidder, retried by a click
            return {"status": 0, "answer": {"message": str(error)}}
        if status == 200:
            with self.lock:
                self.db.execute("UPDATE guarantees SET delivered = 1 WHERE guarantee_no = ?",
                                (json.loads(body)["guarantee_no"],))
        try:
            return {"status": status, "answer": json.loads(answer or b"{}")}
        except ValueError:
            return {"status": status, "answer": {}}

    # -- release and claim ----------------------------------------------------------------

    def order(self, kind: str, data: dict) -> tuple[int, dict]:
        keys = {"release": {"idempotency_key", "guarantee_no", "reason"},
                "claim": {"idempotency_key", "guarantee_no", "amount_fen", "ground"}}[kind]
        if set(data) != keys:
            return 400, {"error": "invalid_order"}
        amount = data.get("amount_fen", 0)
        with self.lock:
            row = self.db.execute("SELECT status, body FROM guarantees WHERE guarantee_no = ?",
                                  (data["guarantee_no"],)).fetchone()
            if row is None:
                return 404, {"error": "unknown_guarantee"}
            done = self.db.execute("SELECT kind, guarantee_no, reference FROM orders "
                                   "WHERE idempotency_key = ?",
                                   (data["idempotency_key"],)).fetchone()
            if done is None:
                if row[0] != "issued":
                    return 409, {"error": f"already_{row[0]}"}
                if kind == "claim" and (type(amount) is not int or not
                                        0 < amount <= json.loads(row[1])["amount_fen"]):
                    return 400, {"error": "invalid_amount"}
                reference = f"{'JC' if kind == 'release' else 'SP'}{secrets.token_hex(8).upper()}"
                self.db.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", (
                    data["idempotency_key"], kind, data["guarantee_no"], amount, reference,
                    iso(self.now())))
                self.db.execute("UPDATE guarantees SET status = ? WHERE guarantee_no = ?",
                                ("released" if kind == "release" else "claimed",
                                 data["guarantee_no"]))
            elif (done[0], done[1]) != (kind, data["guarantee_no"]):
                return 409, {"error": "idempotency_key_reused"}
            else:
                reference = done[2]
        return 200, {"idempotency_key": data["idempotency_key"],
                     "guarantee_no": data["guarantee_no"], "reference": reference,
                     "status": "released" if kind == "release" else "paid"}

    def guarantees(self) -> list[dict]:
        cursor = self.db.execute("SELECT g.guarantee_no, g.status, g.delivered, "
                                 "(SELECT COUNT(*) FROM orders o WHERE o.guarantee_no = "
                                 "g.guarantee_no) FROM guarantees g ORDER BY g.guarantee_no")
        return [{"guarantee_no": n, "status": s, "delivered": bool(d), "orders": o}
                for n, s, d, o in cursor]

    # -- HTTP -------------------------------------------------------------------------

    def route(self, method: str, path: str, environ) -> tuple[int, dict | str]:
        if (method, path) == ("GET", "/key"):
            return 200, self.key.public_key().to_pem()
        if (method, path) == ("GET", "/guarantees"):
            return 200, {"items": self.guarantees()}
        if path.startswith("/apply/"):
            return self._page(method, path.removeprefix("/apply/"))
        if method != "POST" or path not in ("/applications", "/releases", "/claims"):
            return 404, {"error": "not_found"}
        data = json_body(environ)
        if path == "/applications":
            return self.register(data, base_url(environ))
        return self.order("release" if path == "/releases" else "claim", data)

    def _page(self, method: str, number: str) -> tuple[int, str]:
        application = self.application(number)
        if application is None:
            return 404, page("申请不存在", content="<p>未找到该保函申请。</p>")
        if method == "POST":
            result = self.issue(number)
            ok = result["status"] == 200
            message = html.escape(str(result["answer"].get("message", "")))
            content = (f"<p>保函编号：<strong>{result['document']['guarantee_no']}</strong></p>"
                       + (f"<p>已出具并送达交易平台：{message}</p>" if ok else
                          f"<p>保函已出具，但送达交易平台失败：{message}。"
                          f"可再次点击重新送达。</p>{_form(number, '重新送达交易平台')}")
                       + f'<p><a href="{html.escape(result["return_url"])}">返回交易平台</a></p>')
            return 200, page("电子投标保函已出具", content=content)
        done = application["guarantee_no"]
        amount = application["amount_fen"]
        fields = (("申请编号", number), ("投保人", application["applicant_name"]),
                  ("统一社会信用代码", application["applicant_code"]),
                  ("受益人", application["beneficiary"]), ("项目编号", application["project"]),
                  ("标段", application["lot"]),
                  ("担保金额（元）", f"{amount // 100}.{amount % 100:02d}"),
                  ("有效期至", application["valid_until"]))
        rows = "".join(f"<tr><th>{label}</th><td>{html.escape(str(value))}</td></tr>"
                       for label, value in fields)
        action = (f"<p>已出具：保函编号 {done}</p>{_form(number, '重新送达交易平台')}" if done
                  else _form(number, "支付保费并出具保函"))
        content = (f"<p>{html.escape(self.name)}</p><table>{rows}</table>{action}"
                   f'<p><a href="{html.escape(application["return_url"])}">返回交易平台</a></p>')
        return 200, page("电子投标保函申请", content=content)


def _form(number: str, label: str) -> str:
    return (f'<form method="post" action="/apply/{html.escape(number)}">'
            f'<button type="submit">{label}</button></form>')


def main(argv: list[str] | None = None) -> int:
    return serve(argv, name="simguarantor", port=6551,
                 description="模拟担保机构（电子投标保函：受理、出函、解除、索赔）",
                 make=lambda args, key: SimGuarantor(key, args.state))


if __name__ == "__main__":
    raise SystemExit(main())
