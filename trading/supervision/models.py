"""What the collusion scan found (rules §7.9): one scan row per opened project, advisory
signals per lot."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime


class CollusionScan(Base):
    """That a project's bids were checked for collusion after its opening (rules §7.9)."""

    __tablename__ = "collusion_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    rules_version: Mapped[str] = mapped_column(sa.String(32))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lots: Mapped[list] = mapped_column(sa.JSON)  # lot id, number, bidders, signals per lot


class CollusionSignal(Base):
    """One advisory signal on a lot: which bidders, what kind, the evidence that raised it.

    Stored with the project, shown to the committee and supervisors, never to bidders.
    """

    __tablename__ = "collusion_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    level: Mapped[str] = mapped_column(sa.String(16))
    bidder_org_ids: Mapped[list] = mapped_column(sa.JSON)
    evidence: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
