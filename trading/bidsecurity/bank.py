"""The bank adapter (银行接口): the bank's signed payment notification and refund orders.

The wire format is shared with `simbank` and kept standard-library only apart from
bid_crypto's Ed25519 keys (pycryptodome), so the simulated bank runs alone:

* notification (bank → platform): a canonical JSON body ``{"serial", "reference",
  "amount_fen", "payer_name", "payer_account", "paid_at", "sent_at"}`` and the header
  ``X-Bank-Signature`` = base64 of the bank's Ed25519 signature over the body bytes;
* refund order (platform → bank): ``POST {bank}/refunds`` with ``{"idempotency_key",
  "payee_name", "payee_account", "amount_fen", "memo"}``; the bank answers a signed
  receipt ``{"idempotency_key", "bank_reference", "amount_fen", "status": "done"}`` and
  answers the same key again with the same receipt, never paying twice.

`BankAdapter` is the interface; `HttpBank` the implementation over HTTP. The app's
includeme registers one in the registry (`find_service(BankAdapter)`), built from the
``bidsecurity.bank_url`` and ``bidsecurity.bank_public_key`` settings.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bid_crypto.errors import BidCryptoError
from bid_crypto.receipts import SigningKey, VerifyKey, load_verify_key

SIGNATURE_HEADER = "X-Bank-Signature"
NOTIFICATION_FIELDS = ("serial", "reference", "amount_fen", "payer_name", "payer_account",
                       "paid_at", "sent_at")
TIMEOUT_SECONDS = 10


class BankUnavailable(Exception):
    """The bank did not answer, or answered something that is not a valid signed receipt:
    the refund stays due and is retried."""


def canonical(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sign(key: SigningKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body)).decode()


def verify(key: VerifyKey, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 64 and key.verify(body, raw)


@dataclass(frozen=True)
class RefundOrder:
    idempotency_key: str
    payee_name: str
    payee_account: str
    amount_fen: int
    memo: str

    def body(self) -> bytes:
        return canonical({"idempotency_key": self.idempotency_key,
                          "payee_name": self.payee_name,
                          "payee_account": self.payee_account,
                          "amount_fen": self.amount_fen, "memo": self.memo})


@dataclass(frozen=True)
class RefundReceipt:
    idempotency_key: str
    bank_reference: str
    amount_fen: int


class BankAdapter:
    """What the platform needs of a bank: verify its notifications, order refunds."""

    def verify_notification(self, body: bytes, signature: str | None) -> bool:
        raise NotImplementedError

    def refund(self, order: RefundOrder) -> RefundReceipt:
        """Pay ``order`` exactly once; raises BankUnavailable when not confirmed."""
        raise NotImplementedError


# (url, body, headers) -> (status, body, headers); urllib by default, a WSGI app in tests.
Poster = Callable[[str, bytes, dict], tuple[int, bytes, dict]]


def urllib_post(url: str, body: bytes, headers: dict) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
    except (urllib.error.URLError, OSError) as error:
        raise BankUnavailable(f"银行接口无法连接：{error}") from None


class HttpBank(BankAdapter):
    def __init__(self, base_url: str, public_key: Callable[[], VerifyKey],
                 post: Poster = urllib_post):
        self.base_url = base_url.rstrip("/")
        self._public_key, self._post = public_key, post

    @property
    def key(self) -> VerifyKey:
        try:
            return self._public_key()
        except (BidCryptoError, OSError, ValueError) as error:
            raise BankUnavailable(f"银行公钥不可用：{error}") from None

    def verify_notification(self, body: bytes, signature: str | None) -> bool:
        try:
            return verify(self.key, body, signature)
        except BankUnavailable:
            return False  # no pinned key yet: nothing can be trusted

    def refund(self, order: RefundOrder) -> RefundReceipt:
        status, body, headers = self._post(f"{self.base_url}/refunds", order.body(),
                                           {"Content-Type": "application/json"})
        if status != 200:
            raise BankUnavailable(f"银行接口返回 {status}：{body[:200].decode(errors='replace')}")
        signature = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower())
        if not verify(self.key, body, signature):
            raise BankUnavailable("银行回执签名无效")
        data = json.loads(body)
        if data.get("idempotency_key") != order.idempotency_key \
                or data.get("amount_fen") != order.amount_fen or data.get("status") != "done":
            raise BankUnavailable("银行回执与退款指令不符")
        return RefundReceipt(order.idempotency_key, str(data["bank_reference"]),
                             order.amount_fen)


class NoBank(BankAdapter):
    """No bank configured: every notification is refused, every refund stays due."""

    def verify_notification(self, body: bytes, signature: str | None) -> bool:
        return False

    def refund(self, order: RefundOrder) -> RefundReceipt:
        raise BankUnavailable("未配置银行接口（bidsecurity.bank_url）")


def key_loader(setting: str) -> Callable[[], VerifyKey]:
    """The bank's public key from a PEM/hex value or a file path, read on first use (the
    simulated bank writes its key when it starts, possibly after the app)."""
    cache: list[VerifyKey] = []

    def load() -> VerifyKey:
        if not cache:
            text = setting.strip()
            if not text.startswith("-----") and Path(text).exists():
                text = Path(text).read_text()
            cache.append(load_verify_key(text))
        return cache[0]

    return load


def bank_from_settings(settings: dict) -> BankAdapter:
    url = settings.get("bidsecurity.bank_url", "").strip()
    key = settings.get("bidsecurity.bank_public_key", "").strip()
    if not url or not key:
        return NoBank()
    return HttpBank(url, key_loader(key))
