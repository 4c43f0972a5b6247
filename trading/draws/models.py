"""A draw as the platform keeps it: frozen list, commitment, the seed sealed until reveal."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime, enum_column


class DrawStatus(enum.StrEnum):
    FROZEN = "frozen"  # candidate list fixed and hashed
    COMMITTED = "committed"  # SHA-256(seed) published; a beacon may still be entered
    REVEALED = "revealed"  # seed published, result derived


class Draw(Base):
    __tablename__ = "draws"
    __table_args__ = (sa.Index("ix_draws_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(200))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    rule: Mapped[str] = mapped_column(sa.Text)
    count: Mapped[int]
    candidates: Mapped[list] = mapped_column(sa.JSON)  # frozen, in order
    candidate_list_hash: Mapped[str] = mapped_column(sa.String(64))
    witnesses: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[DrawStatus] = mapped_column(enum_column(DrawStatus))
    commitment: Mapped[str | None] = mapped_column(sa.String(64))
    # AES-256-GCM under the platform KEK until reveal: nobody reads it from the database.
    sealed_seed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    seed: Mapped[str | None] = mapped_column(sa.String(64))  # hex, only once revealed
    beacon: Mapped[str | None] = mapped_column(sa.String(500))
    beacon_source: Mapped[str | None] = mapped_column(sa.String(200))
    result: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Re-draws after declines: [{"declined", "reason", "count", "at", "result"}]
    follow_ups: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}
