"""Sealed rounds (密封报价轮次): the final offer (终次报价) and the 磋商 final quotes
(最后报价) are one mechanism — a key pair per round, one sealed bid_crypto envelope per
party, every envelope opened at the same moment once the window has closed.

Like bids, a sealed offer is stored as a bid_crypto envelope by its SHA-256 only; its
amount is written here once the round's window has closed. The table names are the
final offer's, where the mechanism started.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..db.meta import Base
from ..db.types import UTCDateTime, enum_column
from ..projects.models import Lot


class RoundPurpose(enum.StrEnum):
    """What a round decides: its purpose picks the decision when the window closes."""

    FINAL_OFFER = "final_offer"  # 终次报价: the winner by the final-offer rule (award)
    FINAL_QUOTE = "final_quote"  # 磋商最后报价: revealed, then scored (evaluation)


class RoundState(enum.StrEnum):
    ELIGIBILITY = "eligibility"  # 资格确认期
    OPEN = "open"  # 终次报价期（密封）
    DECIDED = "decided"  # 已揭示、已确定结果


class FinalOfferRound(Base):
    """One final-offer round of one lot (rules §1.2–§1.4).

    The round has its own key pair: its private key is wrapped under the platform KEK
    (like an `auto` opening key) and used once, when the window has closed. The
    project's opening key cannot serve: after the opening it is unwrapped for the
    evaluation, so offers sealed to it would be readable before the round ends.
    """

    __tablename__ = "final_offer_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(16), default=RoundPurpose.FINAL_OFFER.value)
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    eligibility_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    floor_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    ceiling_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    params: Mapped[dict] = mapped_column(sa.JSON)  # the profile values the round used
    suite: Mapped[str] = mapped_column(sa.String(16))
    key_id: Mapped[str] = mapped_column(sa.String(64))
    public_key: Mapped[str] = mapped_column(sa.Text)
    wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    coefficient_draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"))
    # outcome, winner, price, reference, counted, cannot_win, rejected, draws, fallback
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    lot: Mapped[Lot] = relationship()
    parties: Mapped[list["FinalOfferParty"]] = relationship(
        back_populates="round", order_by="FinalOfferParty.id"
    )


class FinalOfferParty(Base):
    """An eligible party: a valid bid before the round, or the floor accepted in time."""

    __tablename__ = "final_offer_parties"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "bidder_org_id", name="uq_final_offer_parties_bidder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("final_offer_rounds.id"), index=True)
    bidder_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    basis: Mapped[str] = mapped_column(sa.String(16))  # valid_bid | accepted_floor
    previous_fen: Mapped[int | None] = mapped_column(sa.BigInteger)  # its opened bid price
    eligible_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The sealed offer (one, never replaced): envelope digest and signed receipt.
    envelope_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    envelope_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_signature: Mapped[str | None] = mapped_column(sa.String(128))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # After the reveal: the amount read from offer.json, or why it could not count.
    amount_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    problem: Mapped[str] = mapped_column(sa.String(300), default="")

    round: Mapped[FinalOfferRound] = relationship(back_populates="parties")
    bidder: Mapped[Organisation] = relationship()
