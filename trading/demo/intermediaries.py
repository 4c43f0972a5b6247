"""Demo supermarket: a catalogue of three service types, six intermediaries (one awaiting
review), and purchases in every status and with every selection method.

Purchases are walked through the real service on a demo clock that starts in the past, so
the ones past their deadlines got there the way real ones do; the worker's sweep takes the
live ones (registration, bidding, awaiting confirmation) on from there.
"""

import io
from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..clock import FixedClock
from ..db import registry_of
from ..intermediaries.models import CreditRecord, Purchase, ServiceType
from ..intermediaries.rules import AmountMode, FundingSource, SelectionMethod
from ..intermediaries.service import EntryInput, IntermediaryService, PurchaseInput
from ..intermediaries.status import PurchaseStatus
from .helpers import actor as _actor
from .helpers import company
from .helpers import no_jobs as _no_jobs
from .helpers import user as _user

P, M = PurchaseStatus, SelectionMethod
STATE, PRIVATE = FundingSource.STATE_FUNDS, FundingSource.PRIVATE
WAN = 100 * 10_000  # 1 万元 in 分

CATALOGUE = (
    ("T01", "工程造价咨询", "工程造价咨询企业甲级或乙级资质",
     (("T01-01", "施工图预算编制", "施工图审查"), ("T01-02", "全过程造价咨询", "项目竣工验收"))),
    ("T02", "环境影响评价", "环境影响评价单位备案及环评工程师",
     (("T02-01", "环境影响报告表编制", "建设项目环评审批"),)),
    ("T03", "工程质量检测", "建设工程质量检测机构资质",
     (("T03-01", "结构安全检测", "竣工验收备案"), ("T03-02", "管道检测", "排水许可"))),
)
# (username, name, credit code body, service types); agency1's organisation exists already
FIRMS = (
    ("agency1", "正衡工程咨询有限公司", "91350100MA2XK0005", ("T01", "T02", "T03")),
    ("agency2", "建诚造价咨询有限公司", "91350100MA2XK0011", ("T01", "T02")),
    ("agency3", "海峡工程管理有限公司", "91350100MA2XK0012", ("T01", "T02", "T03")),
    ("agency4", "闽都造价事务所", "91350100MA2XK0013", ("T01", "T02")),
    ("agency5", "华信检测技术有限公司", "91350100MA2XK0014", ("T01", "T02", "T03")),
)
PENDING_FIRM = ("agency6", "中正环境科技有限公司", "91350100MA2XK0015", ("T02",))

# (title, type, method, funding, days ago posted, days from deadline to selection,
#  status to reach, how many firms register)
DEMO = (
    ("城南污水厂提标改造可研报告编制", "T01", M.RANDOM, STATE, 1, 1, P.DRAFT, 0),
    ("市一中教学楼结构安全检测", "T03", M.LOWEST_PRICE, STATE, 1, 1, P.UNDER_REVIEW, 0),
    ("滨江公园环境影响报告表编制", "T02", M.BEST_PRICE, STATE, 2, 1, P.RETURNED, 0),
    ("闽江大道施工图预算编制", "T01", M.RANDOM, STATE, 2, 1, P.REGISTRATION, 2),
    ("区医院扩建项目环境影响评价", "T02", M.LOWEST_PRICE, STATE, 8, 3, P.BIDDING, 4),
    ("老旧小区改造工程造价咨询", "T01", M.RANDOM, STATE, 9, 1, P.SELECTED, 4),
    ("体育中心看台结构检测", "T03", M.CREDIT_BEST, STATE, 10, 1, P.WAIT_CHOOSE, 3),
    ("图书馆改造全过程造价咨询", "T01", M.PLAN_BEST, PRIVATE, 12, 1, P.CONTRACT_UPLOAD, 3),
    ("北区供水管网管道检测", "T03", M.DIRECT, STATE, 12, 1, P.CONTRACT_CONFIRM, 2),
    ("公交站台改造环境影响评价", "T02", M.BEST_PRICE, STATE, 13, 1, P.SERVICE_IN_PROGRESS, 5),
    ("文化馆改造施工图预算编制", "T01", M.LOWEST_PRICE, STATE, 13, 1,
     P.SERVICE_RESULT_UPLOADED, 4),
    ("道路养护工程施工图预算编制", "T01", M.RANDOM, STATE, 14, 1, P.SERVICE_FINISHED, 3),
    ("一季度排水管网管道检测", "T03", M.RANDOM, STATE, 21, 1, P.EVALUATED, 3),
    ("城西片区规划环境影响评价", "T02", M.RANDOM, STATE, 12, 1, P.EXPIRED, 2),
    ("市政大院改造造价咨询", "T01", M.DIRECT, STATE, 15, 1, P.TERMINATED, 1),
    # already overdue when the demo loads (电子监察 on the supervision dashboard):
    ("河滨路改造工程结构安全检测", "T03", M.LOWEST_PRICE, STATE, 6, 1, P.UNDER_REVIEW, 0),
    ("市场监管大楼改造造价咨询", "T01", M.RANDOM, STATE, 30, 1, P.CONTRACT_UPLOAD, 3),
    ("体育公园环境影响报告表编制", "T02", M.RANDOM, STATE, 30, 1, P.CONTRACT_CONFIRM, 3),
    ("城北污水管网管道检测", "T03", M.RANDOM, STATE, 55, 1, P.SERVICE_IN_PROGRESS, 3),
    ("滨海大道施工图预算编制", "T01", M.RANDOM, STATE, 50, 1, P.SERVICE_FINISHED, 3),
)
LATER = (P.CONTRACT_UPLOAD, P.CONTRACT_CONFIRM, P.SERVICE_IN_PROGRESS,
         P.SERVICE_RESULT_UPLOADED, P.SERVICE_FINISHED, P.EVALUATED, P.TERMINATED)


def load_supermarket(dbsession, clock, settings) -> None:
    center, owner = _user(dbsession, "center1"), _user(dbsession, "owner1")
    start = FixedClock(clock() - timedelta(days=60))
    registry = registry_of(dbsession)
    service = IntermediaryService(dbsession, start, registry["keys"], registry["storage"],
                                  _no_jobs)
    types = _catalogue(service, center)
    firms = [_firm(dbsession, service, settings, spec, types, center) for spec in FIRMS]
    _firm(dbsession, service, settings, PENDING_FIRM, types, None)
    for spec in DEMO:
        if dbsession.scalar(sa.select(Purchase.id).where(Purchase.title == spec[0])):
            continue
        demo_clock = FixedClock(clock() - timedelta(days=spec[4]))
        service = IntermediaryService(dbsession, demo_clock, registry_of(dbsession)["keys"],
                                      registry_of(dbsession)["storage"], _no_jobs)
        _walk(service, demo_clock, clock, spec, types, owner, center, firms)


def _catalogue(service, center) -> dict[str, ServiceType]:
    types = {t.code: t for t in service.service_types()}
    for code, name, qualification, items in CATALOGUE:
        if code in types:
            continue
        types[code] = service.add_service_type(code=code, name=name, actor=_actor(center),
                                               required_qualification=qualification)
        for item_code, item_name, approval in items:
            service.add_service_item(types[code], code=item_code, name=item_name,
                                     approval_item=approval, actor=_actor(center))
    return types


def _firm(db, service, settings, spec, types, center) -> User:
    username, name, body, codes = spec
    user = company(db, service.clock, settings, name=name, credit_body=body,
                   role=Role.INTERMEDIARY, username=username, display_name=f"{name[:2]}中介",
                   contact_phone=f"0591-8866{body[-4:]}")
    if service.entry_of(user.organisation_id) is None:
        today = service.today()
        lines = tuple({"service_type_id": types[c].id, "certificate_no": f"{c}-{body[-4:]}",
                       "grade": "甲级", "valid_from": today - timedelta(days=400),
                       "valid_until": today + timedelta(days=900)} for c in codes)
        entry = service.save_application(user.organisation, EntryInput(
            f"{body}-LIC", "张法人", 500 * WAN, "工程咨询、检测、环境评价", "市府路1号", None,
            ({"name": "林工程师", "certificate": "注册造价工程师", "social_insurance_months": 24},
             {"name": "陈工程师", "certificate": "环境影响评价工程师",
              "social_insurance_months": 12}), lines, True, "张法人"), actor=_actor(user))
        service.submit_application(entry, actor=_actor(user))
        if center is not None:
            service.approve_entry(entry, actor=_actor(center), reasons="材料齐全")
    return user


def _input(spec, types, now) -> PurchaseInput:
    title, code, method, funding, _days, gap, _target, _n = spec
    kind = types[code]
    fixed = method in (M.RANDOM, M.DIRECT, M.CREDIT_BEST)
    deadline = now + timedelta(days=7)
    return PurchaseInput(
        title, title.replace("编制", "").replace("检测", "") + "项目", "王工 0591-88880001",
        kind.id, (kind.items[0].id,), f"{title}：按国家和行业规范提供服务并提交成果文件。",
        "30日历天", kind.required_qualification, funding,
        AmountMode.FIXED if fixed else AmountMode.RANGE, 3 * WAN if fixed else None,
        None if fixed else 2 * WAN, None if fixed else 4 * WAN, None, None, None, method,
        3 if method is M.CREDIT_BEST else None, 2 if method is M.CREDIT_BEST else None,
        deadline, deadline + timedelta(days=gap), ())


def _walk(service, demo_clock, clock, spec, types, owner, center, firms) -> None:
    target, count = spec[6], spec[7]
    purchase = service.create_purchase(owner.organisation, _input(spec, types, demo_clock()),
                                       actor=_actor(owner))
    if target is P.DRAFT:
        return
    service.submit_purchase(purchase, actor=_actor(owner))
    if target is P.UNDER_REVIEW:
        return
    if target is P.RETURNED:
        service.return_purchase(purchase, reasons="请补充资质要求中的执业人员数量。",
                                actor=_actor(center))
        return
    service.approve_purchase(purchase, actor=_actor(center))
    qualified = [u for u, spec_ in zip(firms, FIRMS, strict=True) if spec[1] in spec_[3]]
    for user in qualified[:count]:
        service.register(purchase, user=user, actor=_actor(user))
    if target is P.REGISTRATION:
        return
    demo_clock.set(purchase.registration_deadline)
    service.advance(purchase)
    if purchase.status is P.BIDDING:
        for i, user in enumerate(qualified[:count]):
            envelope = sealed_quote(purchase, user.organisation_id,
                                    (26 + i * 3) * WAN // 10 + i * 7_00,
                                    f"{user.organisation.name}服务方案：项目负责人1名，"
                                    f"专业人员{3 + i}名，{15 + i}日历天提交成果。")
            service.submit_envelope(purchase, user=user, stream=io.BytesIO(envelope),
                                    actor=_actor(user))
        if target is P.BIDDING:
            return
    demo_clock.set(purchase.selection_time)
    service.advance(purchase)
    if purchase.status is P.WAIT_CHOOSE:
        if target is P.WAIT_CHOOSE:
            return
        org_id = purchase.candidate_ids[0] if purchase.method is M.DIRECT else None
        org_id = org_id or str(next(g.org_id for g in purchase.registrations
                                    if g.price_fen is not None))
        service.choose(purchase, org_id=int(org_id), actor=_actor(owner),
                       reasons="服务方案响应完整，项目团队经验丰富，报价合理。")
    _after_selection(service, demo_clock, purchase, target, owner, center, firms)


def _after_selection(service, demo_clock, purchase, target, owner, center, firms) -> None:
    if purchase.status is not P.SELECTED:
        return  # failed (流标) and republished
    by_org = {u.organisation_id: u for u in firms}
    demo_clock.advance(hours=2)
    if target is P.SELECTED:
        first = by_org[purchase.selected_org_id]
        service.decline(purchase, user=first, reason="项目负责人临时调离，无法按期提供服务",
                        actor=_actor(first))
        event = service.db.scalars(sa.select(CreditRecord).where(
            CreditRecord.purchase_id == purchase.id)).first()
        service.waive_credit_event(event, reason="业主认可人员调离的理由", actor=_actor(owner))
        return
    winner = by_org[purchase.selected_org_id]
    steps = (
        lambda: service.confirm(purchase, user=winner, actor=_actor(winner)),
        lambda: service.upload_contract(purchase, user=winner, filename="服务合同.pdf",
                                        content_type="application/pdf",
                                        stream=io.BytesIO(f"%PDF demo {purchase.number}".encode()),
                                        actor=_actor(winner)),
        lambda: service.review_contract(purchase, valid=True, reason="", actor=_actor(owner)),
        lambda: service.upload_result(purchase, user=winner, filename="服务成果.pdf",
                                      content_type="application/pdf",
                                      stream=io.BytesIO(f"%PDF result {purchase.number}".encode()),
                                      actor=_actor(winner)),
        lambda: service.accept_result(purchase, actor=_actor(owner)),
        lambda: service.rate(purchase, scores={"quality": 5, "timeliness": 4, "attitude": 5,
                                               "fee_compliance": 5},
                             comment="成果质量好，响应及时。", actor=_actor(owner)),
    )
    for step in steps:
        if purchase.status is target:
            break
        if target is P.TERMINATED and purchase.status is P.SERVICE_IN_PROGRESS:
            service.terminate(purchase, reason="项目调整，双方协商终止服务。", actor=_actor(owner))
            break
        step()
        demo_clock.advance(hours=6)


def sealed_quote(purchase, org_id: int, value, plan: str) -> bytes:
    """A quote as the intermediary's side seals it (what the quote page's sealed-offer.js
    makes; the demo plays the intermediary): offer.json with the price in 分, the plan and
    the value as typed, sealed to the purchase's opening key."""
    from bid_crypto import PublicKey, seal_bid

    from ..intermediaries import rules as r
    from ..intermediaries.service import QUOTE_LOT, org_ref, purchase_ref, terms_of

    price = r.quote_price(terms_of(purchase), value)
    offer = {"total_price": price, "currency": "CNY", "extra": {"quote": str(value)}}
    if plan.strip():
        offer["remarks"] = plan.strip()
    out = io.BytesIO()
    seal_bid(out, PublicKey.from_json(purchase.opening_public_key), offer=offer,
             project=purchase_ref(purchase), lot=QUOTE_LOT, bidder=org_ref(org_id))
    return out.getvalue()
