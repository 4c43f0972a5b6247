"""Projects (交易项目), lots, documents, announcements, questions, sign-ups, downloads."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..db.meta import Base
from ..db.types import Money, UTCDateTime, enum_column
from .kinds import (
    AwardMethod,
    CryptoSuite,
    CustodyMode,
    EvaluationMethod,
    ObjectType,
    ProcurementMethod,
    ProjectType,
    Regime,
)
from .status import ProjectStatus


class RuleProfile(Base):
    """A versioned bag of procedure parameters; a project keeps the version it used."""

    __tablename__ = "rule_profiles"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int]
    regime: Mapped[Regime] = mapped_column(enum_column(Regime))
    procurement_method: Mapped[ProcurementMethod] = mapped_column(enum_column(ProcurementMethod))
    params: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        # Newest-first listing walks this index backwards and stops after one page.
        sa.Index("ix_projects_published", "published_at", "id"),
        # Each filter's index also holds the status, so the listing's capped count (every
        # query has status IN public) and its page are read from the index alone.
        sa.Index("ix_projects_type_published_status", "project_type", "published_at",
                 "status"),
        sa.Index("ix_projects_region_status", "region", "status", "published_at"),
        sa.Index("ix_projects_budget_status", "budget", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)  # 项目编号
    name: Mapped[str] = mapped_column(sa.String(200))
    project_type: Mapped[ProjectType] = mapped_column(enum_column(ProjectType))
    regime: Mapped[Regime] = mapped_column(enum_column(Regime))
    object_type: Mapped[ObjectType] = mapped_column(enum_column(ObjectType))
    procurement_method: Mapped[ProcurementMethod] = mapped_column(enum_column(ProcurementMethod))
    evaluation_method: Mapped[EvaluationMethod] = mapped_column(enum_column(EvaluationMethod))
    award_method: Mapped[AwardMethod] = mapped_column(enum_column(AwardMethod))
    custody_mode: Mapped[CustodyMode] = mapped_column(enum_column(CustodyMode))
    # None until approval: the rule profile's `crypto.suite`, else the platform default;
    # the opening key's generation writes the suite it used here.
    crypto_suite: Mapped[CryptoSuite | None] = mapped_column(enum_column(CryptoSuite))
    region: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    rule_profile_id: Mapped[int] = mapped_column(sa.ForeignKey("rule_profiles.id"))
    retender_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"))

    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    budget: Mapped[int] = mapped_column(Money)  # sum of the lots, 分
    # A supervisor's freeze (冻结) refuses every transition until lifted.
    frozen_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    doc_start: Mapped[datetime] = mapped_column(UTCDateTime)
    doc_end: Mapped[datetime] = mapped_column(UTCDateTime)
    clarification_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    bid_deadline: Mapped[datetime] = mapped_column(UTCDateTime)  # = opening time (开标时间)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Optimistic locking: two concurrent transitions cannot both win.
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    owner: Mapped[Organisation] = relationship()
    rule_profile: Mapped[RuleProfile] = relationship()
    lots: Mapped[list["Lot"]] = relationship(
        back_populates="project", order_by="Lot.number", cascade="all, delete-orphan"
    )
    documents: Mapped[list["ProjectDocument"]] = relationship(
        back_populates="project", order_by="ProjectDocument.id"
    )
    announcements: Mapped[list["Announcement"]] = relationship(
        back_populates="project", order_by="Announcement.id"
    )

    @property
    def params(self) -> dict:
        return self.rule_profile.params


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (sa.UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    number: Mapped[int]  # 标段（包）号, from 1
    name: Mapped[str] = mapped_column(sa.String(200))
    budget: Mapped[int] = mapped_column(Money)
    ceiling_price: Mapped[int | None] = mapped_column(Money)  # 最高限价
    description: Mapped[str] = mapped_column(sa.Text, default="")

    project: Mapped[Project] = relationship(back_populates="lots")


class ProjectDocument(Base):
    __tablename__ = "project_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # tender_file | attachment | clarification
    filename: Mapped[str] = mapped_column(sa.String(255))  # for display only
    content_type: Mapped[str] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    project: Mapped[Project] = relationship(back_populates="documents")


class Announcement(Base):
    """A public notice: 招标公告/采购公告, 澄清/变更公告, and later results."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    affects_bids: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The platform's signature over the notice (bid_crypto.notices): Ed25519, or SM2 for a
    # 国密 project. None only for notices published before notices were signed.
    signature: Mapped[str | None] = mapped_column(sa.String(128))
    signing_algorithm: Mapped[str | None] = mapped_column(sa.String(16))

    project: Mapped[Project] = relationship(back_populates="announcements")


class Question(Base):
    """A bidder's question; published with its answer and never with the asker's identity."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    asked_by_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class SignUp(Base):
    """报名: hidden from everyone but the trading center until the deadline (Art 21)."""

    __tablename__ = "signups"
    __table_args__ = (sa.UniqueConstraint("lot_id", "bidder_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    bidder_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept for collusion checks (rules §7.9), never shown before the deadline.
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    device: Mapped[str] = mapped_column(sa.String(32), default="")

    lot: Mapped[Lot] = relationship()
    bidder: Mapped[Organisation] = relationship()


class DocumentDownload(Base):
    __tablename__ = "document_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("project_documents.id"))
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    device: Mapped[str] = mapped_column(sa.String(32), default="")
    downloaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProjectReview(Base):
    __tablename__ = "project_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(16))  # approved | returned
    reasons: Mapped[str] = mapped_column(sa.Text, default="")
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListingGeneration(Base):
    """One row: bumped in the transaction of every write that changes the public listing
    (listing_cache.py), so web processes tell a cached listing page is still current by
    reading one row by primary key."""

    __tablename__ = "listing_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
