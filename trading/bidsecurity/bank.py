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

from dataclasses import dataclass

from .signed import (  # noqa: F401 - the wire helpers, importable from here as before
    PeerUnavailable,
    Poster,
    SignedPeer,
    canonical,
    iso,
    key_loader,
    sign,
    urllib_post,
    verify,
)

SIGNATURE_HEADER = "X-Bank-Signature"
NOTIFICATION_FIELDS = ("serial", "reference", "amount_fen", "payer_name", "payer_account",
                       "paid_at", "sent_at")


class BankUnavailable(PeerUnavailable):
    """The bank did not answer, or answered something that is not a valid signed receipt:
    the refund stays due and is retried."""


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


class HttpBank(SignedPeer, BankAdapter):
    label, signature_header, unavailable = "银行", SIGNATURE_HEADER, BankUnavailable

    def verify_notification(self, body: bytes, signature: str | None) -> bool:
        return self.verify_signed(body, signature)

    def refund(self, order: RefundOrder) -> RefundReceipt:
        data = self.call("/refunds", order.body())
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


def bank_from_settings(settings: dict) -> BankAdapter:
    url = settings.get("bidsecurity.bank_url", "").strip()
    key = settings.get("bidsecurity.bank_public_key", "").strip()
    if not url or not key:
        return NoBank()
    return HttpBank(url, key_loader(key))
