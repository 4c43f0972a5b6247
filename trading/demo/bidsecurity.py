"""Demo bid security: every notification, check, refund and forfeiture state, deposits and
electronic guarantees (电子保函).

Two projects of their own rule profile (``security.*`` set, 2 of 3 valid bids enough), so
no other demo project changes: one opened (paid, duplicate, short, wrong account, late,
unknown reference, a forged and a replayed notification; refunds made, retrying, due,
waiting, held for a forfeiture decision, forfeited), one still open for bids whose only
payment and guarantee are sealed. Guarantees in the opened project: one counted then
claimed after an approved forfeiture (bidder5), one not needed beside a deposit and
released (bidder4), a forged and a replayed one refused. The simulated bank's key is the
one `make simbank` then uses (var/simbank.key), and its state file records the demo
refunds; likewise the simulated provider's (var/simguarantor.key) its guarantees.
"""

import io
import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from ..accounts.models import Organisation, Role, User
from ..actor import Actor
from ..bidsecurity.bank import BankUnavailable, HttpBank
from ..bidsecurity.guarantee import SIGNATURE_HEADER as GUARANTOR_HEADER
from ..bidsecurity.guarantee import HttpProvider
from ..bidsecurity.models import Refund, RefundStatus
from ..bidsecurity.service import BidSecurityService
from ..bidsecurity.simbank import SimBank, load_or_create_key
from ..bidsecurity.simguarantor import SimGuarantor
from ..clock import FixedClock
from ..db import registry_of
from ..projects.kinds import (
    AwardMethod,
    CustodyMode,
    EvaluationMethod,
    ObjectType,
    ProcurementMethod,
    ProjectType,
    Regime,
)
from ..projects.models import Project, RuleProfile
from ..projects.rules import default_params
from ..projects.service import ProjectInput, ProjectService
from ..projects.status import ProjectStatus
from .helpers import actor as _actor
from .helpers import company, seal_and_submit
from .helpers import user as _user

S = ProjectStatus
OPENED = "滨江大道提升改造工程（投标保证金演示）"
# 政府采购 (87号令 第三十八条): the losers' deposits go back after the award notice, the
# winner's after the contract; its committee is seated (expert21…expert25, expert21 the
# chair) so the browser walk goes from the opening through evaluation and award.
OPEN = "城市绿道养护服务采购（投标保证金演示）"
OPEN_EXPERTS = range(21, 26)
OPEN_SPECIALTY = "园林绿化养护"
PROFILE_CODES = {Regime.TENDERING: "tendering:open_tender:bid-security-demo",
                 Regime.GOVERNMENT_PROCUREMENT:
                     "government_procurement:open_tender:bid-security-demo"}
PROFILE_CODE = PROFILE_CODES[Regime.TENDERING]
SECURITY = {"security.form": "either", "security.rate": "0.02",
            "security.on_missing": "invalid", "bidding.min_bidders": 2}
WAN = 1_000_000  # 分 in 1 万元
FULL = 30 * WAN  # 2 % of the 1 500 万元 lot
# The 政府采购 lot stays under 1 000 万元: a committee of five (87号令 第四十七条).
OPEN_BUDGET = 900 * WAN
OPEN_FULL = 18 * WAN  # 2 % of it
BIDDER4 = ("bidder4", "黄投标", "鑫达建设有限公司", "91350100MA2XK0009")
BIDDER5 = ("bidder5", "吴投标", "安泰建设集团有限公司", "91350100MA2XK0010")


def _bidder(dbsession, clock, settings, who=BIDDER4) -> User:
    return company(dbsession, clock, settings, name=who[2], credit_body=who[3],
                   role=Role.BIDDER, username=who[0], display_name=who[1], region="马尾区",
                   contact_phone=f"0591-8888{who[3][-4:]}")


def _profile(dbsession, clock, regime=Regime.TENDERING) -> RuleProfile:
    code = PROFILE_CODES[regime]
    profile = dbsession.scalar(sa.select(RuleProfile).where(RuleProfile.code == code))
    if profile is None:
        params = {**default_params(regime, ProcurementMethod.OPEN_TENDER), **SECURITY}
        profile = RuleProfile(code=code, version=1, regime=regime,
                              procurement_method=ProcurementMethod.OPEN_TENDER,
                              params=params, created_at=clock())
        dbsession.add(profile)
        dbsession.flush()
    return profile


def _input(name, start, procurement=False) -> ProjectInput:
    return ProjectInput(
        name=name,
        project_type=ProjectType.GOVERNMENT_PROCUREMENT if procurement else ProjectType.WORKS,
        object_type=ObjectType.SERVICES if procurement else ObjectType.WORKS,
        procurement_method=ProcurementMethod.OPEN_TENDER,
        evaluation_method=EvaluationMethod.COMPREHENSIVE, award_method=AwardMethod.RANK_ONE,
        custody_mode=CustodyMode.AUTO, region="市本级",
        description=f"{name}：投标保证金为{'采购预算' if procurement else '估算价'}的 2%，"
                    "须在投标截止前从基本账户转入子账号。",
        doc_start=start + timedelta(days=1), doc_end=start + timedelta(days=10),
        clarification_deadline=start + timedelta(days=15),
        bid_deadline=start + timedelta(days=22),
        lots=({"name": "养护服务" if procurement else "主线工程",
               "budget": OPEN_BUDGET if procurement else 1500 * WAN,
               "ceiling_price": 880 * WAN if procurement else 1470 * WAN,
               "description": ""},))


def _posted(dbsession, demo_clock, name, bidders,
            procurement=False) -> tuple[ProjectService, Project]:
    owner, center = _user(dbsession, "owner1"), _user(dbsession, "center1")
    registry = registry_of(dbsession)
    projects = ProjectService(dbsession, demo_clock, registry["storage"],
                              enqueue=lambda *a, **k: None, keys=registry["keys"])
    project = projects.create_draft(_input(name, demo_clock(), procurement),
                                    owner=dbsession.get(Organisation, owner.organisation_id),
                                    actor=_actor(owner))
    project.rule_profile_id = _profile(dbsession, demo_clock, project.regime).id
    dbsession.flush()
    dbsession.refresh(project)
    projects.add_document(project, filename=f"{name}招标文件.pdf",
                          content_type="application/pdf",
                          stream=io.BytesIO(f"%PDF-1.4 demo {name}".encode()),
                          actor=_actor(owner))
    projects.submit_for_review(project, actor=_actor(owner))
    projects.approve(project, actor=_actor(center))
    demo_clock.set(project.doc_start + timedelta(hours=1))
    projects.advance(project)
    for bidder in bidders:
        projects.sign_up(project, project.lots[0], bidder=bidder, actor=_actor(bidder))
    return projects, project


def _bank(settings, demo_clock) -> SimBank:
    """The simulated bank's key beside its pinned public key, else beside the storage."""
    configured = (settings.get("bidsecurity.bank_public_key") or "").strip()
    public = Path(configured) if configured.endswith(".pub") else \
        Path(settings["storage.root"]).parent / "simbank.pub"
    key = load_or_create_key(public.with_suffix(".key"))
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_text(key.public_key().to_pem())
    return SimBank(key, public.with_name("simbank.sqlite3"), now=demo_clock)


def _accounts(service, bidders) -> dict:
    numbers = {}
    for i, bidder in enumerate(bidders, 1):
        number = f"35050188000{bidder.organisation_id:06d}{i}"
        if not any(a.account_no == number for a in service.accounts(bidder.organisation_id)):
            service.add_account(bidder.organisation_id, account_no=number,
                                account_name=bidder.organisation.name, bank_name="建设银行福州分行",
                                actor=_actor(bidder))
        numbers[bidder.id] = number
    return numbers


def load_bid_security(dbsession, clock, settings) -> None:
    if dbsession.scalar(sa.select(Project.id).where(Project.name == OPENED)):
        return
    from ..bidding.opening import OpeningService
    from ..bidding.service import BidService

    bidders = [_user(dbsession, f"bidder{i}") for i in (1, 2, 3)]
    bidders.append(_bidder(dbsession, clock, settings, BIDDER4))
    bidders.append(_bidder(dbsession, clock, settings, BIDDER5))
    demo_clock = FixedClock(clock() - timedelta(days=40))
    bank = _bank(settings, demo_clock)
    adapter = HttpBank("http://simbank", lambda: bank.key.public_key(), bank.poster())
    service = BidSecurityService(dbsession, demo_clock, adapter)
    guarantor = _guarantor(settings, demo_clock, service)
    service.provider = HttpProvider("http://simguarantor",
                                    lambda: guarantor.key.public_key(), guarantor.name,
                                    guarantor.poster())
    accounts = _accounts(service, bidders[:4])
    projects, project = _posted(dbsession, demo_clock, OPENED, bidders)
    lot = project.lots[0]
    registry = registry_of(dbsession)
    bids = BidService(dbsession, demo_clock, registry["keys"], registry["storage"],
                      settings=settings)

    def pay(bidder, amount=FULL, account=None, **extra):
        sub = service.sub_account(project, lot, org_id=bidder.organisation_id,
                                  actor=_actor(bidder))
        body, signature = bank.notification(
            reference=extra.pop("reference", sub.number), amount_fen=amount,
            payer_name=bidder.organisation.name, payer_account=account or accounts[bidder.id],
            **extra)
        return body, signature, service.receive(body, signature)

    b1, b2, b3, b4, b5 = bidders
    demo_clock.advance(days=5)
    pay(b1)
    body, signature, _ = pay(b2)
    service.receive(body, signature)  # replayed: rejected, stored
    service.receive(body.replace(b'"amount_fen":30000000', b'"amount_fen":30000001'),
                    signature)  # forged: rejected
    pay(b1)  # a second full payment: duplicate
    pay(b2, account="6222000000009999")  # from another account: not counted
    pay(b3, amount=FULL // 2)  # short: the bid will be invalid
    pay(b4)
    pay(b4, reference="950000000000000000")  # unknown sub-account: sent back at once
    _guarantees(service, guarantor, settings, project, lot, b4, b5)
    # Four independent bids (prices, terms, times, documents differ): the collusion
    # scan that follows the opening must find nothing here.
    for n, (bidder, price, days) in enumerate(zip(bidders, (1421, 1396, 1438, 1409, 1452),
                                                  (300, 285, 310, 296, 305), strict=True)):
        demo_clock.advance(hours=5 + 3 * n, minutes=17 * n)
        offer = {"total_price": price * WAN, "currency": "CNY", "duration_days": days,
                 "quality": "合格", "project_manager": f"{bidder.display_name[0]}工{n + 1}",
                 "items": [{"name": "主线工程", "total_price": price * WAN}]}
        document = f"%PDF-1.4 {bidder.organisation.name} 技术标 {n}".encode()
        seal_and_submit(bids, project, lot, offer=offer, actor=Actor(
            bidder.id, bidder.username, bidder.organisation_id, str(bidder.role),
            f"203.0.113.{10 + n}"), documents=[("技术标.pdf", io.BytesIO(document))])
    demo_clock.set(project.bid_deadline + timedelta(seconds=30))
    pay(b3, amount=FULL)  # after the deadline: late, sent back
    demo_clock.set(project.bid_deadline + timedelta(minutes=1))
    projects.advance(project)
    if project.status is S.OPENING:
        # The opening verifies each guarantee with the provider's key, the demo's one.
        saved = registry.get("bidsecurity.guarantor")
        registry["bidsecurity.guarantor"] = service.provider
        try:
            OpeningService(dbsession, demo_clock, registry["keys"], registry["storage"],
                           settings=settings).run_due(projects, project)
        finally:
            registry["bidsecurity.guarantor"] = saved
    _refund_states(dbsession, demo_clock, service, project, bidders)
    demo_clock.set(clock() - timedelta(days=2))
    _open_project(dbsession, demo_clock, bank, service, bidders[:2], accounts, guarantor,
                  settings)


def _refund_states(dbsession, demo_clock, service, project, bidders) -> None:
    center, supervisor = _user(dbsession, "center1"), _user(dbsession, "supervisor1")
    b1, b2 = bidders[0], bidders[1]
    refunds = list(dbsession.scalars(sa.select(Refund).where(Refund.project_id == project.id)
                                     .order_by(Refund.id)))
    waiting = {x.organisation_id: x for x in refunds if x.status is RefundStatus.WAITING}
    service.propose_forfeiture(
        waiting[b1.organisation_id], ground="tender_document_ground",
        statement="招标文件第2.4条：投标人在评标期间拒绝澄清的，投标保证金不予退还；该投标人书面拒绝澄清。",
        actor=_actor(center))
    item = service.propose_forfeiture(
        waiting[b2.organisation_id], ground="withdrawn_after_deadline",
        statement="投标截止后该投标人书面要求撤销投标文件，有加盖公章的撤销函为证。",
        actor=_actor(center))
    service.decide_forfeiture(item, approve=True, note="撤销函属实，依实施条例第三十五条不予退还。",
                              actor=_actor(supervisor))
    claimed = waiting[bidders[4].organisation_id]  # bidder5's guarantee
    item = service.propose_forfeiture(
        claimed, ground="tender_document_ground",
        statement="招标文件第2.4条：投标人提供虚假业绩的，投标保证金不予退还；经核查该投标人业绩证明系伪造。",
        actor=_actor(center))
    service.decide_forfeiture(item, approve=True, note="虚假业绩属实，批准向担保机构索赔。",
                              actor=_actor(supervisor))
    service.claim(claimed)  # the provider pays the beneficiary: 已索赔
    due = [x for x in refunds if x.status is RefundStatus.DUE]
    demo_clock.advance(days=2)
    for refund in due[:-2]:
        service.send(refund)  # refunded with interest, the simulated bank's receipt

    def down(url, body, headers):
        raise BankUnavailable("模拟银行维护中（演示：连接被拒绝）")

    bank, service.bank = service.bank, HttpBank("http://simbank", lambda: None, down)
    service.send(due[-2])  # retrying; due[-1] stays due
    service.bank = bank


def _guarantor(settings, demo_clock, service) -> SimGuarantor:
    """The simulated provider's key beside its pinned public key (as `make simguarantor`
    then uses it), else beside the storage; it delivers straight to the service."""
    configured = (settings.get("bidsecurity.guarantor_public_key") or "").strip()
    public = Path(configured) if configured.endswith(".pub") else \
        Path(settings["storage.root"]).parent / "simguarantor.pub"
    key = load_or_create_key(public.with_suffix(".key"))
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_text(key.public_key().to_pem())

    def deliver(url, body, headers):
        answer = service.receive_guarantee(body, headers[GUARANTOR_HEADER])
        return answer.status, json.dumps(answer.as_json()).encode(), {}

    return SimGuarantor(key, public.with_name("simguarantor.sqlite3"), post=deliver,
                        now=demo_clock)


def _apply(service, settings, project, lot, bidder):
    base = settings.get("trading.public_url", "http://localhost:6543").rstrip("/")
    return service.apply_guarantee(
        project, lot, org_id=bidder.organisation_id, actor=_actor(bidder),
        notify_url=f"{base}/api/v1/bidsecurity/guarantees",
        return_url=f"{base}/projects/{project.id}/security")


def _guarantees(service, guarantor, settings, project, lot, b4, b5) -> None:
    """bidder5 secures its bid by a guarantee; bidder4 has one beside its deposit (not
    needed: released at the opening); a forged and a replayed delivery are refused."""
    issued = guarantor.issue(_apply(service, settings, project, lot, b5).number)
    body = json.dumps(issued["document"], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()
    service.receive_guarantee(body, issued["signature"])  # replayed: refused
    service.receive_guarantee(body.replace(b'"amount_fen":30000000', b'"amount_fen":3000000'),
                              issued["signature"])  # forged: refused
    guarantor.issue(_apply(service, settings, project, lot, b4).number)


def _open_project(dbsession, demo_clock, bank, service, bidders, accounts, guarantor,
                  settings) -> None:
    """Still open for bids: one sealed payment and one sealed guarantee nobody at the
    platform can read."""
    _projects, project = _posted(dbsession, demo_clock, OPEN, bidders, procurement=True)
    _seat_committee(dbsession, demo_clock, settings, project)
    demo_clock.advance(days=1)
    sub = service.sub_account(project, project.lots[0], org_id=bidders[0].organisation_id,
                              actor=_actor(bidders[0]))
    body, signature = bank.notification(
        reference=sub.number, amount_fen=OPEN_FULL,
        payer_name=bidders[0].organisation.name, payer_account=accounts[bidders[0].id])
    service.receive(body, signature)
    guarantor.issue(_apply(service, settings, project, project.lots[0], bidders[1]).number)


def _seat_committee(dbsession, demo_clock, settings, project) -> None:
    """Criteria as published (87号令: low price first) and a committee of five drawn from a
    pool of its own, accepted, signed in, expert21 elected chair: the evaluation starts
    when the center presses 开始评标 after the opening."""
    from ..evaluation.committee import DECLARATION, EvaluationCommitteeService
    from .evaluation import (
        ITEMS,
        PRICE,
        expert_logins,
        publish_criteria,
        seat_logins,
        specialty_pool,
    )

    center = _actor(_user(dbsession, "center1"))
    logins = expert_logins(dbsession, demo_clock, settings, OPEN_EXPERTS)
    specialty_pool(dbsession, demo_clock, settings, center, first=5000, count=12,
                    specialty=OPEN_SPECIALTY, logins=False)
    publish_criteria(dbsession, demo_clock, project, ITEMS, PRICE)
    service = EvaluationCommitteeService(dbsession, demo_clock, registry_of(dbsession)["keys"])
    service.form(project, plan=[{"specialty": OPEN_SPECIALTY, "count": 5, "reserves": 1}],
                 owner_rep_ids=[], region="市本级", actor=center)
    service.draw(project, actor=center)
    service.reveal(project, actor=center)
    committee = service.committee_of(project)
    seat_logins(dbsession, demo_clock, committee, logins)
    seated = service.seated(committee)
    for member in seated:
        who = _actor(dbsession.get(User, member.user_id))
        service.answer(member, accept=True, reason="", actor=who)
        service.sign_in(member, confirmation=DECLARATION, conflict="", actor=who)
    chair = next(m for m in seated if m.user_id == logins[0].id)
    for member in seated:
        if service.chair(committee) is None:
            service.vote_chair(member, chair, actor=_actor(dbsession.get(User, member.user_id)))
