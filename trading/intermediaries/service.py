"""IntermediaryService: the verbs of the supermarket and the one writer of its statuses.

Entry (入驻) and review, the catalogue, purchases and their review, registration, sealed
quotes, the chronograph steps of selection, confirmation and decline with re-selection,
contract, result, rating and credit. The rules are the pure functions of `rules`; every
lottery goes through `DrawService`; every change writes its audit row in the same
transaction; every refusal is raised before the first change.
"""

import hashlib
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO

import sqlalchemy as sa

from bid_crypto import (
    BidCryptoError,
    PrivateKey,
    PublicKey,
    generate_private_key,
    read_bid,
    unwrap_private_key,
    wrap_private_key,
)

from ..accounts.models import Organisation, Role, User
from ..actor import Actor
from ..audit import logset
from ..audit.merkle import promise_doc
from ..audit.models import AuditEvent
from ..audit.service import record
from ..bidding.service import check_header, read_sealed_header, scan_sealed
from ..db import registry_of
from ..draws.services import DrawService
from ..files import sniff_file
from ..forms import format_yuan
from ..i18n import DISPLAY_TZ
from ..jobs import chronograph
from ..jobs.request import job_enqueue
from ..notices import publish as publish_notice
from ..projects.service import safe_filename
from . import rules as r
from .errors import (
    AlreadyRegistered,
    EntryInvalid,
    NotEditable,
    NotPermitted,
    NotRegistered,
    NotSelected,
    PurchaseInvalid,
    RegistrationRefused,
    WrongStage,
    rule_refusals,
)
from .events import EntryStatusChanged, PurchaseStatusChanged
from .models import (
    CreditRecord,
    Entry,
    Notice,
    Practitioner,
    Purchase,
    PurchaseDocument,
    QualificationLine,
    Registration,
    ServiceItem,
    ServiceRating,
    ServiceType,
)
from .status import EntryStatus, PurchaseStatus, allowed_transitions, check_transition

E, P, M = EntryStatus, PurchaseStatus, r.SelectionMethod
PARAMS = r.SupermarketParams()  # the supermarket part of the rule profile (rules §8)
CALENDAR = r.WorkCalendar()
EXPIRY_NOTICE_DAYS = 30  # notice before a qualification line expires [P]
QUOTE_METHODS = frozenset({M.LOWEST_PRICE, M.BEST_PRICE, M.PLAN_BEST})
OWNER_CHOICE = frozenset({M.DIRECT, M.CREDIT_BEST, M.PLAN_BEST})
EDITABLE = frozenset({P.DRAFT, P.RETURNED})
COMMITMENT_TEXT = (
    "本单位承诺：所提交的营业执照、资质证书、执业人员及社保等材料真实、合法、有效；"
    "依法独立承担民事责任，纳税和社会保险缴纳记录良好；遵守中介超市管理规定，"
    "不串通报价、不无故放弃中选、按约定时限和收费标准提供服务；如有虚假，"
    "愿接受清退并列入黑名单。"
)
COMMITMENT_SHA256 = hashlib.sha256(COMMITMENT_TEXT.encode()).hexdigest()
RULE_TEXT = {
    M.RANDOM: "在报名且资格有效的中介机构中等概率随机抽取1家为中选机构；"
              "放弃的依同一抽取顺序递补",
    M.CREDIT_BEST: "按信用分确定长名单，按信用分比例分配号码随机抽取短名单，业主在短名单中自主选定",
}


def local_date(moment: datetime) -> date:
    return moment.astimezone(DISPLAY_TZ).date()


def org_ref(org_id: int) -> str:
    return str(org_id)


def pool_key(purchase) -> str:
    """The logged set of a purchase's registrants (报名), the random selection's pool."""
    return f"im-purchase:{purchase.number}"


def purchase_ref(purchase: Purchase) -> str:
    return f"IM-{purchase.id}"


QUOTE_LOT = "Q"  # the envelope's lot id: a purchase has one set of quotes
QUOTE_LIMIT = 1024 * 1024  # a quote and its plan; documents go with the contract


class QuoteRefused(Exception):
    """An opened quote that cannot count: its reason goes to the audit row."""


# -- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    licence_number: str
    legal_representative: str
    registered_capital: int
    business_scope: str
    address: str
    licence_valid_until: date | None
    practitioners: tuple[dict, ...]
    lines: tuple[dict, ...]  # {"service_type_id", "certificate_no", "grade", valid_*}
    commitment: bool
    signed_by: str

    @classmethod
    def from_appstruct(cls, v: dict) -> "EntryInput":
        return cls(v["licence_number"], v["legal_representative"], v.get("registered_capital") or 0,
                   v.get("business_scope", ""), v.get("address", ""),
                   v.get("licence_valid_until"), tuple(v.get("practitioners", ())),
                   tuple(v.get("lines", ())), bool(v.get("commitment")), v.get("signed_by", ""))


@dataclass(frozen=True)
class PurchaseInput:
    title: str
    project_name: str
    contact: str
    service_type_id: int
    item_ids: tuple[int, ...]
    content: str
    time_limit: str
    qualification_requirements: str
    funding: r.FundingSource
    amount_mode: r.AmountMode
    fixed_fen: int | None
    base_fen: int | None
    highest_fen: int | None
    rate_base_fen: int | None
    min_rate: Decimal | None
    max_rate: Decimal | None
    method: r.SelectionMethod
    long_list_size: int | None
    short_list_size: int | None
    registration_deadline: datetime
    selection_time: datetime
    avoid: tuple[str, ...]
    # 服务时限, structured; left out, it is read from `time_limit` ("30日历天")
    service_days: int | None = None
    service_working_days: bool = False
    service_due_on: date | None = None

    @classmethod
    def from_appstruct(cls, v: dict) -> "PurchaseInput":
        return cls(
            v["title"], v["project_name"], v.get("contact", ""), int(v["service_type_id"]),
            tuple(int(i) for i in v.get("item_ids", ())), v["content"],
            (v.get("time_limit") or "").strip(),
            v.get("qualification_requirements", ""), r.FundingSource(v["funding"]),
            r.AmountMode(v["amount_mode"]), v.get("fixed_fen"), v.get("base_fen"),
            v.get("highest_fen"), v.get("rate_base_fen"), v.get("min_rate"),
            v.get("max_rate"), r.SelectionMethod(v["method"]), v.get("long_list_size"),
            v.get("short_list_size"), v["registration_deadline"], v["selection_time"],
            tuple(c.strip().upper() for c in v.get("avoid", ()) if c.strip()),
            v.get("service_days"), bool(v.get("service_working_days")),
            v.get("service_due_on"))

    def service_term(self) -> r.ServiceTerm | None:
        """The structured limit given, else the one the text names (None: neither)."""
        if self.service_days is not None or self.service_due_on is not None:
            return r.ServiceTerm(self.service_days, self.service_working_days,
                                 self.service_due_on)
        return r.parse_time_limit(self.time_limit)


def terms_of(p) -> r.AmountTerms:
    """The rules' AmountTerms from a purchase row or input (refuses inconsistent terms)."""
    def rate(value):
        return None if value is None else Decimal(str(value))

    with rule_refusals():
        return r.AmountTerms(
            p.amount_mode, fixed_fen=p.fixed_fen, base_fen=p.base_fen, highest_fen=p.highest_fen,
            rate_base_fen=p.rate_base_fen, min_rate=rate(p.min_rate), max_rate=rate(p.max_rate))


TERM_FIELDS = ("fixed_fen", "base_fen", "highest_fen", "rate_base_fen")


def service_term_of(p: Purchase) -> r.ServiceTerm | None:
    if p.service_days is None and p.service_due_on is None:
        return None  # a purchase older than the structured limit, whose text named none
    return r.ServiceTerm(p.service_days, bool(p.service_working_days), p.service_due_on)


def service_due_of(p: Purchase) -> date | None:
    """服务截止日: what the electronic supervision's "service overdue" checks."""
    term = service_term_of(p)
    if term is None or p.service_started_at is None:
        return None
    return r.service_due(local_date(p.service_started_at), term, CALENDAR)


class IntermediaryService:
    def __init__(self, dbsession, clock, keys, storage=None, enqueue=None,
                 params: r.SupermarketParams = PARAMS):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.enqueue = enqueue or job_enqueue
        self.params = params
        self.draws = DrawService(dbsession, clock, keys)

    def today(self) -> date:
        return local_date(self.clock())

    def _audit(self, actor, action, subject_type, subject_id, **data):
        record(self.db, actor, action, subject_type, subject_id, now=self.clock(), **data)

    # -- catalogue (中介服务事项清单) --------------------------------------------------------

    def add_service_type(self, *, code: str, name: str, required_qualification: str = "",
                         description: str = "", actor: Actor) -> ServiceType:
        """The center adds a service type; codes are unique."""
        code = code.strip().upper()
        if self.db.scalar(sa.select(ServiceType.id).where(ServiceType.code == code)):
            raise PurchaseInvalid(f"服务类型编码 {code} 已存在", field="code")
        row = ServiceType(code=code, name=name.strip(), description=description,
                          required_qualification=required_qualification.strip(),
                          created_at=self.clock())
        self.db.add(row)
        self.db.flush()
        self._audit(actor, "intermediary.service_type_added", "im_service_type", row.id,
                    code=code, name=row.name)
        return row

    def add_service_item(self, service_type: ServiceType, *, code: str, name: str,
                         approval_item: str = "", required_qualification: str = "",
                         actor: Actor) -> ServiceItem:
        code = code.strip().upper()
        if self.db.scalar(sa.select(ServiceItem.id).where(ServiceItem.code == code)):
            raise PurchaseInvalid(f"服务事项编码 {code} 已存在", field="code")
        item = ServiceItem(service_type_id=service_type.id, code=code, name=name.strip(),
                           approval_item=approval_item.strip(), created_at=self.clock(),
                           required_qualification=required_qualification.strip())
        self.db.add(item)
        self.db.flush()
        self._audit(actor, "intermediary.service_item_added", "im_service_type",
                    service_type.id, item_id=item.id, code=code, name=item.name)
        return item

    def service_types(self) -> list[ServiceType]:
        return list(self.db.scalars(sa.select(ServiceType).order_by(ServiceType.code)))

    def choices(self) -> dict:
        """The catalogue as form choices (the schemas' `type_choices`, `item_choices`)."""
        types = self.service_types()
        return {"type_choices": [(str(t.id), f"{t.code} · {t.name}") for t in types],
                "item_choices": [(str(i.id), f"{t.name} · {i.name}")
                                 for t in types for i in t.items]}

    # -- entry (入驻) -------------------------------------------------------------------------

    def entry_of(self, org_id: int | None) -> Entry | None:
        if org_id is None:
            return None
        return self.db.scalar(sa.select(Entry).where(Entry.org_id == org_id))

    def save_application(self, org: Organisation, data: EntryInput, *, actor: Actor) -> Entry:
        """Create or correct the application; editable before submission or when returned."""
        if org.role is not Role.INTERMEDIARY:
            raise NotPermitted("只有中介机构可以申请入驻")
        self._check_entry(data)
        entry, now = self.entry_of(org.id), self.clock()
        if entry is None:
            entry = Entry(org_id=org.id, status=E.REGISTERED, status_changed_at=now,
                          created_at=now)
            self.db.add(entry)
        elif entry.status not in (E.REGISTERED, E.RETURNED_FOR_CORRECTION):
            raise NotEditable("入驻申请已提交或已通过，不能修改")
        else:  # corrections replace the lists; delete the old rows before the new ones
            entry.practitioners.clear()
            entry.lines.clear()
            self.db.flush()
        for name in ("licence_number", "legal_representative", "registered_capital",
                     "business_scope", "address", "licence_valid_until"):
            setattr(entry, name, getattr(data, name))
        entry.practitioners = [Practitioner(name=p["name"], certificate=p.get("certificate", ""),
                                            social_insurance_months=p.get("social_insurance_months")
                                            or 0) for p in data.practitioners]
        entry.lines = [QualificationLine(
            service_type_id=int(line["service_type_id"]), certificate_no=line["certificate_no"],
            grade=line.get("grade", ""), valid_from=line["valid_from"],
            valid_until=line["valid_until"]) for line in data.lines]
        entry.commitment_signed_by, entry.commitment_signed_at = data.signed_by, now
        entry.commitment_sha256, entry.updated_at = COMMITMENT_SHA256, now
        self.db.flush()
        self._audit(actor, "intermediary.entry_saved", "im_entry", entry.id, org_id=org.id,
                    lines=len(entry.lines), practitioners=len(entry.practitioners))
        return entry

    def _check_entry(self, data: EntryInput) -> None:
        if not data.commitment or not data.signed_by.strip():
            raise EntryInvalid("须签署承诺书（勾选并填写签署人）", field="commitment")
        if not data.practitioners:
            raise EntryInvalid("至少填写一名执业人员", field="practitioners")
        if not data.lines:
            raise EntryInvalid("至少填写一条资质（每个服务类型一条）", field="lines")
        types = [int(line["service_type_id"]) for line in data.lines]
        if len(set(types)) != len(types):
            raise EntryInvalid("每个服务类型只能填写一条资质", field="lines")
        known = set(self.db.scalars(sa.select(ServiceType.id).where(ServiceType.id.in_(types))))
        if known != set(types):
            raise EntryInvalid("资质所属的服务类型不在服务清单中", field="lines")
        if any(line["valid_from"] > line["valid_until"] for line in data.lines):
            raise EntryInvalid("资质有效期的起始日不能晚于截止日", field="lines")
        if any(line["valid_until"] < self.today() for line in data.lines):
            raise EntryInvalid("资质证书已过期，请更新后再申请", field="lines")

    def submit_application(self, entry: Entry, *, actor: Actor) -> Entry:
        """提交入驻申请. Real-name verification (实名认证) is the organisation's credit code,
        checked by its check digit at account registration, matched with the licence."""
        if entry.status is E.REGISTERED:
            self._entry_to(entry, E.REAL_NAME_VERIFIED, actor, "统一社会信用代码已核验")
        if entry.status not in (E.REAL_NAME_VERIFIED, E.RETURNED_FOR_CORRECTION):
            raise NotEditable("入驻申请已提交")
        entry.submitted_at = self.clock()
        return self._entry_to(entry, E.ENTRY_SUBMITTED, actor, "")

    def approve_entry(self, entry: Entry, *, actor: Actor, reasons: str = "") -> Entry:
        """The center approves: the account is active and may register for purchases."""
        entry.review_reasons = reasons
        self._entry_to(entry, E.APPROVED, actor, reasons)
        self._notify(entry.org_id, "entry_approved", "入驻申请已审核通过，可以报名中介服务采购")
        return self._entry_to(entry, E.ACTIVE, actor, "")

    def return_entry(self, entry: Entry, *, reasons: str, actor: Actor) -> Entry:
        if not reasons.strip():
            raise EntryInvalid("退回时必须说明理由", field="reasons")
        entry.review_reasons = reasons
        self._notify(entry.org_id, "entry_returned", f"入驻申请被退回：{reasons[:400]}")
        return self._entry_to(entry, E.RETURNED_FOR_CORRECTION, actor, reasons)

    def change_entry_status(self, entry: Entry, *, action: str, reason: str,
                            actor: Actor) -> Entry:
        """The center suspends (暂停), reinstates (恢复) or removes (清退/退出) an entered
        intermediary, with the reason on record (rules §5.2 ACTIVE ⇄ SUSPENDED → EXITED)."""
        target = ENTRY_ACTIONS.get(action)
        if target is None:
            raise EntryInvalid("操作须为 suspend、reinstate 或 exit", field="action")
        if not reason.strip():
            raise EntryInvalid("请说明理由", field="reason")
        if target not in allowed_transitions(entry.status):
            raise NotEditable(f"入驻状态为“{ENTRY_LABELS[entry.status]}”，不能执行此操作")
        self._notify(entry.org_id, f"entry_{action}",
                     f"入驻状态变更为“{ENTRY_LABELS[target]}”：{reason.strip()[:400]}")
        return self._entry_to(entry, target, actor, reason.strip())

    def _entry_to(self, entry: Entry, target: EntryStatus, actor: Actor, reason: str) -> Entry:
        check_transition(entry.status, target)
        previous, entry.status = entry.status, target
        entry.status_changed_at = entry.updated_at = self.clock()
        self._audit(actor, "intermediary.entry_status_changed", "im_entry", entry.id,
                    **{"from": str(previous), "to": str(target), "reason": reason[:500]})
        registry_of(self.db).notify(EntryStatusChanged(self, entry, str(target)))
        return entry

    def _notify(self, org_id: int, kind: str, text: str) -> None:
        self.db.add(Notice(org_id=org_id, kind=kind, text=text[:500], created_at=self.clock()))

    def notices(self, org_id: int | None, limit: int = 20) -> list[Notice]:
        query = (sa.select(Notice).where(Notice.org_id == org_id)
                 .order_by(Notice.id.desc()).limit(limit))
        return list(self.db.scalars(query))

    def check_qualifications(self) -> tuple[int, int]:
        """Daily: notice lines expiring within 30 days, suspend lines that expired.

        Idempotent: each line is noticed once and suspended once. Returns (noticed,
        suspended).
        """
        today, actor = self.today(), Actor.system("qualification_expiry")
        soon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
        query = sa.select(QualificationLine).where(QualificationLine.suspended_at.is_(None),
                                                   QualificationLine.valid_until <= soon)
        noticed = suspended = 0
        for line in self.db.scalars(query):
            org_id, name = line.entry.org_id, line.service_type.name
            if line.valid_until < today:
                line.suspended_at = self.clock()
                self._notify(org_id, "line_suspended",
                             f"资质（{name}）已于 {line.valid_until} 过期，"
                             "该服务类型的报名资格已暂停")
                self._audit(actor, "intermediary.line_suspended", "im_entry", line.entry_id,
                            line_id=line.id, valid_until=line.valid_until.isoformat())
                suspended += 1
            elif line.expiry_notice_at is None:
                line.expiry_notice_at = self.clock()
                self._notify(org_id, "line_expiring",
                             f"资质（{name}）将于 {line.valid_until} 到期，"
                             "请及时更新，逾期将暂停报名")
                noticed += 1
        return noticed, suspended

    def renew_line(self, line: QualificationLine, *, certificate_no: str, valid_until: date,
                   actor: Actor) -> QualificationLine:
        """A renewed certificate (the intermediary's own line): new validity, active again."""
        if line.entry.org_id != actor.organisation_id:
            raise NotPermitted("只能更新本单位的资质")
        if not certificate_no.strip():
            raise EntryInvalid("请填写资质证书编号", field="certificate_no")
        if valid_until < self.today():
            raise EntryInvalid("新的有效期不能早于今天", field="valid_until")
        line.certificate_no, line.valid_until = certificate_no.strip()[:100], valid_until
        line.suspended_at = line.expiry_notice_at = None
        self._audit(actor, "intermediary.line_renewed", "im_entry", line.entry_id,
                    line_id=line.id, valid_until=valid_until.isoformat())
        return line

    # -- standing: credit and sanctions ---------------------------------------------------

    def _events(self, org_id: int) -> list[r.CreditEvent]:
        query = sa.select(CreditRecord).where(CreditRecord.org_id == org_id,
                                              CreditRecord.waived_at.is_(None))
        return [r.CreditEvent(org_ref(e.org_id), e.kind, e.occurred_on)
                for e in self.db.scalars(query)]

    def _ratings(self, org_id: int) -> list[r.Rating]:
        query = sa.select(ServiceRating).where(ServiceRating.org_id == org_id)
        return [rating_of(row) for row in self.db.scalars(query)]

    def credit_of(self, org_id: int) -> Decimal:
        """Credit score today: ratings of the look-back year minus bad-conduct penalties."""
        return r.credit_score(self._ratings(org_id), self._events(org_id), self.today(),
                              self.params)

    def sanction_of(self, org_id: int) -> r.Sanction | None:
        return r.sanction_in_force(self._events(org_id), self.today(), self.params)

    def standing(self, org_id: int) -> r.Intermediary:
        """The rules' view of one intermediary: entry status, active lines, sanctions."""
        entry, org = self.entry_of(org_id), self.db.get(Organisation, org_id)
        sanction = self.sanction_of(org_id)
        lines = tuple(r.QualificationLine(str(line.service_type_id), line.valid_from,
                                          _effective_until(line))
                      for line in (entry.lines if entry else ()))
        return r.Intermediary(
            org_ref(org_id), (org.credit_code or "") if org else "",
            entry.status if entry else E.REGISTERED, lines,
            blacklisted=bool(sanction and sanction.kind is r.SanctionKind.BLACKLIST),
            suspended_until=sanction.until if sanction and sanction.until else None)

    def record_credit_event(self, org: Organisation, *, kind: r.CreditEventKind, note: str,
                            actor: Actor, purchase: Purchase | None = None) -> CreditRecord:
        """不良行为记录 entered by the center (or by the platform for a decline); the
        sanction that follows (suspension, blacklist) is the rules' and applies at once."""
        if org.role is not Role.INTERMEDIARY:
            raise EntryInvalid("只能对中介机构记录不良行为", field="org_id")
        row = CreditRecord(org_id=org.id, kind=kind, occurred_on=self.today(),
                           purchase_id=purchase.id if purchase else None, note=note[:500],
                           recorded_at=self.clock(), recorded_by_id=actor.user_id)
        self.db.add(row)
        self.db.flush()
        self._audit(actor, "intermediary.credit_event", "organisation", org.id,
                    kind=str(kind), event_id=row.id, note=note[:500])
        sanction = self.sanction_of(org.id)
        if sanction is not None:
            until = sanction.until.isoformat() if sanction.until else "长期"
            self._notify(org.id, "sanction", f"因不良行为记录，暂停报名资格至 {until}")
        return row

    def waive_credit_event(self, event: CreditRecord, *, reason: str, actor: Actor) -> None:
        """The owner or the center accepts the reason of a decline: no credit consequence."""
        if not reason.strip():
            raise EntryInvalid("请说明接受理由", field="reason")
        if event.waived_at is not None:
            raise NotEditable("该记录已被撤销")
        event.waived_at, event.waived_reason = self.clock(), reason.strip()[:500]
        self._audit(actor, "intermediary.credit_event_waived", "organisation", event.org_id,
                    event_id=event.id, reason=event.waived_reason)

    # -- purchases: drafting, review, publication ----------------------------------------

    def create_purchase(self, owner: Organisation, data: PurchaseInput, *,
                        actor: Actor) -> Purchase:
        if owner.role is not Role.OWNER:
            raise NotPermitted("只有项目业主可以发布中介服务采购")
        self._check_purchase(data)
        now = self.clock()
        purchase = Purchase(number=secrets.token_hex(8), owner_org_id=owner.id,
                            created_by_id=actor.user_id, status=P.DRAFT, status_changed_at=now,
                            created_at=now, updated_at=now)
        self._apply(purchase, data)
        self.db.add(purchase)
        self.db.flush()
        purchase.number = f"ZJ-{now.year}-{purchase.id:06d}"
        self._audit(actor, "intermediary.purchase_drafted", "im_purchase", purchase.id,
                    title=purchase.title, method=str(purchase.method))
        return purchase

    def update_purchase(self, purchase: Purchase, data: PurchaseInput, *,
                        actor: Actor) -> Purchase:
        if purchase.status not in EDITABLE:
            raise NotEditable("采购公告已提交或已发布，不能修改")
        self._check_purchase(data)
        self._apply(purchase, data)
        purchase.updated_at = self.clock()
        self._audit(actor, "intermediary.purchase_edited", "im_purchase", purchase.id)
        return purchase

    def _apply(self, purchase: Purchase, data: PurchaseInput) -> None:
        for name in ("title", "project_name", "contact", "service_type_id", "content",
                     "time_limit", "qualification_requirements", "funding", "amount_mode",
                     "method", "registration_deadline", "selection_time", *TERM_FIELDS):
            setattr(purchase, name, getattr(data, name))
        term = data.service_term()  # checked by _check_purchase
        purchase.service_days, purchase.service_due_on = term.days, term.due_on
        purchase.service_working_days = term.working if term.days is not None else False
        purchase.time_limit = data.time_limit or r.describe_service_term(term)
        purchase.item_ids = list(data.item_ids)
        purchase.avoid = sorted(set(data.avoid))
        purchase.min_rate = None if data.min_rate is None else str(data.min_rate)
        purchase.max_rate = None if data.max_rate is None else str(data.max_rate)
        credit = data.method is M.CREDIT_BEST
        purchase.long_list_size = data.long_list_size if credit else None
        purchase.short_list_size = data.short_list_size if credit else None

    def _check_purchase(self, data: PurchaseInput) -> None:
        terms = terms_of(data)
        with rule_refusals():
            r.check_method_terms(data.method, terms)
            if data.method is M.DIRECT:
                r.check_direct_cap(terms, data.funding, self.params)
        service_type = self.db.get(ServiceType, data.service_type_id)
        if service_type is None:
            raise PurchaseInvalid("服务类型不在服务清单中", field="service_type_id")
        items = {i.id for i in service_type.items}
        if not data.item_ids or not set(data.item_ids) <= items:
            raise PurchaseInvalid("请选择该服务类型下的服务事项", field="item_ids")
        if data.selection_time < data.registration_deadline:
            raise PurchaseInvalid("选取时间不能早于报名截止时间", field="selection_time")
        with rule_refusals():
            term = r.check_service_term(data.service_term(), local_date(data.selection_time))
        said = r.parse_time_limit(data.time_limit)
        if said is not None and said != term:
            raise PurchaseInvalid("服务时限说明与所填服务天数或完成日期不一致", field="time_limit")
        if data.method is M.CREDIT_BEST:
            sizes = (data.long_list_size or 0, data.short_list_size or 0)
            if not 1 <= sizes[1] <= sizes[0]:
                raise PurchaseInvalid("信用择优须设置长名单和短名单数量（1 ≤ 短名单 ≤ 长名单）",
                                      field="short_list_size")

    def submit_purchase(self, purchase: Purchase, *, actor: Actor) -> Purchase:
        """Owner → the center's review (审核中)."""
        self._check_timeline(purchase)
        if purchase.status is P.RETURNED:
            self._to(purchase, P.DRAFT, actor, "业主修改后重新提交")
        return self._to(purchase, P.UNDER_REVIEW, actor, "")

    def _check_timeline(self, purchase: Purchase) -> None:
        """Registration stays open ≥ 3 working days (≥ 5 from 50 万), counted from today."""
        with rule_refusals(f"最早可于 {self._earliest_deadline(purchase)} 截止"):
            r.check_registration_period(self.today(), local_date(purchase.registration_deadline),
                                        terms_of(purchase), self.params, CALENDAR)

    def _earliest_deadline(self, purchase) -> date:
        return r.earliest_registration_deadline(self.today(), terms_of(purchase), self.params,
                                                CALENDAR)

    def approve_purchase(self, purchase: Purchase, *, actor: Actor, reasons: str = "") -> Purchase:
        """The center publishes the 采购公告: registration opens now."""
        self._check_timeline(purchase)
        purchase.review_reasons, purchase.published_at = reasons, self.clock()
        if purchase.method in QUOTE_METHODS:
            self._make_opening_key(purchase)
        return self._to(purchase, P.REGISTRATION, actor, reasons)

    def return_purchase(self, purchase: Purchase, *, reasons: str, actor: Actor) -> Purchase:
        if not reasons.strip():
            raise PurchaseInvalid("退回时必须说明理由", field="reasons")
        purchase.review_reasons = reasons
        return self._to(purchase, P.RETURNED, actor, reasons)

    def _make_opening_key(self, purchase: Purchase) -> None:
        """The purchase's opening key: quotes are sealed to it; the private key is kept
        under the KEK and used only at the selection time (the `auto` custody of bidding)."""
        private = generate_private_key()
        purchase.opening_public_key = private.public_key().to_json()
        purchase.opening_wrapped_key = wrap_private_key(self.keys.kek, private.to_bytes(),
                                                        purchase_ref(purchase))

    # -- the status machine -----------------------------------------------------------------

    def _to(self, purchase: Purchase, target: PurchaseStatus, actor: Actor,
            reason: str) -> Purchase:
        """The only writer of purchase.status: table check, audit row, next_check."""
        check_transition(purchase.status, target)
        previous, purchase.status = purchase.status, target
        purchase.status_changed_at = purchase.updated_at = self.clock()
        purchase.status_reason = reason[:500]
        self._audit(actor, "intermediary.purchase_status_changed", "im_purchase", purchase.id,
                    **{"from": str(previous), "to": str(target), "reason": reason[:500]})
        self.reschedule(purchase)
        registry_of(self.db).notify(PurchaseStatusChanged(self, purchase, str(target)))
        return purchase

    def reschedule(self, purchase: Purchase) -> None:
        purchase.next_check = self._next_check(purchase)
        chronograph.schedule(self.enqueue, "im_purchase", purchase.id, purchase.next_check)

    @staticmethod
    def _next_check(purchase: Purchase) -> datetime | None:
        if purchase.status is P.REGISTRATION:
            return purchase.registration_deadline
        if purchase.status in (P.BIDDING, P.SELECTING):
            return purchase.selection_time
        if purchase.status is P.SELECTED:
            return purchase.confirm_deadline
        return None

    def advance(self, purchase: Purchase) -> datetime | None:
        """Run what is due at the clock's now; safe early, late or twice."""
        now, actor = self.clock(), Actor.system("advance_purchase")
        if purchase.status is P.REGISTRATION and now >= purchase.registration_deadline:
            self._close_registration(purchase, actor)
        if purchase.status is P.BIDDING and now >= purchase.selection_time:
            self._open_quotes(purchase, actor)
        if purchase.status is P.SELECTING and now >= purchase.selection_time:
            self._select(purchase, actor)
        if (purchase.status is P.SELECTED and purchase.confirm_deadline
                and now > purchase.confirm_deadline):
            self._decline(purchase, self._winner_registration(purchase), "逾期未确认中选",
                          actor, lapsed=True)
        purchase.next_check = self._next_check(purchase)
        return purchase.next_check

    # -- registration (报名) and quotes ---------------------------------------------------

    def registration_of(self, purchase: Purchase, org_id: int | None) -> Registration | None:
        return next((g for g in purchase.registrations if g.org_id == org_id), None)

    def register(self, purchase: Purchase, *, user: User, actor: Actor) -> Registration:
        """报名: qualified, active, not avoided, not sanctioned, before the deadline."""
        if purchase.status is not P.REGISTRATION:
            raise WrongStage("该采购当前不接受报名")
        if user.role is not Role.INTERMEDIARY or not user.organisation_id:
            raise NotPermitted("只有中介机构可以报名")
        if self.registration_of(purchase, user.organisation_id):
            raise AlreadyRegistered("贵单位已报名该采购")
        now = self.clock()
        refusal = r.registration_refusal(
            self.standing(user.organisation_id), str(purchase.service_type_id),
            frozenset(purchase.avoid), registered_at=now,
            deadline=purchase.registration_deadline, on=local_date(now))
        if refusal is not None:
            raise RegistrationRefused(REFUSAL_TEXT[refusal.reason], code=str(refusal.reason))
        reg = Registration(purchase_id=purchase.id, org_id=user.organisation_id,
                           user_id=user.id, registered_at=now)
        purchase.registrations.append(reg)
        self.db.flush()
        # Who registered is the center's to see until the deadline (hidden counts).
        self._audit(actor, "intermediary.registered", "im_purchase", purchase.id,
                    org_id=user.organisation_id)
        # The pool's entry, logged now: the frozen list must name it (issue #17 pt 4).
        logset.append(self.db, pool_key(purchase), org_ref(user.organisation_id), logset.IN,
                      now=now, cause="registered")
        return reg

    def registration_promise(self, purchase: Purchase, org_id: int) -> dict | None:
        """The log's signed promise to merge this registrant's pool entry (leaf hash, time,
        maximum merge delay), like a bid receipt's: with it the registrant proves a
        registration the frozen pool leaves out (`python -m bid_crypto verify-set
        pool.json --promise`). None without a logged registration."""
        rows = self.db.scalars(sa.select(AuditEvent).where(
            AuditEvent.subject_type == logset.SUBJECT,
            AuditEvent.subject_id == pool_key(purchase),
            AuditEvent.action == logset.ACTION).order_by(AuditEvent.seq.desc()))
        mine = next((e for e in rows if e.data.get("member") == org_ref(org_id)
                     and e.data.get("cause") == "registered"), None)
        if mine is None:
            return None
        doc = promise_doc(self.db, self.keys, registry_of(self.db).settings, mine.seq, mine)
        return {**doc, "set": pool_key(purchase), "member": org_ref(org_id)}

    def counts_visible_to(self, purchase: Purchase, user: User | None) -> bool:
        """Registrants and their number are hidden from all but the center until the
        registration deadline, so nobody can gauge or steer the competition."""
        if user is not None and user.role is Role.CENTER:
            return True
        return self.clock() >= purchase.registration_deadline

    def submit_envelope(self, purchase: Purchase, *, user: User, stream: BinaryIO,
                        actor: Actor) -> Registration:
        """A sealed quote (and plan) during the bidding period; the last one counts.

        Sealed on the intermediary's side (the quote page's tbid.js, the offline sealing
        page or `python -m bid_crypto seal`) to the purchase's opening key: the platform
        never receives a quote in clear, so the bounds are checked when the quotes are
        opened at the selection time (`_open_quotes`).
        """
        if purchase.status is not P.BIDDING or self.clock() >= purchase.selection_time:
            raise WrongStage("当前不在报价期内（报名截止后至选取时间前）")
        reg = self.registration_of(purchase, user.organisation_id)
        if reg is None:
            raise NotRegistered("报名后才能报价")
        header = read_sealed_header(stream, QUOTE_LIMIT)
        check_header(header, {"project": purchase_ref(purchase), "lot": QUOTE_LOT,
                              "bidder": org_ref(reg.org_id)},
                     PublicKey.from_json(purchase.opening_public_key), "auto",
                     key_label="本采购的报价公钥")
        stream.seek(0)
        info = scan_sealed(stream)
        stream.seek(0)
        stored = self.storage.put(stream, max_bytes=QUOTE_LIMIT)
        if stored.sha256 != info.sha256:
            raise PurchaseInvalid("上传过程中文件发生变化，请重新提交", field="envelope")
        reg.quote_sha256, reg.quoted_at = stored.sha256, self.clock()
        self._audit(actor, "intermediary.quoted", "im_purchase", purchase.id,
                    org_id=reg.org_id, sha256=stored.sha256)
        return reg

    def _opened_quote(self, purchase: Purchase, offer: dict) -> tuple[int, str]:
        """The price in 分 and the quote as typed, checked as the form once checked them;
        a quote out of bounds or inconsistent counts as no quote (QuoteRefused)."""
        extra = offer.get("extra") or {}
        typed = str(extra.get("quote", ""))
        try:
            if purchase.amount_mode is r.AmountMode.FIXED:
                value = None
            elif purchase.amount_mode is r.AmountMode.DISCOUNT_RATE:
                value = Decimal(typed)
            else:
                value = int(typed)
        except (ValueError, ArithmeticError):
            raise QuoteRefused("报价格式错误") from None
        try:
            price = r.quote_price(terms_of(purchase), value)
        except r.RuleError:
            raise QuoteRefused(self._bounds_text(purchase)) from None
        if offer.get("total_price") != price:
            raise QuoteRefused("报价金额与所报数值不符")
        if purchase.method is M.PLAN_BEST and not str(offer.get("remarks", "")).strip():
            raise QuoteRefused("方案择优须填写服务方案")
        return price, typed

    @staticmethod
    def _bounds_text(purchase: Purchase) -> str:
        if purchase.amount_mode is r.AmountMode.DISCOUNT_RATE:
            return f"下浮率须在 {purchase.min_rate}% 至 {purchase.max_rate}% 之间"
        if purchase.amount_mode is r.AmountMode.RANGE:
            low, high = format_yuan(purchase.base_fen), format_yuan(purchase.highest_fen)
            return f"报价须在 {low} 至 {high} 元之间"
        return "固定金额项目无须报价"

    # -- selection --------------------------------------------------------------------------

    def _candidates(self, purchase: Purchase) -> r.CandidateList:
        """Every registrant re-checked on the closing date; the eligible ones, by id."""
        registrants = [self.standing(g.org_id) for g in purchase.registrations]
        return r.build_candidates(registrants, str(purchase.service_type_id),
                                  frozenset(purchase.avoid), self.today())

    def _close_registration(self, purchase: Purchase, actor: Actor) -> None:
        """At the registration deadline: freeze who may take part, or fail (流标)."""
        candidates = self._candidates(purchase)
        purchase.candidate_ids = list(candidates.ids)
        self._log_exclusions(purchase, candidates)
        shortfall = r.registrant_shortfall(len(candidates.ids), purchase.method,
                                           purchase.funding, self.params)
        if shortfall:
            return self._fail(purchase, shortfall, actor)
        if purchase.method in QUOTE_METHODS:
            if purchase.method is M.BEST_PRICE:
                self._freeze_draw(purchase, r.coefficient_draw(self.params), actor,
                                  "从 {95,96,97,98}% 中等概率抽取1个下浮系数")
            self._to(purchase, P.BIDDING, actor, "报名截止，进入报价期")
            return None
        self._to(purchase, P.SELECTING, actor, "报名截止，等待选取")
        if purchase.method is M.RANDOM:
            with rule_refusals():
                needs = r.random_selection(candidates, purchase.funding, self.params)
            self._freeze_draw(purchase, needs, actor, RULE_TEXT[M.RANDOM])
        elif purchase.method is M.CREDIT_BEST:
            self._credit_short_list(purchase, candidates.ids, frozenset(), actor)
        return None

    def _log_exclusions(self, purchase: Purchase, candidates: r.CandidateList) -> None:
        """A registrant the closing-date re-check excludes (sanction, expired line, 回避)
        leaves the pool by an entry of its own, with the reason, before the freeze."""
        if not logset.exists(self.db, pool_key(purchase)):
            return  # registered before the pool was logged: nothing to leave
        for ident, refusal in candidates.excluded:
            logset.append(self.db, pool_key(purchase), ident, logset.OUT, now=self.clock(),
                          cause=str(refusal.reason))

    def _freeze_draw(self, purchase, needs: r.NeedsLottery, actor, rule: str):
        """Freeze and commit now; the reveal happens at the selection time. The random
        selection's list is the registration pool as logged (issue #17 pt 4)."""
        names = self._names(purchase)
        candidates = [{**c, "label": names.get(c["id"], c["id"])}
                      for c in needs.draw_candidates()]
        pooled = (needs.purpose is r.IntermediaryDrawPurpose.RANDOM_SELECTION
                  and logset.exists(self.db, pool_key(purchase)))
        draw = self.draws.freeze(purpose=str(needs.purpose), subject_type="intermediary_purchase",
                                 subject_id=purchase.number, candidates=candidates,
                                 count=needs.count, rule=rule, actor=actor,
                                 log_set=pool_key(purchase) if pooled else None)
        self.draws.commit(draw, actor=actor)
        return draw

    def _names(self, purchase: Purchase) -> dict[str, str]:
        return {org_ref(g.org_id): g.organisation.name for g in purchase.registrations}

    def draws_of(self, purchase: Purchase,
                 purpose: r.IntermediaryDrawPurpose | None = None) -> list:
        found = self.draws.draws_for("intermediary_purchase", purchase.number)
        return [d for d in found if purpose is None or d.purpose == str(purpose)]

    def _draw(self, purchase, purpose):
        found = self.draws_of(purchase, purpose)
        return found[-1] if found else None

    def _revealed(self, purchase, purpose, actor):
        draw = self._draw(purchase, purpose)
        if draw is not None and draw.status != "revealed":
            self.draws.reveal(draw, actor=actor)
        return draw

    def _open_quotes(self, purchase: Purchase, actor: Actor) -> None:
        """At the selection time: open every sealed quote in one pass (开标). A quote that
        does not open, or breaks the purchase's bounds, counts as none; the audit row
        names it and why."""
        private = PrivateKey.from_bytes(unwrap_private_key(
            self.keys.kek, purchase.opening_wrapped_key, purchase_ref(purchase)))
        refused = {}
        for reg in purchase.registrations:
            if reg.quote_sha256 and reg.price_fen is None:
                try:
                    with self.storage.open(reg.quote_sha256) as src:
                        opened = read_bid(src, private, lambda name: io.BytesIO(),
                                          project=purchase_ref(purchase), lot=QUOTE_LOT,
                                          bidder=org_ref(reg.org_id))
                    price, typed = self._opened_quote(purchase, opened.offer)
                except (BidCryptoError, QuoteRefused) as error:
                    refused[org_ref(reg.org_id)] = str(error)[:200]
                    continue
                reg.price_fen, reg.quote_value = price, typed or None
                reg.plan = opened.offer.get("remarks", "")
        self._audit(actor, "intermediary.quotes_opened", "im_purchase", purchase.id,
                    quotes=sum(1 for g in purchase.registrations if g.price_fen is not None),
                    refused=refused)
        self._to(purchase, P.SELECTING, actor, "报价期结束，报价已开启")

    def _declined(self, purchase: Purchase) -> frozenset[str]:
        return frozenset(org_ref(g.org_id) for g in purchase.registrations if g.declined_at)

    def _quotes(self, purchase: Purchase) -> list[r.Quote]:
        eligible = set(purchase.candidate_ids)
        return [r.Quote(org_ref(g.org_id), g.price_fen) for g in purchase.registrations
                if g.price_fen is not None and org_ref(g.org_id) in eligible]

    def _select(self, purchase: Purchase, actor: Actor) -> None:
        """Run the purchase's method: Selected, the owner's choice, or a failure (流标)."""
        outcome = SELECTORS[purchase.method](self, purchase, actor)
        if isinstance(outcome, r.Failed):
            return self._fail(purchase, outcome, actor)
        self._to(purchase, P.SELECTION_START, actor, "开始选取")
        return self._settle(purchase, outcome, actor)

    def _settle(self, purchase: Purchase, outcome, actor: Actor) -> None:
        if isinstance(outcome, r.Selected):
            self._selected(purchase, outcome, actor)
        else:  # the owner chooses (direct, credit-best, plan-best)
            self._to(purchase, P.WAIT_CHOOSE, actor, "等待业主选定")

    def _select_random(self, purchase: Purchase, actor: Actor):
        draw = self._revealed(purchase, r.IntermediaryDrawPurpose.RANDOM_SELECTION, actor)
        needs = self._random_needs(purchase, ())
        return r.selected_by_lottery(needs, draw.result, M.RANDOM)

    def _random_needs(self, purchase, already: Sequence[str]):
        candidates = r.CandidateList(tuple(r.Candidate(i) for i in purchase.candidate_ids), ())
        with rule_refusals():
            return r.random_selection(candidates, purchase.funding, self.params, already)

    def _select_lowest(self, purchase: Purchase, actor: Actor):
        outcome = r.lowest_price(self._quotes(purchase), purchase.funding, self.params,
                                 self._declined(purchase))
        return self._tie(purchase, outcome, M.LOWEST_PRICE, actor)

    def _select_best(self, purchase: Purchase, actor: Actor):
        if purchase.coefficient_percent is None:
            draw = self._revealed(purchase, r.IntermediaryDrawPurpose.BEST_PRICE_COEFFICIENT, actor)
            purchase.coefficient_percent = int(draw.result[0])
        drawn: list[list[str]] = []
        while True:  # at most: which equal extreme stays counted, then the tie itself
            outcome = r.best_price(self._quotes(purchase), purchase.coefficient_percent,
                                   purchase.funding, self.params, self._declined(purchase),
                                   drawn)
            if not isinstance(outcome, r.NeedsLottery):
                return outcome
            drawn.append(self._tie_order(purchase, outcome, actor)[:outcome.count])

    def _tie(self, purchase, outcome, method, actor):
        """Equal prices: an immediate tie-break draw, on record like every other."""
        if not isinstance(outcome, r.NeedsLottery):
            return outcome
        return r.selected_by_lottery(outcome, self._tie_order(purchase, outcome, actor)[:1],
                                     method)

    def _tie_order(self, purchase, outcome, actor) -> list[str]:
        names = self._names(purchase)
        return self.draws.break_tie(
            candidates=[{**c, "label": names.get(c["id"], c["id"])}
                        for c in outcome.draw_candidates()],
            purpose=str(outcome.purpose), subject_type="intermediary_purchase",
            subject_id=purchase.number, actor=actor)

    def _select_owner_choice(self, purchase: Purchase, actor: Actor):
        """Direct and plan-best wait for the owner once enough took part."""
        count = (len(self._live_quotes(purchase)) if purchase.method is M.PLAN_BEST
                 else len(set(purchase.candidate_ids) - self._declined(purchase)))
        return r.registrant_shortfall(count, purchase.method, purchase.funding, self.params)

    def _live_quotes(self, purchase):
        declined = self._declined(purchase)
        return [q for q in self._quotes(purchase) if q.intermediary_id not in declined]

    def _select_credit(self, purchase: Purchase, actor: Actor):
        draw = self._revealed(purchase, r.IntermediaryDrawPurpose.CREDIT_SHORT_LIST, actor)
        if draw is not None and not purchase.short_list:
            purchase.short_list = sorted(draw.result)
        return None if purchase.short_list else r.registrant_shortfall(
            0, M.CREDIT_BEST, purchase.funding, self.params)

    def _credit_short_list(self, purchase, ids, declined, actor, reveal=False):
        entries = [r.CreditEntry(i, self.credit_of(int(i))) for i in ids]
        with rule_refusals():
            outcome = r.credit_best_short_list(entries, purchase.long_list_size,
                                               purchase.short_list_size, purchase.funding,
                                               self.params, declined)
        purchase.selection_evidence = {**(purchase.selection_evidence or {}), "credit": {
            e.intermediary_id: str(e.credit_score) for e in entries}}
        if isinstance(outcome, r.ShortList):
            purchase.short_list = list(outcome.ids)
        elif isinstance(outcome, r.NeedsLottery):
            draw = self._freeze_draw(purchase, outcome, actor, RULE_TEXT[M.CREDIT_BEST])
            if reveal:
                self.draws.reveal(draw, actor=actor)
                purchase.short_list = sorted(draw.result)
        return outcome

    def choose(self, purchase: Purchase, *, org_id: int, reasons: str, actor: Actor) -> Purchase:
        """The owner's pick: direct (justified, under the cap), from the credit short list,
        or the best plan (with the reasons of the comparison)."""
        if purchase.status is not P.WAIT_CHOOSE:
            raise WrongStage("当前不在业主选定阶段")
        picked, declined = org_ref(org_id), self._declined(purchase)
        with rule_refusals():
            if purchase.method is M.DIRECT:
                live = tuple(r.Candidate(i) for i in purchase.candidate_ids if i not in declined)
                outcome = r.direct_selection(terms_of(purchase), picked, reasons,
                                             r.CandidateList(live, ()), purchase.funding,
                                             self.params)
            elif purchase.method is M.CREDIT_BEST:
                short = r.ShortList(tuple(purchase.short_list), tuple(purchase.candidate_ids))
                outcome = r.pick_from_short_list(short, picked, declined)
                if not reasons.strip():
                    raise r.MissingJustification("reasons", field="reasons")
            else:
                outcome = r.plan_best_pick(self._quotes(purchase), picked, reasons,
                                           purchase.funding, self.params, declined)
        if isinstance(outcome, r.Failed):
            self._fail(purchase, outcome, actor)
            return purchase
        outcome = r.Selected(outcome.winner_id, outcome.method,
                             (*outcome.evidence, ("reasons", reasons.strip())))
        self._selected(purchase, outcome, actor)
        return purchase

    def _selected(self, purchase: Purchase, outcome: r.Selected, actor: Actor) -> None:
        """中选: publish the result; the intermediary confirms within the window."""
        now = self.clock()
        purchase.selected_org_id, purchase.selected_at = int(outcome.winner_id), now
        due = r.add_working_days(local_date(now), self.params.confirm_working_days, CALENDAR)
        purchase.confirm_deadline = datetime.combine(due, datetime.max.time(),
                                                     DISPLAY_TZ).replace(microsecond=0)
        history = list((purchase.selection_evidence or {}).get("history", []))
        history.append({"winner": outcome.winner_id, "method": str(outcome.method),
                        "at": now.isoformat(), "evidence": dict(outcome.evidence)})
        purchase.selection_evidence = {**(purchase.selection_evidence or {}),
                                       "history": history}
        self._notify(purchase.selected_org_id, "selected",
                     f"贵单位在“{purchase.title}”中选，请在 {due} 前确认或放弃")
        self._to(purchase, P.SELECTED, actor, f"中选：{outcome.winner_id}")
        self._publish_result(purchase, actor)

    def _publish_result(self, purchase: Purchase, actor: Actor) -> None:
        """中选结果公示: its text, signed by the platform as it is published."""
        winner = self.db.get(Organisation, purchase.selected_org_id)
        at = purchase.selected_at.astimezone(DISPLAY_TZ)
        body = (f"{purchase.title}（采购编号 {purchase.number}）中选结果公示。\n"
                f"项目名称：{purchase.project_name}\n中选中介机构：{winner.name}\n"
                f"选取时间：{at:%Y-%m-%d %H:%M}（北京时间）")
        notice, signed = publish_notice(
            self.db, self.keys, subject="intermediaries", subject_id=purchase.id,
            number=purchase.number, title=f"{purchase.title}中选结果公示", body=body,
            published_at=self.clock())
        self._audit(actor, "intermediary.purchase_result_published", "im_purchase", purchase.id,
                    notice=notice.id, algorithm=notice.signing_algorithm, signed_sha256=signed)

    def _fail(self, purchase: Purchase, failed: r.Failed, actor: Actor) -> None:
        """流标: the purchase expires and is announced again as a new purchase."""
        needed = r.minimum_registrants(purchase.method, purchase.funding, self.params)
        self._to(purchase, P.EXPIRED, actor, f"{FAILURE_TEXT}（本采购至少需 {needed} 家；"
                                             f"{failed.detail}）")
        if failed.republish:
            self._republish(purchase, actor)

    def _republish(self, old: Purchase, actor: Actor) -> Purchase:
        """重新发布: same terms, the same registration and selection periods from now."""
        now = self.clock()
        period = old.registration_deadline - (old.published_at or old.created_at)
        copy = Purchase(number=secrets.token_hex(8), owner_org_id=old.owner_org_id,
                        created_by_id=old.created_by_id, status=P.REGISTRATION,
                        status_changed_at=now, created_at=now, updated_at=now,
                        published_at=now, republished_from_id=old.id,
                        registration_deadline=now + period,
                        selection_time=now + period + (old.selection_time
                                                       - old.registration_deadline))
        for name in ("title", "project_name", "contact", "service_type_id", "item_ids",
                     "content", "time_limit", "service_days", "service_working_days",
                     "service_due_on", "qualification_requirements", "funding",
                     "amount_mode", "method", "long_list_size", "short_list_size", "avoid",
                     "min_rate", "max_rate", *TERM_FIELDS):
            setattr(copy, name, getattr(old, name))
        self.db.add(copy)
        self.db.flush()
        copy.number = f"ZJ-{now.year}-{copy.id:06d}"
        if copy.method in QUOTE_METHODS:
            self._make_opening_key(copy)
        self._audit(actor, "intermediary.purchase_republished", "im_purchase", copy.id,
                    republished_from=old.id)
        self.reschedule(copy)
        return copy

    # -- after selection: confirm, decline, contract, result, rating ---------------------

    def _winner_registration(self, purchase: Purchase) -> Registration:
        return self.registration_of(purchase, purchase.selected_org_id)

    def _check_winner(self, purchase: Purchase, user: User) -> Registration:
        if purchase.status is not P.SELECTED:
            raise WrongStage("当前没有待确认的中选结果")
        if user.organisation_id != purchase.selected_org_id:
            raise NotSelected("贵单位不是中选机构")
        return self._winner_registration(purchase)

    def confirm(self, purchase: Purchase, *, user: User, actor: Actor) -> Purchase:
        self._check_winner(purchase, user)
        with rule_refusals():
            r.check_decline_time(self.clock(), purchase.confirm_deadline)
        return self._to(purchase, P.CONTRACT_UPLOAD, actor, "中选机构已确认")

    def decline(self, purchase: Purchase, *, user: User, reason: str, actor: Actor) -> Purchase:
        """放弃中选 before the confirmation deadline; re-selects by the same method."""
        reg = self._check_winner(purchase, user)
        if not reason.strip():
            raise PurchaseInvalid("请填写放弃原因", field="reason")
        with rule_refusals():
            r.check_decline_time(self.clock(), purchase.confirm_deadline)
        self._decline(purchase, reg, reason.strip()[:500], actor)
        return purchase

    def _decline(self, purchase, reg: Registration, reason: str, actor, lapsed=False) -> None:
        reg.declined_at, reg.decline_reason = self.clock(), reason
        event = r.decline_credit_event(org_ref(reg.org_id), self.today(), reason_accepted=False)
        self.record_credit_event(reg.organisation, kind=event.kind, purchase=purchase,
                                 note=f"{purchase.number} 放弃中选：{reason}", actor=actor)
        self._audit(actor, "intermediary.declined", "im_purchase", purchase.id,
                    org_id=reg.org_id, reason=reason, lapsed=lapsed)
        purchase.selected_org_id = purchase.confirm_deadline = None
        self._reselect(purchase, reg, reason, actor)

    def _reselect(self, purchase: Purchase, reg: Registration, reason: str, actor) -> None:
        """Exclude the decliner and run the same method on the rest (rules §5.5)."""
        if purchase.method is M.RANDOM:
            draw = self._draw(purchase, r.IntermediaryDrawPurpose.RANDOM_SELECTION)
            needs = self._random_needs(purchase, draw.drawn)
            if isinstance(needs, r.Failed):
                return self._fail(purchase, needs, actor)
            self._to(purchase, P.SELECTION_START, actor, "中选机构放弃，递补抽取")
            picked = self.draws.redraw_after_decline(draw, declined_ids=[org_ref(reg.org_id)],
                                                     reason=reason, count=1, actor=actor)
            return self._selected(purchase, r.selected_by_lottery(needs, picked, M.RANDOM),
                                  actor)
        if purchase.method in (M.LOWEST_PRICE, M.BEST_PRICE):
            outcome = SELECTORS[purchase.method](self, purchase, actor)
            if isinstance(outcome, r.Failed):
                return self._fail(purchase, outcome, actor)
            self._to(purchase, P.SELECTION_START, actor, "中选机构放弃，重新选取")
            return self._settle(purchase, outcome, actor)
        if purchase.method is M.CREDIT_BEST and set(purchase.short_list) <= \
                self._declined(purchase):
            outcome = self._credit_short_list(purchase, purchase.candidate_ids,
                                              self._declined(purchase), actor, reveal=True)
            if isinstance(outcome, r.Failed):
                return self._fail(purchase, outcome, actor)
        if purchase.method is not M.CREDIT_BEST:
            shortfall = self._select_owner_choice(purchase, actor)
            if shortfall:
                return self._fail(purchase, shortfall, actor)
        self._to(purchase, P.WAIT_CHOOSE, actor, "中选机构放弃，业主重新选定")
        return None

    def _store(self, purchase, kind, filename, content_type, stream, actor) -> PurchaseDocument:
        stored = self.storage.put(stream)
        doc = PurchaseDocument(purchase_id=purchase.id, kind=kind,
                               filename=safe_filename(filename),
                               content_type=sniff_file(self.storage.path_for(stored.sha256)),
                               sha256=stored.sha256, size=stored.size, uploaded_at=self.clock(),
                               uploaded_by_id=actor.user_id)
        purchase.documents.append(doc)
        self.db.flush()
        self._audit(actor, f"intermediary.{kind}_uploaded", "im_purchase", purchase.id,
                    document_id=doc.id, sha256=stored.sha256, size=stored.size)
        return doc

    def _check_provider(self, purchase: Purchase, user: User, stage: PurchaseStatus) -> None:
        if purchase.status is not stage:
            raise WrongStage("当前阶段不能进行此操作")
        if user.organisation_id != purchase.selected_org_id:
            raise NotSelected("只有中选机构可以上传")

    def upload_contract(self, purchase: Purchase, *, user: User, filename: str,
                        content_type: str, stream: BinaryIO, actor: Actor) -> PurchaseDocument:
        """合同上传 (online-signed scan); the owner then confirms it is valid."""
        self._check_provider(purchase, user, P.CONTRACT_UPLOAD)
        doc = self._store(purchase, "contract", filename, content_type, stream, actor)
        self._to(purchase, P.CONTRACT_CONFIRM, actor, "合同已上传，待业主确认")
        return doc

    def review_contract(self, purchase: Purchase, *, valid: bool, reason: str,
                        actor: Actor) -> Purchase:
        if purchase.status is not P.CONTRACT_CONFIRM:
            raise WrongStage("没有待确认的合同")
        if not valid and not reason.strip():
            raise PurchaseInvalid("合同无效时须说明理由", field="reason")
        doc = [d for d in purchase.documents if d.kind == "contract"][-1]
        doc.verdict, doc.verdict_reason = ("accepted" if valid else "rejected"), reason[:500]
        if valid:
            purchase.service_started_at = self.clock()
            return self._to(purchase, P.SERVICE_IN_PROGRESS, actor, "合同有效，服务开始")
        return self._to(purchase, P.CONTRACT_UPLOAD, actor, f"合同无效：{reason}")

    def upload_result(self, purchase: Purchase, *, user: User, filename: str,
                      content_type: str, stream: BinaryIO, actor: Actor) -> PurchaseDocument:
        """服务成果上传 by the intermediary."""
        self._check_provider(purchase, user, P.SERVICE_IN_PROGRESS)
        doc = self._store(purchase, "result", filename, content_type, stream, actor)
        self._to(purchase, P.SERVICE_RESULT_UPLOADED, actor, "服务成果已上传")
        return doc

    def accept_result(self, purchase: Purchase, *, actor: Actor) -> Purchase:
        """The owner confirms receipt: the service is complete; the rating window opens."""
        if purchase.status is not P.SERVICE_RESULT_UPLOADED:
            raise WrongStage("没有待确认的服务成果")
        purchase.completed_at = self.clock()
        return self._to(purchase, P.SERVICE_FINISHED, actor, "业主确认服务成果，服务完成")

    def service_due(self, purchase: Purchase) -> date | None:
        """The last day of the service, once it started (None before, or no limit)."""
        return service_due_of(purchase)

    def rating_due(self, purchase: Purchase) -> date | None:
        if purchase.completed_at is None:
            return None
        return r.rating_due(local_date(purchase.completed_at), self.params, CALENDAR)

    def rate(self, purchase: Purchase, *, scores: dict, comment: str,
             actor: Actor) -> ServiceRating:
        """服务评价: every dimension on its scale, within `eval_working_days`."""
        if purchase.status is not P.SERVICE_FINISHED:
            raise WrongStage("服务完成后才能评价，且只能评价一次")
        rating = r.Rating(local_date(purchase.completed_at), self.today(),
                          tuple((r.RatingDimension(k), v) for k, v in scores.items()))
        with rule_refusals(f"评价截止日为 {self.rating_due(purchase)}"):
            r.validate_rating(rating, self.params, CALENDAR)
        row = ServiceRating(purchase_id=purchase.id, org_id=purchase.selected_org_id,
                            score=str(r.rating_score(rating, self.params)), comment=comment[:1000],
                            completed_on=rating.completed_on, rated_on=rating.rated_on,
                            rated_by_id=actor.user_id, **{str(k): v for k, v in rating.scores})
        self.db.add(row)
        self.db.flush()
        self._audit(actor, "intermediary.rated", "im_purchase", purchase.id,
                    org_id=row.org_id, score=row.score)
        self._to(purchase, P.EVALUATED, actor, "业主已评价")
        return row

    def terminate(self, purchase: Purchase, *, reason: str, actor: Actor) -> Purchase:
        """服务中止 / 撤销: any non-final purchase, with the reason on record."""
        if not reason.strip():
            raise PurchaseInvalid("终止须说明理由", field="reason")
        target = P.INVALID if purchase.status in EDITABLE else P.TERMINATED
        return self._to(purchase, target, actor, reason.strip())


def _effective_until(line: QualificationLine) -> date:
    """A suspended line counts as expired the day before its suspension."""
    if line.suspended_at is None:
        return line.valid_until
    return min(line.valid_until, local_date(line.suspended_at) - timedelta(days=1))


def rating_of(row: ServiceRating) -> r.Rating:
    return r.Rating(row.completed_on, row.rated_on,
                    tuple((d, getattr(row, str(d))) for d in r.RatingDimension))


ENTRY_ACTIONS = {"suspend": E.SUSPENDED, "reinstate": E.ACTIVE, "exit": E.EXITED}
ENTRY_LABELS = {E.REGISTERED: "未提交", E.REAL_NAME_VERIFIED: "已实名认证",
                E.ENTRY_SUBMITTED: "待审核", E.APPROVED: "审核通过",
                E.RETURNED_FOR_CORRECTION: "退回修改", E.ACTIVE: "已入驻", E.SUSPENDED: "暂停",
                E.EXITED: "已退出"}
FAILURE_TEXT = "报名或有效报价不足，采购失败并自动重新发布"
REFUSAL_TEXT = {
    r.RefusalReason.REGISTRATION_CLOSED: "报名已截止",
    r.RefusalReason.BLACKLISTED: "贵单位已被清退并列入黑名单，不能报名",
    r.RefusalReason.SUSPENDED: "贵单位的报名资格处于暂停期，不能报名",
    r.RefusalReason.NOT_ACTIVE: "贵单位尚未完成入驻（须经交易中心审核通过），不能报名",
    r.RefusalReason.AVOIDANCE: "贵单位在该采购的回避单位名单中，不能报名",
    r.RefusalReason.NO_QUALIFICATION: "贵单位没有该服务类型的有效资质，不能报名",
    r.RefusalReason.QUALIFICATION_NOT_YET_VALID: "贵单位该服务类型的资质尚未生效，不能报名",
    r.RefusalReason.QUALIFICATION_EXPIRED: "贵单位该服务类型的资质已过期或已暂停，不能报名",
}
SELECTORS = {
    M.RANDOM: IntermediaryService._select_random,
    M.LOWEST_PRICE: IntermediaryService._select_lowest,
    M.BEST_PRICE: IntermediaryService._select_best,
    M.DIRECT: IntermediaryService._select_owner_choice,
    M.CREDIT_BEST: IntermediaryService._select_credit,
    M.PLAN_BEST: IntermediaryService._select_owner_choice,
}


def intermediary_service_factory(context, request) -> IntermediaryService:
    return IntermediaryService(request.dbsession, request.clock, request.registry["keys"],
                               request.storage, request.enqueue)
