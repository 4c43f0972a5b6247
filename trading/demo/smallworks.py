"""Demo registry: three dozen enterprises in the four categories, and small works allocated
by each method, walked through the real service on a demo clock that starts two
months back (so publicity, completion and evaluation have happened).

`bidder1`'s company is in the registry and has just been drawn for a lottery work: log in
as bidder1 to confirm or decline it. `center1` has an application and a flagged (possible
split) work waiting in 入库与项目审核.
"""

import io
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..accounts.models import Organisation, Role, User
from ..accounts.rules import make_credit_code
from ..actor import Actor
from ..clock import FixedClock
from ..db import registry_of
from ..smallworks.models import Enterprise
from ..smallworks.rules import AllocationMethod, Category, Grade, ObjectType
from ..smallworks.service import (
    RUNNING,
    BudgetFile,
    EnterpriseInput,
    ProjectInput,
    QualificationInput,
    SmallWorksService,
)
from .helpers import SYSTEM, actor, user

M = AllocationMethod
PREFIXES = ("闽", "榕", "三山", "鼓山", "闽江", "乌山", "西湖", "马尾", "五一")
WORDS = ("建信", "恒达", "鑫源", "华泰", "宏远", "永安", "嘉禾")
SURNAMES = ("陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "谢")
GIVEN = ("国平", "志远", "文杰", "建华", "海峰", "德胜", "俊杰", "秀英", "振宇", "永红", "明亮")
TRADES = {Category.BUILDING_MUNICIPAL: "建筑工程", Category.ROADS: "路桥工程",
          Category.WATER: "水利水电工程", Category.POWER: "电力工程"}


def _actor(dbsession, username: str) -> Actor:
    who = user(dbsession, username)
    return actor(who) if who is not None else SYSTEM


def _person(n: int, k: int) -> str:
    return f"{SURNAMES[(n + 5 * k) % len(SURNAMES)]}{GIVEN[(n * 3 + k) % len(GIVEN)]}"


def _managers(n: int) -> tuple[str, str]:
    """Two registered project managers (项目经理) per firm, named as people are."""
    return _person(n, 1), _person(n, 2)


def _application(clock, n: int, category: Category, *, safety_days=700) -> EnterpriseInput:
    today = clock().date()
    grade = (Grade.SECOND, Grade.THIRD, Grade.THIRD, Grade.FIRST)[(n // 4) % 4]
    if category is Category.POWER:
        # no demo power firm may take a 100–400 万 work: the browser walk's own do
        grade = Grade.THIRD
    extra = () if n % 3 else (QualificationInput(
        Category.BUILDING_MUNICIPAL, Grade.THIRD, f"D335{n:06d}B", today - timedelta(days=400),
        today + timedelta(days=900), "装饰装修"),)
    return EnterpriseInput(
        business_licence_until=today + timedelta(days=3650),
        safety_licence_no=f"（闽）JZ安许证字〔2024〕{n:06d}",
        safety_licence_until=today + timedelta(days=safety_days),
        local_office=f"福州市{('鼓楼', '台江', '仓山', '晋安')[n % 4]}区某路 {n} 号",
        local_insured_staff=8 + n % 20, managers=_managers(n),
        similar_projects=f"2025 年 某{TRADES[category]}维修（竣工验收合格）",
        integrity_commitment=True,
        qualifications=(QualificationInput(category, grade, f"D335{n:06d}",
                                           today - timedelta(days=500),
                                           today + timedelta(days=1000)), *extra))


def _organisation(dbsession, clock, n: int, category: Category) -> Organisation:
    code = make_credit_code(f"91350100MA2KW{n:04d}")
    org = dbsession.scalar(sa.select(Organisation).where(Organisation.credit_code == code))
    if org is None:
        # n < 63: each (prefix, word) pair once, so no name needs a number to tell it apart
        name = (f"{PREFIXES[n % len(PREFIXES)]}{WORDS[n // len(PREFIXES) % len(WORDS)]}"
                f"{TRADES[category]}有限公司")
        org = Organisation(name=name, credit_code=code, role=Role.BIDDER,
                           region="市本级", contact_name=_person(n, 0),
                           contact_phone=f"0591-8777{n:04d}",
                           contact_email=f"sw{n}@example.cn", created_at=clock())
        dbsession.add(org)
        dbsession.flush()
    return org


def load_smallworks(dbsession, clock, settings) -> None:
    if dbsession.scalar(sa.select(Enterprise.id).limit(1)) is not None:
        return
    demo_clock = FixedClock(clock() - timedelta(days=60))
    service = SmallWorksService(dbsession, demo_clock, registry_of(dbsession)["keys"],
                                storage=registry_of(dbsession)["storage"])
    center, owner = _actor(dbsession, "center1"), _actor(dbsession, "owner1")
    _registry(dbsession, demo_clock, service, center)
    owner_org = (dbsession.get(Organisation, owner.organisation_id)
                 if owner.organisation_id else None)
    if owner_org is not None:
        _works(service, demo_clock, owner_org, owner, center)
    service.clock = clock  # the rest happens now, so its windows are open for the demo
    if owner_org is not None:
        _pending(dbsession, service, clock, owner_org, owner, center)
    service.sweep(actor=Actor.system("demo"))  # licence notices and suspensions


def _registry(dbsession, demo_clock, service, center) -> None:
    categories = list(Category)
    for n in range(1, 37):
        category = categories[n % 4]
        org = _organisation(dbsession, demo_clock, n, category)
        # one licence expires within the notice period, one already in the demo's past
        safety = {7: 75, 11: 30}.get(n, 700)
        entry = service.apply(org, _application(demo_clock, n, category, safety_days=safety),
                              actor=center)
        if n == 36:
            continue  # waits for center1's review
        if n == 35:
            service.return_entry(entry, reasons="安全生产许可证扫描件不清晰，请重新上传",
                                 actor=center)
            continue
        service.approve_entry(entry, actor=center)
        entry.credit_score = Decimal(70 + (n * 7) % 28)


def post_work(service, owner_org, owner, name, category, amount, site, method, clock):
    return service.post(owner_org, ProjectInput(
        name=name, category=category, object_type=ObjectType.WORKS, amount=amount, site=site,
        approved_on=clock().date(), budget_proof="市财预〔2026〕" + str(amount % 97),
        method=method, budget_file=BudgetFile(
            f"{name}预算批复.pdf", io.BytesIO(demo_pdf(f"Budget approval {amount % 97}")))),
        actor=owner)


def demo_pdf(line: str) -> bytes:
    """A one-page PDF with one line of text (ASCII, Helvetica): the demo's budget
    approvals, made here so the demo ships no binary files."""
    text = line.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def accept_work(service, work, actor) -> None:
    """The winner confirms with a project manager who is free (a firm may hold two
    categories and have won in both)."""
    busy = {w.manager for w in service.projects(statuses=RUNNING, winner_id=work.winner_id)}
    manager = next(m for m in work.winner.managers if m not in busy)
    service.accept(work, work.winner, manager=manager, actor=actor)


def _works(service, clock, owner_org, owner, center) -> None:
    # 双随机信用: awarded two months ago, completed and evaluated (credit moves)
    work = post_work(service, owner_org, owner, "鼓楼区某小学围墙及操场维修工程",
                 Category.BUILDING_MUNICIPAL, 45_000_000, "鼓楼区某小学", M.DOUBLE_RANDOM_CREDIT,
                 clock)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    accept_work(service, work, center)
    clock.advance(days=4)
    service.contract(work, actor=center)
    clock.advance(days=30)
    service.complete(work, completed_on=clock().date(), on_time=True, quality_accepted=True,
                     actor=owner)
    service.evaluate(work, score=Decimal("92.5"), actor=owner)
    # 轮候: accepted, in contract
    work = post_work(service, owner_org, owner, "台江区某社区雨污分流改造", Category.WATER,
                 80_000_000, "台江区某社区", M.ROTATION, clock)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    accept_work(service, work, center)
    clock.advance(days=4)
    service.contract(work, actor=center)
    # 合理低价: a random short list quotes sealed; opened after the deadline
    work = post_work(service, owner_org, owner, "马尾区某幼儿园外墙及屋面防水维修",
                 Category.BUILDING_MUNICIPAL, 60_000_000, "马尾区某幼儿园",
                 M.REASONABLE_LOW_PRICE, clock)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    for index, ident in enumerate(work.short_list):
        entry = service.db.get(Enterprise, int(ident))
        price = (57_500_000, 55_800_000, 53_900_000, 56_600_000, 41_000_000)[index % 5]
        service.submit_quote(work, entry, price=price, actor=center)
    clock.advance(days=2, minutes=1)
    service.open_quotes(work, actor=center)
    accept_work(service, work, center)
    # 随机抽取 with a decline: the first drawn declines, the next is in publicity
    work = post_work(service, owner_org, owner, "仓山区某路段人行道修补工程", Category.ROADS,
                 120_000_000, "仓山区某路", M.LOTTERY, clock)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    service.decline(work, work.winner, reason="项目经理均在建，无法按期进场", actor=center)
    accept_work(service, work, center)


def _pending(dbsession, service, clock, owner_org, owner, center) -> None:
    """Left for the demo users: bidder1's company, admitted today, is drawn for a roads
    work (its 99 credit tops a short list that holds the whole pool of grade-2 road
    builders) and waits to confirm; a second phase of the school works is flagged as a
    possible split for center1."""
    bidder1 = dbsession.scalar(sa.select(User).where(User.username == "bidder1"))
    if bidder1 is not None and bidder1.organisation is not None:
        entry = service.apply(bidder1.organisation, _application(clock, 48, Category.ROADS),
                              actor=center)
        service.approve_entry(entry, actor=center)
        entry.credit_score = Decimal("99.00")
        work = post_work(service, owner_org, owner, "晋安区某村道路面修复工程", Category.ROADS,
                     150_000_000, "晋安区某村", M.DOUBLE_RANDOM_CREDIT, clock)
        service.approve_project(work, actor=center)
        service.draw(work, actor=center)
    post_work(service, owner_org, owner, "鼓楼区某小学围墙及操场维修工程（二期）",
          Category.BUILDING_MUNICIPAL, 380_000_000, "鼓楼区某小学", M.LOTTERY, clock)
