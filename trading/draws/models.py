"""A draw as the platform keeps it: frozen list, commitment, the seed sealed until reveal.

Only `DrawService` writes these rows. The public record (`record.build_record`) is derived
from them on demand, so the stored row and the published record cannot drift apart.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime, enum_column

# Column sizes, checked by the service so a long value is a clear refusal, not a database
# error (PostgreSQL enforces VARCHAR lengths, SQLite does not).
PURPOSE_MAX = 200
SUBJECT_TYPE_MAX = 40
SUBJECT_ID_MAX = 64
BEACON_MAX = 500
BEACON_SOURCE_MAX = 200


class DrawStatus(enum.StrEnum):
    FROZEN = "frozen"  # candidate list fixed and hashed (名单已冻结)
    COMMITTED = "committed"  # SHA-256(seed) published; a beacon may still be entered
    REVEALED = "revealed"  # seed published, result derived (已揭示)


class Draw(Base):
    __tablename__ = "draws"
    __table_args__ = (sa.Index("ix_draws_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(PURPOSE_MAX))
    subject_type: Mapped[str] = mapped_column(sa.String(SUBJECT_TYPE_MAX))
    subject_id: Mapped[str] = mapped_column(sa.String(SUBJECT_ID_MAX))
    rule: Mapped[str] = mapped_column(sa.Text)
    count: Mapped[int]
    # Frozen, in order: [{"id", "label"?, "attributes"?, "weight"?}] (ALGORITHM.md §2).
    candidates: Mapped[list] = mapped_column(sa.JSON)
    candidate_list_hash: Mapped[str] = mapped_column(sa.String(64))
    witnesses: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[DrawStatus] = mapped_column(enum_column(DrawStatus))
    commitment: Mapped[str | None] = mapped_column(sa.String(64))
    # AES-256-GCM under the platform KEK until reveal: a database reader learns nothing
    # that would let them predict the result before the draw.
    sealed_seed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    seed: Mapped[str | None] = mapped_column(sa.String(64))  # hex, only once revealed
    beacon: Mapped[str | None] = mapped_column(sa.String(BEACON_MAX))
    beacon_source: Mapped[str | None] = mapped_column(sa.String(BEACON_SOURCE_MAX))
    result: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Re-draws after declines (递补), in order: [{"declined", "reason", "count", "result",
    # "at"}], the record's follow-up shape.
    follow_ups: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The logged set this list was frozen from (issue #17 pt 4): its key, the size of the
    # checkpoint signed at the freeze, and each candidate's (and each excluded one's) entry
    # {"members": [{"id", "index"}], "excluded": [...]}; None for lists given whole.
    log_set: Mapped[str | None] = mapped_column(sa.String(64))
    log_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    log_entries: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # = frozen at
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    beacon_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: two concurrent reveals or re-draws cannot both win.
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    @property
    def drawn(self) -> list:
        """Every id handed out so far, in draw order, declined ones included."""
        return [*self.result, *(pick for f in self.follow_ups for pick in f["result"])]

    @property
    def declined(self) -> set:
        return {ident for f in self.follow_ups for ident in f["declined"]}
