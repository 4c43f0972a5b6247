"""The hash-chained, append-only audit log (architecture §9).

No code path updates or deletes an AuditEvent; subjects are referenced by type and id (no
foreign keys, no cascades) so records outlive what they describe.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_subject", "subject_type", "subject_id"),
        sa.Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    # seq is assigned from AuditHead under its lock: gapless and in commit order.
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(100))
    on_behalf_of_org_id: Mapped[int | None]
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    request_id: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[dict] = mapped_column(sa.JSON)
    # 等保 2.0 §8.1.4.3: every record says how the event ended ("success", "failure",
    # "refused"); NULL only on rows written before the column existed.
    result: Mapped[str | None] = mapped_column(sa.String(16))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditHead(Base):
    """One row: the chain's last seq and hash. Updating it first serialises appenders."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditCheckpoint(Base):
    """An Ed25519 signature over the chain head, published so outsiders can pin history."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[str] = mapped_column(sa.String(128))


# -- the transparency log (issue #17) ---------------------------------------------------------
# Business transactions add a TlogPending row next to their AuditEvent and take no shared
# lock; the sequencer (one at a time, under TlogState's row lock) moves pending events into
# the Merkle tree, stores the subtree hashes proofs need, and signs a checkpoint.


class TlogPending(Base):
    """An event waiting for the sequencer. Its id is the event's seq: the id sequence, not a
    head row, is what keeps concurrent appenders apart (AUTOINCREMENT: ids never reused)."""

    __tablename__ = "tlog_pending"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A receipt promised inclusion within the maximum merge delay from queued_at.
    promised: Mapped[bool] = mapped_column(default=False)


class TlogLeaf(Base):
    """Leaf `idx` of the tree: the event it logs and the times the sequencer saw."""

    __tablename__ = "tlog_leaves"

    idx: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    event_seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    leaf_hash: Mapped[str] = mapped_column(sa.String(64))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    integrated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    promised: Mapped[bool] = mapped_column(default=False)


class TlogHash(Base):
    """The hash of the complete subtree [idx·2^level, (idx+1)·2^level)."""

    __tablename__ = "tlog_hashes"

    level: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(sa.String(64))


class TlogCheckpoint(Base):
    """A signed note (C2SP tlog-checkpoint) over (origin, size, root)."""

    __tablename__ = "tlog_checkpoints"

    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(sa.String(64))
    note: Mapped[str] = mapped_column(sa.Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TlogState(Base):
    """One row: the tree the sequencer last built. Only the sequencer locks it."""

    __tablename__ = "tlog_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    root: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TlogCosignature(Base):
    """A witness's cosignature (C2SP tlog-cosignature) on the checkpoint of `size`."""

    __tablename__ = "tlog_cosignatures"

    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    key_id: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    witness: Mapped[str] = mapped_column(sa.String(100))
    timestamp: Mapped[int] = mapped_column(sa.BigInteger)
    line: Mapped[str] = mapped_column(sa.Text)  # the signature line, as the note carries it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TlogSet(Base):
    """A logged set (issue #17): a draw's candidate pool or an award's inputs. Each entry
    that adds a member or takes one out is an audit event numbered in its set and naming
    the set's previous entry, appended when it happens; updating this row first keeps the
    numbering of one set gapless without locking any other set."""

    __tablename__ = "tlog_sets"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)  # entries so far
    last_seq: Mapped[int | None] = mapped_column(sa.BigInteger)  # the last entry's event
