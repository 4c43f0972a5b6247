"""SealedRounds: the sealed-round mechanism (密封报价轮次) shared by the final offer
(终次报价, rules §1.2–§1.4, ``trading.award.final_offer``) and the 磋商 final quotes
(最后报价, rules §2.2, ``trading.evaluation.consultation``).

Rules enforced here, never only by jobs or views:
- one round per lot, with its own key pair (the private key wrapped under the platform
  KEK, used once at the reveal);
- one sealed offer per eligible party, only inside the offer window by the injected
  clock; offers arrive sealed (the page seals them in the browser);
- every offer is opened at once after the window, by the chronograph's `run_due`, after
  the log's checkpoint fixes which offers were submitted; what the opened offers decide
  is the purpose's (a subclass's `decide`).

Sealing reuses the bidding machinery: bid_crypto envelopes, the header check, storage
by SHA-256 and the platform's signed receipts (verifiable with
``python -m bid_crypto verify-receipt``).
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

import sqlalchemy as sa

from bid_crypto import (
    PrivateKey,
    PublicKey,
    generate_private_key,
    unwrap_private_key,
    wrap_private_key,
)
from bid_crypto.encoding import format_timestamp

from ..accounts.models import Role
from ..actor import Actor
from ..audit import logset
from ..audit.service import record
from ..bidding.models import LineStatus, OpeningLine, OpeningState
from ..bidding.opening import OpeningService, open_envelope
from ..bidding.service import (
    BidService,
    bidder_ref,
    check_header,
    lot_ref,
    project_ref,
    read_sealed_header,
    scan_sealed,
    to_millisecond,
)
from ..projects.models import Lot, Project
from .errors import (
    AlreadySubmitted,
    NotEligible,
    OffersNotLogged,
    RevealInProgress,
    RoundRefused,
    WindowClosed,
    WindowNotOpen,
)
from .models import FinalOfferParty, FinalOfferRound, RoundPurpose, RoundState
from .status import check_transition

SYSTEM = Actor.system("final_offer")


def round_ref(final_round: FinalOfferRound) -> str:
    """The envelope's `lot` id: the lot and the round, so no other envelope fits."""
    return f"{lot_ref(final_round.lot)}.FO{final_round.id}"


def offers_key(final_round: FinalOfferRound) -> str:
    """The logged set of a round's submitted offers (issue #17 pt 4)."""
    return f"final-offers:round:{final_round.id}"


def offer_facts(party: FinalOfferParty) -> dict:
    """What an offer's entry says, and the published offer must repeat: its sealed
    envelope and when it was received (never the amount: it is sealed until the reveal)."""
    return {
        "envelope_sha256": party.envelope_sha256,
        "received_at": format_timestamp(party.received_at),
    }


def key_aad(project: Project, final_round: FinalOfferRound) -> str:
    return f"{project_ref(project)}:final-offer:{final_round.id}"


def phase(final_round: FinalOfferRound, now: datetime) -> str:
    """eligibility → open → closed (awaiting the reveal) → decided, by the clock."""
    if final_round.state is RoundState.DECIDED:
        return "decided"
    if now < final_round.eligibility_ends_at:
        return "eligibility"
    if now < final_round.ends_at:
        return "open"
    return "closed"


# The hand reveal's refusals in each round's words: (already open, window not over).
HAND_REVEAL_REFUSALS = {
    RoundPurpose.FINAL_OFFER: ("本轮终次报价已揭示", "报价期尚未结束，不能解密终次报价"),
    RoundPurpose.FINAL_QUOTE: ("最后报价已解密", "最后报价截止后才能解密"),
}


class SealedRounds:
    """The mechanism; a purpose subclasses it and says what the opened offers decide."""

    def __init__(self, dbsession, clock, keys, storage, enqueue=None, settings=None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.enqueue = enqueue
        self.bids = BidService(dbsession, clock, keys, storage, enqueue, settings)

    # -- reading ------------------------------------------------------------------------

    def rounds(self, project: Project) -> list[FinalOfferRound]:
        query = (
            sa.select(FinalOfferRound)
            .where(FinalOfferRound.project_id == project.id)
            .order_by(FinalOfferRound.lot_id)
        )
        return list(self.db.scalars(query))

    def round_for(self, lot: Lot) -> FinalOfferRound | None:
        return self.db.scalar(sa.select(FinalOfferRound).where(FinalOfferRound.lot_id == lot.id))

    def get(self, project: Project, round_id: int) -> FinalOfferRound | None:
        found = self.db.get(FinalOfferRound, round_id)
        return found if found is not None and found.project_id == project.id else None

    @staticmethod
    def party_of(final_round: FinalOfferRound, org_id: int | None) -> FinalOfferParty | None:
        return next((p for p in final_round.parties if p.bidder_org_id == org_id), None)

    def receipt(
        self, project: Project, final_round: FinalOfferRound, party: FinalOfferParty
    ) -> dict:
        """The receipt exactly as signed, rebuilt from the committed row."""
        return {
            **self._receipt_fields(project, final_round, party),
            "signature": party.receipt_signature,
        }

    def public_key(self, final_round: FinalOfferRound) -> PublicKey:
        return PublicKey.from_json(final_round.public_key)

    # -- opening a round ------------------------------------------------------------------

    def valid_bidders(self, project: Project, lot: Lot) -> dict[int, int]:
        """Bidders whose bid opened validly, with the price the opening record shows."""
        opening = OpeningService(self.db, self.clock, self.keys, self.storage).opening(project)
        if opening is None or opening.state is not OpeningState.DONE:
            return {}
        query = (
            sa.select(OpeningLine)
            .where(
                OpeningLine.opening_id == opening.id,
                OpeningLine.lot_id == lot.id,
                OpeningLine.status == LineStatus.DECRYPTED,
            )
            .order_by(OpeningLine.id)
        )
        return {line.bid.bidder_org_id: line.total_price for line in self.db.scalars(query)}

    def open_round(
        self,
        project: Project,
        lot: Lot,
        *,
        purpose: RoundPurpose,
        eligibility_min: int,
        window_min: int,
        floor_fen: int | None,
        actor: Actor,
    ) -> FinalOfferRound:
        """A new round of the lot with its key pair: the eligibility phase, then the offer
        window (no eligibility phase when `eligibility_min` is 0). The caller adds the
        parties."""
        private = generate_private_key(self.bids.suite_for(project))
        public = private.public_key()
        now = self.clock()
        eligibility_ends = now + timedelta(minutes=eligibility_min)
        final_round = FinalOfferRound(
            project_id=project.id,
            lot_id=lot.id,
            purpose=purpose.value,
            state=RoundState.ELIGIBILITY,
            started_at=now,
            eligibility_ends_at=eligibility_ends,
            ends_at=eligibility_ends + timedelta(minutes=window_min),
            floor_fen=floor_fen,
            ceiling_fen=lot.ceiling_price,
            params=self._snapshot(project),
            suite=public.suite,
            key_id=public.key_id,
            public_key=public.to_json(),
            result={},
            started_by_id=actor.user_id,
        )
        self.db.add(final_round)
        self.db.flush()
        final_round.wrapped_key = wrap_private_key(
            self.keys.kek, private.to_bytes(), key_aad(project, final_round)
        )
        return final_round

    @staticmethod
    def _snapshot(project: Project) -> dict:
        return {k: v for k, v in project.params.items() if k.startswith("final_offer.")}

    # -- offers --------------------------------------------------------------------------------

    def _bidder(self, actor: Actor) -> int:
        if actor.role != str(Role.BIDDER) or not actor.organisation_id:
            raise NotEligible("只有投标人可以参加终次报价")
        return actor.organisation_id

    def _open_party(self, final_round: FinalOfferRound, actor: Actor) -> FinalOfferParty:
        org_id = self._bidder(actor)
        now = self.clock()
        current = phase(final_round, now)
        if current == "eligibility":
            raise WindowNotOpen("终次报价尚未开始（资格确认期），请在报价期内提交")
        if current != "open":
            raise WindowClosed("终次报价时间已截止，报价不予接收")
        party = self.party_of(final_round, org_id)
        if party is None:
            raise NotEligible("贵单位不具备本轮终次报价资格")
        if party.envelope_sha256 is not None:
            raise AlreadySubmitted("终次报价只能提交一次，贵单位已提交")
        return party

    def submit_envelope(
        self, project: Project, final_round: FinalOfferRound, *, stream: BinaryIO, actor: Actor
    ) -> FinalOfferParty:
        """A sealed offer made on the bidder's machine: in the round's page (tbid.js), the
        offline sealing page or `python -m bid_crypto seal`. The server never sees an
        amount before the reveal, so floor and ceiling are checked there."""
        party = self._open_party(final_round, actor)
        header = read_sealed_header(stream, 1024 * 1024)
        ids = self._ids(project, final_round, party.bidder_org_id)
        check_header(
            header,
            {k: ids[k] for k in ("project", "lot", "bidder")},
            self.public_key(final_round),
            "auto",
            key_label="本轮终次报价公钥",
        )
        return self._store(project, final_round, party, stream, "upload", actor)

    @staticmethod
    def _ids(project, final_round, org_id) -> dict:
        return {
            "project": project_ref(project),
            "lot": round_ref(final_round),
            "bidder": bidder_ref(org_id),
            "custody": "auto",
        }

    def _store(self, project, final_round, party, stream, source, actor) -> FinalOfferParty:
        stream.seek(0)
        info = scan_sealed(stream)
        stream.seek(0)
        stored = self.storage.put(stream)
        # The receive time is taken once the envelope is durable (as for bids, Art 27).
        now = self.clock()
        if now >= final_round.ends_at:
            raise WindowClosed("终次报价截止前上传未完成，视为未提交")
        if stored.sha256 != info.sha256:
            raise RoundRefused("上传过程中文件发生变化，请重新提交")
        party.envelope_sha256, party.envelope_size = stored.sha256, stored.size
        party.received_at, party.submitted_by_id = to_millisecond(now), actor.user_id
        self.db.flush()
        party.receipt_signature = self.bids.sign_receipt(
            self._receipt_fields(project, final_round, party), project
        )
        # The audit row names the round, never the amount.
        record(
            self.db,
            actor,
            "final_offer.submitted",
            "final_offer_round",
            final_round.id,
            now=now,
            envelope_sha256=stored.sha256,
            source=source,
        )
        # The offer's entry in the round's logged set, before its receipt is handed out:
        # the decision must name it (issue #17 pt 4).
        logset.append(
            self.db,
            offers_key(final_round),
            bidder_ref(party.bidder_org_id),
            logset.IN,
            now=now,
            cause="submitted",
            **offer_facts(party),
        )
        return party

    @staticmethod
    def _receipt_fields(project, final_round, party) -> dict:
        return {
            "project": project_ref(project),
            "lot": round_ref(final_round),
            "bidder": bidder_ref(party.bidder_org_id),
            "version": 1,
            "envelope_sha256": party.envelope_sha256,
            "received_at": format_timestamp(party.received_at),
        }

    # -- the chronograph -----------------------------------------------------------------------

    def next_instant(self, project: Project) -> datetime | None:
        """The earliest instant an undecided round of the project needs the chronograph."""
        due = [
            r.eligibility_ends_at if r.state is RoundState.ELIGIBILITY else r.ends_at
            for r in self.rounds(project)
            if r.state is not RoundState.DECIDED
        ]
        return min(due) if due else None

    def reveal_now(self, project: Project, final_round: FinalOfferRound, *, actor: Actor) -> None:
        """The reveal by hand (the center's button), once the window is over, for a worker
        that is down or behind: the chronograph's own step, under the worker's lock and in
        its own transaction (`chronograph.run_now`), so it is never made twice. The same
        for a 终次报价 round and a 磋商 final-quote round; who asked is audited after."""
        from ..jobs import chronograph

        done, early = HAND_REVEAL_REFUSALS[RoundPurpose(final_round.purpose)]
        current = phase(final_round, self.clock())
        if current == "decided":
            raise RoundRefused(done)
        if current != "closed":
            raise WindowNotOpen(early)
        self.db.flush()
        if not chronograph.run_now("project", project.id):
            raise RevealInProgress("平台正在解密本轮报价，请稍后刷新本页")
        self.db.expire_all()  # read what the step's own transaction committed
        # Recorded only now: an audit row written before would hold the audit chain's head
        # while the step's own transaction needs it.
        record(
            self.db,
            actor,
            "final_offer.reveal_by_hand",
            "final_offer_round",
            final_round.id,
            now=self.clock(),
            purpose=final_round.purpose or RoundPurpose.FINAL_OFFER.value,
        )

    @staticmethod
    def _move(final_round: FinalOfferRound, target: RoundState) -> None:
        """The only writer of a round's state (trading/rounds/status.py)."""
        check_transition(final_round.state, target)
        final_round.state = target

    def run_due(self, projects, project: Project) -> datetime | None:
        """Move rounds on by the clock; reveal and decide every round whose window ended."""
        now = self.clock()
        for final_round in self.rounds(project):
            current = phase(final_round, now)
            if current == "open" and final_round.state is RoundState.ELIGIBILITY:
                self._move(final_round, RoundState.OPEN)
                record(
                    self.db,
                    SYSTEM,
                    "final_offer.window_opened",
                    "final_offer_round",
                    final_round.id,
                    now=now,
                    eligible=len(final_round.parties),
                )
            elif current == "closed":
                self._close(projects, project, final_round)
        return self.next_instant(project)

    def _reschedule(self, project: Project) -> None:
        from ..projects.service import ProjectService

        ProjectService(self.db, self.clock, self.storage, self.enqueue, self.keys).reschedule(
            project
        )

    # -- the reveal -----------------------------------------------------------------------------

    def _private_key(self, project, final_round) -> PrivateKey:
        return PrivateKey.from_bytes(
            unwrap_private_key(
                self.keys.kek, final_round.wrapped_key, key_aad(project, final_round)
            )
        )

    def _reveal(self, project: Project, final_round: FinalOfferRound) -> None:
        """Open every sealed offer in one pass; an envelope that fails names why."""
        private = self._private_key(project, final_round)
        for party in final_round.parties:
            if party.envelope_sha256 is None:
                continue
            ids = self._ids(project, final_round, party.bidder_org_id)
            ids.pop("custody")
            opened, error, digest = open_envelope(
                self.storage.path_for(party.envelope_sha256), private, **ids
            )
            if digest != party.envelope_sha256:
                party.problem = "平台存储的报价信封与回执不符（非报价人原因）"
            elif error is not None:
                party.problem = f"报价信封无法解密或格式无效：{str(error)[:200]}"
            else:
                party.amount_fen = opened.offer["total_price"]

    def _fix_offers(self, final_round: FinalOfferRound, now) -> dict | None:
        """The offers are fixed at the end of the window: sign the log's checkpoint and
        name each submitted offer's entry; refuse to decide from offers that are not the
        logged ones (one without an entry, a logged one missing, another envelope)."""
        from ..db import registry_of

        key = offers_key(final_round)
        if not logset.exists(self.db, key):
            return None  # no offer, or offers made before they were logged
        sealed = logset.seal(self.db, self.keys, registry_of(self.db).settings, key, now=now)
        logged = {e.member: e.event.data for e in logset.entries(self.db, key, sealed.size)}
        submitted = {
            bidder_ref(p.bidder_org_id): p
            for p in final_round.parties
            if p.envelope_sha256 is not None
        }
        wrong = sorted(set(submitted) ^ set(sealed.members)) + sorted(
            i
            for i, p in submitted.items()
            if i in sealed.members and any(logged[i].get(k) != v for k, v in offer_facts(p).items())
        )
        if wrong:
            raise OffersNotLogged("终次报价与审计日志记录的提交不符：" + "、".join(wrong))
        return {"set": key, **sealed.as_record()}

    def offers_doc(self, project: Project, final_round: FinalOfferRound) -> dict | None:
        """A decided round's offers with their proof against the log (check with python
        -m bid_crypto verify-set); None before the reveal or when they were not logged."""
        from ..db import registry_of

        fixed = (final_round.result or {}).get("log")
        if final_round.state is not RoundState.DECIDED or fixed is None:
            return None
        res = final_round.result
        return {
            "project": project.number,
            "lot": final_round.lot.number,
            "round": final_round.id,
            "purpose": final_round.purpose or RoundPurpose.FINAL_OFFER.value,
            "inputs": [
                {
                    "id": bidder_ref(p.bidder_org_id),
                    "name": p.bidder.name,
                    **offer_facts(p),
                    "amount_fen": p.amount_fen,
                    "problem": p.problem or "",
                }
                for p in final_round.parties
                if p.envelope_sha256 is not None
            ],
            "award": {
                "outcome": res.get("outcome"),
                "winner": res.get("winner"),
                "fallback": bool(res.get("fallback")),
                "counted": res.get("counted") or [],
            },
            "log": logset.doc(
                self.db, self.keys, registry_of(self.db).settings, fixed["set"], fixed
            ),
        }

    def _close(self, projects, project: Project, final_round: FinalOfferRound) -> None:
        """The window has closed: fix the logged offers, open them all, then the purpose
        decides from them."""
        now = self.clock()
        fixed = self._fix_offers(final_round, now)
        self._reveal(project, final_round)
        self.decide(projects, project, final_round, fixed=fixed, now=now)

    def decide(
        self,
        projects,
        project: Project,
        final_round: FinalOfferRound,
        *,
        fixed: dict | None,
        now: datetime,
    ) -> None:
        """What the revealed offers decide; `fixed` is the log's checkpoint of them (None
        when they were not logged), to be named in the round's result."""
        raise NotImplementedError


def sealed_round_log_problems(dbsession) -> list[str]:
    """What `trading audit verify` checks of every decided round whose offers were
    logged: the decision's entries are the set's below its checkpoint, every submitted
    offer has one, with the envelope and time it was logged with (issue #17 pt 4)."""
    out = []
    for final_round in dbsession.scalars(sa.select(FinalOfferRound).order_by(FinalOfferRound.id)):
        fixed = (final_round.result or {}).get("log")
        if fixed is None:
            continue
        problems = logset.problems(dbsession, fixed["set"], fixed)
        logged = {
            e.member: e.event.data
            for e in logset.entries(dbsession, fixed["set"], int(fixed["size"]))
        }
        for party in final_round.parties:
            ident = bidder_ref(party.bidder_org_id)
            if party.envelope_sha256 is None:
                continue
            if ident not in logged:
                problems.append(f"offer of {ident} has no entry below the checkpoint")
            elif any(logged[ident].get(k) != v for k, v in offer_facts(party).items()):
                problems.append(f"offer of {ident} differs from its logged entry")
        out += [f"final-offer round {final_round.id}: {p}" for p in problems]
    return out


def _yuan_text(fen_text: str | None) -> str | None:
    """A reference kept in 分 (2 dp) shown in yuan to 2 dp, half up (display only)."""
    if fen_text is None:
        return None
    yuan = (Decimal(fen_text) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{yuan:,}"


def bidder_org(identity) -> int | None:
    """The viewer's organisation when it is a bidder: the party whose own offer and
    receipt a round's page shows."""
    return identity.organisation_id if identity and str(identity.role) == "bidder" else None


def round_state(
    service: SealedRounds,
    project: Project,
    final_round: FinalOfferRound,
    *,
    org_id: int | None = None,
) -> dict:
    """What anyone may see of a round; amounts and counts only once it is decided."""
    now = service.clock()
    current = phase(final_round, now)
    decided = current == "decided"
    mine = service.party_of(final_round, org_id) if org_id else None
    parties = [
        {
            "bidder": bidder_ref(p.bidder_org_id),
            "name": p.bidder.name,
            "basis": p.basis,
            "submitted": p.envelope_sha256 is not None if decided else None,
            "received_at": p.received_at.isoformat() if decided and p.received_at else None,
            "envelope_sha256": p.envelope_sha256 if decided else None,
            "amount_fen": p.amount_fen if decided else None,
            "problem": p.problem if decided else "",
        }
        for p in final_round.parties
    ]
    return {
        "id": final_round.id,
        "lot": final_round.lot.number,
        "lot_name": final_round.lot.name,
        "round_ref": round_ref(final_round),
        "phase": current,
        "started_at": final_round.started_at.isoformat(),
        "eligibility_ends_at": final_round.eligibility_ends_at.isoformat(),
        "ends_at": final_round.ends_at.isoformat(),
        "now": now.isoformat(),
        "floor_fen": final_round.floor_fen,
        "ceiling_fen": final_round.ceiling_fen,
        "key_id": final_round.key_id,
        "suite": final_round.suite,
        "coefficient_draw_id": final_round.coefficient_draw_id,
        "late_join": bool(final_round.params.get("final_offer.late_join", False)),
        "parties": parties,
        "result": final_round.result if decided else None,
        "reference_yuan": _yuan_text(final_round.result.get("reference")) if decided else None,
        "mine": None
        if org_id is None
        else {
            "eligible": mine is not None,
            "submitted": bool(mine and mine.envelope_sha256),
            "receipt": service.receipt(project, final_round, mine)
            if mine and mine.envelope_sha256
            else None,
        },
    }
