"""站内消息 and e-mail notifications (issue #18 point 3)."""

from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
import transaction
from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role, User
from trading.db import get_engine, get_session_factory, get_tm_session
from trading.db.meta import Base
from trading.jobs import chronograph
from trading.messages.kinds import MessageKind
from trading.messages.models import Message
from trading.messages.service import MessageService, render
from trading.projects.status import ProjectStatus as S

from .conftest import commit_hooks


def _messages(dbsession, user, kind=None):
    query = sa.select(Message).where(Message.recipient_id == user.id)
    if kind:
        query = query.where(Message.kind == str(kind))
    return list(dbsession.scalars(query.order_by(Message.id)))


def _subject(message) -> str:
    return render(message.subject, message.args)


def _body(message) -> str:
    return render(message.body, message.args)


def _opt_in(user, address):
    user.email, user.notify_by_email = address, True


def test_a_drawn_expert_gets_the_message_and_the_mail(dbsession, clock, settings, registry,
                                                      smtp, tm):
    from evaluation.helpers import CENTER, committees, make_expert

    w = SimpleNamespace(dbsession=dbsession, clock=clock, settings=settings, registry=registry)
    project = make_project(dbsession, clock, settings, registry, open_bidding=True,
                           name="河堤加固工程")
    experts = [make_expert(w) for _ in range(12)]
    for n, expert in enumerate(experts):
        _opt_in(dbsession.get(User, expert.user_id), f"expert{n}@example.org")
    service = committees(w)
    service.form(project, plan=[{"specialty": "工程造价", "count": 5, "reserves": 1}],
                 owner_rep_ids=[], region="", actor=CENTER)
    service.draw(project, actor=CENTER)
    seated = service.reveal(project, actor=CENTER)
    notified = [m for m in seated if str(m.state) == "notified"]
    assert len(notified) == 5
    for member in notified:
        user = dbsession.get(User, member.user_id)
        [message] = _messages(dbsession, user, MessageKind.EXPERT_SEAT)
        subject, body = _subject(message), _body(message)
        assert "河堤加固工程" in subject and project.number in body
        assert "北京时间" in body and message.route == "evaluation.room"
        assert message.read_at is None and message.mailed_at == clock()
    reserves = [m for m in seated if str(m.state) == "reserve"]
    assert all(not _messages(dbsession, dbsession.get(User, m.user_id)) for m in reserves)
    # A decline seats the reserve (递补), who is told in turn.
    declined = dbsession.get(User, notified[0].user_id)
    replacement = service.answer(notified[0], accept=False, reason="出差",
                                 actor=actor_for(declined))
    assert replacement.user_id == reserves[0].user_id
    assert len(_messages(dbsession, dbsession.get(User, replacement.user_id),
                         MessageKind.EXPERT_SEAT)) == 1
    assert smtp.mails == []  # nothing leaves before the commit
    commit_hooks(tm)
    drawn = {dbsession.get(User, m.user_id).email for m in (*notified, replacement)}
    assert {mail["To"] for mail in smtp.mails} == drawn
    mail = smtp.mails[0]
    assert "评标专家抽取通知" in mail["Subject"] and "河堤加固工程" in mail["Subject"]
    assert f"http://localhost:6543/projects/{project.id}/evaluation" in mail.get_content()


def test_mail_leaves_only_when_the_transaction_commits(registry, clock, settings, smtp,
                                                       tmp_path):
    """A real transaction manager on a database of its own: abort sends nothing, commit
    sends the mail."""
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'mail.sqlite3'}"})
    Base.metadata.create_all(engine)
    factory = get_session_factory(engine, registry)
    try:
        for outcome in ("abort", "commit"):
            tm = transaction.TransactionManager(explicit=True)
            tm.begin()
            db = get_tm_session(factory, tm)
            user = make_user(db, clock, settings, role=Role.EXPERT)
            _opt_in(user, f"{outcome}@example.org")
            MessageService(db, clock).send([user], MessageKind.EXPERT_SEAT, "评标邀请",
                                           body="请确认。")
            getattr(tm, outcome)()
        assert [m["To"] for m in smtp.mails] == ["commit@example.org"]
        with factory() as db:
            assert db.scalar(sa.select(sa.func.count(Message.id))) == 1
    finally:
        engine.dispose()


def test_no_mail_without_opt_in_or_address(dbsession, clock, settings, smtp, tm):
    quiet = make_user(dbsession, clock, settings, role=Role.EXPERT)
    quiet.email = "quiet@example.org"  # an address, but no opt-in
    MessageService(dbsession, clock).send([quiet], MessageKind.EXPERT_SEAT, "评标邀请")
    commit_hooks(tm)
    assert smtp.mails == [] and len(_messages(dbsession, quiet)) == 1


def test_another_account_cannot_read_or_mark_a_message(dbsession, clock, settings, testapp):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER, username="msg_owner")
    make_user(dbsession, clock, settings, role=Role.OWNER, username="msg_other")
    [message] = MessageService(dbsession, clock).send(
        [owner], MessageKind.BIDS_OPENED, "已开标：某项目", body="开标记录已生成。")
    testapp.login("msg_other")
    page = testapp.get("/messages")
    assert "已开标：某项目" not in page.text
    token = testapp.get_csrf_token("/messages")
    testapp.post(f"/messages/{message.id}/read", {"csrf_token": token}, status=404)
    testapp.post("/messages/read-all", {"csrf_token": token}, status=303)
    dbsession.refresh(message)
    assert message.read_at is None
    listing = testapp.get("/api/v1/messages").json
    assert listing["messages"] == [] and listing["unread"] == 0
    testapp.post(f"/api/v1/messages/{message.id}/read", headers={"X-CSRF-Token": token},
                 status=404)
    dbsession.refresh(message)
    assert message.read_at is None


def test_the_recipient_reads_and_the_badge_counts(dbsession, clock, settings, testapp):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER, username="msg_reader")
    service = MessageService(dbsession, clock)
    project = make_project(dbsession, clock, settings, testapp.app.registry, owner=owner)
    [first] = service.send([owner], MessageKind.BIDS_OPENED, "已开标：甲项目",
                           route="projects.detail", route_args={"project_id": project.id})
    service.send([owner], MessageKind.REPORT_READY, "评标报告已生成：乙项目")
    testapp.login("msg_reader")
    page = testapp.get("/workspace")
    assert 'class="badge"' in page.text and ">2</span>" in page.text
    listing = testapp.get("/messages")
    assert "开标完成" in listing.text and "评标报告已生成" in listing.text
    token = testapp.get_csrf_token("/messages")
    opened = testapp.post(f"/messages/{first.id}/read", {"csrf_token": token}, status=303)
    assert opened.location.endswith(f"/projects/{project.id}")
    assert first.read_at == clock()
    api = testapp.get("/api/v1/messages?unread=true").json
    assert api["unread"] == 1
    assert [m["subject"] for m in api["messages"]] == ["评标报告已生成：乙项目"]
    testapp.post("/messages/read-all", {"csrf_token": token}, status=303)
    assert 'class="badge"' not in testapp.get("/messages").text
    testapp.get("/api/v1/messages?page=0", status=400)


def test_email_settings_refuse_a_bad_address_and_change_nothing(dbsession, clock, settings,
                                                                 testapp):
    user = make_user(dbsession, clock, settings, role=Role.BIDDER, username="msg_mailer")
    testapp.login("msg_mailer")
    token = testapp.get_csrf_token("/messages")
    page = testapp.post("/messages/settings", {"csrf_token": token, "email": "not-an-address",
                                               "notify_by_email": "on"}, status=400)
    assert "电子邮箱格式不正确" in page.text
    assert user.email == "" and user.notify_by_email is False
    testapp.post("/messages/settings", {"csrf_token": token, "email": "bidder@example.org",
                                        "notify_by_email": "on"}, status=303)
    assert user.email == "bidder@example.org" and user.notify_by_email is True


def test_a_signed_up_bidder_is_reminded_once_before_the_deadline(dbsession, clock, settings,
                                                                 registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    bidder = make_user(dbsession, clock, settings, role=Role.BIDDER)
    outsider = make_user(dbsession, clock, settings, role=Role.BIDDER)
    service = project_service(dbsession, clock, registry)
    service.sign_up(project, project.lots[0], bidder=bidder, actor=actor_for(bidder))
    clock.set(project.bid_deadline - timedelta(hours=25))
    service.advance(project)
    assert _messages(dbsession, bidder, MessageKind.BID_DEADLINE) == []
    assert project.next_check == project.bid_deadline - timedelta(hours=24)
    clock.set(project.bid_deadline - timedelta(hours=23))
    service.advance(project)
    service.advance(project)  # twice is harmless
    assert project.next_check == project.bid_deadline  # the opening stays scheduled
    [reminder] = _messages(dbsession, bidder, MessageKind.BID_DEADLINE)
    assert project.name in _subject(reminder) and reminder.route == "bidding.mine"
    assert _messages(dbsession, outsider, MessageKind.BID_DEADLINE) == []
    clock.set(project.bid_deadline)
    assert chronograph.sweep_kind("project") == 1  # the sweep opens it (流标: no bid)
    assert project.status not in (S.BIDDING,)


def test_the_center_hears_of_a_project_to_review(dbsession, clock, settings, registry):
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    project_service(dbsession, clock, registry).submit_for_review(project,
                                                                  actor=actor_for(owner))
    [queued] = _messages(dbsession, center, MessageKind.REVIEW_QUEUE)
    assert project.name in _subject(queued) and queued.route == "projects.review"


def test_demo_accounts_get_a_few_unread_messages_once(dbsession, clock, settings):
    from trading.demo.messages import load_messages

    user = dbsession.scalar(sa.select(User).where(User.username == "bidder1")) or make_user(
        dbsession, clock, settings, role=Role.BIDDER, username="bidder1")
    before = MessageService(dbsession, clock).unread_count(user.id)
    load_messages(dbsession, clock, settings)
    load_messages(dbsession, clock, settings)
    assert MessageService(dbsession, clock).unread_count(user.id) == before + 2


def test_the_center_hears_of_a_purchase_and_the_selected_intermediary_is_told(
        dbsession, clock, settings, registry):
    from intermediaries.conftest import World

    from trading.intermediaries.status import PurchaseStatus as P

    im = World(dbsession, clock, settings, registry)
    firms = [im.intermediary() for _ in range(4)]
    assert len(_messages(dbsession, im.center, MessageKind.REVIEW_QUEUE)) == 4  # 入驻申请
    purchase = im.purchase()
    queued = _messages(dbsession, im.center, MessageKind.REVIEW_QUEUE)
    assert any(purchase.title in _subject(m) and m.route == "im.purchases.review" for m in queued)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    im.to_selection(purchase)
    assert purchase.status is P.SELECTED
    for firm in firms:
        told = _messages(dbsession, firm, MessageKind.INTERMEDIARY_SELECTED)
        if firm.organisation_id == purchase.selected_org_id:
            [message] = told
            assert purchase.number in _body(message) and "北京时间" in _body(message)
            assert message.route_args == {"purchase_id": purchase.id}
        else:
            assert told == []


def test_the_enterprise_drawn_for_a_small_work_is_told(dbsession, clock, settings, registry):
    from factories import make_enterprise, smallwork_input, smallworks_service

    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    firms = [make_user(dbsession, clock, settings, role=Role.BIDDER) for _ in range(3)]
    entries = [make_enterprise(dbsession, clock, settings, registry, user=u) for u in firms]
    service = smallworks_service(dbsession, clock, registry)
    work = service.post(owner.organisation, smallwork_input(clock), actor=actor_for(center))
    service.approve_project(work, actor=actor_for(center))
    service.draw(work, actor=actor_for(center))
    assert work.winner_id in {e.id for e in entries}
    for firm, entry in zip(firms, entries, strict=True):
        told = _messages(dbsession, firm, MessageKind.SMALLWORK_DRAWN)
        assert len(told) == (1 if entry.id == work.winner_id else 0)


def test_the_opening_tells_the_bidders_and_the_owner(dbsession, clock, settings, registry):
    from bidding.conftest import World, offer, signed_up_bidders

    w = World(dbsession, clock, settings, registry)
    early = make_user(dbsession, clock, settings, role=Role.BIDDER)
    w.project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    [signup] = _messages(dbsession, early, MessageKind.SIGNUP_OPEN)
    assert w.project.number in _body(signup) and signup.route == "projects.detail"
    owner = dbsession.get(User, w.project.created_by_id)
    bidders = signed_up_bidders(w, 2)
    outsider = make_user(dbsession, clock, settings, role=Role.BIDDER)
    assert _messages(dbsession, outsider, MessageKind.SIGNUP_OPEN) == []  # it came later
    for bidder, price in zip(bidders, (80_000_000, 78_000_000), strict=True):
        w.submit(bidder, w.seal(bidder, offer_=offer(price)))
    clock.set(w.project.bid_deadline)
    w.advance()
    for bidder in bidders:
        [result] = _messages(dbsession, bidder, MessageKind.OPENING_RESULT)
        assert result.route == "bidding.opening" and w.project.name in _subject(result)
        # Names, times and links only: no price of anyone's bid.
        assert "元" not in _body(result) and "800" not in _body(result)
    assert _messages(dbsession, outsider, MessageKind.OPENING_RESULT) == []
    [opened] = _messages(dbsession, owner, MessageKind.BIDS_OPENED)
    assert opened.route_args == {"project_id": w.project.id}


def test_a_message_reads_in_the_readers_language(dbsession, clock, settings, registry, testapp):
    reader = make_user(dbsession, clock, settings, role=Role.OWNER, username="msg_english")
    project = make_project(dbsession, clock, settings, registry, owner=reader,
                           open_bidding=True, name="环城绿道")
    bidder = make_user(dbsession, clock, settings, role=Role.BIDDER)
    project_service(dbsession, clock, registry).sign_up(project, project.lots[0],
                                                        bidder=bidder, actor=actor_for(bidder))
    clock.set(project.bid_deadline)
    project_service(dbsession, clock, registry).advance(project)
    testapp.login("msg_english")
    chinese = testapp.get("/messages").text
    assert "已开标：环城绿道" in chinese and "开标完成" in chinese
    testapp.get("/locale/en")
    english = testapp.get("/messages").text
    assert "Bids opened: 环城绿道" in english and project.number in english
    assert "已开标" not in english
    api = testapp.get("/api/v1/messages").json["messages"]
    assert any(m["subject"] == "Bids opened: 环城绿道" for m in api)


def test_supervisors_hear_of_an_overdue_step_once_when_it_first_appears(
        dbsession, clock, settings, registry):
    """电子监察 alerts are computed, not stored (trading.supervision.dashboard): the periodic
    check tells every supervisor of a step when it first becomes overdue, never twice."""
    from trading.messages.tasks import supervision_alerts

    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    bidder = make_user(dbsession, clock, settings, role=Role.BIDDER)
    late = make_project(dbsession, clock, settings, registry, owner=owner,
                        name="滨江步道改造工程")
    project_service(dbsession, clock, registry).submit_for_review(late, actor=actor_for(owner))
    assert supervision_alerts.call_local() == 0  # in review, not yet late
    assert _messages(dbsession, supervisor, MessageKind.SUPERVISION_ALERT) == []
    clock.advance(days=4)
    assert supervision_alerts.call_local() == 1
    [alert] = _messages(dbsession, supervisor, MessageKind.SUPERVISION_ALERT)
    assert "滨江步道改造工程" in _subject(alert) and "项目审核超期" in _body(alert)
    assert "交易中心" in _body(alert)
    assert (alert.route, alert.route_args) == ("projects.detail", {"project_id": late.id})
    clock.advance(hours=1)
    assert supervision_alerts.call_local() == 0  # still late: told once
    assert len(_messages(dbsession, supervisor, MessageKind.SUPERVISION_ALERT)) == 1
    assert _messages(dbsession, bidder, MessageKind.SUPERVISION_ALERT) == []
