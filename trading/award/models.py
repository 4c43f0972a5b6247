"""Award (定标): publicity, objections, the award and its notices, 评定分离 committees
and their descending auctions. The sealed final-offer rounds are in ``trading.rounds``."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..db.meta import Base
from ..db.types import UTCDateTime
from ..projects.models import Lot

# -- publicity, objections, the award, notices (rules §7.6, §7.8, §7.10) ------------------


class Publicity(Base):
    """中标候选人公示 of a project: its candidates per lot, for the profile's days.

    `candidates` is frozen when the publicity starts: [{"lot_id", "org_id", "name",
    "rank", "price_fen", "score"}]; rank is None for the unranked 定标候选人 (评定分离).
    """

    __tablename__ = "publicities"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # evaluation | final_offer
    candidates: Mapped[list] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    announcement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("announcements.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The award's inputs fixed at the start (issue #17 pt 4): per lot id, the logged set,
    # the checkpoint's size and each candidate's entry {"set", "size", "members",
    # "excluded"}; None when the report's inputs were not logged (before sets existed).
    log_inputs: Mapped[dict | None] = mapped_column(sa.JSON)

    objections: Mapped[list["Objection"]] = relationship(
        back_populates="publicity", order_by="Objection.id")


class Objection(Base):
    """异议 raised during the publicity; the process waits until it is answered."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    publicity_id: Mapped[int] = mapped_column(sa.ForeignKey("publicities.id"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    publicity: Mapped[Publicity] = relationship(back_populates="objections")
    organisation: Mapped[Organisation] = relationship()


class Award(Base):
    """定标 of one lot: the winner, the order to fall back on, and how it was decided."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), unique=True)
    winner_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    price_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    method: Mapped[str] = mapped_column(sa.String(32))  # rank_one | final_offer | committee
    order: Mapped[list] = mapped_column(sa.JSON)  # org ids, the winner first (§7.10)
    declined: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"org_id", "reason", "at"}]
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    contract_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    lot: Mapped[Lot] = relationship()
    winner: Mapped[Organisation | None] = relationship()


class AwardNotice(Base):
    """中标通知书 to the winner, 结果通知书 to every other candidate (Art 36)."""

    __tablename__ = "award_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("awards.id"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # award | result
    body: Mapped[str] = mapped_column(sa.Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # after a decline

    award: Mapped[Award] = relationship()
    organisation: Mapped[Organisation] = relationship()


# -- 评定分离: the owner's award committee (rules §3) ---------------------------------------


class RosterEntry(Base):
    """定标委员会成员库: the owner's own people who may be drawn (roster ≥ 2 × size).

    `employers`, `shareholdings` and `relatives` are the facts the conflict checks read
    (the same shapes as an expert's, ``trading.evaluation.conflicts``); `may_chair` marks
    the legal representative or head (法定代表人 / 主要负责人) who may sit as chair.
    """

    __tablename__ = "award_roster"
    __table_args__ = (sa.UniqueConstraint("owner_org_id", "user_id",
                                          name="uq_award_roster_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(100), default="")  # 职务
    may_chair: Mapped[bool] = mapped_column(default=False)
    employers: Mapped[list] = mapped_column(sa.JSON, default=list)
    shareholdings: Mapped[list] = mapped_column(sa.JSON, default=list)
    relatives: Mapped[list] = mapped_column(sa.JSON, default=list)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AwardCommittee(Base):
    """The 定标委员会 of one lot: drawn from the roster, deciding by the set method.

    `plan` is {"stage1": {...AwardStage}, "stage2": {...} | None, "ballots": "named" |
    "anonymous"}; `stage`, `entrants` and the rounds drive the method. The draw lists
    roster members by pseudonym (salted, the salt published with the report) and
    `excluded` keeps who withdrew for a conflict and why. `report_body` is the 定标报告
    as every member signed it, `report_signature` the platform's Ed25519 signature.
    """

    __tablename__ = "award_committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), unique=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id"))
    chair_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    plan: Mapped[dict] = mapped_column(sa.JSON)
    stage: Mapped[int] = mapped_column(default=1)
    entrants: Mapped[list] = mapped_column(sa.JSON)  # candidate ids still in play
    winner: Mapped[str | None] = mapped_column(sa.String(32))
    ranking: Mapped[list] = mapped_column(sa.JSON, default=list)  # fallback order
    steps: Mapped[list] = mapped_column(sa.JSON, default=list)  # what each stage did
    pseudonym_salt: Mapped[str | None] = mapped_column(sa.String(64))
    excluded: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{pseudonym, user_id, reasons}]
    report_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    report_body: Mapped[dict | None] = mapped_column(sa.JSON)
    report_signature: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    lot: Mapped[Lot] = relationship()
    members: Mapped[list["AwardMember"]] = relationship(
        back_populates="committee", order_by="AwardMember.position")
    rounds: Mapped[list["VoteRound"]] = relationship(
        back_populates="committee", order_by="VoteRound.id")


class AwardMember(Base):
    __tablename__ = "award_members"
    __table_args__ = (sa.UniqueConstraint("committee_id", "user_id",
                                          name="uq_award_members_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("award_committees.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    position: Mapped[int]  # draw order, 1-based
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the minutes / report

    committee: Mapped[AwardCommittee] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class VoteRound(Base):
    """One round of ballots: plurality, cumulative, elimination, pairwise or opinions."""

    __tablename__ = "award_vote_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("award_committees.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    stage: Mapped[int]
    number: Mapped[int]  # 1-based within the committee
    among: Mapped[list] = mapped_column(sa.JSON)  # candidate ids on the ballot
    seats: Mapped[int] = mapped_column(default=1)
    revote_no: Mapped[int] = mapped_column(default=0)
    context: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # e.g. elimination state
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # tally, draws, result

    committee: Mapped[AwardCommittee] = relationship(back_populates="rounds")
    ballots: Mapped[list["Ballot"]] = relationship(back_populates="round",
                                                   order_by="Ballot.id")


class Ballot(Base):
    __tablename__ = "award_ballots"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id", name="uq_award_ballots_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("award_vote_rounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # plurality/elimination/cumulative: ["B3", …]; pairwise: [["B1","B2","B1"], …]
    # (first, second, preferred); collective: ["B3"] with `reason`
    choices: Mapped[list] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)

    round: Mapped[VoteRound] = relationship(back_populates="ballots")
    user: Mapped[User] = relationship()


# -- 降价竞价: the descending auction of a price-competition award stage (rules §3.3 g) ----


class AwardAuction(Base):
    """A timed online descending auction among a lot's candidates (price competition).

    Prices start at the lowest opened candidate price and go down by whole decrement
    steps (降幅) to the floor; it ends `idle_minutes` after the last bid, never after
    `hard_end_at`. `ends_at` is that instant as of the last bid (the chronograph's).
    """

    __tablename__ = "award_auctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("award_committees.id"),
                                              unique=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    stage: Mapped[int]
    candidates: Mapped[list] = mapped_column(sa.JSON)  # candidate ids ("B12")
    opened_prices: Mapped[dict] = mapped_column(sa.JSON)  # candidate id -> 分
    step_fen: Mapped[int] = mapped_column(sa.BigInteger)
    start_fen: Mapped[int] = mapped_column(sa.BigInteger)
    floor_fen: Mapped[int] = mapped_column(sa.BigInteger)
    idle_minutes: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hard_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    committee: Mapped[AwardCommittee] = relationship()
    bids: Mapped[list["AuctionBid"]] = relationship(
        back_populates="auction", order_by="AuctionBid.id")


class AuctionBid(Base):
    """One bid; every bid is below the one before, so an amount appears once per auction
    (the constraint also stops two simultaneous submissions of the same price)."""

    __tablename__ = "award_auction_bids"
    __table_args__ = (sa.UniqueConstraint("auction_id", "amount_fen",
                                          name="uq_award_auction_bids_amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(sa.ForeignKey("award_auctions.id"), index=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    placed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    auction: Mapped[AwardAuction] = relationship(back_populates="bids")
    organisation: Mapped[Organisation] = relationship()
