"""BidSecurityService: requirement, payer accounts, sub-accounts, the bank's notifications,
the check at the opening, refunds and forfeitures (rules §10).

Confidentiality (rules §10.4): a notification naming a known sub-account is sealed, whole
and with the bank's signature, to the project's opening key before anything is stored; the
row keeps only its lot, arrival time and a digest. The reconciliation of those payments
runs at the opening, inside the opening's transaction, with the opening's private key.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from bid_crypto import PublicKey, open_chunks, seal_stream

from ..actor import Actor
from ..audit.service import record
from ..bidding.models import OpeningKey
from ..errors import Conflict, DeadlinePassed, DomainError, NotPermitted
from ..i18n import DISPLAY_TZ
from ..projects.models import Lot, Project, SignUp
from ..projects.status import ProjectStatus
from . import rules as r
from .bank import NOTIFICATION_FIELDS, BankAdapter
from .models import (
    BankNotification,
    Disposition,
    ForfeitureStatus,
    PayerAccount,
    Refund,
    RefundStatus,
    SecurityStatus,
    SubAccount,
)

S = ProjectStatus
SYSTEM = Actor.system("bidsecurity")
SEALED_BY = "BANK"  # the envelope's "bidder" id: the bank, not a bidder
MAX_BODY = 8 * 1024
ACCOUNT_NO = re.compile(r"^[0-9]{8,34}$")
NOTIFICATION_MAX_AGE = timedelta(minutes=15)
RETRY_CAP = timedelta(hours=1)

STATUS_LABELS = {
    SecurityStatus.SATISFIED: "已按要求缴纳",
    SecurityStatus.MISSING: "未按要求缴纳",
    SecurityStatus.NOT_REQUIRED: "不要求保证金",
    SecurityStatus.UNVERIFIED: "电子保函，线下核验",
    SecurityStatus.UNKNOWN: "到账信息无法解密（非投标人原因）",
}
REFUND_LABELS = {
    RefundStatus.WAITING: "待退还条件成就",
    RefundStatus.DUE: "应退还",
    RefundStatus.RETRYING: "银行未确认，重试中",
    RefundStatus.REFUNDED: "已退还",
    RefundStatus.HELD: "暂停退还（没收审批中）",
    RefundStatus.FORFEITED: "已没收",
}
DISPOSITION_LABELS = {Disposition.RECORDED: "已记录", Disposition.REJECTED: "已拒收"}
FORFEITURE_LABELS = {ForfeitureStatus.PROPOSED: "待监督审批",
                     ForfeitureStatus.APPROVED: "已批准没收",
                     ForfeitureStatus.REJECTED: "已驳回，照常退还"}
# Webhook answers: (HTTP status, code, Chinese message). Codes are the API's.
ANSWERS = {
    "recorded": (200, "recorded", "已记录，开标时对账"),
    "bad_signature": (401, "bad_signature", "银行签名无效"),
    "malformed": (400, "malformed", "通知格式无效"),
    "stale": (400, "stale", "通知发送时间超出允许范围"),
    "replay": (409, "replay", "该流水号的通知已处理（重放）"),
    "unknown_reference": (422, "unknown_reference", "子账号不存在，款项将原路退回"),
    "late_payment": (422, "late_payment", "投标截止后到账，不计入保证金，款项将退回"),
    "short_amount": (422, "short_amount", "到账金额低于要求，已记录，开标时对账"),
    "wrong_account": (422, "wrong_account", "付款账户不是投标人登记的基本账户，已记录"),
}


class AccountInvalid(DomainError):
    code = "account_invalid"


class SubAccountRefused(DomainError):
    code = "sub_account_refused"


class RefundRefused(Conflict):
    code = "refund_refused"


@dataclass(frozen=True)
class Requirement:
    form: r.SecurityForm
    required_fen: int
    base_fen: int
    deadline: datetime
    on_missing: str  # invalid | note
    interest_rate: Decimal

    @property
    def deposit(self) -> bool:
        return self.form in (r.SecurityForm.DEPOSIT, r.SecurityForm.EITHER)


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    message: str
    notification_id: int

    def as_json(self) -> dict:
        return {"result" if self.status == 200 else "error": self.code,
                "message": self.message, "notification_id": self.notification_id}


def local_date(moment: datetime) -> date:
    return moment.astimezone(DISPLAY_TZ).date()


def requirement_of(project: Project, lot: Lot) -> Requirement:
    """The lot's requirement from the project's rule profile (``security.*`` params)."""
    params = project.params
    form = r.SecurityForm(params.get("security.form", "none"))
    amount, rate = params.get("security.amount_fen"), params.get("security.rate")
    required = 0
    if form is not r.SecurityForm.NONE:
        try:
            required = r.required_fen(
                lot.budget, project.regime, amount_fen=amount,
                rate=None if rate is None else Decimal(str(rate)))
        except InvalidOperation:
            raise r.RequirementInvalid("保证金比例格式无效", field="rate") from None
    return Requirement(form=form, required_fen=required, base_fen=lot.budget,
                       deadline=project.bid_deadline,
                       on_missing=params.get("security.on_missing", "invalid"),
                       interest_rate=Decimal(str(params.get("security.interest_rate",
                                                            r.DEFAULT_ANNUAL_RATE))))


class BidSecurityService:
    def __init__(self, dbsession, clock, bank: BankAdapter | None = None):
        self.db, self.clock = dbsession, clock
        from .bank import NoBank

        self.bank = bank or NoBank()

    # -- payer accounts (基本账户) --------------------------------------------------------

    def accounts(self, org_id: int) -> list[PayerAccount]:
        return list(self.db.scalars(sa.select(PayerAccount).where(
            PayerAccount.organisation_id == org_id).order_by(PayerAccount.id)))

    def add_account(self, org_id: int, *, account_no: str, account_name: str,
                    bank_name: str, actor: Actor) -> PayerAccount:
        account_no = (account_no or "").replace(" ", "")
        if not ACCOUNT_NO.fullmatch(account_no):
            raise AccountInvalid("银行账号应为 8–34 位数字", field="account_no")
        if not (account_name or "").strip() or not (bank_name or "").strip():
            raise AccountInvalid("请填写账户名称和开户银行", field="account_name")
        if any(a.account_no == account_no for a in self.accounts(org_id)):
            raise Conflict("该账号已登记", field="account_no")
        account = PayerAccount(organisation_id=org_id, account_no=account_no,
                               account_name=account_name.strip()[:200],
                               bank_name=bank_name.strip()[:200], created_at=self.clock())
        self.db.add(account)
        self.db.flush()
        record(self.db, actor, "bidsecurity.account_added", "organisation", org_id,
               now=account.created_at, account_tail=account_no[-4:])
        return account

    # -- sub-accounts (子账号) ----------------------------------------------------------

    def sub_account_of(self, lot: Lot, org_id: int | None) -> SubAccount | None:
        if not org_id:
            return None
        return self.db.scalar(sa.select(SubAccount).where(
            SubAccount.lot_id == lot.id, SubAccount.organisation_id == org_id))

    def sub_account(self, project: Project, lot: Lot, *, org_id: int,
                    actor: Actor) -> SubAccount:
        """The bidder's sub-account for the lot, made on first request (idempotent)."""
        existing = self.sub_account_of(lot, org_id)
        if existing is not None:
            return existing
        if not requirement_of(project, lot).deposit:
            raise SubAccountRefused("本标段不要求以转账方式缴纳保证金")
        if project.status is not S.BIDDING or self.clock() >= project.bid_deadline:
            raise DeadlinePassed("只能在投标截止前获取保证金子账号")
        signed = self.db.scalar(sa.select(SignUp.id).where(
            SignUp.lot_id == lot.id, SignUp.bidder_org_id == org_id))
        if signed is None:
            raise NotPermitted("请先报名该标段")
        sub = SubAccount(project_id=project.id, lot_id=lot.id, organisation_id=org_id,
                         number=self._new_number(), created_at=self.clock())
        self.db.add(sub)
        self.db.flush()
        record(self.db, actor, "bidsecurity.sub_account_issued", "lot", lot.id,
               now=sub.created_at)
        return sub

    def _new_number(self) -> str:
        # Random, so the number says nothing about the bidder or the order of requests.
        while True:
            number = "95" + "".join(secrets.choice("0123456789") for _ in range(16))
            if self.db.scalar(sa.select(SubAccount.id).where(SubAccount.number == number)) \
                    is None:
                return number

    # -- the bank's notification (webhook) ----------------------------------------------

    def receive(self, body: bytes, signature: str | None) -> Answer:
        """Verify, seal and store one notification; every one is stored, whatever it is."""
        now = self.clock()
        data = _parse(body)
        sub = self._sub_by_reference(data.get("reference")) if data else None
        row = BankNotification(received_at=now, disposition=Disposition.REJECTED, reason="",
                               body_sha256=hashlib.sha256(body).hexdigest())
        if sub is not None:
            row.project_id, row.lot_id = sub.project_id, sub.lot_id
        if not self.bank.verify_notification(body, signature):
            return self._store(row, body, signature, sub, "bad_signature")
        note = _notification(data)
        if note is None:
            return self._store(row, body, signature, sub, "malformed")
        sent_at = _instant(data.get("sent_at"))
        if sent_at is None or abs(now - sent_at) > NOTIFICATION_MAX_AGE:
            return self._store(row, body, signature, sub, "stale")
        serial = hashlib.sha256(str(data["serial"]).encode()).hexdigest()
        if self.db.scalar(sa.select(BankNotification.id).where(
                BankNotification.serial_sha256 == serial)) is not None:
            return self._store(row, body, signature, sub, "replay")
        row.serial_sha256, row.disposition = serial, Disposition.RECORDED
        if sub is None:
            return self._store(row, body, signature, None, "unknown_reference", note=note)
        project = self.db.get(Project, sub.project_id)
        lot = self.db.get(Lot, sub.lot_id)
        expected = r.Expectation(
            required_fen=requirement_of(project, lot).required_fen,
            deadline=project.bid_deadline,
            payer_accounts=frozenset(a.account_no for a in self.accounts(sub.organisation_id)))
        state = r.reconcile(note, expected)
        if state is r.PaymentState.LATE or now >= project.bid_deadline:
            # After the deadline the payer list is no longer secret: keep it plain.
            return self._store(row, body, signature, None, "late_payment", note=note,
                               project=project)
        code = {r.PaymentState.SHORT: "short_amount",
                r.PaymentState.WRONG_ACCOUNT: "wrong_account"}.get(state, "recorded")
        return self._store(row, body, signature, sub, code)

    def _sub_by_reference(self, reference) -> SubAccount | None:
        if not isinstance(reference, str) or len(reference) > 32:
            return None
        return self.db.scalar(sa.select(SubAccount).where(SubAccount.number == reference))

    def _store(self, row: BankNotification, body: bytes, signature: str | None,
               sub: SubAccount | None, code: str, *, note: r.Notification | None = None,
               project: Project | None = None) -> Answer:
        sealed_to = self._opening_key(sub.project_id) if sub is not None else None
        if sealed_to is not None:
            row.sealed = seal(sealed_to, sub, body, signature)
        else:
            row.body = json.dumps({"body": body[:MAX_BODY].decode(errors="replace"),
                                   "signature": signature or ""}, ensure_ascii=False)
        if row.disposition is Disposition.REJECTED or sealed_to is None:
            row.reason = code
        self.db.add(row)
        self.db.flush()
        if note is not None and row.disposition is Disposition.RECORDED and sealed_to is None:
            self._open_plain(row, note, project)
        status, code, message = ANSWERS[code]
        record(self.db, SYSTEM, "bidsecurity.notification", "notification", row.id,
               now=row.received_at, disposition=str(row.disposition), code=row.reason or "sealed",
               outcome="success" if status == 200 else "refused")
        return Answer(status, code, message, row.id)

    def _opening_key(self, project_id: int) -> PublicKey | None:
        key = self.db.scalar(sa.select(OpeningKey).where(OpeningKey.project_id == project_id))
        if key is None or key.public_key is None:
            return None
        project = self.db.get(Project, project_id)
        if self.clock() >= project.bid_deadline:
            return None
        return PublicKey.from_json(key.public_key)

    def _open_plain(self, row: BankNotification, note: r.Notification,
                    project: Project | None) -> None:
        """A payment that names no bidder's open lot (unknown reference, or after the
        deadline) is known at once and goes straight back to the payer."""
        state = r.PaymentState.LATE if project is not None \
            else r.PaymentState.UNKNOWN_REFERENCE
        row.opened, row.state, row.opened_at = _note_json(note), state, row.received_at
        if project is not None:
            row.sub_account = self._sub_by_reference(note.reference)
        self._new_refund(row, note, r.RefundCause.NOT_COUNTED, project,
                         due_on=r.refund_deadline(
                             project.regime if project else "tendering",
                             r.RefundCause.NOT_COUNTED,
                             r.RefundEvents(opening=local_date(row.received_at))))

    # -- refunds --------------------------------------------------------------------------

    def _new_refund(self, row: BankNotification, note: r.Notification, cause: r.RefundCause,
                    project: Project | None, *, due_on: date | None,
                    org_id: int | None = None) -> Refund:
        refund = Refund(
            notification_id=row.id, project_id=project.id if project else None,
            organisation_id=org_id, cause=cause,
            status=RefundStatus.DUE if due_on else RefundStatus.WAITING,
            payee_name=note.payer_name[:200], payee_account=note.payer_account[:34],
            principal_fen=note.amount_fen, interest_fen=0,
            received_on=local_date(note.paid_at), due_on=due_on,
            idempotency_key=f"BSR-{row.id}-{secrets.token_hex(8)}", attempts=0,
            last_error="", bank_reference="", created_at=self.clock())
        self.db.add(refund)
        self.db.flush()
        return refund


def seal(public: PublicKey, sub: SubAccount, body: bytes, signature: str | None) -> bytes:
    payload = json.dumps({"body": body.decode(errors="replace"), "signature": signature or ""},
                         ensure_ascii=False).encode()
    out = io.BytesIO()
    seal_stream(io.BytesIO(payload), out, public, project=_ref(sub), lot=f"L{sub.lot_id}",
                bidder=SEALED_BY, chunk_size=4096)
    return out.getvalue()


def _ref(sub: SubAccount) -> str:
    return f"P{sub.project_id}"


def unseal(private, row: BankNotification) -> dict:
    _header, chunks = open_chunks(io.BytesIO(row.sealed), private, bidder=SEALED_BY)
    return json.loads(b"".join(chunks))


def _parse(body: bytes) -> dict | None:
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _instant(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _notification(data: dict | None) -> r.Notification | None:
    if data is None or set(data) != set(NOTIFICATION_FIELDS):
        return None
    texts = ("serial", "reference", "payer_name", "payer_account")
    if any(not isinstance(data[k], str) or not data[k].strip() for k in texts):
        return None
    if type(data["amount_fen"]) is not int or data["amount_fen"] <= 0:
        return None
    paid_at = _instant(data["paid_at"])
    if paid_at is None:
        return None
    return r.Notification(reference=data["reference"], amount_fen=data["amount_fen"],
                          payer_name=data["payer_name"], payer_account=data["payer_account"],
                          paid_at=paid_at)


def _note_json(note: r.Notification) -> dict:
    return {"reference": note.reference, "amount_fen": note.amount_fen,
            "payer_name": note.payer_name, "payer_account": note.payer_account,
            "paid_at": note.paid_at.astimezone(UTC).isoformat()}


def bid_security_service_factory(context, request) -> BidSecurityService:
    return BidSecurityService(request.dbsession, request.clock,
                              request.registry["bidsecurity.bank"])
