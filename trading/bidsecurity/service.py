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

from bid_crypto import BidCryptoError, PublicKey, open_chunks, seal_stream

from ..actor import Actor
from ..audit.service import record
from ..award.models import Award
from ..bidding.models import Bid, BidState, OpeningKey
from ..bidding.opening import OpeningService
from ..db import registry_of
from ..errors import Conflict, DeadlinePassed, DomainError, NotPermitted
from ..i18n import DISPLAY_TZ
from ..projects.models import Lot, Project, SignUp
from ..projects.status import ProjectStatus
from . import rules as r
from .bank import NOTIFICATION_FIELDS, BankAdapter, BankUnavailable, RefundOrder
from .guarantee import GuaranteeProvider, NoProvider, ProviderUnavailable
from .guarantees import GUARANTEE_REFUND_LABELS, GuaranteeMixin
from .models import (
    BankNotification,
    Disposition,
    Forfeiture,
    ForfeitureStatus,
    PayerAccount,
    Refund,
    RefundStatus,
    SecurityCheck,
    SecurityStatus,
    SubAccount,
)
from .status import check_transition

S = ProjectStatus
REFUND_EVENTS = (S.AWARDED, S.CONTRACTED, S.FAILED, S.CANCELLED)
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

    @property
    def guarantee(self) -> bool:
        return self.form in (r.SecurityForm.GUARANTEE, r.SecurityForm.EITHER)


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


@dataclass(frozen=True)
class _Found:
    """What the opening's security checks read once: the project's bank notifications and
    guarantees, and each lot's requirement."""

    notifications: list
    guarantees: list
    requirements: dict


class BidSecurityService(GuaranteeMixin):
    def __init__(self, dbsession, clock, bank: BankAdapter | None = None,
                 provider: GuaranteeProvider | None = None):
        self.db, self.clock = dbsession, clock
        from .bank import NoBank

        self.bank = bank or NoBank()
        self.provider = provider or NoProvider()

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

    @staticmethod
    def _classify(row: BankNotification, state: r.PaymentState) -> None:
        """The only writer of a notification's payment state: set once, when reconciled
        (trading/bidsecurity/status.py makes every state final)."""
        if row.state is not None:
            check_transition(row.state, state)
        row.state = state

    def _open_plain(self, row: BankNotification, note: r.Notification,
                    project: Project | None) -> None:
        """A payment that names no bidder's open lot (unknown reference, or after the
        deadline) is known at once and goes straight back to the payer."""
        state = r.PaymentState.LATE if project is not None \
            else r.PaymentState.UNKNOWN_REFERENCE
        self._classify(row, state)
        row.opened, row.opened_at = _note_json(note), row.received_at
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


    # -- at the opening ------------------------------------------------------------------

    def notifications_of(self, project: Project) -> list[BankNotification]:
        return list(self.db.scalars(sa.select(BankNotification).where(
            BankNotification.project_id == project.id).order_by(BankNotification.id)))

    def checks_of(self, project: Project) -> dict[int, SecurityCheck]:
        return {c.bid_id: c for c in self.db.scalars(sa.select(SecurityCheck).where(
            SecurityCheck.project_id == project.id))}

    def at_opening(self, project: Project, lines, private_key, invalidate) -> None:
        """Open the sealed notifications, reconcile them, join each bid's security status
        to the opening record and mark a bid without it invalid when the profile says so;
        then give every payment its way back. Idempotent: done bids are skipped."""
        done = self.checks_of(project)
        if lines and all(line.bid_id in done for line in lines):
            return
        opened = self._open_sealed(project, private_key)
        self._reconcile(project)
        counted: set[int] = set()
        now = self.clock()
        # Read once for the whole opening, not per bid: a thousand bids are one INSERT.
        found = _Found(self.notifications_of(project), self.guarantees_of(project), {})
        checks = []
        try:
            self._check_lines(project, lines, done, opened, now, found, checks, invalidate)
        finally:  # a requirement found invalid half-way keeps the checks made before it
            if checks:
                self.db.execute(sa.insert(SecurityCheck), checks)
            for check in checks:
                if check["guarantee_id"] is not None:
                    counted.add(check["guarantee_id"])
        self._refunds_after_opening(project, now, counted)
        record(self.db, SYSTEM, "bidsecurity.opened", "project", project.id, now=now,
               notifications=len(found.notifications), guarantees=len(found.guarantees),
               keys_opened=opened)

    def _check_lines(self, project, lines, done, opened, now, found, checks,
                     invalidate) -> None:
        for line in lines:
            if line.bid_id in done:
                continue
            check = self._check(project, line, opened, now, found)
            checks.append(check)
            if check["status"] is SecurityStatus.NOT_REQUIRED:
                continue
            label = STATUS_LABELS[check["status"]]
            line.anomalies = [*(line.anomalies or []), {
                "code": "security", "message": f"投标保证金：{label}"
                + (f"（{check['detail']}）" if check["detail"] else "")}]
            if check["status"] is SecurityStatus.MISSING and \
                    found.requirements[line.lot_id].on_missing == "invalid":
                invalidate(line, "security_missing", check["detail"])

    def _open_sealed(self, project: Project, private_key) -> bool:
        sealed = [n for n in self.notifications_of(project)
                  if n.sealed is not None and n.opened is None]
        documents = [g for g in self.guarantees_of(project) if g.opened is None]
        if not sealed and not documents:
            return True
        try:
            private = private_key()
        except Exception:  # noqa: BLE001 - any failure to rebuild the key is the platform's
            return False
        self._open_guarantees(project, private)
        for row in sealed:
            try:
                payload = unseal(private, row)
            except (BidCryptoError, ValueError):
                continue
            note = _notification(_parse(payload["body"].encode()))
            if note is None or row.disposition is not Disposition.RECORDED:
                row.opened = {"rejected": row.reason or "malformed",
                              "body": payload["body"][:MAX_BODY]}
                continue
            row.opened = _note_json(note)
            row.sub_account = self._sub_by_reference(note.reference)
        self.db.flush()
        return True

    def _reconcile(self, project: Project) -> None:
        """States in the order the bank booked them: the first full payment counts, any
        later one on the same sub-account is a duplicate."""
        rows = [n for n in self.notifications_of(project) if n.disposition is
                Disposition.RECORDED and n.opened and "reference" in n.opened
                and n.state is None and n.sub_account is not None]
        paid = {n.sub_account_id for n in self.notifications_of(project)
                if n.state is r.PaymentState.PAID}
        for row in sorted(rows, key=lambda n: (n.opened["paid_at"], n.id)):
            sub = row.sub_account
            lot = self.db.get(Lot, sub.lot_id)
            note = _note_of(row.opened)
            state = r.reconcile(note, r.Expectation(
                required_fen=requirement_of(project, lot).required_fen,
                deadline=project.bid_deadline,
                payer_accounts=frozenset(a.account_no for a in
                                         self.accounts(sub.organisation_id)),
                already_paid=sub.id in paid))
            self._classify(row, state)
            row.opened_at = self.clock()
            if state is r.PaymentState.PAID:
                paid.add(sub.id)
        self.db.flush()

    def _check(self, project: Project, line, opened: bool, now: datetime,
               found: _Found) -> dict:
        """The bid's SecurityCheck row, as values for the one INSERT of the opening."""
        if line.lot_id not in found.requirements:
            found.requirements[line.lot_id] = requirement_of(project, line.lot)
        req = found.requirements[line.lot_id]
        org_id = line.bid.bidder_org_id
        status, paid_fen, detail, note_id = SecurityStatus.NOT_REQUIRED, 0, "", None
        guarantee = None
        if req.form is not r.SecurityForm.NONE and not opened:
            status, detail = SecurityStatus.UNKNOWN, "开标密钥无法恢复"
        elif req.form is not r.SecurityForm.NONE:
            good, rows = None, []
            if req.deposit:
                sub = self.sub_account_of(line.lot, org_id)
                rows = [n for n in found.notifications
                        if sub is not None and n.sub_account_id == sub.id and n.state]
                good = next((n for n in rows if n.state is r.PaymentState.PAID), None)
            if req.guarantee and good is None:
                guarantee = self.guarantee_for(project, line.lot, org_id,
                                               among=found.guarantees)
            if good is not None:
                status, paid_fen, note_id = (SecurityStatus.SATISFIED,
                                             good.opened["amount_fen"], good.id)
            elif guarantee is not None:
                status, paid_fen = SecurityStatus.SATISFIED, guarantee.opened["amount_fen"]
                detail = (f"电子保函 {guarantee.opened['guarantee_no']}，"
                          f"{guarantee.opened['provider']}出具，担保机构签名有效")
            else:
                status, parts = SecurityStatus.MISSING, []
                if req.deposit:
                    states = "、".join(sorted({r.PAYMENT_LABELS[n.state] for n in rows}))
                    parts.append(f"到账情况：{states}" if states else "截止前未到账")
                if req.guarantee:
                    parts.append("未提交有效的电子保函")
                detail = "；".join(parts)
        return {"bid_id": line.bid_id, "project_id": project.id, "lot_id": line.lot_id,
                "organisation_id": org_id, "status": status,
                "required_fen": req.required_fen, "paid_fen": paid_fen,
                "notification_id": note_id,
                "guarantee_id": guarantee.id if guarantee else None,
                "detail": detail[:500], "checked_at": now}

    def _refunds_after_opening(self, project: Project, now: datetime,
                               counted: set[int] | None = None) -> None:
        notifications = self.notifications_of(project)
        if not notifications and not self.guarantees_of(project):
            return  # no payment to give back: the project's bids need not be read
        have = set(self.db.scalars(sa.select(Refund.notification_id).where(
            Refund.project_id == project.id)))
        bids = {(b.lot_id, b.bidder_org_id): b for b in self.db.scalars(
            sa.select(Bid).where(Bid.project_id == project.id))}
        if counted is None:  # settled without an opening: every counted check is known
            counted = set(self.db.scalars(sa.select(SecurityCheck.guarantee_id).where(
                SecurityCheck.project_id == project.id,
                SecurityCheck.guarantee_id.is_not(None))))
        self._guarantee_refunds(project, bids, counted, local_date(now))
        opening_day = r.RefundEvents(opening=local_date(now))
        for row in notifications:
            if row.id in have or row.disposition is not Disposition.RECORDED \
                    or not row.opened or "reference" not in row.opened:
                continue
            note = _note_of(row.opened)
            org_id = row.sub_account.organisation_id if row.sub_account else None
            bid = bids.get((row.lot_id, org_id))
            cause, events = r.RefundCause.NOT_COUNTED, opening_day
            if row.state is r.PaymentState.PAID and bid is not None:
                if bid.state is BidState.WITHDRAWN:
                    cause = r.RefundCause.WITHDRAWN
                    events = r.RefundEvents(withdrawal=local_date(bid.updated_at))
                else:
                    cause, events = r.RefundCause.LOST, r.RefundEvents()
            self._new_refund(row, note, cause, project, org_id=org_id,
                             due_on=r.refund_deadline(project.regime, cause, events))

    # -- refund scheduling from the award and the contract --------------------------------

    def schedule_refunds(self, project: Project, event: str) -> int:
        """Award, contract, failure or cancellation: each waiting deposit learns its cause
        (won or lost) and its statutory deadline; a deadline known makes it due now."""
        awards = {a.lot_id: a for a in self.db.scalars(
            sa.select(Award).where(Award.project_id == project.id))}
        today = local_date(self.clock())
        ended = event in (S.FAILED, S.CANCELLED)
        if ended:
            self._settle_unopened(project)
        changed = 0
        for refund in self.db.scalars(sa.select(Refund).where(
                Refund.project_id == project.id, Refund.status == RefundStatus.WAITING)):
            award = awards.get(refund.lot_id)
            won = award is not None and award.winner_org_id == refund.organisation_id
            refund.cause = r.RefundCause.WON if won else r.RefundCause.LOST
            if ended or award is None and event == S.AWARDED:
                events = r.RefundEvents(award_notice=today, contract=today)
            else:
                events = r.RefundEvents(
                    award_notice=local_date(award.decided_at) if award else None,
                    contract=local_date(award.contract_signed_at)
                    if award and award.contract_signed_at else None)
            refund.due_on = r.refund_deadline(project.regime, refund.cause, events)
            if refund.due_on is not None:
                self._move_refund(refund, RefundStatus.DUE)
                changed += 1
        self.db.flush()
        return changed

    def _settle_unopened(self, project: Project) -> None:
        """A project that ends without an opening (cancelled, failed while bidding) still
        owes every payer its money: the sealed notifications are opened with the opening
        key where the platform holds it (auto custody) and all of it falls due."""
        if not any(n.sealed is not None and n.opened is None
                   for n in self.notifications_of(project)) \
                and not any(g.opened is None for g in self.guarantees_of(project)):
            return
        registry = registry_of(self.db)
        opening = OpeningService(self.db, self.clock, registry["keys"], registry["storage"],
                                 settings=registry.settings)
        if self._open_sealed(project, lambda: opening.private_key(project)):
            self._reconcile(project)
            self._refunds_after_opening(project, self.clock())
            record(self.db, SYSTEM, "bidsecurity.settled_unopened", "project", project.id,
                   now=self.clock())

    # -- making refunds (the job) -----------------------------------------------------

    def due_refunds(self) -> list[Refund]:
        now = self.clock()
        return list(self.db.scalars(sa.select(Refund).where(
            Refund.status.in_((RefundStatus.DUE, RefundStatus.RETRYING)),
            sa.or_(Refund.next_attempt_at.is_(None), Refund.next_attempt_at <= now))
            .order_by(Refund.id)))

    def fix_order(self, refund: Refund) -> Refund:
        """Interest to the day of the first order, kept for every retry: the bank sees the
        same key with the same amount however late the retry comes."""
        if refund.ordered_at is None and refund.guarantee_id is not None:
            refund.ordered_at = self.clock()  # a guarantee is released, no money moves
            self.db.flush()
        if refund.ordered_at is None:
            now = self.clock()
            rate = r.DEFAULT_ANNUAL_RATE
            if refund.project_id is not None:
                project = self.db.get(Project, refund.project_id)
                rate = requirement_of(project, project.lots[0]).interest_rate
            refund.interest_fen = r.interest_fen(refund.principal_fen, refund.received_on,
                                                 max(local_date(now), refund.received_on),
                                                 rate)
            refund.ordered_at = now
            self.db.flush()
        return refund

    @staticmethod
    def _move_refund(refund: Refund, target: RefundStatus) -> None:
        """The only writer of refund.status (trading/bidsecurity/status.py)."""
        check_transition(refund.status, target)
        refund.status = target

    @staticmethod
    def _move_forfeiture(item: Forfeiture, target: ForfeitureStatus) -> None:
        """The only writer of a forfeiture proposal's status (trading/bidsecurity/status.py)."""
        check_transition(item.status, target)
        item.status = target

    def send(self, refund: Refund) -> bool:
        """One attempt through the bank adapter; True once the bank confirmed."""
        if refund.status not in (RefundStatus.DUE, RefundStatus.RETRYING):
            raise RefundRefused(f"该笔款项状态为「{refund_label(refund)}」，不能退还")
        self.fix_order(refund)
        now = self.clock()
        order = RefundOrder(refund.idempotency_key, refund.payee_name, refund.payee_account,
                            refund.principal_fen + refund.interest_fen,
                            f"投标保证金退还（{r.CAUSE_LABELS[refund.cause]}）")
        refund.attempts += 1
        try:
            if refund.guarantee_id is not None:
                reference = self._release(refund)
            else:
                reference = self.bank.refund(order).bank_reference
        except (BankUnavailable, ProviderUnavailable) as error:
            self._move_refund(refund, RefundStatus.RETRYING)
            refund.last_error = str(error)[:500]
            refund.next_attempt_at = now + min(timedelta(minutes=2 ** min(refund.attempts, 6)),
                                               RETRY_CAP)
            record(self.db, SYSTEM, "bidsecurity.refund_failed", "refund", refund.id, now=now,
                   outcome="failure", attempts=refund.attempts, error=refund.last_error)
            return False
        self._move_refund(refund, RefundStatus.REFUNDED)
        refund.refunded_at = now
        refund.bank_reference, refund.last_error = reference, ""
        refund.next_attempt_at = None
        record(self.db, SYSTEM, "bidsecurity.guarantee_released" if refund.guarantee_id
               else "bidsecurity.refunded", "refund", refund.id, now=now,
               principal_fen=refund.principal_fen, interest_fen=refund.interest_fen,
               bank_reference=reference)
        return True

    def overdue(self) -> list[Refund]:
        """电子监察: refunds not made by their statutory day (rules §10.4)."""
        today = local_date(self.clock())
        return list(self.db.scalars(sa.select(Refund).where(
            Refund.status.notin_((RefundStatus.REFUNDED, RefundStatus.FORFEITED)),
            Refund.due_on.is_not(None), Refund.due_on < today).order_by(Refund.due_on)))

    def alert_overdue(self) -> int:
        """One audit alert per overdue refund and day, for the supervisors' 电子监察."""
        now, alerted = self.clock(), 0
        for refund in self.overdue():
            days = (local_date(now) - refund.due_on).days
            record(self.db, SYSTEM, "bidsecurity.refund_overdue", "refund", refund.id, now=now,
                   outcome="failure", days_late=days, attempts=refund.attempts)
            alerted += 1
        return alerted


    # -- forfeiture (不予退还, rules §10.3) ------------------------------------------------

    def propose_forfeiture(self, refund: Refund, *, ground: str, statement: str,
                           actor: Actor) -> Forfeiture:
        """The center proposes keeping a deposit on a listed ground; the refund is held
        (never sent) until a supervisor decides."""
        if actor.role != "center":
            raise NotPermitted("没收保证金只能由交易中心提出")
        if refund.status not in (RefundStatus.WAITING, RefundStatus.DUE,
                                 RefundStatus.RETRYING):
            raise RefundRefused(f"该笔款项状态为「{REFUND_LABELS[refund.status]}」，不能申请没收")
        ground = r.forfeitable(ground, refund.cause, statement or "")
        now = self.clock()
        item = Forfeiture(refund_id=refund.id, ground=str(ground),
                          statement=statement.strip()[:2000], status=ForfeitureStatus.PROPOSED,
                          proposed_by_id=actor.user_id, proposed_at=now, decision_note="")
        self._move_refund(refund, RefundStatus.HELD)
        self.db.add(item)
        self.db.flush()
        record(self.db, actor, "bidsecurity.forfeiture_proposed", "refund", refund.id, now=now,
               ground=str(ground), forfeiture_id=item.id)
        return item

    def decide_forfeiture(self, item: Forfeiture, *, approve: bool, note: str,
                          actor: Actor) -> Forfeiture:
        """A supervisor approves (the deposit is kept) or rejects (it is refunded)."""
        if actor.role != "supervisor":
            raise NotPermitted("没收保证金须由监督人员审批")
        if item.status is not ForfeitureStatus.PROPOSED:
            raise RefundRefused(f"该申请已处理（{FORFEITURE_LABELS[item.status]}）")
        if not (note or "").strip():
            raise DomainError("请填写审批意见", field="note", code="note_required")
        now = self.clock()
        self._move_forfeiture(item, ForfeitureStatus.APPROVED if approve
                              else ForfeitureStatus.REJECTED)
        item.decided_by_id, item.decided_at = actor.user_id, now
        item.decision_note = note.strip()[:2000]
        refund = item.refund
        if approve:
            self._move_refund(refund, RefundStatus.FORFEITED)
        else:
            self._move_refund(refund, RefundStatus.DUE if refund.due_on
                              else RefundStatus.WAITING)
        self.db.flush()
        project = self.db.get(Project, refund.project_id) if refund.project_id else None
        if not approve and project is not None and refund.status is RefundStatus.WAITING:
            # The award or contract may have come while it was held.
            reached = S.CONTRACTED if project.status is S.ARCHIVED else project.status
            if reached in REFUND_EVENTS:
                self.schedule_refunds(project, reached)
        record(self.db, actor, "bidsecurity.forfeiture_decided", "refund", refund.id, now=now,
               forfeiture_id=item.id, approved=approve)
        return item

    def forfeitures(self, status: ForfeitureStatus | None = None) -> list[Forfeiture]:
        query = sa.select(Forfeiture).order_by(Forfeiture.id.desc())
        if status is not None:
            query = query.where(Forfeiture.status == status)
        return list(self.db.scalars(query))


def _note_of(opened: dict) -> r.Notification:
    return r.Notification(reference=opened["reference"], amount_fen=opened["amount_fen"],
                          payer_name=opened["payer_name"],
                          payer_account=opened["payer_account"],
                          paid_at=datetime.fromisoformat(opened["paid_at"]))


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


def refund_label(refund: Refund) -> str:
    """A refund's status in words; a guarantee's way back is a release (解除) or a claim."""
    if refund.guarantee_id is None:
        return REFUND_LABELS[refund.status]
    if refund.status is RefundStatus.FORFEITED:
        return "已索赔" if refund.bank_reference else "已批准索赔，待担保机构赔付"
    return GUARANTEE_REFUND_LABELS[refund.status]


def bid_security_service_factory(context, request) -> BidSecurityService:
    return BidSecurityService(request.dbsession, request.clock,
                              request.registry["bidsecurity.bank"],
                              request.registry["bidsecurity.guarantor"])
