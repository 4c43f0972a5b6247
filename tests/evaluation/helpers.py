"""Builders for evaluation tests: experts in the pool, a drawn and seated committee."""

import itertools

from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.actor import Actor
from trading.evaluation.committee import (
    DECLARATION,
    EvaluationCommitteeService,
    ExpertInput,
    ExpertPoolService,
)
from trading.evaluation.models import MemberState

CENTER = Actor(None, "center-test", role="center")
_codes = itertools.count(1)


def make_expert(w, specialty="工程造价", *, region="市本级", employers=(), relatives=(),
                shareholdings=(), with_user=True):
    user = make_user(w.dbsession, w.clock, w.settings, role=Role.EXPERT) if with_user else None
    n = next(_codes)
    data = ExpertInput(code=f"E{n:05d}", name=f"专家{n}", region=region,
                       specialties=(specialty,), employers=tuple(employers),
                       relatives=tuple(relatives), shareholdings=tuple(shareholdings))
    return ExpertPoolService(w.dbsession, w.clock).create(data, actor=CENTER, user=user)


def committees(w) -> EvaluationCommitteeService:
    return EvaluationCommitteeService(w.dbsession, w.clock, w.registry["keys"])


def drawn_committee(w, *, count=5, reserves=1, pool=12, specialty="工程造价"):
    experts = [make_expert(w, specialty) for _ in range(pool)]
    service = committees(w)
    service.form(w.project, plan=[{"specialty": specialty, "count": count,
                                   "reserves": reserves}], owner_rep_ids=[], region="",
                 actor=CENTER)
    service.draw(w.project, actor=CENTER)
    service.reveal(w.project, actor=CENTER)
    return service.committee_of(w.project), experts


def actor_of(w, member):
    from trading.accounts.models import User
    return actor_for(w.dbsession.get(User, member.user_id))


def seat_everyone(w, committee):
    """Accept, sign in and elect the first expert chair; returns the seated members."""
    service = committees(w)
    for member in list(service.seated(committee)):
        if member.state is MemberState.NOTIFIED:
            service.answer(member, accept=True, reason="", actor=actor_of(w, member))
        service.sign_in(member, confirmation=DECLARATION, conflict="",
                        actor=actor_of(w, member))
    seated = service.seated(committee)
    for member in seated:  # the majority elects: the last votes are not needed
        if service.chair(committee) is None:
            service.vote_chair(member, seated[0], actor=actor_of(w, member))
    return seated


def sitting_committee(w, **kw):
    """A committee drawn, seated and started; returns its seated members (chair first)."""
    committee, _ = drawn_committee(w, **kw)
    seated = seat_everyone(w, committee)
    committees(w).start(w.project, actor=CENTER)
    return committee, seated


def score_all(w, members, marks_for, *, submit=True):
    """`marks_for(member_index, bid_id) -> {"q1": True, "t1": "8", …}` for every bid."""
    import sqlalchemy as sa

    from trading.bidding.models import LineStatus, OpeningLine
    from trading.evaluation.scoring import Mark, SheetService
    sheets = SheetService(w.dbsession, w.clock)
    bids = w.dbsession.scalars(sa.select(OpeningLine.bid_id).where(
        OpeningLine.lot_id == w.lot.id, OpeningLine.status == LineStatus.DECRYPTED)
        .order_by(OpeningLine.bid_id)).all()
    made = []
    for index, member in enumerate(members):
        actor = actor_of(w, member)
        sheet = sheets.sheet(member, w.lot, actor=actor)
        marks = [Mark(bid, item, passed=v) if isinstance(v, bool) else Mark(bid, item, value=v)
                 for bid in bids for item, v in marks_for(index, bid).items()]
        sheets.save(sheet, marks, actor=actor)
        if submit:
            sheets.submit(sheet, actor=actor)
        made.append(sheet)
    return made, bids


def plain_marks(index, bid):
    return {"q1": True, "t1": "8", "t2": "24", "t3": "16"}
