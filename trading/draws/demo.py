"""Demo draws: one revealed (with a beacon and a re-draw after a decline), one committed."""

import sqlalchemy as sa

from ..actor import Actor
from ..demo import demo_loader
from ..jobs.runtime import runtime
from .models import Draw
from .services import DrawService

PURPOSE = "演示：中介机构随机选取（工程造价咨询）"
PENDING = "演示：评标专家抽取（待揭示）"

FIRMS = (("A01", "正衡工程咨询有限公司", 92), ("A02", "建诚造价咨询有限公司", 88),
         ("A03", "海峡工程管理有限公司", 85), ("A04", "闽都造价事务所", 90),
         ("A05", "华信工程咨询有限公司", 79), ("A06", "中正项目管理有限公司", 83))


def _candidates():
    return [{"id": code, "label": name,
             "attributes": {"qualification": "工程造价咨询甲级", "credit": credit}}
            for code, name, credit in FIRMS]


@demo_loader
def load_draws(dbsession, clock, settings) -> None:
    service = DrawService(dbsession, clock, runtime.keys)
    actor = Actor.system("demo")
    witnesses = [{"name": "吴中心"}, {"name": "郑监管"}]
    if not dbsession.scalar(sa.select(Draw.id).where(Draw.purpose == PURPOSE)):
        draw = service.freeze(purpose=PURPOSE, subject_type="demo", subject_id="1",
                              candidates=_candidates(), count=2, actor=actor,
                              rule="在报名且资格有效的中介机构中等概率随机抽取2家",
                              witnesses=witnesses)
        service.commit(draw, actor=actor)
        service.enter_beacon(draw, value="2026123:05 11 17 23 29 31 + 07",
                             source="双色球第2026123期开奖号码", actor=actor)
        service.reveal(draw, actor=actor)
        service.redraw_after_decline(draw, declined=[draw.result[0]], reason="人员不足，放弃",
                                     count=1, actor=actor)
    if not dbsession.scalar(sa.select(Draw.id).where(Draw.purpose == PENDING)):
        draw = service.freeze(purpose=PENDING, subject_type="demo", subject_id="2",
                              candidates=[{"id": f"E{i:03d}",
                                            "attributes": {"specialty": "市政工程"}}
                                           for i in range(1, 16)],
                              count=5, actor=actor, rule="从市政工程专业专家中随机抽取5名",
                              witnesses=witnesses)
        service.commit(draw, actor=actor)
