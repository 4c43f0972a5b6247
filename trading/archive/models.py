"""Archive packages (归档包): one signed ZIP per project that reached a final state."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime


class ArchivePackage(Base):
    __tablename__ = "archive_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One package per project: archiving twice finds this row and stops.
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))  # of the ZIP, in file storage
    size: Mapped[int] = mapped_column(sa.BigInteger)
    files: Mapped[int]
    retention: Mapped[str] = mapped_column(sa.String(16))  # the longest class inside
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
