"""小额工程企业库 tables: registry entries, their qualifications, small-works projects,
and the declines that count towards suspension. Only `SmallWorksService` writes them."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..db.meta import Base
from ..db.types import Money, UTCDateTime, enum_column
from .rules import AllocationMethod, Category, ObjectType
from .status import AllocationStatus, RegistryStatus

NAME_MAX = 200
TEXT_MAX = 2000


class Enterprise(Base):
    """One enterprise's registry entry (入库申请 and, once approved, 在库企业)."""

    __tablename__ = "smallworks_enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"),
                                                 unique=True)
    # 统一社会信用代码, copied from the organisation: one entry per legal entity.
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    status: Mapped[RegistryStatus] = mapped_column(enum_column(RegistryStatus))
    business_licence_until: Mapped[date] = mapped_column(sa.Date)
    safety_licence_no: Mapped[str] = mapped_column(sa.String(60), default="")
    safety_licence_until: Mapped[date | None] = mapped_column(sa.Date)
    # Local service capacity (本地服务能力), not domicile: an office and insured staff here.
    local_office: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    local_insured_staff: Mapped[int]
    # 项目经理 names; each may run max_manager_active_contracts works at once.
    managers: Mapped[list] = mapped_column(sa.JSON, default=list)
    similar_projects: Mapped[str] = mapped_column(sa.Text, default="")  # one per line
    integrity_commitment: Mapped[bool] = mapped_column(default=False)  # 诚信承诺书
    credit_score: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    blacklisted: Mapped[bool] = mapped_column(default=False)
    last_serious_violation_on: Mapped[date | None] = mapped_column(sa.Date)
    review_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")
    suspended_until: Mapped[date | None] = mapped_column(sa.Date)  # None: until lifted
    # Why the entry is suspended (rules.SuspensionCause): only a suspension the declines
    # caused is lifted when the center later finds a decline justified.
    suspension_cause: Mapped[str] = mapped_column(sa.String(20), default="")
    # The earliest expiry the last notice was about; a new notice only for a new expiry.
    expiry_notice_for: Mapped[date | None] = mapped_column(sa.Date)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    qualifications: Mapped[list["Qualification"]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan",
        order_by="Qualification.id")


class Qualification(Base):
    """资质证书 in one category (with an optional sub-specialty such as 装饰装修)."""

    __tablename__ = "smallworks_qualifications"
    # Every pool reads the certificates of one category over the whole registry.
    __table_args__ = (sa.Index("ix_smallworks_qualifications_category", "category",
                               "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("smallworks_enterprises.id"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category))
    sub_specialty: Mapped[str] = mapped_column(sa.String(60), default="")
    grade: Mapped[int]  # rules.Grade: 0 特级 … 3 三级
    certificate_no: Mapped[str] = mapped_column(sa.String(60))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="qualifications")


class SmallWork(Base):
    """A small-works project (小额工程) and its allocation."""

    __tablename__ = "smallworks_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    category: Mapped[Category] = mapped_column(enum_column(Category))
    sub_specialty: Mapped[str] = mapped_column(sa.String(60), default="")
    object_type: Mapped[ObjectType] = mapped_column(enum_column(ObjectType))
    amount: Mapped[int] = mapped_column(Money)  # 分
    site: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    approved_on: Mapped[date] = mapped_column(sa.Date)  # 立项/预算批复日期
    budget_proof: Mapped[str] = mapped_column(sa.Text)  # 预算批复文号及资金来源
    # The budget approval document (预算批复文件) in the file store: its digest is its
    # only name; the filename is the uploader's, cleaned, for display only.
    budget_file_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    budget_file_name: Mapped[str] = mapped_column(sa.String(200), default="")
    budget_file_type: Mapped[str] = mapped_column(sa.String(100), default="")
    budget_file_size: Mapped[int | None]
    method: Mapped[AllocationMethod] = mapped_column(enum_column(AllocationMethod))
    status: Mapped[AllocationStatus] = mapped_column(enum_column(AllocationStatus))
    # Advisory split evidence (rules.SplitFlag) and the center's decision on it.
    split_flag: Mapped[dict | None] = mapped_column(sa.JSON)
    split_decision: Mapped[str] = mapped_column(sa.Text, default="")
    review_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    # The frozen pool: eligible candidates (draw-candidate objects) and who was excluded
    # with every reason, published with the allocation record.
    pool_on: Mapped[date | None] = mapped_column(sa.Date)
    tier: Mapped[str] = mapped_column(sa.String(40), default="")
    eligible: Mapped[list] = mapped_column(sa.JSON, default=list)
    excluded: Mapped[list] = mapped_column(sa.JSON, default=list)
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"))
    short_list: Mapped[list] = mapped_column(sa.JSON, default=list)  # ids, drawn order
    winner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("smallworks_enterprises.id"))
    decided_by: Mapped[str] = mapped_column(sa.String(200), default="")
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager: Mapped[str] = mapped_column(sa.String(60), default="")
    publicity_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    on_time: Mapped[bool | None]
    quality_accepted: Mapped[bool | None]
    evaluation_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    failure_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # 合理低价: the quotes' opening key (public JSON; the private key wrapped under the KEK
    # until the quotes are opened after `quotes_due_at`).
    opening_key: Mapped[str] = mapped_column(sa.Text, default="")
    wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    quotes_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quotes_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The parameters the pool was built and the allocation run under (the `smallworks`
    # RuleProfile version, 0 for the code defaults, and its values), frozen with the pool.
    profile_version: Mapped[int | None]
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    owner: Mapped[Organisation] = relationship()
    winner: Mapped[Enterprise | None] = relationship()


class Decline(Base):
    """A drawn enterprise's decline (放弃); unjustified ones count towards suspension."""

    __tablename__ = "smallworks_declines"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("smallworks_projects.id"),
                                            index=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("smallworks_enterprises.id"),
                                               index=True)
    declined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.Text)
    # The center's decision (正当理由认定). Until it decides, a decline counts as
    # unjustified: the firm gave the reason, only the center can accept it.
    justified: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")


class Quote(Base):
    """A short-listed enterprise's sealed quote (报价); the price is known only after the
    opening, when `price` is filled from the envelope."""

    __tablename__ = "smallworks_quotes"
    __table_args__ = (sa.UniqueConstraint("project_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("smallworks_projects.id"))
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("smallworks_enterprises.id"))
    envelope: Mapped[bytes] = mapped_column(sa.LargeBinary)
    envelope_sha256: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    price: Mapped[int | None] = mapped_column(Money)  # 分, after the opening
    problem: Mapped[str] = mapped_column(sa.String(200), default="")
