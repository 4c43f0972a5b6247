"""Demo evaluation: an expert pool, a project in evaluation that `expert1` chairs and scores
in the browser, and a committee waiting for the center's draw.

Everything goes through the real services: the draw is a real verifiable draw. The demo
logins expert1…expert6 are then attached to the pool entries the draw picked, in draw
order — whatever the seed — so the same logins always hold the seats. The four other
members have confirmed, signed in, elected expert1 chair and submitted their sheets;
expert1's sheet is empty, so the walk is: score, submit, 汇总, 生成报告, sign, then sign
as expert2…expert5.
"""

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..actor import Actor
from ..db import registry_of
from ..evaluation.committee import (
    DECLARATION,
    EvaluationCommitteeService,
    ExpertInput,
    ExpertPoolService,
)
from ..evaluation.models import Expert, ScoringCriteria
from ..evaluation.scoring import CriteriaService, Mark, SheetService
from ..projects.models import Project
from ..projects.status import ProjectStatus
from .helpers import actor as _actor
from .helpers import no_jobs, person
from .helpers import user as _user

S = ProjectStatus
SCORED = "市政府办公楼物业管理服务采购"
# 评定分离 from the scoring on: expert10 chairs, expert10…expert14 sit, expert15 reserve.
SEPARATED_SCORED = "科创园区配套道路工程（评定分离）"
SEPARATED_LOGINS = range(10, 16)
ROAD_SPECIALTY = "市政道路工程"
FORMING = "老旧小区改造（二期）工程"
SURNAMES = ("周", "陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "谢",
            "郭", "洪")
GIVEN = ("明华", "建国", "志强", "晓东", "丽娟", "海燕", "文斌")
LOGIN_GIVEN = ("国栋", "春梅", "立新", "少华", "卫东", "雪芳", "永康", "秋云")
ITEMS = [
    {"item_id": "q1", "name": "资格审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "q2", "name": "符合性审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "t1", "name": "类似项目业绩", "kind": "objective", "max_score": "10",
     "step": "2"},
    {"item_id": "t2", "name": "物业服务方案", "kind": "subjective", "max_score": "30",
     "step": "0.5"},
    {"item_id": "t3", "name": "人员配备", "kind": "subjective", "max_score": "20",
     "step": "0.5"},
    {"item_id": "t4", "name": "应急预案", "kind": "subjective", "max_score": "10",
     "step": "0.5"},
]
PRICE = {"formula": "low_price_first", "weight": "0.30",
         "sme": {"small_micro_rate": "0.10", "partnered_rate": "0.04"}}
# Works (评定分离 and the ranked works demo): the same item ids, so the same demo marks.
WORKS_ITEMS = [
    {"item_id": "q1", "name": "资格审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "q2", "name": "符合性审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "t1", "name": "类似工程业绩", "kind": "objective", "max_score": "10",
     "step": "2"},
    {"item_id": "t2", "name": "施工组织设计", "kind": "subjective", "max_score": "30",
     "step": "0.5"},
    {"item_id": "t3", "name": "项目管理机构", "kind": "subjective", "max_score": "20",
     "step": "0.5"},
    {"item_id": "t4", "name": "质量安全保证措施", "kind": "subjective", "max_score": "10",
     "step": "0.5"},
]
WORKS_PRICE = {"formula": "average_benchmark", "weight": "0.30"}
WORKS_SPECIALTY = "建筑与市政工程"  # only the zj2000… experts: each has a login
# Four works committees of 5 (one owner; the demo draws them out of date order, so the
# 30-day rotation bars all earlier seats), and a draw needs twice its count eligible.
WORKS_EXPERTS = 51  # eight committees since the awarded, contracted and archived trails
# Other members' subjective scores per bid position (t2, t3, t4); objective t1 agreed.
SCORES = (("26", "17", "8.5"), ("24.5", "16", "8"), ("22", "15.5", "7"))
OBJECTIVE = ("8", "6", "6")
DEVIANT_T2 = "14"  # 12 below the others' 26 of 30: past the 30 % line of §4.6


def expert_logins(dbsession, clock, settings, numbers=range(1, 7)) -> list[User]:
    """expert1 (from the accounts demo) and the other numbered demo expert logins."""
    return [person(dbsession, clock, settings, username=f"expert{n}",
                   display_name=_expert_name(n), role=Role.EXPERT) for n in numbers]


def _expert_name(n: int) -> str:
    """expert1 is 周专家 in the accounts demo's table; the others get a person's name."""
    return f"{SURNAMES[(n - 1) % len(SURNAMES)]}{LOGIN_GIVEN[n % len(LOGIN_GIVEN)]}"


def _pool(dbsession, clock, center: Actor) -> None:
    pool = ExpertPoolService(dbsession, clock)
    if dbsession.scalar(sa.select(Expert.id).where(Expert.code == "ZJ0001")):
        return
    for i, surname in enumerate(SURNAMES, start=1):
        specialties = ("物业管理",) if i % 2 else ("物业管理", "工程造价")
        if i > 12:
            specialties = ("建筑工程", "工程造价")
        pool.create(ExpertInput(
            code=f"ZJ{i:04d}", name=f"{surname}{GIVEN[i % len(GIVEN)]}",
            region="市本级", specialties=specialties, title="高级工程师",
            years_experience=8 + i, employers=({"name": f"某高校{i}", "credit_code": "",
                                                 "from": "2010-01-01", "to": None},)),
            actor=center)


def publish_criteria(dbsession, clock, project: Project, items=ITEMS, price=PRICE) -> None:
    """The demo projects were published before this loader ran: attach the criteria as
    they would have been published, checked by the same rules."""
    service = CriteriaService(dbsession, clock)
    if service.of(project) is not None:
        return
    items, price = service._check(project, items, price, 3)
    dbsession.add(ScoringCriteria(project_id=project.id, items=items, price=price,
                                  n_candidates=3, locked_at=project.published_at,
                                  created_at=project.published_at,
                                  updated_at=project.published_at))
    dbsession.flush()


def specialty_pool(dbsession, clock, settings, center: Actor, *, first: int, count: int,
                    specialty: str, logins: bool) -> None:
    """Experts of one specialty (codes ZJ{first}…); with `logins`, each its own expert
    login (the code in lower case), for committees the demo runs through to the end."""
    pool = ExpertPoolService(dbsession, clock)
    codes = [f"ZJ{first + i}" for i in range(1, count + 1)]
    made = set(dbsession.scalars(sa.select(Expert.code).where(Expert.code.in_(codes))))
    for i, code in enumerate(codes, start=1):
        if code in made:
            continue
        name = f"{SURNAMES[-i % len(SURNAMES)]}{GIVEN[(i + first // 1000) % len(GIVEN)]}"
        user = None
        if logins:
            user = person(dbsession, clock, settings, username=code.lower(),
                          display_name=name, role=Role.EXPERT)
        pool.create(ExpertInput(
            code=code, name=name, region="市本级", specialties=(specialty,),
            title="高级工程师", years_experience=10 + i,
            employers=({"name": f"市{specialty}研究院第{i}所", "credit_code": "",
                        "from": "2008-01-01", "to": None},)), actor=center, user=user)


def seat_logins(dbsession, clock, committee, logins) -> None:
    """The demo logins take the seats the draw gave, in draw order; each drawn expert's
    pool entry takes its login's name, so the header and the committee name one person."""
    pool, center = ExpertPoolService(dbsession, clock), _actor(_user(dbsession, "center1"))
    drawn = sorted((m for m in committee.members if m.expert_id), key=lambda m: m.id)
    for member, user in zip(drawn, logins, strict=False):
        member.expert.user_id = member.user_id = user.id
        expert = member.expert
        pool.update(expert, ExpertInput(
            code=expert.code, name=user.display_name, region=expert.region,
            specialties=tuple(expert.specialties), title=expert.title,
            years_experience=expert.years_experience, phone=expert.phone,
            employers=tuple(expert.employers), shareholdings=tuple(expert.shareholdings),
            relatives=tuple(expert.relatives)), actor=center)


def sit(dbsession, clock, keys, center: Actor, project, *, plan, logins=()):
    """Form, draw and reveal the committee; every member accepts and signs in; the first
    login (or the first drawn) is elected chair by a majority; the evaluation starts."""
    service = EvaluationCommitteeService(dbsession, clock, keys)
    service.form(project, plan=plan, owner_rep_ids=[], region="市本级", actor=center)
    service.draw(project, actor=center)
    service.reveal(project, actor=center)
    committee = service.committee_of(project)
    if logins:
        seat_logins(dbsession, clock, committee, logins)
    seated = service.seated(committee)
    for member in seated:
        who = _actor(dbsession.get(User, member.user_id))
        service.answer(member, accept=True, reason="", actor=who)
        service.sign_in(member, confirmation=DECLARATION, conflict="", actor=who)
    chair = next((m for m in seated if logins and m.user_id == logins[0].id), seated[0])
    for member in seated:  # a majority elects; the remaining votes are not needed
        if service.chair(committee) is None:
            service.vote_chair(member, chair, actor=_actor(dbsession.get(User, member.user_id)))
    service.start(project, actor=center)
    return seated, chair


def _scored(dbsession, clock, keys, center: Actor, logins, *, name=SCORED,
            specialty="物业管理", criteria=(ITEMS, PRICE)) -> None:
    """Seated and started with the demo logins in draw order; every member but the chair
    (logins[0]) has submitted: the chair's sheet is the newcomer's to score."""
    project = dbsession.scalar(sa.select(Project).where(Project.name == name))
    if project is None or project.status is not S.EVALUATION \
            or EvaluationCommitteeService(dbsession, clock, keys).committee_of(project) is not None:
        return
    publish_criteria(dbsession, clock, project, *criteria)
    seated, chair = sit(dbsession, clock, keys, center, project, logins=logins,
                         plan=[{"specialty": specialty, "count": 5, "reserves": 1}])
    for member in seated:
        if member is not chair:
            _submit_sheet(dbsession, clock, project, member)


def evaluate_for_demo(dbsession, clock, keys, project, *, specialty: str) -> None:
    """A whole evaluation through the real services, for demo projects that start after
    it: criteria as published, a drawn committee, every sheet submitted, the report
    generated by the chair and signed by every member (then locked)."""
    from ..evaluation.service import REPORT_CONFIRMATION, EvaluationService

    center = _actor(_user(dbsession, "center1"))
    publish_criteria(dbsession, clock, project, WORKS_ITEMS, WORKS_PRICE)
    seated, chair = sit(dbsession, clock, keys, center, project,
                         plan=[{"specialty": specialty, "count": 5, "reserves": 1}])
    for member in seated:
        _submit_sheet(dbsession, clock, project, member)
    # No signing-deadline job: every member signs here, and a job run at once by an
    # immediate queue would read the real clock, past this demo clock's deadline.
    evaluation = EvaluationService(dbsession, clock, keys, enqueue=no_jobs).work()
    for lot in project.lots:
        report = evaluation.generate(project, lot, actor=_actor(
            dbsession.get(User, chair.user_id)))
        for member in seated:
            evaluation.sign(report, confirmation=REPORT_CONFIRMATION, agrees=True, dissent="",
                            actor=_actor(dbsession.get(User, member.user_id)))


def evaluate_until_warning(dbsession, clock, keys, project, *, specialty: str):
    """An evaluation stopped where a chair must act: every sheet submitted, one member's
    施工组织设计 score for the first bid far below the others' (14 against 26 of 30), and
    the chair's 汇总 done — so the room shows its 评分偏离提示 awaiting the member's
    written reason, and no report is generated yet. Returns the chair."""
    from ..evaluation.service import EvaluationService

    center = _actor(_user(dbsession, "center1"))
    publish_criteria(dbsession, clock, project, WORKS_ITEMS, WORKS_PRICE)
    seated, chair = sit(dbsession, clock, keys, center, project,
                        plan=[{"specialty": specialty, "count": 5, "reserves": 1}])
    outlier = next(m for m in seated if m is not chair)
    for member in seated:
        _submit_sheet(dbsession, clock, project, member, low_first=member is outlier)
    evaluation = EvaluationService(dbsession, clock, keys, enqueue=no_jobs).work()
    who = _actor(dbsession.get(User, chair.user_id))
    for lot in project.lots:
        evaluation.evaluate(project, lot, actor=who)
    return dbsession.get(User, chair.user_id)


def _submit_sheet(dbsession, clock, project, member, *, low_first=False) -> None:
    sheets = SheetService(dbsession, clock)
    actor = _actor(dbsession.get(User, member.user_id))
    for lot in project.lots:
        sheet = sheets.sheet(member, lot, actor=actor)
        _items, lines = sheets.grid(sheet)
        marks = []
        for position, line in enumerate(lines):
            t2, t3, t4 = SCORES[position % len(SCORES)]
            if low_first and position == 0:
                t2 = DEVIANT_T2
            marks += [Mark(line.bid_id, "q1", passed=True), Mark(line.bid_id, "q2", passed=True),
                      Mark(line.bid_id, "t1", value=OBJECTIVE[position % 3]),
                      Mark(line.bid_id, "t2", value=t2), Mark(line.bid_id, "t3", value=t3),
                      Mark(line.bid_id, "t4", value=t4)]
        sheets.save(sheet, marks, actor=actor)
        sheets.submit(sheet, actor=actor)


def _forming(dbsession, clock, keys, center: Actor) -> None:
    project = dbsession.scalar(sa.select(Project).where(Project.name == FORMING))
    service = EvaluationCommitteeService(dbsession, clock, keys)
    if project is None or service.committee_of(project) is not None:
        return
    service.form(project, plan=[{"specialty": "物业管理", "count": 3, "reserves": 1},
                                {"specialty": "工程造价", "count": 2, "reserves": 0}],
                 owner_rep_ids=[], region="", actor=center)


def ensure_pool(dbsession, clock, settings) -> None:
    """The demo expert pool; other demo loaders that run a whole evaluation call it first."""
    center = _actor(_user(dbsession, "center1"))
    _pool(dbsession, clock, center)
    specialty_pool(dbsession, clock, settings, center, first=2000, count=WORKS_EXPERTS,
                    specialty=WORKS_SPECIALTY, logins=True)
    specialty_pool(dbsession, clock, settings, center, first=3000, count=12,
                    specialty=ROAD_SPECIALTY, logins=False)


def load_evaluation(dbsession, clock, settings) -> None:
    center_user = _user(dbsession, "center1")
    if center_user is None:
        return
    center = _actor(center_user)
    logins = expert_logins(dbsession, clock, settings)
    ensure_pool(dbsession, clock, settings)
    _scored(dbsession, clock, registry_of(dbsession)["keys"], center, logins)
    _scored(dbsession, clock, registry_of(dbsession)["keys"], center,
            expert_logins(dbsession, clock, settings, SEPARATED_LOGINS),
            name=SEPARATED_SCORED, specialty=ROAD_SPECIALTY, criteria=(WORKS_ITEMS, WORKS_PRICE))
    _forming(dbsession, clock, registry_of(dbsession)["keys"], center)


# After every other loader (the opening records are written last); ahead of the other
# late loaders, which may read the committee.
