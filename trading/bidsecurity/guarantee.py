"""The guarantee provider adapter (电子保函接口): apply, issue, verify, claim, release.

Same wire conventions as the bank (`bank`): canonical JSON bodies, the provider's Ed25519
signature (bid_crypto keys) in a header, its public key pinned in the settings.

* apply (platform → provider): ``POST {provider}/applications`` with ``{"application_no",
  "project", "lot", "beneficiary", "amount_fen", "valid_until", "applicant_name",
  "applicant_code", "notify_url", "return_url"}``; the provider answers a signed
  ``{"application_no", "status": "accepted", "pay_url"}`` — the page where the bidder
  pays the premium and the guarantee is issued;
* issue (provider → platform): the guarantee document (保函), the canonical JSON body
  ``GUARANTEE_FIELDS`` signed in ``X-Guarantor-Signature``, posted to ``notify_url``;
* verify: the provider's signature over the document, checked with the pinned key;
* release (platform → provider): ``POST {provider}/releases`` ``{"idempotency_key",
  "guarantee_no", "reason"}`` → signed ``{"idempotency_key", "guarantee_no",
  "status": "released", "reference"}``; the same key answers the same receipt;
* claim (platform → provider): ``POST {provider}/claims`` ``{"idempotency_key",
  "guarantee_no", "amount_fen", "ground"}`` → signed ``{..., "status": "paid",
  "reference"}``, paid once per key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bid_crypto.receipts import VerifyKey

from .signed import PeerUnavailable, Poster, SignedPeer, canonical, key_loader, urllib_post

SIGNATURE_HEADER = "X-Guarantor-Signature"
GUARANTEE_FIELDS = ("guarantee_no", "application_no", "provider", "applicant_name",
                    "applicant_code", "beneficiary", "project", "lot", "amount_fen",
                    "issued_at", "valid_until", "sent_at")
APPLICATION_FIELDS = ("application_no", "project", "lot", "beneficiary", "amount_fen",
                      "valid_until", "applicant_name", "applicant_code", "notify_url",
                      "return_url")


class ProviderUnavailable(PeerUnavailable):
    """The provider did not answer with a valid signed receipt: nothing is assumed done."""


@dataclass(frozen=True)
class Application:
    application_no: str
    project: str
    lot: str
    beneficiary: str
    amount_fen: int
    valid_until: str
    applicant_name: str
    applicant_code: str
    notify_url: str
    return_url: str

    def body(self) -> bytes:
        return canonical({k: getattr(self, k) for k in APPLICATION_FIELDS})


@dataclass(frozen=True)
class Order:
    """A release (解除) or a claim (索赔) of one guarantee, deduplicated on its key."""

    kind: str  # release | claim
    idempotency_key: str
    guarantee_no: str
    amount_fen: int = 0
    reason: str = ""

    def body(self) -> bytes:
        if self.kind == "claim":
            return canonical({"idempotency_key": self.idempotency_key,
                              "guarantee_no": self.guarantee_no,
                              "amount_fen": self.amount_fen, "ground": self.reason})
        return canonical({"idempotency_key": self.idempotency_key,
                          "guarantee_no": self.guarantee_no, "reason": self.reason})


class GuaranteeProvider:
    """What the platform needs of a guarantee provider (担保机构/保险机构/银行)."""

    name = ""

    def apply(self, application: Application) -> str:
        """Register the application; the URL where the bidder completes it."""
        raise NotImplementedError

    def verify(self, body: bytes, signature: str | None) -> bool:
        """Is ``body`` a document this provider signed?"""
        raise NotImplementedError

    def release(self, order: Order) -> str:
        """Release the guarantee once; its reference. Raises ProviderUnavailable."""
        raise NotImplementedError

    def claim(self, order: Order) -> str:
        """Claim the guarantee's amount once; its reference. Raises ProviderUnavailable."""
        raise NotImplementedError


class HttpProvider(SignedPeer, GuaranteeProvider):
    label, signature_header, unavailable = "担保机构", SIGNATURE_HEADER, ProviderUnavailable

    def __init__(self, base_url: str, public_key: Callable[[], VerifyKey], name: str,
                 post: Poster = urllib_post):
        super().__init__(base_url, public_key, post)
        self.name = name

    def verify(self, body: bytes, signature: str | None) -> bool:
        return self.verify_signed(body, signature)

    def apply(self, application: Application) -> str:
        data = self.call("/applications", application.body())
        if data.get("application_no") != application.application_no \
                or data.get("status") != "accepted" or not isinstance(data.get("pay_url"), str):
            raise ProviderUnavailable("担保机构受理回执与申请不符")
        return data["pay_url"]

    def _order(self, path: str, order: Order, done: str) -> str:
        data = self.call(path, order.body())
        if data.get("idempotency_key") != order.idempotency_key \
                or data.get("guarantee_no") != order.guarantee_no or data.get("status") != done:
            raise ProviderUnavailable("担保机构回执与指令不符")
        return str(data["reference"])

    def release(self, order: Order) -> str:
        return self._order("/releases", order, "released")

    def claim(self, order: Order) -> str:
        return self._order("/claims", order, "paid")


class NoProvider(GuaranteeProvider):
    """No provider configured: no guarantee can be applied for or accepted."""

    name = "未配置"

    def apply(self, application: Application) -> str:
        raise ProviderUnavailable("未配置电子保函接口（bidsecurity.guarantor_url）")

    def verify(self, body: bytes, signature: str | None) -> bool:
        return False

    def release(self, order: Order) -> str:
        raise ProviderUnavailable("未配置电子保函接口（bidsecurity.guarantor_url）")

    claim = release


def provider_from_settings(settings: dict) -> GuaranteeProvider:
    url = settings.get("bidsecurity.guarantor_url", "").strip()
    key = settings.get("bidsecurity.guarantor_public_key", "").strip()
    if not url or not key:
        return NoProvider()
    return HttpProvider(url, key_loader(key),
                        settings.get("bidsecurity.guarantor_name", "模拟担保机构").strip())
