"""SmallWorksService: the registry (入库, review, suspension, exit), small-works projects
and their allocation through `DrawService`, declines, completion and credit.

The pure rules (`rules`, `status`) decide; this module loads their inputs, runs the draws,
writes the rows and the audit events in the caller's transaction. Every check runs before
the first change, so a refused step changes nothing.
"""

import functools
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from bid_crypto import (
    BidCryptoError,
    PrivateKey,
    PublicKey,
    envelope_sha256,
    generate_private_key,
    open_stream,
    seal_stream,
    unwrap_private_key,
    wrap_private_key,
)

from ..accounts.models import Organisation
from ..actor import Actor
from ..audit import logset
from ..audit.service import record as audit_record
from ..db import registry_of
from ..draws import lottery
from ..draws.engine import cyclic_gc_paused
from ..draws.models import Draw
from ..draws.services import DrawService
from ..forms import format_yuan
from ..i18n import DISPLAY_TZ, N_
from ..notices import publish as publish_notice
from ..projects.kinds import ProcurementMethod, Regime
from ..projects.models import RuleProfile
from ..projects.profiles import add_profile_version, latest_profile
from ..projects.service import safe_filename
from ..storage import FileStorage, FileTooLarge, StoredFile
from . import rules
from .errors import (
    ApplicationInvalid,
    AtOrAboveThreshold,
    DuplicateCreditCode,
    NotNow,
    NotTheWinner,
    ResponseClosed,
    SplitDecisionMissing,
)
from .events import SmallWorkChanged
from .models import Decline, Enterprise, Qualification, Quote, SmallWork
from .status import AllocationStatus, RegistryStatus, check_transition

R, A = RegistryStatus, AllocationStatus
M = rules.AllocationMethod
PARAMS = rules.SmallWorksParams()
SUBJECT = "smallworks_project"
EXPIRY_NOTICE_DAYS = 30  # notice before a licence expires (到期提醒) [P]
PUBLICITY = timedelta(days=3)  # results published ≥ 3 days (§6.3)
QUOTE_WINDOW = timedelta(days=2)  # short-listed firms quote within it (合理低价) [P]
# Won and not finished: counts against the concurrent-contract caps.
RUNNING = (A.PUBLICITY, A.CONTRACTED)
WON = (A.PUBLICITY, A.CONTRACTED, A.COMPLETED, A.EVALUATED, A.TERMINATED)
DRAW_RULES = {
    M.LOTTERY: "在符合条件的在库企业中等概率随机抽取 1 家；放弃者由同一抽取顺序递补",
    M.DOUBLE_RANDOM_CREDIT: "从候选库随机抽取短名单，短名单中信用分最高者中选，并列抽签",
    M.ROTATION: "按上次中选日期轮候（从未中选者优先），并列者抽签决定",
    M.REASONABLE_LOW_PRICE: "从候选库随机抽取短名单，短名单企业密封报价，合理低价者中选，并列抽签",
}
STATUS_LABELS = {
    R.APPLIED: N_("待审核"),
    R.APPROVED: N_("审核通过"),
    R.RETURNED: N_("退回补正"),
    R.ACTIVE: N_("在库"),
    R.SUSPENDED: N_("暂停"),
    R.EXITED: N_("出库"),
}
EXCLUSION_LABELS = {
    "not_active": N_("不在库"),
    "suspended": N_("暂停中"),
    "blacklisted": N_("列入黑名单"),
    "recent_serious_violation": N_("近3年有严重违法违规"),
    "business_licence_expired": N_("营业执照过期"),
    "safety_licence_missing": N_("无安全生产许可证"),
    "safety_licence_expired": N_("安全生产许可证过期"),
    "no_qualification": N_("无该类别资质"),
    "no_sub_specialty": N_("无该子专业资质"),
    "qualification_not_yet_valid": N_("资质尚未生效"),
    "qualification_expired": N_("资质过期"),
    "grade_too_low": N_("资质等级不足"),
    "concurrent_contract_cap": N_("在建合同已达上限"),
    "no_free_project_manager": N_("无空闲项目经理"),
    "cool_down": N_("中选冷却期内"),
    "annual_count_cap": N_("年度中选次数已达上限"),
    "annual_amount_cap": N_("年度中选金额将超上限"),
}


@dataclass(frozen=True)
class QualificationInput:
    category: rules.Category
    grade: rules.Grade
    certificate_no: str
    valid_from: date
    valid_until: date
    sub_specialty: str = ""


@dataclass(frozen=True)
class EnterpriseInput:
    business_licence_until: date
    safety_licence_no: str
    safety_licence_until: date | None
    local_office: str
    local_insured_staff: int
    managers: tuple[str, ...]
    similar_projects: str
    integrity_commitment: bool
    qualifications: tuple[QualificationInput, ...]


@dataclass(frozen=True)
class BudgetFile:
    """An uploaded 预算批复文件: the uploader's file name (display only) and its bytes."""

    filename: str
    stream: BinaryIO


# What a budget approval may be: a PDF or a scan. The type is read from the bytes (their
# signature), never taken from the client's name or Content-Type.
BUDGET_FILE_TYPES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
                     (b"\xff\xd8\xff", "image/jpeg"))
BUDGET_FILE_MAX = 10 * 1024 * 1024  # 10 MiB: a scanned approval of a few pages [P]


@dataclass(frozen=True)
class ProjectInput:
    name: str
    category: rules.Category
    object_type: rules.ObjectType
    amount: int  # 分
    site: str
    approved_on: date
    budget_proof: str
    method: rules.AllocationMethod
    sub_specialty: str = ""
    budget_file: BudgetFile | None = None


def local_day(moment: datetime) -> date:
    return moment.astimezone(DISPLAY_TZ).date()


# Before the center's approval a work is the owner's and the center's only.
UNPUBLISHED = (A.DRAFT, A.SUBMITTED, A.RETURNED)


def _publishes(step):
    """A step on a work, after which its publishers hear of it (the step's last act)."""
    @functools.wraps(step)
    def wrapper(self, work, *args, **kwargs):
        result = step(self, work, *args, **kwargs)
        self._publish(work)
        return result
    return wrapper


class SmallWorksService:
    def __init__(self, dbsession, clock, keys, params: rules.SmallWorksParams | None = None,
                 storage: FileStorage | None = None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.draws = DrawService(dbsession, clock, keys)
        self._params = params  # given: a fixed set (tests, tools); else the profile's
        self._frozen: dict[int, rules.SmallWorksParams] = {}

    # -- parameters: the center's RuleProfile ------------------------------------------

    @property
    def params(self) -> rules.SmallWorksParams:
        """The current profile's parameters (the newest version of the `smallworks`
        RuleProfile over the code defaults), read once per service."""
        if self._params is None:
            profile = self.current_profile()
            self._params = rules.params_from_profile(profile.params if profile else {})
        return self._params

    def current_profile(self) -> RuleProfile | None:
        """The newest version of the registry's profile; None: the code defaults."""
        return latest_profile(self.db, rules.PROFILE_CODE)

    def update_profile(self, data: dict, *, actor: Actor) -> RuleProfile:
        """交易中心调整参数: a new profile version (the old ones stay, each work keeps the
        version it was allocated under). Refused whole, with the key, if a value is bad."""
        try:
            params = rules.params_from_profile(data, PARAMS)
        except rules.InvalidParams as error:
            raise ApplicationInvalid(str(error), field=error.field) from None
        stored = rules.profile_from_params(params)
        current = self.current_profile()
        if rules.same_profile(current.params if current else rules.profile_from_params(
                PARAMS), stored):
            raise NotNow("参数没有变化", field="params")
        profile = add_profile_version(
            self.db, code=rules.PROFILE_CODE, regime=Regime.TENDERING,
            method=ProcurementMethod.SMALL_WORKS, params=stored, now=self.clock())
        self._audit(actor, "smallworks.profile.updated", "rule_profile", profile.id,
                    version=profile.version, changed=_changed_keys(
                        current.params if current else {}, stored))
        self._params = params
        return profile

    def params_of(self, work: SmallWork) -> rules.SmallWorksParams:
        """The parameters a work was allocated under (frozen with its pool), or the
        current ones before its pool is frozen."""
        if not work.params:
            return self.params
        if work.id not in self._frozen:
            self._frozen[work.id] = rules.params_from_profile(work.params, PARAMS)
        return self._frozen[work.id]

    # -- reading -----------------------------------------------------------------------

    def enterprise_of(self, organisation_id: int) -> Enterprise | None:
        query = sa.select(Enterprise).where(Enterprise.organisation_id == organisation_id)
        return self.db.scalar(query)

    def enterprises(self, *, status=None, category=None) -> list[Enterprise]:
        query = sa.select(Enterprise).options(selectinload(Enterprise.qualifications))
        if status is not None:
            query = query.where(Enterprise.status.in_(status))
        if category is not None:
            query = query.where(Enterprise.qualifications.any(Qualification.category == category))
        return list(self.db.scalars(query.order_by(Enterprise.credit_score.desc(),
                                                   Enterprise.id)))

    def projects(self, *, statuses=None, owner_org_id=None, winner_id=None) -> list[SmallWork]:
        query = sa.select(SmallWork)
        if statuses is not None:
            query = query.where(SmallWork.status.in_(statuses))
        if owner_org_id is not None:
            query = query.where(SmallWork.owner_org_id == owner_org_id)
        if winner_id is not None:
            query = query.where(SmallWork.winner_id == winner_id)
        return list(self.db.scalars(query.order_by(SmallWork.id.desc())))

    def enterprise_names(self, ids) -> dict[int, str]:
        ids = [i for i in ids if i is not None]
        rows = self.db.execute(sa.select(Enterprise.id, Enterprise.name)
                               .where(Enterprise.id.in_(ids))) if ids else []
        return {ident: name for ident, name in rows}

    def work_names(self, ids) -> dict[int, str]:
        ids = [int(i) for i in ids if str(i).isdigit()]
        rows = self.db.execute(sa.select(SmallWork.id, SmallWork.name)
                               .where(SmallWork.id.in_(ids))) if ids else []
        return {ident: name for ident, name in rows}

    def declines_of(self, project: SmallWork) -> list[Decline]:
        query = sa.select(Decline).where(Decline.project_id == project.id)
        return list(self.db.scalars(query.order_by(Decline.id)))

    def monthly_statistics(self) -> list[dict]:
        """Per month of posting: projects, allocated, total amount, by method."""
        months: dict[str, dict] = {}
        for work in self.db.scalars(sa.select(SmallWork).order_by(SmallWork.created_at)):
            key = local_day(work.created_at).strftime("%Y-%m")
            row = months.setdefault(key, {"month": key, "projects": 0, "allocated": 0,
                                          "amount": 0, "failed": 0, "methods": Counter()})
            row["projects"] += 1
            row["methods"][str(work.method)] += 1
            if work.status in WON:
                row["allocated"] += 1
                row["amount"] += work.amount
            if work.status is A.FAILED:
                row["failed"] += 1
        return [months[k] for k in sorted(months, reverse=True)]

    # -- registry ----------------------------------------------------------------------

    def apply(self, organisation: Organisation, data: EnterpriseInput, *,
              actor: Actor) -> Enterprise:
        """入库申请: one entry per 统一社会信用代码; the center reviews it."""
        code = organisation.credit_code
        if not code:
            raise ApplicationInvalid("单位未登记统一社会信用代码，不能申请入库",
                                     field="credit_code")
        existing = self.db.scalar(sa.select(Enterprise).where(
            sa.or_(Enterprise.credit_code == code,
                   Enterprise.organisation_id == organisation.id)))
        if existing is not None:
            raise DuplicateCreditCode(
                f"统一社会信用代码 {code} 已在企业库中（{STATUS_LABELS[existing.status]}），"
                "不能重复申请", field="credit_code")
        self._check_application(data)
        entry = Enterprise(organisation_id=organisation.id, credit_code=code,
                           name=organisation.name, status=R.APPLIED,
                           credit_score=self.params.credit_initial_score,
                           applied_at=self.clock())
        self._fill(entry, data)
        self.db.add(entry)
        self.db.flush()
        self._audit(actor, "smallworks.enterprise.applied", "smallworks_enterprise", entry.id,
                    credit_code=code, categories=sorted({str(q.category)
                                                         for q in data.qualifications}))
        return entry

    def resubmit(self, entry: Enterprise, data: EnterpriseInput, *, actor: Actor) -> Enterprise:
        """A returned application, corrected, goes back to review."""
        self._check_application(data)
        self._move_entry(entry, R.APPLIED, actor, "resubmitted")
        entry.qualifications.clear()
        self.db.flush()
        self._fill(entry, data)
        entry.applied_at = self.clock()
        return entry

    def _check_application(self, data: EnterpriseInput) -> None:
        if not data.integrity_commitment:
            raise ApplicationInvalid("须签署诚信承诺书", field="integrity_commitment")
        if not data.qualifications:
            raise ApplicationInvalid("至少填写一项资质证书", field="qualifications")
        if data.local_insured_staff < 1:
            raise ApplicationInvalid("本地参保人员至少 1 人（本地服务能力）",
                                     field="local_insured_staff")
        if not data.managers:
            raise ApplicationInvalid("至少登记一名项目经理", field="managers")
        for q in data.qualifications:
            if q.valid_until < q.valid_from:
                raise ApplicationInvalid(f"资质证书 {q.certificate_no} 的有效期截止早于起始",
                                         field="qualifications")
        today = local_day(self.clock())
        if data.business_licence_until < today:
            raise ApplicationInvalid("营业执照已过期", field="business_licence_until")
        if data.safety_licence_until is not None and data.safety_licence_until < today:
            raise ApplicationInvalid("安全生产许可证已过期", field="safety_licence_until")

    def _fill(self, entry: Enterprise, data: EnterpriseInput) -> None:
        entry.business_licence_until = data.business_licence_until
        entry.safety_licence_no = data.safety_licence_no
        entry.safety_licence_until = data.safety_licence_until
        entry.local_office = data.local_office
        entry.local_insured_staff = data.local_insured_staff
        entry.managers = list(data.managers)
        entry.similar_projects = data.similar_projects
        entry.integrity_commitment = data.integrity_commitment
        entry.qualifications = [
            Qualification(category=q.category, grade=int(q.grade), certificate_no=q.certificate_no,
                          valid_from=q.valid_from, valid_until=q.valid_until,
                          sub_specialty=q.sub_specialty)
            for q in data.qualifications]

    def approve_entry(self, entry: Enterprise, *, actor: Actor) -> Enterprise:
        """审核通过 and 入库: the entry becomes active in the registry at once."""
        self._move_entry(entry, R.APPROVED, actor, "approved")
        entry.reviewed_at = self.clock()
        self._move_entry(entry, R.ACTIVE, actor, "activated")
        return entry

    def return_entry(self, entry: Enterprise, *, reasons: str, actor: Actor) -> Enterprise:
        if not reasons.strip():
            raise ApplicationInvalid("请填写退回理由", field="reasons")
        self._move_entry(entry, R.RETURNED, actor, "returned", reasons=reasons)
        entry.review_reasons, entry.reviewed_at = reasons, self.clock()
        return entry

    def suspend(self, entry: Enterprise, *, reason: str, actor: Actor,
                until: date | None = None,
                cause: rules.SuspensionCause = rules.SuspensionCause.CENTER) -> Enterprise:
        """暂停 for cause (the center), or by the rules (declines, expired licences)."""
        if not reason.strip():
            raise ApplicationInvalid("请填写暂停理由", field="reason")
        self._move_entry(entry, R.SUSPENDED, actor, "suspended", reason=reason,
                         until=until.isoformat() if until else None, cause=str(cause))
        entry.status_reason, entry.suspended_until = reason, until
        entry.suspension_cause = str(cause)
        return entry

    def reinstate(self, entry: Enterprise, *, actor: Actor, reason: str = "") -> Enterprise:
        self._move_entry(entry, R.ACTIVE, actor, "reinstated", reason=reason)
        entry.status_reason, entry.suspended_until, entry.suspension_cause = "", None, ""
        return entry

    def exit(self, entry: Enterprise, *, reason: str, actor: Actor) -> Enterprise:
        """出库 (清出) for cause; an exited entry never comes back."""
        if not reason.strip():
            raise ApplicationInvalid("请填写出库理由", field="reason")
        self._move_entry(entry, R.EXITED, actor, "exited", reason=reason)
        entry.status_reason = reason
        return entry

    def _move_entry(self, entry: Enterprise, target: RegistryStatus, actor: Actor,
                    verb: str, **data) -> None:
        try:
            check_transition(entry.status, target)
        except ValueError:
            raise NotNow(f"企业当前状态为「{STATUS_LABELS[entry.status]}」，不能执行此操作",
                         field="status") from None
        self._audit(actor, f"smallworks.enterprise.{verb}", "smallworks_enterprise", entry.id,
                    **{"from": str(entry.status), "to": str(target)}, **data)
        self._log_registry(entry, target, verb)
        entry.status = target

    def _log_registry(self, entry: Enterprise, target: RegistryStatus, verb: str) -> None:
        """The registry's sets (one per category, issue #17 pt 4): an entry going active
        (入库, 恢复) enters each category it is qualified in, one suspended or exited
        leaves them, logged now so a pool frozen later must account for it."""
        if target is R.ACTIVE:
            kind = logset.IN
        elif target in (R.SUSPENDED, R.EXITED) and entry.status is R.ACTIVE:
            kind = logset.OUT
        else:
            return
        for category in sorted({str(q.category) for q in entry.qualifications}):
            logset.append(self.db, registry_key(category), str(entry.id), kind,
                          now=self.clock(), cause=verb)

    # -- periodic: licence expiry, suspensions that end, confirmation windows -----------

    def sweep(self, *, actor: Actor) -> dict:
        """到期提醒 and automatic suspension on expired licences, suspensions that ended,
        and drawn enterprises whose confirmation window passed. Idempotent."""
        today = local_day(self.clock())
        counts = Counter()
        for entry in self.enterprises(status=(R.ACTIVE, R.SUSPENDED)):
            counts[self._check_expiry(entry, today, actor)] += 1
        for work in self.projects(statuses=(A.DRAWN,)):
            if work.respond_by is not None and self.clock() > work.respond_by:
                self._decline(work, work.winner, "逾期未确认（视为放弃）", actor)
                self._publish(work)
                counts["expired_response"] += 1
        counts.pop(None, None)
        return dict(counts)

    def _check_expiry(self, entry: Enterprise, today: date, actor: Actor) -> str | None:
        if entry.status is R.SUSPENDED:
            if entry.suspended_until is not None and today >= entry.suspended_until:
                self.reinstate(entry, actor=actor, reason="暂停期满")
                return "reinstated"
            return None
        expiries = _expiries(entry)
        expired = [label for label, day in expiries if day < today]
        if expired:
            self.suspend(entry, reason="、".join(expired) + "已过期，自动暂停", actor=actor,
                         cause=rules.SuspensionCause.EXPIRY)
            return "suspended"
        soon = [(day, label) for label, day in expiries
                if day < today + timedelta(days=EXPIRY_NOTICE_DAYS)]
        if soon and entry.expiry_notice_for != min(soon)[0]:
            day, label = min(soon)
            entry.expiry_notice_for = day
            self._audit(actor, "smallworks.enterprise.expiry_notice", "smallworks_enterprise",
                        entry.id, what=label, expires_on=day.isoformat())
            return "noticed"
        return None

    # -- small-works projects ----------------------------------------------------------

    def post(self, owner: Organisation, data: ProjectInput, *, actor: Actor) -> SmallWork:
        """业主发布小额工程: refused at or above the tender threshold; a likely split is
        flagged for the center to decide (it does not refuse)."""
        self._check_amount(data.amount, data.object_type)
        if not data.budget_proof.strip():
            raise ApplicationInvalid("请填写预算批复文号或资金证明", field="budget_proof")
        stored, content_type = self._store_budget_file(data.budget_file)
        now = self.clock()
        work = SmallWork(owner_org_id=owner.id, name=data.name, category=data.category,
                         sub_specialty=data.sub_specialty, object_type=data.object_type,
                         amount=data.amount, site=data.site, approved_on=data.approved_on,
                         budget_proof=data.budget_proof, method=data.method, status=A.DRAFT,
                         created_at=now, budget_file_sha256=stored.sha256,
                         budget_file_size=stored.size, budget_file_type=content_type,
                         budget_file_name=safe_filename(data.budget_file.filename))
        self.db.add(work)
        self.db.flush()
        self._audit(actor, "smallworks.project.posted", SUBJECT, work.id, amount=work.amount,
                    method=str(work.method), budget_file_sha256=stored.sha256)
        self._move(work, A.SUBMITTED, actor, "submitted")
        work.submitted_at = now
        flag = rules.detect_split(_rules_project(work), self._history(work), self.params)
        work.split_flag = _split_json(flag)
        return work

    def _store_budget_file(self, upload: BudgetFile | None) -> tuple[StoredFile, str]:
        """The budget approval into the file store (SHA-256, size limit), after its type
        is read from its first bytes; refused before anything is written otherwise."""
        if upload is None:
            raise ApplicationInvalid("请上传预算批复文件（PDF、JPG 或 PNG）", field="budget_file")
        head = upload.stream.read(8)
        content_type = next((kind for magic, kind in BUDGET_FILE_TYPES
                             if head.startswith(magic)), None)
        if not head:
            raise ApplicationInvalid("预算批复文件是空的", field="budget_file")
        if content_type is None:
            raise ApplicationInvalid("预算批复文件须为 PDF、JPG 或 PNG 格式", field="budget_file")
        try:
            stored = self.storage.put(_Prefixed(head, upload.stream),
                                      max_bytes=BUDGET_FILE_MAX)
        except FileTooLarge:
            raise FileTooLarge(
                f"预算批复文件超过 {BUDGET_FILE_MAX // (1024 * 1024)} MiB 上限",
                field="budget_file") from None
        return stored, content_type

    def budget_file_path(self, work: SmallWork):
        """Where the stored budget approval is (by digest), for the download view."""
        return self.storage.path_for(work.budget_file_sha256)

    def _check_amount(self, amount: int, object_type: rules.ObjectType) -> None:
        try:
            rules.check_below_threshold(amount, object_type, self.params)
        except rules.AboveThreshold:
            limit = rules.tender_threshold(object_type, self.params)
            raise AtOrAboveThreshold(
                f"金额 {format_yuan(amount)} 元已达到必须招标限额 {format_yuan(limit)} 元，"
                "应依法招标，不能按小额工程发包", field="amount") from None
        except rules.InvalidAmount:
            raise ApplicationInvalid("金额须大于 0", field="amount") from None

    def _history(self, work: SmallWork) -> list[rules.SmallWorksProject]:
        query = sa.select(SmallWork).where(SmallWork.owner_org_id == work.owner_org_id,
                                           SmallWork.id != work.id,
                                           SmallWork.status.not_in((A.CANCELLED,)))
        return [_rules_project(w) for w in self.db.scalars(query)]

    def return_project(self, work: SmallWork, *, reasons: str, actor: Actor) -> SmallWork:
        if not reasons.strip():
            raise ApplicationInvalid("请填写退回理由", field="reasons")
        self._move(work, A.RETURNED, actor, "returned", reasons=reasons)
        work.review_reasons = reasons
        return work

    @_publishes
    def approve_project(self, work: SmallWork, *, actor: Actor,
                        split_decision: str = "") -> SmallWork:
        """审核通过: the amount is below the threshold (checked again) and, when flagged,
        the center says why it is not a split; then the pool is built and frozen."""
        if work.status is not A.SUBMITTED:
            raise NotNow("只有待审核的项目可以审核", field="status")
        self._check_amount(work.amount, work.object_type)
        if work.split_flag and not split_decision.strip():
            raise SplitDecisionMissing("该项目疑似拆分规避招标，须填写审核意见后方可通过",
                                       field="split_decision")
        work.split_decision = split_decision
        # the allocation record notes the parameters it was built under
        profile = self.current_profile()
        work.profile_version = profile.version if profile else 0
        work.params = rules.profile_from_params(self.params)
        pool = self.build_pool(work)
        self._move(work, A.POOL_FROZEN, actor, "pool_frozen", eligible=len(pool.eligible),
                   excluded=len(pool.excluded), split_decision=split_decision)
        labels = self._labels(pool)
        work.pool_on, work.tier = pool.on, pool.tier.code
        work.eligible = [{**c.draw_candidate(), "label": labels[c.id]} for c in pool.eligible]
        work.excluded = [{"id": e.id, "label": labels[e.id],
                          "reasons": [str(r) for r in e.reasons]} for e in pool.excluded]
        self._log_exclusions(work, pool)
        self._prepare_draw(work, pool, actor)
        return work

    def _log_exclusions(self, work: SmallWork, pool: rules.Pool) -> None:
        """Each registry firm the rules keep out of this work's pool, with the reasons,
        an entry of the work's own set: the frozen list is the category's registry set
        less this one (issue #17 pt 4)."""
        if not logset.exists(self.db, registry_key(work.category)):
            return  # a registry filled before it was logged: nothing to subtract from
        for excluded in pool.excluded:
            logset.append(self.db, exclusions_key(work), excluded.id, logset.IN,
                          now=self.clock(), cause="excluded",
                          reasons=[str(r) for r in excluded.reasons])

    def build_pool(self, work: SmallWork) -> rules.Pool:
        """The candidate pool on today's date, with every fairness control (rules §6.3)."""
        today = local_day(self.clock())
        with cyclic_gc_paused():
            firms = self._rules_enterprises(work.category, today)
            return rules.build_pool(firms, _rules_project(work), today, self.params_of(work))

    def _labels(self, pool: rules.Pool) -> dict[str, str]:
        ids = [int(c.id) for c in pool.eligible] + [int(e.id) for e in pool.excluded]
        rows = self.db.execute(sa.select(Enterprise.id, Enterprise.name)
                               .where(Enterprise.id.in_(ids)))
        return {str(i): name for i, name in rows}

    def _prepare_draw(self, work: SmallWork, pool: rules.Pool, actor: Actor) -> None:
        """Freeze and commit the lottery or short-list draw now, reveal it at `draw`."""
        if work.method is M.ROTATION:
            # the queue is read at `draw`; only a pool too small to draw from ends here
            outcome = rules.rotation_pick(pool, self.params_of(work))
        elif work.method is M.LOTTERY:
            outcome = rules.lottery_request(pool, self.params_of(work))
        else:
            outcome = rules.short_list_request(pool, self.params_of(work))
        if work.method is M.REASONABLE_LOW_PRICE:
            self._make_opening_key(work)
        if isinstance(outcome, lottery.Failed):
            self._fail(work, outcome, actor)
        elif isinstance(outcome, rules.ShortList):
            work.short_list = list(outcome.drawn_order)
        elif isinstance(outcome, lottery.NeedsLottery) and work.method is not M.ROTATION:
            draw = self.draws.freeze(
                purpose=f"小额工程 {work.name}：{_purpose_label(outcome.purpose)}",
                subject_type=SUBJECT, subject_id=work.id,
                candidates=work.eligible, count=outcome.count,
                rule=DRAW_RULES[work.method], actor=actor, **self._pool_sets(work))
            self.draws.commit(draw, actor=actor)
            work.draw_id = draw.id

    @_publishes
    def draw(self, work: SmallWork, *, actor: Actor) -> SmallWork:
        """摇号/轮候: reveal the committed draw (or take the head of the queue) and notify
        the winner, who confirms or declines within the profile's window."""
        if work.status is not A.POOL_FROZEN:
            raise NotNow("候选库锁定后才能抽取", field="status")
        pool = _stored_pool(work, self.params_of(work))
        if work.method is M.LOTTERY:
            draw = self.draws.reveal(self._draw(work), actor=actor)
            chosen = lottery.selected_by_lottery(
                rules.lottery_request(pool, self.params_of(work)), draw.result, M.LOTTERY)
            return self._notify(work, chosen, actor)
        if work.method in SHORT_LISTED and not work.short_list:
            draw = self.draws.reveal(self._draw(work), actor=actor)
            needs = rules.short_list_request(pool, self.params_of(work))
            work.short_list = list(rules.short_list_from_draw(needs, draw.result).drawn_order)
        if work.method is M.REASONABLE_LOW_PRICE:
            return self._open_for_quotes(work, actor)
        return self._next_ranked(work, pool, frozenset(), actor)

    def _next_ranked(self, work: SmallWork, pool: rules.Pool, declined: frozenset,
                     actor: Actor) -> SmallWork:
        short = rules.ShortList(tuple(sorted(work.short_list)), tuple(work.short_list))
        if work.method is M.ROTATION:
            outcome = rules.rotation_pick(pool, self.params_of(work), declined)
        elif work.method is M.REASONABLE_LOW_PRICE:
            outcome = rules.reasonable_low_price(pool, short, self._opened_quotes(work),
                                                 work.amount, self.params_of(work), declined)
        else:
            outcome = rules.double_random_pick(pool, short, declined)
        if isinstance(outcome, lottery.NeedsLottery):
            order = self.draws.break_tie(
                candidates=[c.draw_candidate() for c in outcome.candidates],
                purpose=f"小额工程 {work.name}：{_purpose_label(outcome.purpose)}",
                subject_type=SUBJECT, subject_id=work.id, actor=actor)
            outcome = lottery.selected_by_lottery(outcome, order[:1], work.method)
        if isinstance(outcome, lottery.Failed):
            return self._fail(work, outcome, actor)
        return self._notify(work, outcome, actor)

    def _notify(self, work: SmallWork, chosen: lottery.Selected, actor: Actor) -> SmallWork:
        self._move(work, A.DRAWN, actor, "drawn", winner=chosen.winner_id,
                   evidence=dict(chosen.evidence))
        now = self.clock()
        # both sides of the relationship, so neither reads stale before the flush
        work.winner_id = int(chosen.winner_id)
        work.winner = self.db.get(Enterprise, work.winner_id)
        work.decided_by = ", ".join(f"{k}={v}" for k, v in chosen.evidence)
        work.notified_at, work.respond_by = now, now + self.params_of(work).decline_window
        return work

    def _fail(self, work: SmallWork, failed: lottery.Failed, actor: Actor) -> SmallWork:
        self._move(work, A.FAILED, actor, "failed", reason=str(failed.reason),
                   detail=failed.detail)
        work.failure_reason = {
            "pool_too_small": f"符合条件的企业不足 {self.params_of(work).min_pool_size} 家",
            "pool_exhausted": "候选库中的企业均已放弃",
            "no_reasonable_quote": "没有合理报价（无有效报价或均低于合理低价下限）",
        }.get(str(failed.reason), failed.detail)
        return work

    # -- 合理低价: sealed quotes of the short list ---------------------------------------

    def _make_opening_key(self, work: SmallWork) -> None:
        """A key pair per work: quotes are sealed to the public half; the private half is
        kept only wrapped under the KEK, so nobody reads a price before the opening."""
        private = generate_private_key()
        work.opening_key = private.public_key().to_json()
        work.wrapped_key = wrap_private_key(self.keys.kek, private.to_bytes(), _quote_ref(work))

    def _open_for_quotes(self, work: SmallWork, actor: Actor) -> SmallWork:
        if work.quotes_due_at is not None:
            raise NotNow("报价已在进行，截止后请开启报价", field="status")
        work.quotes_due_at = self.clock() + QUOTE_WINDOW
        self._audit(actor, "smallworks.project.quotes_invited", SUBJECT, work.id,
                    short_list=work.short_list, due=work.quotes_due_at.isoformat())
        return work

    def quotes_of(self, work: SmallWork) -> list[Quote]:
        query = sa.select(Quote).where(Quote.project_id == work.id)
        return list(self.db.scalars(query.order_by(Quote.enterprise_id)))

    def submit_quote(self, work: SmallWork, entry: Enterprise | None, *, price: int,
                     actor: Actor) -> Quote:
        """A short-listed enterprise's quote, sealed before it is stored; a new one before
        the deadline replaces the old. Refused after the deadline or above the control
        price (the estimate)."""
        if work.quotes_due_at is None or work.quotes_opened_at is not None:
            raise NotNow("该项目当前不接受报价", field="status")
        if entry is None or str(entry.id) not in work.short_list:
            raise NotTheWinner("只有短名单中的企业可以报价")
        if self.clock() > work.quotes_due_at:
            raise ResponseClosed("报价截止时间已过", field="price")
        if not 0 < price <= work.amount:
            raise ApplicationInvalid(
                f"报价须大于 0 且不超过工程估算金额 {format_yuan(work.amount)} 元", field="price")
        sealed = io.BytesIO()
        seal_stream(io.BytesIO(json.dumps({"price_fen": price}).encode()), sealed,
                    PublicKey.from_json(work.opening_key), project=_quote_ref(work),
                    lot="quote", bidder=str(entry.id))
        envelope = sealed.getvalue()
        quote = self.db.scalar(sa.select(Quote).where(Quote.project_id == work.id,
                                                      Quote.enterprise_id == entry.id))
        if quote is None:
            quote = Quote(project_id=work.id, enterprise_id=entry.id)
            self.db.add(quote)
        quote.envelope, quote.submitted_at = envelope, self.clock()
        quote.envelope_sha256 = envelope_sha256(io.BytesIO(envelope))
        self.db.flush()
        self._audit(actor, "smallworks.project.quote_sealed", SUBJECT, work.id,
                    enterprise=entry.id, envelope_sha256=quote.envelope_sha256)
        return quote

    @_publishes
    def open_quotes(self, work: SmallWork, *, actor: Actor) -> SmallWork:
        """开启报价 after the deadline: open every envelope, then the lowest reasonable
        quote wins (rules.reasonable_low_price); a tie is drawn by lottery."""
        if work.quotes_due_at is None or work.quotes_opened_at is not None:
            raise NotNow("该项目当前没有待开启的报价", field="status")
        if self.clock() <= work.quotes_due_at:
            raise NotNow("报价截止前不能开启报价", field="status")
        private = PrivateKey.from_bytes(
            unwrap_private_key(self.keys.kek, work.wrapped_key, _quote_ref(work)))
        for quote in self.quotes_of(work):
            quote.price, quote.problem = _open_quote(quote, private, work)
        work.quotes_opened_at, work.wrapped_key = self.clock(), None
        self._audit(actor, "smallworks.project.quotes_opened", SUBJECT, work.id,
                    prices={str(q.enterprise_id): q.price for q in self.quotes_of(work)})
        return self._next_ranked(work, _stored_pool(work, self.params_of(work)), frozenset(), actor)

    def _opened_quotes(self, work: SmallWork) -> list[rules.Quote]:
        return [rules.Quote(str(q.enterprise_id), q.price) for q in self.quotes_of(work)
                if q.price is not None]

    # -- the drawn enterprise's answer -------------------------------------------------

    @_publishes
    def accept(self, work: SmallWork, entry: Enterprise, *, manager: str,
               actor: Actor) -> SmallWork:
        """确认承接 within the window, naming a project manager who is free."""
        self._check_response(work, entry)
        if manager not in entry.managers:
            raise ApplicationInvalid("请选择本企业登记的项目经理", field="manager")
        busy = Counter(w.manager for w in self.projects(statuses=RUNNING, winner_id=entry.id))
        if busy[manager] >= self.params_of(work).max_manager_active_contracts:
            raise ApplicationInvalid(f"项目经理 {manager} 在建项目已达上限", field="manager")
        self._move(work, A.PUBLICITY, actor, "accepted", manager=manager)
        work.accepted_at, work.manager = self.clock(), manager
        work.publicity_ends_at = self.clock() + PUBLICITY
        self._publish_result(work, entry, actor)
        return work

    def _publish_result(self, work: SmallWork, entry: Enterprise, actor: Actor) -> None:
        """结果公示: the publicity's text, signed by the platform as it is published."""
        ends = work.publicity_ends_at.astimezone(DISPLAY_TZ)
        body = (f"{work.name}（小额工程 #{work.id}）结果公示。\n"
                f"工程地点：{work.site}\n工程金额：{format_yuan(work.amount)} 元\n"
                f"中选企业：{entry.name}\n项目经理：{work.manager}\n"
                f"公示期至：{ends:%Y-%m-%d %H:%M}（北京时间）")
        notice, signed = publish_notice(
            self.db, self.keys, subject="smallworks", subject_id=work.id,
            number=f"smallworks-{work.id}", title=f"{work.name}结果公示", body=body,
            published_at=self.clock())
        self._audit(actor, "smallworks.project.result_published", SUBJECT, work.id,
                    notice=notice.id, algorithm=notice.signing_algorithm, signed_sha256=signed)

    @_publishes
    def decline(self, work: SmallWork, entry: Enterprise, *, reason: str,
                actor: Actor) -> SmallWork:
        """放弃 within the window: the next enterprise comes from the same frozen list."""
        self._check_response(work, entry)
        if not reason.strip():
            raise ApplicationInvalid("请填写放弃理由", field="reason")
        return self._decline(work, entry, reason, actor)

    def _check_response(self, work: SmallWork, entry: Enterprise | None) -> None:
        if work.status is not A.DRAWN:
            raise NotNow("该项目当前不在等待中选企业确认的阶段", field="status")
        if entry is None or work.winner_id != entry.id:
            raise NotTheWinner("只有被抽中的企业可以确认或放弃")
        try:
            rules.check_decline_time(work.notified_at, self.clock(), self.params_of(work))
        except rules.DeclineWindowClosed:
            raise ResponseClosed(
                f"确认期限已过（截止 {work.respond_by.astimezone(DISPLAY_TZ):%Y-%m-%d %H:%M}）",
                field="respond_by") from None

    def _decline(self, work: SmallWork, entry: Enterprise, reason: str,
                 actor: Actor) -> SmallWork:
        now = self.clock()
        self.db.add(Decline(project_id=work.id, enterprise_id=entry.id, declined_at=now,
                            reason=reason))
        self.db.flush()
        self._move(work, A.POOL_FROZEN, actor, "declined", enterprise=entry.id, reason=reason)
        work.winner = work.winner_id = work.notified_at = work.respond_by = None
        self._reassess_declines(entry, actor)
        declined = frozenset(str(d.enterprise_id) for d in self.declines_of(work))
        pool = _stored_pool(work, self.params_of(work))
        if work.method is M.LOTTERY:
            return self._redraw(work, pool, [str(entry.id)], f"中选企业放弃：{reason}", actor)
        if work.method is M.DOUBLE_RANDOM_CREDIT and declined >= set(work.short_list):
            return self._top_up_short_list(work, pool, declined, actor)
        return self._next_ranked(work, pool, declined, actor)

    def _redraw(self, work, pool, declined_ids, reason, actor) -> SmallWork:
        draw = self._draw(work)
        outcome = rules.lottery_request(pool, self.params_of(work), draw.drawn)
        if isinstance(outcome, lottery.Failed):
            # the last decline still goes on the public record, with nobody after it
            self.draws.redraw_after_decline(draw, declined_ids=declined_ids, count=0,
                                            reason=reason, actor=actor)
            return self._fail(work, outcome, actor)
        picks = self.draws.redraw_after_decline(draw, declined_ids=declined_ids,
                                                reason=reason, count=1, actor=actor)
        return self._notify(work, lottery.selected_by_lottery(outcome, picks, M.LOTTERY), actor)

    def _top_up_short_list(self, work, pool, declined, actor) -> SmallWork:
        earlier = rules.ShortList(tuple(sorted(work.short_list)), tuple(work.short_list))
        outcome = rules.short_list_request(pool, self.params_of(work), earlier)
        if isinstance(outcome, lottery.Failed):
            return self._fail(work, outcome, actor)
        draw = self._draw(work)
        fresh = [i for i in work.short_list if i not in draw.declined]
        picks = self.draws.redraw_after_decline(draw, declined_ids=fresh, count=outcome.count,
                                                reason="短名单企业均放弃，续抽", actor=actor)
        short = rules.short_list_from_draw(outcome, picks, earlier)
        work.short_list = list(short.drawn_order)
        return self._next_ranked(work, pool, declined, actor)

    def decide_decline(self, work: SmallWork, decline_id: int, *, justified: bool,
                       reason: str, actor: Actor) -> Decline:
        """交易中心认定放弃是否有正当理由, with its reason. Only unjustified declines count
        towards the suspension and the credit penalty, so the firm's standing is
        re-assessed at once: a justified decline lifts the suspension it caused
        (rules.standing_after_declines); a decline found unjustified may suspend."""
        decline = self.db.get(Decline, decline_id) if 0 < decline_id < 2**31 else None
        if decline is None or decline.project_id != work.id:
            raise ApplicationInvalid("本项目没有这条放弃记录", field="decline_id")
        if not reason.strip():
            raise ApplicationInvalid("请填写认定理由", field="reason")
        if decline.decided_at is not None and decline.justified == justified:
            raise NotNow("该放弃记录已作出相同认定", field="decision")
        verb = "justified" if justified else "unjustified"
        self._audit(actor, f"smallworks.decline.{verb}", SUBJECT, work.id,
                    decline=decline.id, enterprise=decline.enterprise_id, reason=reason,
                    previous=_decision_of(decline))
        decline.justified, decline.decision_reason = justified, reason
        decline.decided_at = self.clock()
        self.db.flush()
        self._reassess_declines(self.db.get(Enterprise, decline.enterprise_id), actor)
        return decline

    def _reassess_declines(self, entry: Enterprise, actor: Actor) -> None:
        """2 unjustified declines in 12 months suspend (rules.suspension_in_force); the
        credit penalty follows the same declines."""
        today = local_day(self.clock())
        self._refresh_credit(entry, today)
        suspension = rules.suspension_in_force(self._unjustified(entry), today, self.params)
        change = rules.standing_after_declines(entry.status, entry.suspension_cause,
                                               entry.suspended_until, suspension)
        if change is rules.StandingChange.SUSPEND:
            self.suspend(entry, actor=actor, until=suspension.until,
                         cause=rules.SuspensionCause.DECLINES,
                         reason=f"{self.params.decline_lookback_months} 个月内 "
                                f"{len(suspension.declines)} 次无正当理由放弃中选")
        elif change is rules.StandingChange.LIFT:
            self.reinstate(entry, actor=actor,
                           reason="放弃经交易中心认定有正当理由，暂停解除")
        elif change is rules.StandingChange.RESCHEDULE:
            self._audit(actor, "smallworks.enterprise.suspension_rescheduled",
                        "smallworks_enterprise", entry.id,
                        until=suspension.until.isoformat(),
                        previous=_day_or_none(entry.suspended_until))
            entry.suspended_until = suspension.until

    def _unjustified(self, entry: Enterprise) -> list[date]:
        query = sa.select(Decline.declined_at).where(Decline.enterprise_id == entry.id,
                                                     Decline.justified.is_(False))
        return [local_day(at) for at in self.db.scalars(query)]

    # -- after the award ---------------------------------------------------------------

    @_publishes
    def contract(self, work: SmallWork, *, actor: Actor) -> SmallWork:
        """签订合同 once the result publicity (≥ 3 days) has ended."""
        if work.status is A.PUBLICITY and self.clock() < work.publicity_ends_at:
            raise NotNow("结果公示期未满，不能签订合同", field="status")
        self._move(work, A.CONTRACTED, actor, "contracted")
        return work

    @_publishes
    def complete(self, work: SmallWork, *, completed_on: date, on_time: bool,
                 quality_accepted: bool, actor: Actor) -> SmallWork:
        """竣工: the completion facts that feed the credit score."""
        if completed_on > local_day(self.clock()):
            raise ApplicationInvalid("竣工日期不能晚于今天", field="completed_on")
        self._move(work, A.COMPLETED, actor, "completed", on_time=on_time,
                   quality_accepted=quality_accepted, completed_on=completed_on.isoformat())
        work.completed_on, work.on_time = completed_on, on_time
        work.quality_accepted = quality_accepted
        return work

    @_publishes
    def evaluate(self, work: SmallWork, *, score: Decimal, actor: Actor) -> SmallWork:
        """履约评价 (0–100): the winner's credit score is recomputed from it."""
        if not Decimal(0) <= score <= Decimal(100):
            raise ApplicationInvalid("履约评价分须在 0 至 100 之间", field="score")
        self._move(work, A.EVALUATED, actor, "evaluated", score=str(score))
        work.evaluation_score = rules.quantize2(score)
        self.db.flush()
        self._refresh_credit(work.winner, local_day(self.clock()))
        return work

    def _refresh_credit(self, entry: Enterprise, today: date) -> None:
        query = sa.select(SmallWork).where(SmallWork.winner_id == entry.id,
                                           SmallWork.status == A.EVALUATED)
        records = [rules.PerformanceRecord(str(w.id), w.completed_on, bool(w.on_time),
                                           bool(w.quality_accepted), w.evaluation_score)
                   for w in self.db.scalars(query)]
        entry.credit_score = rules.credit_score(records, self._unjustified(entry), today,
                                                self.params)

    # -- helpers -----------------------------------------------------------------------

    def _pool_sets(self, work: SmallWork) -> dict:
        """The logged sets a work's draw is frozen from: the category's registry less the
        work's exclusions; none for a registry filled before it was logged."""
        if not logset.exists(self.db, registry_key(work.category)):
            return {}
        return {"log_set": registry_key(work.category), "log_minus": exclusions_key(work)}

    def _draw(self, work: SmallWork) -> Draw:
        return self.db.get(Draw, work.draw_id)

    def _rules_enterprises(self, category, today: date) -> list[rules.Enterprise]:
        """Registry rows as the pure rules see them, with their current workload.

        This runs over the whole registry on every pool, so it reads set-wise: one query
        for the workload of every firm that won something, one join for the entries and
        their certificates in the category, only the columns the rules need
        (bench/smallworks.py keeps it under 100 ms for 10 000 entries)."""
        won = self.db.execute(sa.select(
            SmallWork.winner_id, SmallWork.category, SmallWork.status, SmallWork.accepted_at,
            SmallWork.amount, SmallWork.manager).where(SmallWork.status.in_(WON)))
        load: dict[int, _Load] = {}
        for winner, cat, status, accepted, amount, manager in won:
            load.setdefault(winner, _Load()).add(str(cat), status in RUNNING,
                                                 local_day(accepted), today, amount, manager)
        return self._registry_rows(category, load)

    def _registry_rows(self, category, load: dict) -> list[rules.Enterprise]:
        """Entries in the registry (active or suspended) holding any certificate in the
        category, with those certificates: one join ordered by entry, so each entry's
        certificates come together (ix_smallworks_qualifications_category)."""
        # Core, not ORM, execution: plain rows, without the ORM's per-row entity step
        # (so flush first, as the ORM's autoflush would).
        self.db.flush()
        rows = self.db.connection().execute(
            sa.select(Enterprise.id, Enterprise.status, Enterprise.business_licence_until,
                      Enterprise.safety_licence_until, Enterprise.credit_score,
                      # the count, not the names: decoding 10 000 JSON lists would dominate
                      sa.func.json_array_length(Enterprise.managers),
                      Enterprise.blacklisted, Enterprise.last_serious_violation_on,
                      Qualification.grade, Qualification.valid_from, Qualification.valid_until,
                      Qualification.sub_specialty)
            .join(Qualification, Qualification.enterprise_id == Enterprise.id)
            .where(Qualification.category == category,
                   Enterprise.status.in_((R.ACTIVE, R.SUSPENDED)))
            # the index's own order: no sort step (the order of one entry's certificates
            # does not matter, the rules take the best of them)
            .order_by(Qualification.enterprise_id))
        cat, firms, head, quals = str(category), [], None, []
        for (ident, status, licence, safety, credit, managers, blacklisted, violation,
             grade, since, until, sub) in rows.all():
            if head is None or ident != head[0]:
                if head is not None:
                    firms.append(_rules_enterprise(head, tuple(quals), load.get(head[0])))
                head, quals = (ident, status, licence, safety, credit, managers,
                               blacklisted, violation), []
            quals.append(rules.Qualification(cat, GRADES[grade], since, until, sub))
        if head is not None:
            firms.append(_rules_enterprise(head, tuple(quals), load.get(head[0])))
        return firms

    def _move(self, work: SmallWork, target: AllocationStatus, actor: Actor, verb: str,
              **data) -> None:
        try:
            check_transition(work.status, target)
        except ValueError:
            raise NotNow("项目当前状态不能执行此操作", field="status") from None
        self._audit(actor, f"smallworks.project.{verb}", SUBJECT, work.id,
                    **{"from": str(work.status), "to": str(target)}, **data)
        work.status = target

    def _publish(self, work: SmallWork) -> None:
        """Tell the publishers (open data) that a public work changed."""
        if work.status not in UNPUBLISHED:
            registry_of(self.db).notify(SmallWorkChanged(self, work))

    def _audit(self, actor, action, subject_type, subject_id, **data) -> None:
        audit_record(self.db, actor, action, subject_type, subject_id, now=self.clock(), **data)


SHORT_LISTED = (M.DOUBLE_RANDOM_CREDIT, M.REASONABLE_LOW_PRICE)


def registry_key(category) -> str:
    """The logged set of a category's registry (企业库): active firms qualified in it."""
    return f"sw-registry:{category}"


def exclusions_key(work: SmallWork) -> str:
    """The logged set of the registry firms a work's pool excludes, with the reasons."""
    return f"sw-work:{work.id}:excluded"


def _quote_ref(work: SmallWork) -> str:
    return f"smallworks:{work.id}"


def _open_quote(quote: Quote, private: PrivateKey, work: SmallWork) -> tuple[int | None, str]:
    """The price in an envelope, or why it could not be read (the quote is then invalid)."""
    plain = io.BytesIO()
    try:
        open_stream(io.BytesIO(quote.envelope), plain, private, project=_quote_ref(work),
                    lot="quote", bidder=str(quote.enterprise_id))
        price = json.loads(plain.getvalue())["price_fen"]
    except (BidCryptoError, ValueError, KeyError, TypeError):
        return None, "报价信封无法解密或格式错误"
    if type(price) is not int:
        return None, "报价格式错误"
    return price, ""


class _Prefixed(io.RawIOBase):
    """The bytes already read to sniff the type, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._rest.read(size)


def _changed_keys(before: dict, after: dict) -> list[str]:
    return sorted(k for k in after if before.get(k) != after[k])


def _decision_of(decline: Decline) -> str:
    if decline.decided_at is None:
        return "undecided"
    return "justified" if decline.justified else "unjustified"


def _day_or_none(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _expiries(entry: Enterprise) -> list[tuple[str, date]]:
    """Licences whose expiry suspends the entry; qualifications only when none is left
    (one expired category just keeps the firm out of that category's pools)."""
    found = [("营业执照", entry.business_licence_until)]
    if entry.safety_licence_until is not None:
        found.append(("安全生产许可证", entry.safety_licence_until))
    if entry.qualifications:
        found.append(("全部资质证书", max(q.valid_until for q in entry.qualifications)))
    return found


def _rules_project(work: SmallWork) -> rules.SmallWorksProject:
    return rules.SmallWorksProject(str(work.id), str(work.owner_org_id), work.name, work.site,
                                   str(work.category), work.object_type, work.amount,
                                   work.approved_on, work.sub_specialty)


GRADES = tuple(rules.Grade)  # by value: 0 特级 … 3 三级


class _Load:
    """One firm's awards as the fairness controls count them."""

    __slots__ = ("count", "fen", "managers", "open", "running", "wins")

    def __init__(self):
        self.running, self.count, self.fen = 0, 0, 0
        self.managers: Counter = Counter()
        self.wins: dict[str, date] = {}
        self.open: set[str] = set()

    def add(self, category: str, running: bool, day: date, today: date, amount: int,
            manager: str) -> None:
        self.wins[category] = max(day, self.wins.get(category, day))
        if running:
            self.running += 1
            self.managers[manager] += 1
            self.open.add(category)
        if day.year == today.year:
            self.count += 1
            self.fen += amount


def _rules_enterprise(row, qualifications: tuple, load: _Load | None) -> rules.Enterprise:
    ident, status, licence_until, safety_until, credit, managers, blacklisted, violation = row
    if load is None:  # most of the registry: nothing won, every manager free
        return rules.Enterprise(str(ident), status, licence_until, safety_until,
                                qualifications, 0, (0,) * managers, credit,
                                blacklisted=blacklisted, last_serious_violation_on=violation)
    busy = tuple(load.managers.values())
    return rules.Enterprise(
        id=str(ident), status=status, business_licence_until=licence_until,
        safety_licence_until=safety_until, qualifications=qualifications,
        active_contracts=load.running,
        # a busy manager is always a registered one (accept() checks the name)
        manager_active_contracts=(*busy, *(0,) * (managers - len(busy))),
        credit_score=credit, last_wins=tuple(load.wins.items()),
        open_win_categories=frozenset(load.open), awards_this_year=load.count,
        awarded_fen_this_year=load.fen, blacklisted=blacklisted,
        last_serious_violation_on=violation)


def _stored_pool(work: SmallWork, params: rules.SmallWorksParams) -> rules.Pool:
    """The frozen pool as published: the rules re-run on exactly what was frozen."""
    tier = next(t for t in params.tiers if t.code == work.tier)
    return rules.Pool(str(work.id), str(work.category), tier, work.pool_on,
                      tuple(_stored_candidate(c) for c in work.eligible), ())


def _stored_candidate(entry: dict) -> rules.Candidate:
    a = entry["attributes"]

    def day(value):
        return date.fromisoformat(value) if value else None

    return rules.Candidate(entry["id"], rules.Grade[a["grade"].upper()],
                           date.fromisoformat(a["qualification_until"]),
                           day(a["safety_licence_until"]), Decimal(a["credit_score"]),
                           day(a["last_win_on"]), a["free_managers"],
                           a.get("sub_specialty", ""))


def _split_json(flag: rules.SplitFlag | None) -> dict | None:
    if flag is None:
        return None
    return {"total": flag.total_fen, "threshold": flag.threshold_fen,
            "related": [{"project_id": r.project_id, "amount": r.amount_fen,
                         "approved_on": r.approved_on.isoformat(), "same_site": r.same_site,
                         "name_similarity": str(r.name_similarity)} for r in flag.related]}


def _purpose_label(purpose) -> str:
    return {
        rules.SmallWorkDrawPurpose.LOTTERY: "随机抽取承包企业",
        rules.SmallWorkDrawPurpose.SHORT_LIST: "随机抽取短名单",
        rules.SmallWorkDrawPurpose.ROTATION_TIE: "轮候并列抽签",
        rules.SmallWorkDrawPurpose.CREDIT_TIE: "信用分并列抽签",
        rules.SmallWorkDrawPurpose.PRICE_TIE: "报价并列抽签",
    }[purpose]


def exclusion_labels(reasons: Sequence[str]) -> str:
    return "、".join(EXCLUSION_LABELS.get(r, r) for r in reasons)


def smallworks_service_factory(context, request) -> SmallWorksService:
    return SmallWorksService(request.dbsession, request.clock, request.registry["keys"],
                             storage=request.registry["storage"])
