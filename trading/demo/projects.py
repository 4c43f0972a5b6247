"""Demo projects in every status, with lots, documents, questions and clarifications.

Projects are walked through the real service on a demo clock that starts in the past, so
the ones past their deadline got there the way real ones do.
"""

from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation
from ..actor import Actor
from ..clock import FixedClock
from ..db import registry_of
from ..projects.kinds import (
    AwardMethod,
    CryptoSuite,
    CustodyMode,
    ProcurementMethod,
    ProjectType,
)
from ..projects.models import Project
from ..projects.service import ProjectInput, ProjectService
from ..projects.status import ProjectStatus
from .bidding import designate_demo_custodians
from .helpers import actor, no_jobs, project_input, tender_document, user

S = ProjectStatus

# (name, type, method, lots as (name, budget 万元), days ago posted, status to reach)
DEMO = (
    ("城南污水处理厂提标改造工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("土建施工", 1800), ("设备安装", 950)), 2, S.DRAFT),
    ("市第一中学教学楼维修工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("维修施工", 620),), 2, S.PENDING_REVIEW),
    ("市民服务中心智能化系统采购", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.OPEN_TENDER, (("弱电系统", 380),), 3, S.RETURNED),
    ("滨江公园景观提升工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("景观绿化", 760), ("园路照明", 240)), 1, S.PUBLISHED),
    ("闽江大道市政道路改造工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("道路工程", 2600), ("排水工程", 1100)), 5, S.BIDDING),
    ("区医院医疗设备采购项目", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.COMPETITIVE_CONSULTATION, (("影像设备", 520), ("检验设备", 310)), 8,
     S.BIDDING),
    ("老旧小区改造（二期）工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("施工总承包", 3300),), 26, S.OPENING),
    # 国密 (SM2/SM3/SM4, SM2-signed receipts): one open for bids, one at its opening.
    ("政务云密码应用改造项目（国密）", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.OPEN_TENDER, (("密码服务", 300),), 4, S.BIDDING),
    ("电子政务外网安全设备采购（国密）", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.OPEN_TENDER, (("安全设备", 420),), 26, S.OPENING),
    ("城西片区土地整理工程（终次报价）", ProjectType.WORKS, ProcurementMethod.FINAL_OFFER,
     (("土地整理施工", 1200),), 30, S.EVALUATION),
    ("滨海新区综合管廊工程（评定分离）", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("管廊施工", 2200),), 32, S.EVALUATION),
    ("科创园区配套道路工程（评定分离）", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("道路施工", 1350),), 31, S.EVALUATION),
    ("市档案馆数字化加工服务（竞争性磋商）", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.COMPETITIVE_CONSULTATION, (("数字化加工", 160),), 30, S.EVALUATION),
    ("市政府办公楼物业管理服务采购", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.OPEN_TENDER, (("物业服务", 260),), 30, S.EVALUATION),
    # Evaluated by the award demo's drawn committee, which publicises its candidates.
    ("体育中心看台维修工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("维修施工", 480),), 34, S.EVALUATION),
    # Carried by the award demo through its 定标 to the award: every printable document.
    ("城东雨污分流改造工程（评定分离）", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("管网施工", 860),), 40, S.EVALUATION),
    # Awarded, contracted, archived: left in evaluation here; the award demo walks each
    # through its evaluation, publicity, 定标 (and contract) — the whole trail (TRAILS).
    ("区图书馆改造工程", ProjectType.WORKS,
     ProcurementMethod.OPEN_TENDER, (("改造施工", 690),), 40, S.AWARDED),
    ("北区供水管网改造工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("管网施工", 1500),), 50, S.CONTRACTED),
    ("2025年度道路养护工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("养护施工", 900),), 200, S.ARCHIVED),
    ("文化馆展陈设计服务采购", ProjectType.GOVERNMENT_PROCUREMENT,
     ProcurementMethod.OPEN_TENDER, (("展陈设计", 120),), 12, S.CANCELLED),
    ("公交站台改造工程", ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
     (("站台施工", 350),), 28, S.FAILED),
)

# Projects sealed with a national suite (国密) instead of the platform default.
NATIONAL = {"政务云密码应用改造项目（国密）": CryptoSuite.SM2,
            "电子政务外网安全设备采购（国密）": CryptoSuite.SM2}

# Custody of the opening key (issue #15): every mode is shown. Projects still before their
# approval or bids take the rule profile's default (不见面开标, `None` here); two are held by
# k-of-n custodians whose keys the demo makes with the custodians' own CLI and prints. The
# rest are walked past their opening by the demo itself, so they are `auto` by explicit
# choice, shown as 平台托管（平台可在开标前解密）.
CUSTODY = {
    "城南污水处理厂提标改造工程": None, "市第一中学教学楼维修工程": None,
    "市民服务中心智能化系统采购": None, "滨江公园景观提升工程": None,
    "文化馆展陈设计服务采购": None,
    "区医院医疗设备采购项目": CustodyMode.CUSTODIANS,
    "老旧小区改造（二期）工程": CustodyMode.CUSTODIANS,
}

# Projects whose award is separated from the evaluation (评定分离, rules §3).
SEPARATED = frozenset({"滨海新区综合管廊工程（评定分离）", "科创园区配套道路工程（评定分离）",
                       "城东雨污分流改造工程（评定分离）"})

# The path through the status machine to each demo status, after publication.
PATH_AFTER_BIDDING = {
    S.OPENING: (), S.EVALUATION: (S.EVALUATION,),
    S.CANDIDATES_PUBLICISED: (S.EVALUATION, S.CANDIDATES_PUBLICISED),
    S.AWARDED: (S.EVALUATION,), S.CONTRACTED: (S.EVALUATION,), S.ARCHIVED: (S.EVALUATION,),
    S.FAILED: (S.FAILED,),
}


def _input(name, ptype, method, lots, start) -> ProjectInput:
    return project_input(
        name, ptype, method, lots, start,
        award=AwardMethod.SEPARATED if name in SEPARATED else AwardMethod.RANK_ONE,
        custody=CUSTODY.get(name, CustodyMode.AUTO), suite=NATIONAL.get(name))


def load_projects(dbsession, clock, settings) -> None:
    owner, center = user(dbsession, "owner1"), user(dbsession, "center1")
    bidders = [user(dbsession, f"bidder{i}") for i in (1, 2, 3)]
    org = dbsession.get(Organisation, owner.organisation_id)
    registry = registry_of(dbsession)
    storage, keys = registry["storage"], registry["keys"]
    for name, ptype, method, lots, days_ago, target in DEMO:
        if dbsession.scalar(sa.select(Project.id).where(Project.name == name)):
            continue
        demo_clock = FixedClock(clock() - timedelta(days=days_ago))
        # The demo walks time itself; the worker's sweep picks up whatever is due later.
        service = ProjectService(dbsession, demo_clock, storage, enqueue=no_jobs, keys=keys)
        project = service.create_draft(_input(name, ptype, method, lots, demo_clock()),
                                       owner=org, actor=actor(owner))
        _walk(service, demo_clock, clock, project, target, owner, center, bidders)


def _walk(service, demo_clock, clock, project, target, owner, center, bidders) -> None:
    if target is S.DRAFT:
        return
    service.add_document(project, **tender_document(project), actor=actor(owner))
    service.submit_for_review(project, actor=actor(owner))
    if target is S.PENDING_REVIEW:
        return
    if target is S.RETURNED:
        service.return_for_changes(project, reasons="请补充资格条件和评分标准。",
                                   actor=actor(center))
        return
    if project.custody_mode is CustodyMode.CUSTODIANS:
        # The bidding demo enrols the demo custodians' public keys and designates them.

        designate_demo_custodians(service.db, service.clock, project, center)
    service.approve(project, actor=actor(center))
    if target is S.CANCELLED:
        service.cancel(project, reason="项目资金调整，终止本次采购。", actor=actor(owner))
        return
    if target is S.PUBLISHED:
        return
    demo_clock.set(project.doc_start + timedelta(hours=1))
    service.advance(project)
    _participate(service, demo_clock, project, owner, bidders)
    if target is S.BIDDING:
        demo_clock.set(clock())
        return
    demo_clock.set(project.bid_deadline + timedelta(minutes=1))
    service.advance(project)
    for status in PATH_AFTER_BIDDING[target]:
        reason = "有效投标人不足3家" if status is S.FAILED else ""
        service.transition(project, status, actor=Actor.system("demo"), reason=reason)


def _participate(service, demo_clock, project, owner, bidders) -> None:
    lots = project.lots
    for i, bidder in enumerate(bidders):
        for lot in lots[: 1 + i % len(lots)]:
            service.sign_up(project, lot, bidder=bidder, actor=actor(bidder))
    question = service.ask_question(project, text="资格条件中的类似业绩是否包括在建项目？",
                                    asker=bidders[0], actor=actor(bidders[0]))
    service.answer_question(question, answer="类似业绩以竣工验收为准，在建项目不计入。",
                            actor=actor(owner))
    if len(lots) > 1:
        service.publish_clarification(
            project, title=f"{project.name}澄清与变更公告（一）",
            body="第二标段工程量清单第3项数量更正，投标截止时间相应顺延。", affects_bids=True,
            new_deadline=project.bid_deadline + timedelta(days=7),
            actor=actor(owner))
