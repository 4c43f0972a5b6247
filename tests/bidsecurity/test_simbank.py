"""The simulated bank and the HTTP adapter: refunds paid once per idempotency key, signed
answers verified, and the bank as its own process."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from bidsecurity_support import wsgi_poster

from bid_crypto.receipts import SigningKey
from trading.bidsecurity.bank import (
    BankUnavailable,
    HttpBank,
    RefundOrder,
    bank_from_settings,
    key_loader,
)
from trading.bidsecurity.simbank import SimBank

ORDER = RefundOrder("BSR-1-abc", "甲建设有限公司", "6222020200001234567", 2_000_575,
                    "投标保证金退还")


def test_a_refund_is_paid_once_per_key(bank, simbank):
    first = bank.refund(ORDER)
    again = bank.refund(ORDER)
    assert first == again and first.amount_fen == 2_000_575
    assert len(simbank.refunds()) == 1


def test_the_same_key_for_another_amount_is_refused(bank, simbank):
    bank.refund(ORDER)
    changed = RefundOrder(ORDER.idempotency_key, ORDER.payee_name, ORDER.payee_account, 1, "")
    with pytest.raises(BankUnavailable, match="409"):
        bank.refund(changed)
    assert [r["amount_fen"] for r in simbank.refunds()] == [2_000_575]


def test_an_answer_signed_by_another_key_is_not_trusted(simbank):
    impostor = HttpBank("http://simbank", lambda: SigningKey.generate().public_key(),
                        wsgi_poster(simbank.wsgi))
    with pytest.raises(BankUnavailable, match="签名"):
        impostor.refund(ORDER)


def test_a_bank_that_is_down_raises_unavailable():
    def down(url, body, headers):
        raise BankUnavailable("connection refused")

    bank = HttpBank("http://simbank", lambda: SigningKey.generate().public_key(), down)
    with pytest.raises(BankUnavailable):
        bank.refund(ORDER)


def test_no_bank_configured_refuses_everything():
    bank = bank_from_settings({})
    assert bank.verify_notification(b"{}", "x") is False
    with pytest.raises(BankUnavailable):
        bank.refund(ORDER)


def test_a_missing_key_file_means_nothing_verifies(tmp_path):
    bank = HttpBank("http://simbank", key_loader(str(tmp_path / "absent.pub")))
    assert bank.verify_notification(b"{}", "AAAA") is False


def test_the_key_is_read_from_a_file_on_first_use(tmp_path, bank_key):
    path = tmp_path / "simbank.pub"
    loader = key_loader(str(path))
    path.write_text(bank_key.public_key().to_pem())
    assert loader().to_raw() == bank_key.public_key().to_raw()


def test_a_bad_refund_order_is_a_400(simbank):
    status, answer = simbank.refund({"idempotency_key": "k"})
    assert (status, answer["error"]) == (400, "invalid_order")


def test_the_simulated_bank_runs_as_its_own_process(tmp_path):
    root = Path(__file__).resolve().parents[2]
    args = [sys.executable, "-m", "trading.bidsecurity.simbank", "--port", "0",
            "--state", str(tmp_path / "bank.sqlite3"), "--key", str(tmp_path / "bank.key"),
            "--public-out", str(tmp_path / "bank.pub")]
    process = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()  # printed once the socket listens
        url = line.split()[-1]
        bank = HttpBank(url, key_loader(str(tmp_path / "bank.pub")))
        assert bank.refund(ORDER) == bank.refund(ORDER)
        with urllib.request.urlopen(f"{url}/refunds", timeout=5) as response:  # noqa: S310
            assert len(json.loads(response.read())["items"]) == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
    # A restarted bank still knows what it paid.
    again = SimBank(SigningKey.generate(), tmp_path / "bank.sqlite3")
    assert len(again.refunds()) == 1


def _counter(bank_key, delivered):
    def keep(url, body, headers):
        delivered.append((body, headers))
        return 200, b'{"result":"recorded","message":"\xe5\xb7\xb2\xe8\xae\xb0\xe5\xbd\x95"}', {}

    from webtest import TestApp

    bank = SimBank(bank_key, ":memory:", notify_url="http://platform/notify", post=keep)
    return bank, TestApp(bank.wsgi)


def test_a_transfer_on_the_banks_page_books_and_notifies_signed(bank_key):
    delivered = []
    bank, app = _counter(bank_key, delivered)
    form = app.get("/").forms[0]
    form["payer_account"], form["payer_name"] = "35050188000000011", "甲建设有限公司"
    form["reference"], form["amount"] = "950000000000000001", "300,000.05"
    page = form.submit()
    assert "转账成功" in page.text and "银行已向交易平台发送到账通知" in page.text
    [(body, headers)] = delivered
    note = json.loads(body)
    assert note["amount_fen"] == 30_000_005 and note["reference"] == "950000000000000001"
    adapter = HttpBank("http://simbank", lambda: bank_key.public_key())
    assert adapter.verify_notification(body, headers["X-Bank-Signature"])
    statement = page.click("查看账户明细")
    assert "-300,000.05" in statement.text and note["serial"] in statement.text


@pytest.mark.parametrize(("field", "value"), [
    ("payer_account", "12ab"), ("reference", ""), ("payer_name", ""), ("amount", "0"),
    ("amount", "-5"), ("amount", "1.001"), ("amount", "NaN"), ("amount", "十元")])
def test_a_bad_transfer_is_shown_on_the_form_and_nothing_is_booked(bank_key, field, value):
    delivered = []
    bank, app = _counter(bank_key, delivered)
    fields = {"payer_account": "35050188000000011", "payer_name": "甲建设有限公司",
              "reference": "950000000000000001", "amount": "10.00", field: value}
    page = app.post("/transfer", fields, status=400)
    assert 'role="alert"' in page.text and "转账成功" not in page.text
    assert delivered == [] and bank.db.execute("SELECT COUNT(*) FROM payments").fetchone() \
        == (0,)


def test_the_statement_shows_a_refund_credited_with_its_reference(bank, simbank):
    receipt = bank.refund(ORDER)
    from webtest import TestApp

    page = TestApp(simbank.wsgi).get(f"/accounts/{ORDER.payee_account}")
    assert "+20,005.75" in page.text and receipt.bank_reference in page.text
    TestApp(simbank.wsgi).get("/accounts/not-a-number", status=404)


def test_a_platform_that_is_down_does_not_lose_the_booked_transfer(bank_key):
    def down(url, body, headers):
        raise BankUnavailable("connection refused")

    bank = SimBank(bank_key, ":memory:", notify_url="http://platform/notify", post=down)
    paid = bank.pay(reference="950000000000000001", amount_fen=100, payer_name="甲",
                    payer_account="35050188000000011")
    assert paid["delivered"]["status"] == 0
    assert bank.db.execute("SELECT COUNT(*) FROM payments").fetchone() == (1,)
