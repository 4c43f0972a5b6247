"""Evaluation rows: the expert pool, committees and their draws, the published scoring
criteria, experts' score sheets, warnings, low-price reviews, and the evaluation report
with its signatures and candidates.

Only the evaluation services write these tables. Scores are stored as canonical decimal
strings (`Score`), never floats; money is integer 分.
"""

import enum
import secrets
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..accounts.models import Organisation, User
from ..db.meta import Base
from ..db.types import Money, UTCDateTime, enum_column
from .rules import MemberRole


class Score(TypeDecorator):
    """A Decimal score kept as its exact decimal text: portable and float-free.

    SQLite has no decimal type (SQLAlchemy would go through float there), so the digits
    are stored as written and read back as the same Decimal.
    """

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"a score must be a Decimal, got {value!r}")
        return str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


# -- the expert pool (评标专家库) ------------------------------------------------------


class ExpertStatus(enum.StrEnum):
    ACTIVE = "active"  # 正常
    SUSPENDED = "suspended"  # 暂停
    BLACKLISTED = "blacklisted"  # 禁入（列入黑名单）


class Expert(Base):
    """One expert of the pool, entered and maintained by the trading center.

    `employers`, `shareholdings` and `relatives` are what the conflict checks (rules §4.3)
    compare with owners, agencies and bidders: lists of
    {"name", "credit_code", "from", "to"} / {"name", "credit_code", "share"} /
    {"name", "relation", "org_name", "credit_code"}.
    """

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # 专家编号
    # 专家库代号: a random alias, the expert's name in the library's logged sets and the
    # root of its draw pseudonyms (issue #17 pt 4); says nothing of who it is.
    log_alias: Mapped[str] = mapped_column(sa.String(16), unique=True,
                                           default=lambda: secrets.token_hex(8))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(100), default="")  # 职称
    years_experience: Mapped[int] = mapped_column(default=0)
    region: Mapped[str] = mapped_column(sa.String(100), index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    specialties: Mapped[list] = mapped_column(sa.JSON, default=list)  # specialty codes
    employers: Mapped[list] = mapped_column(sa.JSON, default=list)
    shareholdings: Mapped[list] = mapped_column(sa.JSON, default=list)
    relatives: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[ExpertStatus] = mapped_column(enum_column(ExpertStatus), index=True)
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    user: Mapped[User | None] = relationship()


# -- scoring criteria published with the project (评分办法) -----------------------------


class ScoringCriteria(Base):
    """The scoring sheet (评分表) of a project as published with its documents.

    `items`: [{"item_id", "group", "name", "kind" (pass_fail | objective | subjective),
    "max_score", "min_score", "step", "allowed_values", "key_requirement", "standard"}]
    with scores as decimal strings. `price`: {"formula" (low_price_first |
    average_benchmark), "weight", "full_score", "coefficient", "sme": {...}}; the price
    score is always computed, never an item an expert types. Locked at publication:
    criteria not in the published documents may not be used (评标委员会规定 Art 17).
    """

    __tablename__ = "scoring_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    price: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    n_candidates: Mapped[int] = mapped_column(default=3)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- committees (评标委员会 / 评审小组) ------------------------------------------------


class CommitteeStatus(enum.StrEnum):
    FORMING = "forming"  # 组建中：抽取、确认、签到
    SITTING = "sitting"  # 评标中
    DONE = "done"  # 评标结束（报告已签署）


class Committee(Base):
    """One committee per project (all its lots), secret until the evaluation starts.

    Drawn experts appear in the public draw records only under pseudonyms
    SHA-256(salt ‖ expert code); the salt is published with the member list, so anyone
    can then check the draw named the members, and nobody learns them before.
    """

    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    status: Mapped[CommitteeStatus] = mapped_column(enum_column(CommitteeStatus))
    region: Mapped[str] = mapped_column(sa.String(100), default="")
    # [{"specialty", "count", "reserves"}]: what the center asked the draw for
    plan: Mapped[list] = mapped_column(sa.JSON, default=list)
    pseudonym_salt: Mapped[str] = mapped_column(sa.String(64))
    members_public_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    members: Mapped[list["CommitteeMember"]] = relationship(
        back_populates="committee", order_by="CommitteeMember.id")
    draws: Mapped[list["CommitteeDraw"]] = relationship(order_by="CommitteeDraw.id")


class CommitteeDraw(Base):
    """One specialty's expert draw (a `draws` row): need plus reserves from one frozen list."""

    __tablename__ = "committee_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    specialty: Mapped[str] = mapped_column(sa.String(64))
    need: Mapped[int]
    reserves: Mapped[int] = mapped_column(default=0)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id"))
    # pseudonym -> expert id for the frozen list; seen by the center and supervisor only
    roster: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    excluded: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"expert_id", "reasons"}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberState(enum.StrEnum):
    RESERVE = "reserve"  # 候补，尚未通知
    NOTIFIED = "notified"  # 已通知，待确认
    ACCEPTED = "accepted"  # 已确认参加
    SIGNED_IN = "signed_in"  # 已签到并签署回避承诺
    DECLINED = "declined"  # 拒绝参加
    NO_ANSWER = "no_answer"  # 未应答
    EXCLUDED = "excluded"  # 回避（申报或系统发现利害关系）


SEATED = frozenset({MemberState.NOTIFIED, MemberState.ACCEPTED, MemberState.SIGNED_IN})


class CommitteeMember(Base):
    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    expert_id: Mapped[int | None] = mapped_column(sa.ForeignKey("experts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    committee_draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee_draws.id"))
    pseudonym: Mapped[str] = mapped_column(sa.String(32), default="")
    specialty: Mapped[str] = mapped_column(sa.String(64), default="")
    state: Mapped[MemberState] = mapped_column(enum_column(MemberState))
    state_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    is_chair: Mapped[bool] = mapped_column(default=False)
    chair_vote_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee_members.id"))
    declaration: Mapped[str] = mapped_column(sa.Text, default="")  # 回避承诺书, as signed
    declared_conflict: Mapped[str] = mapped_column(sa.String(1000), default="")
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee_members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    committee: Mapped[Committee] = relationship(back_populates="members")
    expert: Mapped[Expert | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


# -- score sheets (评分表) ----------------------------------------------------------------


class SheetState(enum.StrEnum):
    DRAFT = "draft"  # 评分中
    SUBMITTED = "submitted"  # 已提交（锁定）


class ScoreSheet(Base):
    """One member's sheet for one lot: every bidder × every criteria item."""

    __tablename__ = "score_sheets"
    __table_args__ = (sa.UniqueConstraint("member_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_members.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    state: Mapped[SheetState] = mapped_column(enum_column(SheetState))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    member: Mapped[CommitteeMember] = relationship()
    entries: Mapped[list["ScoreEntry"]] = relationship(
        back_populates="sheet", order_by="ScoreEntry.id", cascade="all, delete-orphan")


class ScoreEntry(Base):
    """An expert's mark on one item for one bid: a score, or pass/fail (合格制)."""

    __tablename__ = "score_entries"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "bid_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheets.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"))
    item_id: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[Decimal | None] = mapped_column(Score)
    passed: Mapped[bool | None]
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="entries")


# -- warnings and low-price reviews -------------------------------------------------------


class WarningKind(enum.StrEnum):
    DEVIATION = "deviation"  # 评分偏离
    DISPERSION = "dispersion"  # 评分离散
    FAVOURITISM = "favouritism"  # 倾向性打分
    JOINT_HIGH = "joint_high"  # 多名专家共同偏高


class ScoreWarning(Base):
    """An advisory flag (rules §4.6): it needs a written reason, it never changes a score."""

    __tablename__ = "score_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    kind: Mapped[WarningKind] = mapped_column(enum_column(WarningKind))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee_members.id"))
    bid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bids.id"))
    item_id: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str] = mapped_column(sa.String(2000), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LowPriceDecision(enum.StrEnum):
    PENDING = "pending"  # 待说明 / 待认定
    ACCEPTED = "accepted"  # 说明成立
    REJECTED = "rejected"  # 不能证明其报价合理，投标无效


class LowPriceReview(Base):
    """异常低价审查 (rules §4.7): triggers, the bidder's written explanation, the decision."""

    __tablename__ = "low_price_reviews"
    __table_args__ = (sa.UniqueConstraint("committee_id", "bid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"))
    bidder_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    price: Mapped[int] = mapped_column(Money)
    triggers: Mapped[list] = mapped_column(sa.JSON, default=list)  # codes that fired
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    explain_by: Mapped[datetime] = mapped_column(UTCDateTime)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[LowPriceDecision] = mapped_column(enum_column(LowPriceDecision))
    decision_reason: Mapped[str] = mapped_column(sa.String(2000), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- the evaluation report (评标报告) ------------------------------------------------------


class ReportState(enum.StrEnum):
    SIGNING = "signing"  # 待签署
    SIGNED = "signed"  # 全体签署，已锁定
    UNLOCKED = "unlocked"  # 经组长与监管同意解锁，作废待重出


class EvaluationReport(Base):
    """The report of one lot. `body` is the canonical content every member signs:
    per-expert sheets, aggregation, price scores, warnings and reasons, low-price
    reviews, candidates. `body_sha256` is over its canonical JSON."""

    __tablename__ = "evaluation_reports"
    __table_args__ = (sa.Index("ix_evaluation_reports_lot", "lot_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"))
    state: Mapped[ReportState] = mapped_column(enum_column(ReportState))
    ranked: Mapped[bool] = mapped_column(default=True)  # False under 评定分离
    body: Mapped[dict] = mapped_column(sa.JSON)
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 签署期限 (profile report.signing_hours): who has neither signed nor dissented with
    # reasons by then is recorded as agreeing and the report locks (实施条例 Art 53)
    sign_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Ed25519 (platform key) over the canonical {report, body_sha256, signatures}
    signature: Mapped[str | None] = mapped_column(sa.String(128))
    unlocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlock_reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    signatures: Mapped[list["ReportSignature"]] = relationship(
        back_populates="report", order_by="ReportSignature.id")
    candidates: Mapped[list["ReportCandidate"]] = relationship(
        back_populates="report", order_by="ReportCandidate.position",
        cascade="all, delete-orphan")


class ReportSignature(Base):
    """One member's signature: the typed confirmation, agree or dissent with reasons —
    or, `deemed`, the platform's record that the member let the deadline pass without
    signing or stating reasons, which counts as agreement (实施条例 Art 53)."""

    __tablename__ = "report_signatures"
    __table_args__ = (sa.UniqueConstraint("report_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_reports.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_members.id"))
    confirmation: Mapped[str] = mapped_column(sa.String(200))  # typed by the member
    agrees: Mapped[bool]
    dissent: Mapped[str] = mapped_column(sa.String(2000), default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deemed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    signature: Mapped[str] = mapped_column(sa.String(128))  # platform Ed25519, hex

    report: Mapped[EvaluationReport] = relationship(back_populates="signatures")
    member: Mapped[CommitteeMember] = relationship()


class UnlockRequest(Base):
    """Unlocking a submitted sheet or a signed report needs the chair and a supervisor."""

    __tablename__ = "unlock_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id"), index=True)
    target: Mapped[str] = mapped_column(sa.String(16))  # sheet | report
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(1000))
    chair_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supervisor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved: Mapped[bool | None]


class ReportCandidate(Base):
    """A candidate of a signed report (中标候选人 / 定标候选人): what the award domain reads.

    `rank` is 1-based, or None when the report is unranked (评定分离). `position` only
    keeps a stable display order.
    """

    __tablename__ = "report_candidates"
    __table_args__ = (sa.UniqueConstraint("report_id", "bidder_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_reports.id"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    bidder_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"))
    total_score: Mapped[Decimal] = mapped_column(Score)
    price_score: Mapped[Decimal | None] = mapped_column(Score)
    price: Mapped[int] = mapped_column(Money)  # the raw quote, 分 (contract price)
    rank: Mapped[int | None]
    position: Mapped[int]

    report: Mapped[EvaluationReport] = relationship(back_populates="candidates")
    bidder: Mapped[Organisation] = relationship()


# -- 竞争性磋商 (rules §2): rounds with each supplier, broadcast changes, withdrawals --------


class ConsultationRound(Base):
    """One consultation round of a lot; the panel meets each supplier separately."""

    __tablename__ = "consultation_rounds"
    __table_args__ = (sa.UniqueConstraint("lot_id", "number",
                                          name="uq_consultation_rounds_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    number: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notes: Mapped[list["ConsultationNote"]] = relationship(order_by="ConsultationNote.id")


class ConsultationNote(Base):
    """A session's minutes with one supplier, or a change broadcast to all that remain."""

    __tablename__ = "consultation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # session | change
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation | None] = relationship()


class ConsultationWithdrawal(Base):
    """A supplier quits before the final quote (214号: its bond is refunded)."""

    __tablename__ = "consultation_withdrawals"
    __table_args__ = (sa.UniqueConstraint("lot_id", "org_id",
                                          name="uq_consultation_withdrawals_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
