"""Who is told what: each function subscribes to one domain event (trading.messages
includeme) and writes messages in the event's transaction. Texts name the object, a
time and what to do; never a bid's contents, a price or a secret.

Subjects and bodies are catalogue entries with `${name}` fields (N_-marked): the page and
the API show them in the reader's language, a mail in Chinese."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation, Role, User
from ..i18n import DISPLAY_TZ, N_
from ..projects.models import SignUp
from ..supervision.dashboard import figures
from ..supervision.models import CollusionSignal
from .kinds import MessageKind as K
from .service import MessageService

# A bidder signed up to a project hears of its bid deadline this long before it.
DEADLINE_REMINDER = timedelta(hours=24)


def _service(event) -> MessageService:
    return MessageService(event.service.db, event.service.clock)


def beijing(when: datetime | None) -> str:
    """Beijing time, the same in both languages (the templates say 北京时间 / Beijing time)."""
    return f"{when.astimezone(DISPLAY_TZ):%Y-%m-%d %H:%M}" if when else "—"


def _project(project) -> dict:
    return {"project": project.name, "number": project.number}


def _signed_up_users(db, project_id: int) -> list[int]:
    """Every active account of the organisations signed up to the project."""
    orgs = sa.select(SignUp.bidder_org_id).where(SignUp.project_id == project_id)
    return list(db.scalars(sa.select(User.id).where(User.organisation_id.in_(orgs),
                                                    User.is_active)))


# -- projects ----------------------------------------------------------------------------

def on_project_status(event) -> None:
    """ProjectStatusChanged: the center's review queue, and sign-up opening for bidders."""
    from ..projects.status import ProjectStatus as S

    project, messages = event.project, _service(event)
    if event.status == S.PENDING_REVIEW:
        messages.to_role(Role.CENTER, K.REVIEW_QUEUE, N_("项目待审核：${project}"),
                         body=N_("业主提交了项目“${project}”（${number}），请审核。"),
                         args=_project(project),
                         route="projects.review", route_args={"project_id": project.id},
                         key=f"review:project:{project.id}:{project.status_changed_at:%Y%m%d%H%M%S}")
    elif event.status == S.BIDDING:
        # Every registered bidder hears that sign-up opened (the 招标公告 is public anyway).
        ids = event.service.db.scalars(
            sa.select(User.id).where(User.role == Role.BIDDER, User.is_active))
        messages.send(list(ids), K.SIGNUP_OPEN, N_("报名开始：${project}"),
                      body=N_("项目“${project}”（${number}）已开始报名和获取招标文件，"
                              "文件获取截止 ${doc_end}（北京时间），"
                              "投标截止（开标）${deadline}（北京时间）。"),
                      args={**_project(project), "doc_end": beijing(project.doc_end),
                            "deadline": beijing(project.bid_deadline)},
                      route="projects.detail", route_args={"project_id": project.id},
                      key=f"signup_open:{project.id}")


def deadline_next(event) -> None:
    """ProjectScheduling: while bidding, the chronograph comes back for the reminder."""
    from ..projects.status import ProjectStatus as S

    project = event.project
    if project.status is S.BIDDING:
        remind_at = project.bid_deadline - DEADLINE_REMINDER
        event.wake_at(remind_at if remind_at > event.service.clock() else None)


def deadline_due(event) -> None:
    """ProjectDue: within a day of the bid deadline, each signed-up bidder is reminded once
    (per deadline: a changed deadline is a new reminder)."""
    from ..projects.status import ProjectStatus as S

    project, now = event.project, event.now
    if project.status is not S.BIDDING:
        return
    remind_at = project.bid_deadline - DEADLINE_REMINDER
    if now < remind_at:
        event.wake_at(remind_at)
        return
    if now >= project.bid_deadline:
        return
    # The reminder's instant is now past: the deadline itself stays the next one.
    event.wake_at(project.bid_deadline)
    users = _signed_up_users(event.service.db, project.id)
    _service(event).send(users, K.BID_DEADLINE, N_("投标即将截止：${project}"),
                         body=N_("您已报名的项目“${project}”（${number}）将于 ${deadline}"
                                 "（北京时间）截止投标并开标，请在截止前提交加密投标文件。"),
                         args={**_project(project), "deadline": beijing(project.bid_deadline)},
                         route="bidding.mine", route_args={"project_id": project.id},
                         key=f"bid_deadline:{project.id}:{project.bid_deadline:%Y%m%d%H%M}")


# -- bidding -----------------------------------------------------------------------------

def on_opening_completed(event) -> None:
    """OpeningCompleted: the bidders and the owner hear the opening is over; supervisors
    hear of the collusion signals the scan (subscribed before) found."""
    project, messages = event.project, _service(event)
    route, args = "bidding.opening", {"project_id": project.id}
    messages.send(_signed_up_users(event.service.db, project.id), K.OPENING_RESULT,
                  N_("开标结果：${project}"),
                  body=N_("项目“${project}”（${number}）已开标，开标记录已公布，请查看。"),
                  args=_project(project), route=route, route_args=args,
                  key=f"opening_result:{project.id}")
    messages.to_organisation(project.owner_org_id, K.BIDS_OPENED, N_("已开标：${project}"),
                             body=N_("您的项目“${project}”（${number}）已完成开标，"
                                     "开标记录已生成，接下来进入评标。"),
                             args=_project(project), route=route, route_args=args,
                             key=f"bids_opened:{project.id}")

    signals = event.service.db.scalar(sa.select(sa.func.count(CollusionSignal.id)).where(
        CollusionSignal.project_id == project.id))
    if signals:
        messages.to_role(Role.SUPERVISOR, K.SUPERVISION_ALERT, N_("串标预警：${project}"),
                         body=N_("项目“${project}”（${number}）开标后的围标串标分析发现 "
                                 "${signals} 条预警信号，请在一屏统览中核查。"),
                         args={**_project(project), "signals": signals},
                         route="supervision.dashboard", route_args={},
                         key=f"collusion:{project.id}")


# -- evaluation and award ----------------------------------------------------------------

def on_experts_summoned(event) -> None:
    """ExpertsSummoned: each drawn expert is told the project, the time, the place (the
    online evaluation room) and where to confirm."""
    project, messages = event.project, _service(event)
    for member in event.members:
        if member.user_id is None:
            continue
        messages.send([member.user_id], K.EXPERT_SEAT, N_("评标邀请：${project}"),
                      body=N_("您被随机抽取为项目“${project}”（${number}）的评标专家"
                              "（专业：${specialty}）。开标时间 ${opening}（北京时间），"
                              "评标在平台线上评标室进行。请打开链接确认参加，"
                              "或说明不能参加的原因（将从名单递补）。"),
                      args={**_project(project), "specialty": member.specialty,
                            "opening": beijing(project.bid_deadline)},
                      route="evaluation.room", route_args={"project_id": project.id},
                      key=f"expert_seat:{member.id}")


def on_report_signed(event) -> None:
    """ReportSigned: the owner's evaluation report is ready."""
    project, report = event.project, event.report
    _service(event).to_organisation(
        project.owner_org_id, K.REPORT_READY, N_("评标报告已生成：${project}"),
        body=N_("项目“${project}”（${number}）的评标报告已由评标委员会全体签署，"
                "可查看中标候选人。"),
        args=_project(project), route="projects.detail",
        route_args={"project_id": project.id}, key=f"report:{report.id}")


def on_award_committee(event) -> None:
    """AwardCommitteeFormed: each member of the 定标委员会 is told where to vote."""
    project, lot, committee = event.project, event.lot, event.committee
    _service(event).send(
        event.user_ids, K.AWARD_SEAT, N_("定标委员会：${project}"),
        body=N_("您被确定为项目“${project}”（${number}）第 ${lot} 标段定标委员会成员。"
                "定标在平台线上进行（${since}（北京时间）起），请打开链接参加定标。"),
        args={**_project(project), "lot": lot.number, "since": beijing(committee.created_at)},
        route="award.committee",
        route_args={"project_id": project.id, "committee_id": committee.id},
        key=f"award_seat:{committee.id}")


# -- the supermarket ---------------------------------------------------------------------

def on_purchase_status(event) -> None:
    from ..intermediaries.status import PurchaseStatus as P

    purchase, messages = event.purchase, _service(event)
    args = {"title": purchase.title, "number": purchase.number}
    if event.status == P.UNDER_REVIEW:
        messages.to_role(Role.CENTER, K.REVIEW_QUEUE, N_("中介服务采购待审核：${title}"),
                         body=N_("业主提交了中介服务采购“${title}”（${number}），请审核。"),
                         args=args, route="im.purchases.review", route_args={},
                         key=f"review:purchase:{purchase.id}:{purchase.status_changed_at:%Y%m%d%H%M%S}")
    elif event.status == P.SELECTED:
        messages.to_organisation(
            purchase.selected_org_id, K.INTERMEDIARY_SELECTED, N_("中选通知：${title}"),
            body=N_("贵单位在中介服务采购“${title}”（${number}）中选，"
                    "请在 ${deadline}（北京时间）前确认或放弃。"),
            args={**args, "deadline": beijing(purchase.confirm_deadline)},
            route="im.purchase", route_args={"purchase_id": purchase.id},
            key=f"selected:{purchase.id}:{purchase.selected_at:%Y%m%d%H%M%S}")


def on_entry_status(event) -> None:
    from ..intermediaries.status import EntryStatus as E

    entry = event.entry
    if event.status == E.ENTRY_SUBMITTED:
        org = event.service.db.get(Organisation, entry.org_id)
        _service(event).to_role(
            Role.CENTER, K.REVIEW_QUEUE, N_("入驻申请待审核：${name}"),
            body=N_("中介机构提交了入驻申请，请审核。"), args={"name": org.name if org else ""},
            route="im.entries", route_args={},
            key=f"review:entry:{entry.id}:{entry.status_changed_at:%Y%m%d%H%M%S}")


# -- small works -------------------------------------------------------------------------

def on_smallwork_changed(event) -> None:
    """SmallWorkChanged: the enterprise drawn for a work confirms or declines by a time."""
    from ..smallworks.status import AllocationStatus as A

    work = event.work
    if work.status is not A.DRAWN or work.winner is None:
        return
    _service(event).to_organisation(
        work.winner.organisation_id, K.SMALLWORK_DRAWN, N_("小额工程抽取通知：${name}"),
        body=N_("贵单位被随机抽取为小额工程“${name}”的承建企业，"
                "请在 ${deadline}（北京时间）前确认承接或说明放弃理由。"),
        args={"name": work.name, "deadline": beijing(work.respond_by)},
        route="smallworks.project", route_args={"work_id": work.id},
        key=f"smallwork_drawn:{work.id}:{work.winner_id}")


# -- 电子监察 (overdue steps) -----------------------------------------------------------------

def _alert_route(alert) -> tuple[str, dict]:
    """The page of what is late: a small work, a supermarket purchase, or a project."""
    if alert.kind == "small_work":
        return "smallworks.project", {"work_id": alert.project_id}
    if alert.kind == "purchase":
        return "im.purchase", {"purchase_id": alert.project_id}
    return "projects.detail", {"project_id": alert.project_id}


def overdue_alerts(dbsession, clock) -> int:
    """The supervisors hear of each overdue step the 电子监察 computes (the dashboard's
    figures) once, when it first appears: the alerts are computed, not stored, so the
    message's key — what is late and its due time — is what makes "first". Returns how
    many alerts were new to someone."""
    messages, new = MessageService(dbsession, clock), 0
    for alert in figures(dbsession, clock()).overdue:
        route, route_args = _alert_route(alert)
        made = messages.to_role(
            Role.SUPERVISOR, K.SUPERVISION_ALERT, N_("超期预警：${name}"),
            body=N_("“${name}”（${number}）${step}：应于 ${due}（北京时间）前完成，"
                    "责任方：${responsible}。请在一屏统览中核查。"),
            args={"name": alert.name, "number": alert.number, "step": alert.step,
                  "due": beijing(alert.due), "responsible": alert.responsible},
            route=route, route_args=route_args,
            key=f"overdue:{alert.kind}:{alert.project_id}:{alert.step}:{alert.due:%Y%m%d%H%M}")
        new += bool(made)
    return new
