"""The simulated guarantee provider: its own process and key, the platform's adapter over
HTTP (apply, verify, release, claim, each order once), its page for the bidder."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bid_crypto.receipts import SigningKey
from trading.bidsecurity.bank import key_loader
from trading.bidsecurity.guarantee import Application, HttpProvider, Order, ProviderUnavailable
from trading.bidsecurity.simguarantor import SimGuarantor

APPLICATION = Application(
    application_no="GA0000000000000001", project="GC2026-001", lot="L1", beneficiary="某业主",
    amount_fen=2_000_000, valid_until="2027-03-01T00:00:00.000000Z",
    applicant_name="甲建设有限公司", applicant_code="91350100MA2XK0002X",
    notify_url="http://127.0.0.1:9/api/v1/bidsecurity/guarantees",
    return_url="http://127.0.0.1:9/projects/1/security")


def test_the_simulated_provider_runs_as_its_own_process(tmp_path):
    root = Path(__file__).resolve().parents[2]
    args = [sys.executable, "-m", "trading.bidsecurity.simguarantor", "--port", "0",
            "--state", str(tmp_path / "g.sqlite3"), "--key", str(tmp_path / "g.key"),
            "--public-out", str(tmp_path / "g.pub")]
    process = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = process.stdout.readline().split()[-1]  # printed once the socket listens
        provider = HttpProvider(url, key_loader(str(tmp_path / "g.pub")), "模拟担保机构")
        pay_url = provider.apply(APPLICATION)
        assert pay_url.endswith("/apply/GA0000000000000001")
        with urllib.request.urlopen(pay_url, timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        assert "支付保费并出具保函" in page and "甲建设有限公司" in page
        # The bidder's click: issued and signed (its delivery fails, nobody listens on :9).
        request = urllib.request.Request(pay_url, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            assert "电子投标保函已出具" in response.read().decode()
        with urllib.request.urlopen(f"{url}/guarantees", timeout=5) as response:  # noqa: S310
            [issued] = json.loads(response.read())["items"]
        release = Order("release", "K1", issued["guarantee_no"], reason="未中标")
        assert provider.release(release) == provider.release(release)  # once
        with pytest.raises(ProviderUnavailable):  # released: nothing left to claim
            provider.claim(Order("claim", "K2", issued["guarantee_no"], amount_fen=1))
    finally:
        process.terminate()
        process.wait(timeout=10)
    again = SimGuarantor(SigningKey.generate(), tmp_path / "g.sqlite3")
    assert [g["status"] for g in again.guarantees()] == ["released"]


def test_a_provider_answer_signed_by_another_key_is_not_believed():
    honest = SimGuarantor(SigningKey.generate())
    other = SigningKey.generate()
    provider = HttpProvider("http://sim", lambda: other.public_key(), "x", honest.poster())
    with pytest.raises(ProviderUnavailable):
        provider.apply(APPLICATION)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


def test_both_adapters_share_one_signed_client_and_name_who_is_down():
    """One SignedPeer under both: a party that is down raises its own adapter's error,
    named in its own words, and the service's retry catches both."""
    from trading.bidsecurity.bank import BankUnavailable, HttpBank, RefundOrder
    from trading.bidsecurity.signed import PeerUnavailable, SignedPeer

    key = SigningKey.generate().public_key()
    url = f"http://127.0.0.1:{_closed_port()}"
    bank, provider = HttpBank(url, lambda: key), HttpProvider(url, lambda: key, "某担保")
    assert isinstance(bank, SignedPeer) and isinstance(provider, SignedPeer)
    with pytest.raises(BankUnavailable, match="^银行接口无法连接"):
        bank.refund(RefundOrder("k", "甲", "35050188000000011", 1, ""))
    with pytest.raises(ProviderUnavailable, match="^担保机构接口无法连接") as down:
        provider.release(Order("release", "k", "BH1", reason="解除"))
    assert not isinstance(down.value, BankUnavailable)
    assert issubclass(BankUnavailable, PeerUnavailable)
    assert issubclass(ProviderUnavailable, PeerUnavailable)
