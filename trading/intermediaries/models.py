"""中介超市 tables: catalogue, entries (入驻) with practitioners and qualification lines,
purchases (采购公告), registrations (报名) with sealed quotes, documents, ratings, credit.

Only `IntermediaryService` writes these rows; statuses change through its `transition`
methods after `status.check_transition`.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..db.meta import Base
from ..db.types import Money, UTCDateTime, enum_column
from .rules import AmountMode, CreditEventKind, FundingSource, SelectionMethod
from .status import EntryStatus, PurchaseStatus


class ServiceType(Base):
    """中介服务类型 in the center's catalogue (中介服务事项清单)."""

    __tablename__ = "im_service_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # the qualification an intermediary needs for this type (资质要求)
    required_qualification: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    items: Mapped[list["ServiceItem"]] = relationship(
        back_populates="service_type", order_by="ServiceItem.code")


class ServiceItem(Base):
    """One catalogue item (中介服务事项), linked to the approval it is a precondition of."""

    __tablename__ = "im_service_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("im_service_types.id"),
                                                 index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    approval_item: Mapped[str] = mapped_column(sa.String(200), default="")  # 关联审批事项
    required_qualification: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    service_type: Mapped[ServiceType] = relationship(back_populates="items")


class Entry(Base):
    """An intermediary organisation's entry into the supermarket (入驻), rules §5.2."""

    __tablename__ = "im_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # business licence (营业执照) data; the credit code is the organisation's own
    licence_number: Mapped[str] = mapped_column(sa.String(64))
    legal_representative: Mapped[str] = mapped_column(sa.String(100))
    registered_capital: Mapped[int] = mapped_column(Money, default=0)
    business_scope: Mapped[str] = mapped_column(sa.Text, default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    licence_valid_until: Mapped[date | None]
    # 承诺书: who signed, when, and the SHA-256 of the exact text signed
    commitment_signed_by: Mapped[str] = mapped_column(sa.String(100), default="")
    commitment_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commitment_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    organisation: Mapped[Organisation] = relationship()
    practitioners: Mapped[list["Practitioner"]] = relationship(
        order_by="Practitioner.id", cascade="all, delete-orphan")
    lines: Mapped[list["QualificationLine"]] = relationship(
        order_by="QualificationLine.id", cascade="all, delete-orphan", back_populates="entry")


class Practitioner(Base):
    """执业人员: name, practising certificate and months of social insurance with the firm."""

    __tablename__ = "im_practitioners"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("im_entries.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    certificate: Mapped[str] = mapped_column(sa.String(200), default="")
    social_insurance_months: Mapped[int] = mapped_column(default=0)


class QualificationLine(Base):
    """资质线: the right to serve one service type, with its certificate and validity."""

    __tablename__ = "im_qualification_lines"
    __table_args__ = (sa.UniqueConstraint("entry_id", "service_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("im_entries.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("im_service_types.id"))
    certificate_no: Mapped[str] = mapped_column(sa.String(100))
    grade: Mapped[str] = mapped_column(sa.String(50), default="")
    valid_from: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    # suspended by the expiry job; a renewed certificate (new validity) reactivates it
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expiry_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[Entry] = relationship(back_populates="lines")
    service_type: Mapped[ServiceType] = relationship()


class Notice(Base):
    """A message to an organisation (qualification about to expire, suspended, …)."""

    __tablename__ = "im_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Purchase(Base):
    """采购公告 and its selection (rules §5.3–5.5)."""

    __tablename__ = "im_purchases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    project_name: Mapped[str] = mapped_column(sa.String(200))
    contact: Mapped[str] = mapped_column(sa.String(100), default="")
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("im_service_types.id"))
    item_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    content: Mapped[str] = mapped_column(sa.Text)  # 服务内容
    time_limit: Mapped[str] = mapped_column(sa.String(200))  # 服务时限, as the owner words it
    # the same limit, structured (rules.ServiceTerm): days from the service start
    # (calendar, or working days), or a fixed due date; what electronic supervision checks
    service_days: Mapped[int | None]
    service_working_days: Mapped[bool] = mapped_column(default=False)
    service_due_on: Mapped[date | None]
    qualification_requirements: Mapped[str] = mapped_column(sa.Text, default="")
    funding: Mapped[FundingSource] = mapped_column(enum_column(FundingSource))
    amount_mode: Mapped[AmountMode] = mapped_column(enum_column(AmountMode))
    fixed_fen: Mapped[int | None] = mapped_column(Money)
    base_fen: Mapped[int | None] = mapped_column(Money)
    highest_fen: Mapped[int | None] = mapped_column(Money)
    rate_base_fen: Mapped[int | None] = mapped_column(Money)
    # percents with 2 dp as text: exact on both databases
    min_rate: Mapped[str | None] = mapped_column(sa.String(8))
    max_rate: Mapped[str | None] = mapped_column(sa.String(8))
    method: Mapped[SelectionMethod] = mapped_column(enum_column(SelectionMethod))
    long_list_size: Mapped[int | None]
    short_list_size: Mapped[int | None]
    registration_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    selection_time: Mapped[datetime] = mapped_column(UTCDateTime)
    avoid: Mapped[list] = mapped_column(sa.JSON, default=list)  # 回避单位 credit codes

    status: Mapped[PurchaseStatus] = mapped_column(enum_column(PurchaseStatus), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    review_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    next_check: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    republished_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("im_purchases.id"))

    # selection: the frozen candidate ids, draws, the winner and why
    candidate_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    short_list: Mapped[list] = mapped_column(sa.JSON, default=list)
    coefficient_percent: Mapped[int | None]
    selected_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    selected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirm_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    selection_evidence: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # the owner confirmed the contract (服务开始): the service days count from here
    service_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # sealed quotes: the purchase's opening key (public part and the private under the KEK)
    opening_public_key: Mapped[str | None] = mapped_column(sa.Text)
    opening_wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    owner: Mapped[Organisation] = relationship(foreign_keys=[owner_org_id])
    selected: Mapped[Organisation | None] = relationship(foreign_keys=[selected_org_id])
    service_type: Mapped[ServiceType] = relationship()
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="purchase", order_by="Registration.id")
    documents: Mapped[list["PurchaseDocument"]] = relationship(order_by="PurchaseDocument.id")


class Registration(Base):
    """报名 of one intermediary; a price method adds its sealed quote (报价) later."""

    __tablename__ = "im_registrations"
    __table_args__ = (sa.UniqueConstraint("purchase_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(sa.ForeignKey("im_purchases.id"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the sealed quote: SHA-256 of the envelope in storage, opened at the selection time
    quote_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    quoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    price_fen: Mapped[int | None] = mapped_column(Money)  # known only after the opening
    quote_value: Mapped[str | None] = mapped_column(sa.String(32))  # as quoted (分 or rate)
    plan: Mapped[str] = mapped_column(sa.Text, default="")  # 服务方案 (opened with the quote)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    purchase: Mapped[Purchase] = relationship(back_populates="registrations")
    organisation: Mapped[Organisation] = relationship()


class PurchaseDocument(Base):
    """A contract (合同) or service result (服务成果), content-addressed."""

    __tablename__ = "im_purchase_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(sa.ForeignKey("im_purchases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # contract | result
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(sa.String(16), default="")  # accepted | rejected
    verdict_reason: Mapped[str] = mapped_column(sa.String(500), default="")


class ServiceRating(Base):
    """服务评价 by the owner, once per purchase."""

    __tablename__ = "im_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(sa.ForeignKey("im_purchases.id"), unique=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    quality: Mapped[int]
    timeliness: Mapped[int]
    attitude: Mapped[int]
    fee_compliance: Mapped[int]
    score: Mapped[str] = mapped_column(sa.String(8))  # Decimal, 2 dp
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    completed_on: Mapped[date]
    rated_on: Mapped[date]
    rated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class CreditRecord(Base):
    """A bad-conduct record (不良行为记录); waived when the reason was accepted."""

    __tablename__ = "im_credit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    kind: Mapped[CreditEventKind] = mapped_column(enum_column(CreditEventKind))
    occurred_on: Mapped[date]
    purchase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("im_purchases.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_reason: Mapped[str] = mapped_column(sa.String(500), default="")
