"""Published OCDS releases: append-only, in commit order for the public feed."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime


class OcdsRelease(Base):
    __tablename__ = "ocds_releases"

    # The feed cursor: increasing with each insert (see service.feed for late commits).
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    # A release is of a project (交易项目) or of a small work (小额工程), never both.
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    smallwork_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("smallworks_projects.id"), index=True)
    ocid: Mapped[str] = mapped_column(sa.String(100), index=True)
    release_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    tag: Mapped[str] = mapped_column(sa.String(40))
    date: Mapped[datetime] = mapped_column(UTCDateTime)
    # The release exactly as published (exact decimal amounts), served byte for byte.
    data_json: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OcdsFeedLock(Base):
    """One row every release writer updates before its insert: the row lock (PostgreSQL)
    or write lock (SQLite) held until commit makes release ids follow commit order. Only
    release writers queue on it (the audit log takes no shared lock since issue #17)."""

    __tablename__ = "ocds_feed_lock"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
