"""Bid security tables. Only `BidSecurityService` writes them.

What the database holds in plaintext before the opening is deliberately thin: which
sub-account (子账号) belongs to which bidder — the platform knows who signed up — and, per
bank notification, only its lot, arrival time and whether it was recorded or rejected.
What was paid, by whom, from which account, is sealed to the project's opening key
(`sealed`) and becomes plaintext (`opened`) only at the opening (rules §10.4).
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..db.meta import Base
from ..db.types import Money, UTCDateTime, enum_column
from .rules import PaymentState, RefundCause


class PayerAccount(Base):
    """A bidder organisation's bank account (基本账户) deposits must come from."""

    __tablename__ = "bidsecurity_payer_accounts"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "account_no",
                                          name="uq_bidsecurity_payer_accounts_org_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    account_no: Mapped[str] = mapped_column(sa.String(34))
    account_name: Mapped[str] = mapped_column(sa.String(200))
    bank_name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


class SubAccount(Base):
    """The virtual sub-account (虚拟子账号) of one bidder for one lot."""

    __tablename__ = "bidsecurity_sub_accounts"
    __table_args__ = (sa.UniqueConstraint("lot_id", "organisation_id",
                                          name="uq_bidsecurity_sub_accounts_lot_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


class Disposition(enum.StrEnum):
    RECORDED = "recorded"  # 已记录（验签通过，开标时对账）
    REJECTED = "rejected"  # 已拒收（验签失败、重放、格式错误）


class BankNotification(Base):
    """Every notification the bank sent, accepted or not: nothing received is lost."""

    __tablename__ = "bidsecurity_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    disposition: Mapped[Disposition] = mapped_column(enum_column(Disposition))
    reason: Mapped[str] = mapped_column(sa.String(32), default="")  # API code of a refusal
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    # SHA-256 of the bank's serial (流水号), set once on the accepted copy: a replay
    # collides with it at the database, not only in a check.
    serial_sha256: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"))
    # A bid_crypto envelope of the signed body, to the project's opening key ...
    sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # ... or the body itself when no project can be named (it names no bidder then).
    body: Mapped[str | None] = mapped_column(sa.Text)
    # Filled at the opening, from the opened envelope.
    opened: Mapped[dict | None] = mapped_column(sa.JSON)
    state: Mapped[PaymentState | None] = mapped_column(enum_column(PaymentState))
    sub_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bidsecurity_sub_accounts.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sub_account: Mapped[SubAccount | None] = relationship()


class GuaranteeApplication(Base):
    """A bidder's application for an electronic guarantee (电子保函) for one lot, made
    through the platform: like a sub-account it says who asked, never who holds one."""

    __tablename__ = "bidsecurity_guarantee_applications"
    __table_args__ = (sa.UniqueConstraint("lot_id", "organisation_id",
                                          name="uq_bidsecurity_guarantee_applications_lot_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    pay_url: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


class Guarantee(Base):
    """An accepted guarantee document: verified by the provider's signature, then sealed
    whole to the project's opening key. Before the opening the row says only its lot and
    arrival time; the application (hence the bidder) is known from the opened document."""

    __tablename__ = "bidsecurity_guarantees"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    # SHA-256 of the provider's guarantee number: a replay collides at the database.
    number_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # Filled at the opening, from the opened envelope.
    opened: Mapped[dict | None] = mapped_column(sa.JSON)
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bidsecurity_guarantee_applications.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[GuaranteeApplication | None] = relationship()


class SecurityStatus(enum.StrEnum):
    SATISFIED = "satisfied"  # 已按要求缴纳
    MISSING = "missing"  # 未按要求缴纳
    NOT_REQUIRED = "not_required"  # 不要求保证金
    UNVERIFIED = "unverified"  # 电子保函，线下核验（保函接口未接入）
    UNKNOWN = "unknown"  # 到账信息无法解密（非投标人原因，不作无效处理）


class SecurityCheck(Base):
    """One bid's security at the opening, in the opening record."""

    __tablename__ = "bidsecurity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), unique=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    status: Mapped[SecurityStatus] = mapped_column(enum_column(SecurityStatus))
    required_fen: Mapped[int] = mapped_column(Money)
    paid_fen: Mapped[int] = mapped_column(Money, default=0)
    notification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bidsecurity_notifications.id"))
    guarantee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bidsecurity_guarantees.id"))
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RefundStatus(enum.StrEnum):
    WAITING = "waiting"  # 待退还条件（等待中标通知书/合同）
    DUE = "due"  # 应退还（作业将发起）
    RETRYING = "retrying"  # 银行未确认，重试中
    REFUNDED = "refunded"  # 已退还
    HELD = "held"  # 暂停退还（没收申请处理中）
    FORFEITED = "forfeited"  # 已没收


class Refund(Base):
    """The way back of one received payment — or of one guarantee (its release, 解除, or
    on forfeiture its claim, 索赔): every recorded payment and guarantee gets exactly one."""

    __tablename__ = "bidsecurity_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bidsecurity_notifications.id"), unique=True)
    guarantee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bidsecurity_guarantees.id"), unique=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"),
                                                        index=True)
    cause: Mapped[RefundCause] = mapped_column(enum_column(RefundCause))
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus), index=True)
    payee_name: Mapped[str] = mapped_column(sa.String(200))
    payee_account: Mapped[str] = mapped_column(sa.String(34))
    principal_fen: Mapped[int] = mapped_column(Money)
    interest_fen: Mapped[int] = mapped_column(Money, default=0)
    received_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    # The bank deduplicates on this key: a retry after a lost answer never pays twice.
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # The first order fixes amount and interest: a retry resends the very same order.
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    bank_reference: Mapped[str] = mapped_column(sa.String(64), default="")
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    notification: Mapped[BankNotification | None] = relationship()
    guarantee: Mapped[Guarantee | None] = relationship()

    @property
    def lot_id(self) -> int:
        return (self.notification or self.guarantee).lot_id

    @property
    def claimed(self) -> bool:
        """A forfeited guarantee whose amount the provider has paid (索赔已到账)."""
        return self.guarantee_id is not None and self.status is RefundStatus.FORFEITED \
            and bool(self.bank_reference)


class ForfeitureStatus(enum.StrEnum):
    PROPOSED = "proposed"  # 交易中心已提出，待监督审批
    APPROVED = "approved"  # 监督已批准，保证金没收
    REJECTED = "rejected"  # 监督已驳回，照常退还


class Forfeiture(Base):
    """不予退还: proposed by the center on a listed ground, decided by a supervisor."""

    __tablename__ = "bidsecurity_forfeitures"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(sa.ForeignKey("bidsecurity_refunds.id"), index=True)
    ground: Mapped[str] = mapped_column(sa.String(32))  # rules.ForfeitureGround
    statement: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[ForfeitureStatus] = mapped_column(enum_column(ForfeitureStatus))
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.String(2000), default="")

    refund: Mapped[Refund] = relationship()
