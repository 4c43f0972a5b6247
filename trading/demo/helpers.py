"""Builders every demo loader shares: who acts, accounts and companies through the account
service, a project's input, a sealed bid. Loaders import from here, never each other's
private helpers; nothing here runs at import time."""

import functools
import io
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher

from bid_crypto import Document, seal_bid

from ..accounts.models import Organisation, Role, User
from ..accounts.rules import make_credit_code
from ..accounts.service import AccountService
from ..actor import Actor
from ..bidding.service import BidService, bidder_ref, lot_ref, project_ref
from ..projects.kinds import (
    AwardMethod,
    CustodyMode,
    EvaluationMethod,
    ObjectType,
    ProjectType,
)
from ..projects.service import ProjectInput

DEMO_PASSWORD = "demo-pass-2026"  # development only; `trading demo` refuses production
WAN = 100 * 10_000  # 1 万元 in 分
SYSTEM = Actor.system("demo")


def user(dbsession, username: str) -> User | None:
    return dbsession.scalar(sa.select(User).where(User.username == username))


def actor(who: User, address: str = "127.0.0.1", device: str = "") -> Actor:
    """A demo user acting from the machine itself (or from `address`, for the collusion
    demo's shared addresses and devices)."""
    return Actor(who.id, who.username, who.organisation_id, str(who.role), address,
                 device=device)


def no_jobs(task, *args, eta=None):
    """The demo walks time itself; the worker's sweep picks up whatever is due later."""
    return None


@functools.lru_cache(maxsize=4)
def _demo_password_hash(time_cost: int, memory_cost: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=1).hash(DEMO_PASSWORD)


class _OnceHasher:
    """Argon2 is slow on purpose (≈0.3 s a hash); the demo makes about eighty users who all
    have the one published password, which was three quarters of the load time. So the
    demo hashes it once and gives each demo user that hash (the salt shared: the password
    is printed anyway). Logins verify with argon2 as always; any other password is hashed
    as usual."""

    def __init__(self, hasher: PasswordHasher):
        self._hasher = hasher

    def hash(self, password: str) -> str:
        if password != DEMO_PASSWORD:
            return self._hasher.hash(password)
        return _demo_password_hash(self._hasher.time_cost, self._hasher.memory_cost)

    def __getattr__(self, name):
        return getattr(self._hasher, name)


def accounts(dbsession, clock, settings) -> AccountService:
    service = AccountService(dbsession, clock, settings)
    service.hasher = _OnceHasher(service.hasher)
    return service


def person(dbsession, clock, settings, *, username: str, display_name: str, role: Role,
           organisation: Organisation | None = None) -> User:
    """A demo login with the demo password, created once through the account service."""
    return user(dbsession, username) or accounts(dbsession, clock, settings).create_user(
        username=username, display_name=display_name, password=DEMO_PASSWORD, role=role,
        organisation=organisation, actor=SYSTEM)


def company(dbsession, clock, settings, *, name: str, credit_body: str, role: Role,
            username: str, display_name: str, region: str = "市本级",
            contact_name: str = "", contact_phone: str = "",
            contact_email: str = "") -> User:
    """A company with its first login, registered through the account service (as the
    sign-up page does); an existing company gets the login added."""
    found = user(dbsession, username)
    if found is not None:
        return found
    code = make_credit_code(credit_body)
    org = dbsession.scalar(sa.select(Organisation).where(Organisation.credit_code == code))
    if org is not None:
        return person(dbsession, clock, settings, username=username,
                      display_name=display_name, role=role, organisation=org)
    _org, login = accounts(dbsession, clock, settings).register_organisation(
        name=name, credit_code=code, role=role, username=username,
        display_name=display_name, password=DEMO_PASSWORD, actor=SYSTEM, region=region,
        contact_name=contact_name or display_name, contact_phone=contact_phone,
        contact_email=contact_email or f"{username}@example.cn")
    return login


def project_input(name, ptype, method, lots, start, *, award=AwardMethod.RANK_ONE,
                  custody=CustodyMode.AUTO, suite=None) -> ProjectInput:
    """A demo project posted at `start`: documents for ten days, questions for fifteen,
    bids due on day 22; lots as (name, budget in 万元), the ceiling 98 % of the budget."""
    gp = ptype is ProjectType.GOVERNMENT_PROCUREMENT
    return ProjectInput(
        name=name, project_type=ptype,
        object_type=ObjectType.GOODS if gp else ObjectType.WORKS, procurement_method=method,
        evaluation_method=EvaluationMethod.COMPREHENSIVE, award_method=award,
        custody_mode=custody, region="市本级", crypto_suite=suite,
        description=f"{name}，资金已落实，现公开招标，欢迎符合条件的单位参加。",
        doc_start=start + timedelta(days=1), doc_end=start + timedelta(days=10),
        clarification_deadline=start + timedelta(days=15),
        bid_deadline=start + timedelta(days=22),
        lots=tuple({"name": n, "budget": b * WAN, "ceiling_price": b * WAN * 98 // 100,
                    "description": ""} for n, b in lots),
    )


def tender_document(project) -> dict:
    """The 招标文件 every demo project carries, as `ProjectService.add_document` takes it."""
    return {"filename": f"{project.name}招标文件.pdf", "content_type": "application/pdf",
            "stream": io.BytesIO(f"%PDF-1.4 demo {project.name}".encode())}


def seal_and_submit(service: BidService, project, lot, *, offer: dict, actor: Actor,
                    documents=(), bidder_key=None):
    """What a bidder does with the CLI or the bid page, for demos and tests: seal the offer
    and documents ((name, stream) pairs) on the bidder's side with bid_crypto, then upload
    the envelope. The platform itself never seals (architecture §7)."""
    envelope = io.BytesIO()
    seal_bid(envelope, service.public_key(project), offer=offer,
             documents=[Document(name, stream) for name, stream in documents],
             project=project_ref(project), lot=lot_ref(lot),
             bidder=bidder_ref(actor.organisation_id), custody=str(project.custody_mode),
             bidder_key=bidder_key)
    envelope.seek(0)
    return service.submit_envelope(project, lot, stream=envelope, actor=actor)
