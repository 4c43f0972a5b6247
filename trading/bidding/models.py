"""Sealed bids: opening keys and their custody, bid versions, the opening and its record.

Nothing here ever holds plaintext. Envelopes live in content-addressed storage and are
referenced by their SHA-256; key material is either public, wrapped under the platform
KEK, or a share HPKE-sealed to a custodian's own public key.
"""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..db.meta import Base
from ..db.types import UTCDateTime, enum_column
from ..projects.kinds import CustodyMode
from ..projects.models import Lot


class OpeningKey(Base):
    """A project's opening key pair (开标密钥), generated when the project is approved.

    For `custodians` the row exists from the designation on (threshold set, no key yet).
    `wrapped_key` is the private key under the KEK: from the start for `auto` and `dual`,
    and only after the opening for `custodians` (the bids are public by then).
    `split_id` names the custodians' split (FORMAT.md §4.2.2).
    """

    __tablename__ = "opening_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    custody: Mapped[CustodyMode] = mapped_column(enum_column(CustodyMode))
    threshold: Mapped[int | None]
    suite: Mapped[str | None] = mapped_column(sa.String(16))
    key_id: Mapped[str | None] = mapped_column(sa.String(64))
    public_key: Mapped[str | None] = mapped_column(sa.Text)  # the opening.pub file
    wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    split_id: Mapped[str | None] = mapped_column(sa.String(32))
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustodyKey(Base):
    """A custodian's public key (custodian.pub), uploaded by the custodian.

    The key pair is generated on the custodian's machine (the browser tool or
    `python -m bid_crypto custodian keygen`); its private half stays there in a
    passphrase-protected file. The platform never receives a passphrase or a private key.
    """

    __tablename__ = "custody_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    suite: Mapped[str] = mapped_column(sa.String(16))
    key_id: Mapped[str] = mapped_column(sa.String(64))
    public_key: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class OpeningCustodian(Base):
    """A named custodian of a project's key and, once generated, their sealed share.

    The custodian's identifier in the share files is ``U<user id>``.
    """

    __tablename__ = "opening_custodians"
    __table_args__ = (
        # Named: the convention names a unique constraint after its first column only.
        sa.UniqueConstraint("project_id", "user_id", name="uq_opening_custodians_user"),
        sa.UniqueConstraint("project_id", "position", name="uq_opening_custodians_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    position: Mapped[int]  # Shamir x coordinate, 1..n
    # The sealed share file (FORMAT.md §4.2.3), HPKE-sealed to the custodian's own key:
    # nothing the platform holds opens it.
    sealed_share: Mapped[str | None] = mapped_column(sa.Text)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The accepted release's share under the KEK between release and opening; wiped after.
    released_share: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class BidState(enum.StrEnum):
    SUBMITTED = "submitted"  # 已递交
    WITHDRAWN = "withdrawn"  # 已撤回（截止前）


def new_public_id() -> str:
    return secrets.token_hex(10)


class Bid(Base):
    """One bidder's bid for one lot; its versions are the envelopes it uploaded.

    Outside the database a bid is named by `public_id` (80 random bits): `id` is
    sequential platform-wide, so showing it would tell a bidder how many bids exist.
    """

    __tablename__ = "bids"
    __table_args__ = (sa.UniqueConstraint("lot_id", "bidder_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    bidder_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    state: Mapped[BidState] = mapped_column(enum_column(BidState))
    current_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    lot: Mapped[Lot] = relationship()
    bidder: Mapped[Organisation] = relationship()
    versions: Mapped[list["BidVersion"]] = relationship(
        back_populates="bid", order_by="BidVersion.version"
    )


class BidVersion(Base):
    """An accepted envelope: every version's hash is kept (rules §7.2)."""

    __tablename__ = "bid_versions"
    __table_args__ = (sa.UniqueConstraint("bid_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), index=True)
    version: Mapped[int]
    envelope_sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    header_sha256: Mapped[str] = mapped_column(sa.String(64))
    dual_key_id: Mapped[str | None] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(16))  # upload | form
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_signature: Mapped[str] = mapped_column(sa.String(128))
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # Where it came from (rules §7.7 Art 49; collusion checks §7.9): address, fingerprint.
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    device: Mapped[str] = mapped_column(sa.String(32), default="")
    # The audit event that logs this version: its receipt's promise of inclusion names it.
    audit_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    bid: Mapped[Bid] = relationship(back_populates="versions")


class OpeningState(enum.StrEnum):
    WAITING = "waiting"  # custodians' releases or bidders' decryption still missing
    DONE = "done"  # the record is final


class Opening(Base):
    """The opening of one project (开标) and its record's header."""

    __tablename__ = "openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    state: Mapped[OpeningState] = mapped_column(enum_column(OpeningState))
    custody: Mapped[CustodyMode] = mapped_column(enum_column(CustodyMode))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # dual only
    # custodians only: the opening statement's random `opening` (FORMAT.md §4.2.4), drawn
    # when the opening starts, so no release can be made before it.
    statement_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(sa.String(16), default="")  # evaluation | failed
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    lots: Mapped[list] = mapped_column(sa.JSON, default=list)  # per-lot counts and outcome
    documents_stored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The audit log's checkpoint signed at the deadline (issue #17): its tree size. Every
    # bid logged below it is in this opening; each line names its entry's leaf index.
    log_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}


class LineStatus(enum.StrEnum):
    PENDING = "pending"  # 未解密
    DECRYPTED = "decrypted"  # 已解密
    INVALID = "invalid"  # 已解密，报价无效
    REVOKED = "revoked"  # 投标人原因解密失败，视为撤销（REVOKED_DECRYPT_FAIL）
    SYSTEM_FAILED = "system_failed"  # 非投标人原因，视为撤回（WITHDRAWN_SYSTEM_FAIL）
    NOT_OPENED = "not_opened"  # 投标人不足，不予开标


class OpeningLine(Base):
    """One bid in the opening record: status, price and items, anomalies, confirmation."""

    __tablename__ = "opening_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), unique=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    version: Mapped[int]
    envelope_sha256: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[LineStatus] = mapped_column(enum_column(LineStatus))
    reason: Mapped[str] = mapped_column(sa.String(32), default="")  # machine code
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    total_price: Mapped[int | None] = mapped_column(sa.BigInteger)  # 分, from offer.json
    offer: Mapped[dict | None] = mapped_column(sa.JSON)  # the opening-record items
    offer_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    documents: Mapped[list] = mapped_column(sa.JSON, default=list)  # name, size, sha256
    anomalies: Mapped[list] = mapped_column(sa.JSON, default=list)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    objection: Mapped[str] = mapped_column(sa.String(2000), default="")
    log_index: Mapped[int | None] = mapped_column(sa.BigInteger)  # the version's log entry

    bid: Mapped[Bid] = relationship()
    lot: Mapped[Lot] = relationship()


class DecryptionShareRecord(Base):
    """Dual custody: a bidder's verified decryption share, under the KEK until used."""

    __tablename__ = "decryption_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), unique=True)
    version: Mapped[int]
    wrapped_share: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    device: Mapped[str] = mapped_column(sa.String(32), default="")
