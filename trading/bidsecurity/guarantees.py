"""Electronic guarantees (电子保函) in BidSecurityService: application, the provider's signed
document received and sealed, opened and checked at the opening, released or claimed.

Confidentiality (rules §10.4), as for the bank's notifications: a document is verified
(provider's Ed25519 signature, project, lot, amount, applicant, validity, deadline) in
memory and stored only as a bid_crypto envelope to the project's opening key; the row names
its lot and arrival time, not the application, so nobody at the platform can tell who
holds a guarantee until the opening opens the envelopes — and the opening verifies the
provider's signature again, so a row an operator sealed himself counts for nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bid_crypto import BidCryptoError, open_chunks, seal_stream

from ..accounts.models import Organisation
from ..actor import Actor
from ..audit.service import record
from ..bidding.models import BidState
from ..bidding.service import lot_ref, project_ref
from ..errors import DeadlinePassed, DomainError, NotPermitted
from ..projects.models import Lot, Project, SignUp
from ..projects.status import ProjectStatus
from . import rules as r
from .bank import iso
from .guarantee import (
    GUARANTEE_FIELDS,
    Application,
    GuaranteeProvider,
    NoProvider,
    Order,
    ProviderUnavailable,
)
from .models import Guarantee, GuaranteeApplication, Refund, RefundStatus

SYSTEM = Actor.system("bidsecurity")
SEALED_BY = "GUARANTOR"  # the envelope's "bidder" id: the provider, not a bidder
MAX_BODY = 8 * 1024
DOCUMENT_MAX_AGE = timedelta(minutes=15)
DEFAULT_VALIDITY_DAYS = 90  # 投标有效期 when the profile names none
# Webhook answers: (HTTP status, code, Chinese message). Only "recorded" stores anything.
GUARANTEE_ANSWERS = {
    "recorded": (200, "recorded", "保函已验证并密封，开标时公布"),
    "bad_signature": (401, "bad_signature", "担保机构签名无效（伪造或篡改的保函）"),
    "malformed": (400, "malformed", "保函格式无效"),
    "stale": (400, "stale", "保函发送时间超出允许范围"),
    "replay": (409, "replay", "该保函已提交过（重放）"),
    "unknown_application": (422, "unknown_application", "保函申请编号不存在"),
    "wrong_lot": (422, "wrong_lot", "保函所保项目或标段与申请不符"),
    "wrong_applicant": (422, "wrong_applicant", "保函投保人与申请单位不符"),
    "wrong_beneficiary": (422, "wrong_beneficiary", "保函受益人不是本项目招标人"),
    "short_amount": (422, "short_amount", "保函金额低于保证金要求"),
    "short_validity": (422, "short_validity", "保函有效期短于投标有效期"),
    "late": (422, "late", "投标截止后出具或送达的保函不予接受"),
    "not_sealable": (503, "not_sealable", "开标密钥尚未生成，保函暂不能密封，请稍后重新送达"),
}
GUARANTEE_REFUND_LABELS = {
    RefundStatus.WAITING: "待解除条件成就",
    RefundStatus.DUE: "应解除",
    RefundStatus.RETRYING: "担保机构未确认，重试中",
    RefundStatus.REFUNDED: "保函已解除",
    RefundStatus.HELD: "暂停解除（没收审批中）",
    RefundStatus.FORFEITED: "已批准索赔",
}


class GuaranteeRefused(DomainError):
    code = "guarantee_refused"


@dataclass(frozen=True)
class GuaranteeAnswer:
    status: int
    code: str
    message: str
    guarantee_id: int | None

    def as_json(self) -> dict:
        return {"result" if self.status == 200 else "error": self.code,
                "message": self.message, "guarantee_id": self.guarantee_id}


def validity_until(project: Project) -> datetime:
    days = int(project.params.get("security.validity_days", DEFAULT_VALIDITY_DAYS))
    return project.bid_deadline + timedelta(days=days)


def beneficiary_of(project: Project) -> str:
    return project.owner.name


class GuaranteeMixin:
    """BidSecurityService's guarantee half (self.db, self.clock, self.provider)."""

    provider: GuaranteeProvider = NoProvider()

    # -- application (申请) ----------------------------------------------------------------

    def application_of(self, lot: Lot, org_id: int | None) -> GuaranteeApplication | None:
        if not org_id:
            return None
        return self.db.scalar(sa.select(GuaranteeApplication).where(
            GuaranteeApplication.lot_id == lot.id,
            GuaranteeApplication.organisation_id == org_id))

    def apply_guarantee(self, project: Project, lot: Lot, *, org_id: int, actor,
                        notify_url: str, return_url: str) -> GuaranteeApplication:
        """Register the bidder's application with the provider (idempotent per lot)."""
        from .service import requirement_of

        existing = self.application_of(lot, org_id)
        if existing is not None:
            return existing
        req = requirement_of(project, lot)
        if not req.guarantee:
            raise GuaranteeRefused("本标段不接受电子保函")
        if project.status is not ProjectStatus.BIDDING or self.clock() >= project.bid_deadline:
            raise DeadlinePassed("只能在投标截止前申请电子保函")
        if self.db.scalar(sa.select(SignUp.id).where(
                SignUp.lot_id == lot.id, SignUp.bidder_org_id == org_id)) is None:
            raise NotPermitted("请先报名该标段")

        org = self.db.get(Organisation, org_id)
        number = self._application_number()
        try:
            pay_url = self.provider.apply(Application(
                application_no=number, project=project_ref(project), lot=lot_ref(lot),
                beneficiary=beneficiary_of(project), amount_fen=req.required_fen,
                valid_until=iso(validity_until(project)), applicant_name=org.name,
                applicant_code=org.credit_code or "", notify_url=notify_url,
                return_url=return_url))
        except ProviderUnavailable as error:
            raise GuaranteeRefused(f"担保机构暂不可用：{error}", code="provider_unavailable") \
                from None
        item = GuaranteeApplication(project_id=project.id, lot_id=lot.id,
                                    organisation_id=org_id, number=number,
                                    pay_url=pay_url[:500], created_at=self.clock())
        self.db.add(item)
        self.db.flush()
        # Hidden from the audit browse page like a bid: who asked is a hint of who holds.
        record(self.db, actor, "bidsecurity.guarantee_applied", "guarantee_application",
               item.id, now=item.created_at)
        return item

    def _application_number(self) -> str:
        while True:
            number = "GA" + "".join(secrets.choice("0123456789") for _ in range(16))
            if self.db.scalar(sa.select(GuaranteeApplication.id).where(
                    GuaranteeApplication.number == number)) is None:
                return number

    # -- the provider's document (issue → verify → seal) ----------------------------------

    def receive_guarantee(self, body: bytes, signature: str | None) -> GuaranteeAnswer:
        """Verify one guarantee document and store it sealed; a refusal stores nothing."""
        now = self.clock()
        if not self.provider.verify(body, signature):
            return self._guarantee_refused("bad_signature", None)
        doc = _document(body)
        if doc is None:
            return self._guarantee_refused("malformed", None)
        sent_at = _instant(doc["sent_at"])
        if abs(now - sent_at) > DOCUMENT_MAX_AGE:
            return self._guarantee_refused("stale", None)
        digest = hashlib.sha256(doc["guarantee_no"].encode()).hexdigest()
        if self.db.scalar(sa.select(Guarantee.id).where(Guarantee.number_sha256 == digest)):
            return self._guarantee_refused("replay", None)
        application = self.db.scalar(sa.select(GuaranteeApplication).where(
            GuaranteeApplication.number == doc["application_no"]))
        if application is None:
            return self._guarantee_refused("unknown_application", None)
        code = self._document_problem(doc, application, now)
        if code is not None:
            return self._guarantee_refused(code, application.lot_id)
        public = self._opening_key(application.project_id)
        if public is None:
            return self._guarantee_refused("not_sealable", application.lot_id)
        row = Guarantee(received_at=now, project_id=application.project_id,
                        lot_id=application.lot_id, number_sha256=digest,
                        sealed=seal_document(public, application, body, signature))
        self.db.add(row)
        self.db.flush()
        record(self.db, SYSTEM, "bidsecurity.guarantee_received", "lot", row.lot_id,
               now=now, guarantee_id=row.id)
        status, code, message = GUARANTEE_ANSWERS["recorded"]
        return GuaranteeAnswer(status, code, message, row.id)

    def _document_problem(self, doc: dict, application: GuaranteeApplication,
                          now: datetime) -> str | None:
        """The first reason the document does not secure the application's bid, if any."""
        from .service import requirement_of

        project = self.db.get(Project, application.project_id)
        lot = self.db.get(Lot, application.lot_id)
        org = self.db.get(Organisation, application.organisation_id)
        if (doc["project"], doc["lot"]) != (project_ref(project), lot_ref(lot)):
            return "wrong_lot"
        if doc["applicant_code"] != (org.credit_code or "") \
                or doc["applicant_name"] != org.name:
            return "wrong_applicant"
        if doc["beneficiary"] != beneficiary_of(project):
            return "wrong_beneficiary"
        if doc["amount_fen"] < requirement_of(project, lot).required_fen:
            return "short_amount"
        if now >= project.bid_deadline or _instant(doc["issued_at"]) >= project.bid_deadline \
                or project.status is not ProjectStatus.BIDDING:
            return "late"
        if _instant(doc["valid_until"]) < validity_until(project):
            return "short_validity"
        return None

    def _guarantee_refused(self, code: str, lot_id: int | None) -> GuaranteeAnswer:
        status, code, message = GUARANTEE_ANSWERS[code]
        # Audited without the document: a refusal must not name a bidder before the opening.
        record(self.db, SYSTEM, "bidsecurity.guarantee_refused",
               "lot" if lot_id else "guarantee", lot_id or 0, now=self.clock(),
               outcome="refused", code=code)
        return GuaranteeAnswer(status, code, message, None)

    # -- at the opening ---------------------------------------------------------------------

    def guarantees_of(self, project: Project) -> list[Guarantee]:
        return list(self.db.scalars(sa.select(Guarantee).where(
            Guarantee.project_id == project.id).order_by(Guarantee.id)))

    def _open_guarantees(self, project: Project, private) -> None:
        """Open each sealed document; one whose provider signature or application does not
        hold is kept opened with the reason, and never counts."""
        for row in self.guarantees_of(project):
            if row.opened is not None:
                continue
            try:
                payload = unseal_document(private, row)
            except (BidCryptoError, ValueError):
                continue
            body = payload["body"].encode()
            doc = _document(body)
            problem = None
            if not self.provider.verify(body, payload["signature"]):
                problem = "bad_signature"
            elif doc is None:
                problem = "malformed"
            else:
                row.application = self.db.scalar(sa.select(GuaranteeApplication).where(
                    GuaranteeApplication.number == doc["application_no"]))
                if row.application is None or row.application.lot_id != row.lot_id:
                    problem, row.application = "unknown_application", None
            row.opened = {"rejected": problem, "body": payload["body"][:MAX_BODY]} \
                if problem else doc
            row.opened_at = self.clock()
        self.db.flush()

    def guarantee_for(self, project: Project, lot: Lot, org_id: int, *,
                      among: list[Guarantee] | None = None) -> Guarantee | None:
        """The first valid opened guarantee of this bidder for this lot (`among` the
        project's guarantees when the caller read them already)."""
        return next((g for g in (self.guarantees_of(project) if among is None else among)
                     if g.lot_id == lot.id and g.application is not None
                     and g.application.organisation_id == org_id
                     and g.opened and "rejected" not in g.opened), None)

    def _guarantee_refunds(self, project: Project, bids: dict, counted: set[int],
                           now_day) -> None:
        """Every opened guarantee gets its release: the counted one of a bid waits for the
        award or contract, any other is released at once."""
        have = set(self.db.scalars(sa.select(Refund.guarantee_id).where(
            Refund.project_id == project.id, Refund.guarantee_id.is_not(None))))
        for row in self.guarantees_of(project):
            if row.id in have or row.opened is None:
                continue
            doc = row.opened if "rejected" not in row.opened else {}
            org_id = row.application.organisation_id if row.application else None
            bid = bids.get((row.lot_id, org_id))
            cause, events = r.RefundCause.NOT_COUNTED, r.RefundEvents(opening=now_day)
            if row.id in counted and bid is not None:
                if bid.state is BidState.WITHDRAWN:
                    cause = r.RefundCause.WITHDRAWN
                    events = r.RefundEvents(withdrawal=now_day)
                else:
                    cause, events = r.RefundCause.LOST, r.RefundEvents()
            due_on = r.refund_deadline(project.regime, cause, events)
            self.db.add(Refund(
                guarantee_id=row.id, project_id=project.id, organisation_id=org_id,
                cause=cause, status=RefundStatus.DUE if due_on else RefundStatus.WAITING,
                payee_name=str(doc.get("applicant_name", ""))[:200],
                payee_account=str(doc.get("guarantee_no", ""))[:34],
                principal_fen=int(doc.get("amount_fen", 0)), interest_fen=0,
                received_on=now_day, due_on=due_on,
                idempotency_key=f"BSG-{row.id}-{secrets.token_hex(8)}", attempts=0,
                last_error="", bank_reference="", created_at=self.clock()))
        self.db.flush()

    # -- release (解除) and claim (索赔) -----------------------------------------------------

    def _release(self, refund: Refund) -> str:
        """One release order; a guarantee that never counted has nothing to release at the
        provider beyond its document, which the order names."""
        return self.provider.release(Order("release", refund.idempotency_key,
                                           refund.payee_account,
                                           reason=r.CAUSE_LABELS[refund.cause]))

    def due_claims(self) -> list[Refund]:
        now = self.clock()
        return list(self.db.scalars(sa.select(Refund).where(
            Refund.guarantee_id.is_not(None), Refund.status == RefundStatus.FORFEITED,
            Refund.bank_reference == "",
            sa.or_(Refund.next_attempt_at.is_(None), Refund.next_attempt_at <= now))
            .order_by(Refund.id)))

    def claim(self, refund: Refund) -> bool:
        """Claim a forfeited guarantee's amount from the provider (after a supervisor
        approved the forfeiture); retried with back-off like a refund."""
        from .service import RETRY_CAP

        if refund.guarantee_id is None or refund.status is not RefundStatus.FORFEITED \
                or refund.bank_reference:
            raise GuaranteeRefused("只有已批准没收、尚未索赔的电子保函才能索赔")
        from .models import Forfeiture, ForfeitureStatus

        ground = self.db.scalar(sa.select(Forfeiture.ground).where(
            Forfeiture.refund_id == refund.id,
            Forfeiture.status == ForfeitureStatus.APPROVED))
        if ground is None:
            raise NotPermitted("没有经监督批准的没收决定，不能索赔")
        now = self.clock()
        refund.attempts += 1
        try:
            reference = self.provider.claim(Order("claim", refund.idempotency_key,
                                                  refund.payee_account,
                                                  amount_fen=refund.principal_fen,
                                                  reason=ground))
        except ProviderUnavailable as error:
            refund.last_error = str(error)[:500]
            refund.next_attempt_at = now + min(
                timedelta(minutes=2 ** min(refund.attempts, 6)), RETRY_CAP)
            record(self.db, SYSTEM, "bidsecurity.claim_failed", "refund", refund.id, now=now,
                   outcome="failure", attempts=refund.attempts, error=refund.last_error)
            return False
        refund.bank_reference, refund.last_error, refund.next_attempt_at = reference, "", None
        refund.refunded_at = now
        record(self.db, SYSTEM, "bidsecurity.claimed", "refund", refund.id, now=now,
               amount_fen=refund.principal_fen, reference=reference)
        return True


def seal_document(public, application: GuaranteeApplication, body: bytes,
                  signature: str | None) -> bytes:
    payload = json.dumps({"body": body.decode(), "signature": signature or ""},
                         ensure_ascii=False).encode()
    out = io.BytesIO()
    seal_stream(io.BytesIO(payload), out, public, project=f"P{application.project_id}",
                lot=f"L{application.lot_id}", bidder=SEALED_BY, chunk_size=4096)
    return out.getvalue()


def unseal_document(private, row: Guarantee) -> dict:
    _header, chunks = open_chunks(io.BytesIO(row.sealed), private, bidder=SEALED_BY)
    return json.loads(b"".join(chunks))


def _instant(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def _document(body: bytes) -> dict | None:
    """The document's fields, all present and well typed, or None."""
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or set(data) != set(GUARANTEE_FIELDS):
        return None
    if any(not isinstance(data[k], str) or not data[k].strip() and k != "applicant_code"
           for k in GUARANTEE_FIELDS if k != "amount_fen"):
        return None
    if type(data["amount_fen"]) is not int or data["amount_fen"] <= 0:
        return None
    if any(_instant(data[k]) is None for k in ("issued_at", "valid_until", "sent_at")):
        return None
    if len(data["guarantee_no"]) > 34:  # kept whole on its release row (payee_account)
        return None
    return data
