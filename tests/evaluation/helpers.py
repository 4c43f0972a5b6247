"""Builders for evaluation tests: experts in the pool, a drawn and seated committee."""

import itertools

from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.actor import Actor
from trading.evaluation.committee import (
    DECLARATION,
    CommitteeService,
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


def committees(w) -> CommitteeService:
    return CommitteeService(w.dbsession, w.clock, w.registry["keys"])


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
    for member in seated:
        service.vote_chair(member, seated[0], actor=actor_of(w, member))
    return seated
