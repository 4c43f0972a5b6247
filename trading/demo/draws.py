"""Demo draws: one revealed (with a beacon and a re-draw after a decline), one committed.

Walked through the real service on a demo clock, so the record's timestamps tell the
story a real draw would: frozen and committed in the morning, the beacon entered once the
lottery result is public that evening, the reveal the next morning, then a decline.
"""

from datetime import timedelta

import sqlalchemy as sa

from ..actor import Actor
from ..clock import FixedClock
from ..db import registry_of
from ..draws.models import Draw
from ..draws.services import DrawService
from .helpers import SYSTEM, actor, user

PURPOSE = "演示：中介机构随机选取（工程造价咨询）"
PENDING = "演示：评标专家抽取（待揭示）"
WITNESSES = ({"name": "吴中心", "role": "交易中心"}, {"name": "郑监管", "role": "监管人员"})

FIRMS = (("A01", "正衡工程咨询有限公司", 92), ("A02", "建诚造价咨询有限公司", 88),
         ("A03", "海峡工程管理有限公司", 85), ("A04", "闽都造价事务所", 90),
         ("A05", "华信工程咨询有限公司", 79), ("A06", "中正项目管理有限公司", 83))
EXPERTS = ("陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "谢", "郭", "洪")


def _firms() -> list:
    return [{"id": code, "label": name,
             "attributes": {"qualification": "工程造价咨询甲级", "credit_score": credit,
                            "region": "市本级"}}
            for code, name, credit in FIRMS]


def _experts() -> list:
    return [{"id": f"E{i:03d}", "label": f"{surname}专家",
             "attributes": {"specialty": "市政工程", "title": "高级工程师"}}
            for i, surname in enumerate(EXPERTS, start=1)]


def _actor(dbsession, username: str) -> Actor:
    who = user(dbsession, username)
    return actor(who) if who is not None else SYSTEM


def _exists(dbsession, purpose: str) -> bool:
    return dbsession.scalar(sa.select(Draw.id).where(Draw.purpose == purpose)) is not None


def load_draws(dbsession, clock, settings) -> None:
    center, supervisor = _actor(dbsession, "center1"), _actor(dbsession, "supervisor1")
    if not _exists(dbsession, PURPOSE):
        demo_clock = FixedClock(clock() - timedelta(days=3))
        _revealed_draw(DrawService(dbsession, demo_clock, registry_of(dbsession)["keys"]),
                       demo_clock, center, supervisor)
    if not _exists(dbsession, PENDING):
        service = DrawService(dbsession, clock, registry_of(dbsession)["keys"])
        draw = service.freeze(purpose=PENDING, subject_type="project", subject_id="DEMO-PW-01",
                              candidates=_experts(), count=5, actor=center,
                              rule="从市政工程专业评标专家中等概率随机抽取5名，开标前揭示",
                              witnesses=WITNESSES)
        service.commit(draw, actor=center)


def _revealed_draw(service, demo_clock, center, supervisor) -> None:
    draw = service.freeze(purpose=PURPOSE, subject_type="intermediary_purchase",
                          subject_id="ZJ-2026-0001", candidates=_firms(), count=2, actor=center,
                          rule="在报名且资格有效的中介机构中等概率随机抽取2家：第1名为中选机构，"
                               "第2名为备选；放弃的依抽取顺序递补",
                          witnesses=WITNESSES)
    service.commit(draw, actor=center)
    demo_clock.advance(hours=12)
    service.enter_beacon(draw, value="2026123: 05 11 17 23 29 31 + 07",
                         source="福利彩票双色球第2026123期开奖号码", actor=supervisor)
    demo_clock.advance(hours=14)
    service.reveal(draw, actor=center)
    demo_clock.advance(hours=2)
    service.redraw_after_decline(draw, declined_ids=[draw.result[0]],
                                 reason="中选机构书面声明人员不足，放弃", count=1, actor=center)
