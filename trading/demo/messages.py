"""Demo messages: the demo's own events already wrote most (reviews, openings, draws); each
demo account gets a few more unread ones pointing at its pages, once."""

import sqlalchemy as sa

from ..accounts.models import User
from ..messages.kinds import MessageKind as K
from ..messages.service import MessageService

# username -> (kind, subject, body, route)
DEMO = {
    "owner1": ((K.SYSTEM, "欢迎使用站内消息", "开标、评标报告和待您确认的事项会在这里提醒您。",
                "workspace"),
               (K.SYSTEM, "请完善邮件通知设置", "在站内消息页填写电子邮箱并开启邮件通知。",
                "messages.list")),
    "bidder1": ((K.SYSTEM, "欢迎使用站内消息", "报名开始、投标截止和开标结果会在这里提醒您。",
                 "workspace"),
                (K.SYSTEM, "查看正在招标的项目", "交易项目列表可按状态筛选“投标中”的项目。",
                 "projects.list")),
    "agency1": ((K.SYSTEM, "欢迎使用站内消息", "中选通知和待确认的中介服务会在这里提醒您。",
                 "workspace"),
                (K.SYSTEM, "查看中介超市采购公告", "正在报名的中介服务采购在中介超市首页。",
                 "im.home")),
    "expert1": ((K.SYSTEM, "欢迎使用站内消息", "评标抽取通知会在这里提醒您，请及时确认。",
                 "workspace"),
                (K.SYSTEM, "请完善邮件通知设置", "开启邮件通知后，抽取通知同时发到您的邮箱。",
                 "messages.list")),
    "center1": ((K.SYSTEM, "欢迎使用站内消息", "项目、入驻和中介采购的待审核事项会在这里提醒您。",
                 "workspace"),
                (K.REVIEW_QUEUE, "查看待审核项目", "项目审核队列中有待处理的事项。",
                 "projects.reviews")),
    "supervisor1": ((K.SYSTEM, "欢迎使用站内消息", "电子监察预警会在这里提醒您。", "workspace"),
                    (K.SUPERVISION_ALERT, "查看一屏统览", "超期事项和串标预警汇总在一屏统览中。",
                     "supervision.dashboard")),
}


def load_messages(dbsession, clock, settings) -> None:
    service = MessageService(dbsession, clock)
    users = dbsession.scalars(sa.select(User).where(User.username.in_(DEMO)))
    for user in users:
        for n, (kind, subject, body, route) in enumerate(DEMO[user.username]):
            service.send([user], kind, subject, body=body, route=route, key=f"demo:{n}")
