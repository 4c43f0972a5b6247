"""Demo: the 竞争性磋商 project, its panel (磋商小组) sitting, for a newcomer to drive in
the browser from the first round to the result.

What the loader does, through the real services: the scoring criteria published with
the project (checked by CriteriaService's rules), a pool of archive experts (ZJ1001…), a
real verifiable draw of a 3-member panel, the logins expert7…expert9 attached to the
drawn members in draw order (so the same logins always hold the seats, whatever the
seed), each member confirmed and signed in, expert7 elected chair, the panel started.

What it leaves for the browser: the rounds (center1), the final quotes (bidder1…3), the
reveal, each member's sheet, 汇总, the report and its signatures, the publicity and the
award. The demo profile version gives the final quote a 5-minute window, so the walk
fits one sitting. The steps are the evaluation demo's own (criteria as published, the
draw, sign-in and chair), shared rather than copied.
"""

import sqlalchemy as sa

from ..accounts.models import User
from ..db import registry_of
from ..evaluation.committee import EvaluationCommitteeService, ExpertInput, ExpertPoolService
from ..evaluation.models import Expert
from ..projects.kinds import ProcurementMethod, Regime
from ..projects.models import Project, RuleProfile
from ..projects.rules import default_params
from ..projects.status import ProjectStatus
from .evaluation import expert_logins, publish_criteria, sit
from .helpers import actor

CONSULTATION_DEMO = "市档案馆数字化加工服务（竞争性磋商）"
DEMO_WINDOWS = {"consult.final_quote_minutes": 5}
SPECIALTY = "档案管理"
# expert7 chairs; the draw decides which pool entry each login is.
PANEL_LOGINS = (7, 8, 9)
POOL = (  # (code, name, specialties): twice the panel, the draw's minimum (rules §4.2)
    ("ZJ1001", "邱档案", (SPECIALTY, "信息技术")),
    ("ZJ1002", "彭建华", (SPECIALTY,)),
    ("ZJ1003", "程晓丽", (SPECIALTY, "信息技术")),
    ("ZJ1004", "苏文斌", (SPECIALTY,)),
    ("ZJ1005", "魏海燕", (SPECIALTY, "信息技术")),
    ("ZJ1006", "田志强", (SPECIALTY,)),
)
ITEMS = [
    {"item_id": "q1", "name": "资格审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "q2", "name": "符合性审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "t1", "name": "类似项目业绩", "kind": "objective", "max_score": "10",
     "step": "2"},
    {"item_id": "t2", "name": "数字化加工方案", "kind": "subjective", "max_score": "30",
     "step": "0.5"},
    {"item_id": "t3", "name": "质量控制与安全保密", "kind": "subjective", "max_score": "20",
     "step": "0.5"},
    {"item_id": "t4", "name": "项目团队", "kind": "subjective", "max_score": "10",
     "step": "0.5"},
]
# 磋商基准价 = the lowest valid final quote (§2.4); 30 % fits goods and services alike.
PRICE = {"formula": "low_price_first", "weight": "0.30"}


def load_consultation_profile(dbsession, clock, settings) -> None:
    code = f"{Regime.GOVERNMENT_PROCUREMENT}:{ProcurementMethod.COMPETITIVE_CONSULTATION}"
    if dbsession.scalar(sa.select(RuleProfile.id).where(RuleProfile.code == code)):
        return
    params = default_params(Regime.GOVERNMENT_PROCUREMENT,
                            ProcurementMethod.COMPETITIVE_CONSULTATION)
    params.update(DEMO_WINDOWS)
    dbsession.add(RuleProfile(code=code, version=1, regime=Regime.GOVERNMENT_PROCUREMENT,
                              procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION,
                              params=params, created_at=clock()))
    dbsession.flush()


def _pool(dbsession, clock, center) -> None:
    pool = ExpertPoolService(dbsession, clock)
    for i, (code, name, specialties) in enumerate(POOL, start=1):
        if dbsession.scalar(sa.select(Expert.id).where(Expert.code == code)):
            continue
        pool.create(ExpertInput(
            code=code, name=name, region="市本级", specialties=specialties,
            title="副研究馆员", years_experience=10 + i,
            employers=({"name": f"某档案馆{i}", "credit_code": "", "from": "2012-01-01",
                        "to": None},)), actor=center)


def load_consultation_demo(dbsession, clock, settings) -> None:
    center_user = dbsession.scalar(sa.select(User).where(User.username == "center1"))
    project = dbsession.scalar(sa.select(Project).where(Project.name == CONSULTATION_DEMO))
    service = EvaluationCommitteeService(dbsession, clock, registry_of(dbsession)["keys"])
    if center_user is None or project is None or project.status is not ProjectStatus.EVALUATION \
            or service.committee_of(project) is not None:
        return
    center = actor(center_user)
    logins = expert_logins(dbsession, clock, settings, PANEL_LOGINS)
    _pool(dbsession, clock, center)
    publish_criteria(dbsession, clock, project, ITEMS, PRICE)
    sit(dbsession, clock, registry_of(dbsession)["keys"], center, project, logins=logins,
         plan=[{"specialty": SPECIALTY, "count": 3, "reserves": 1}])
