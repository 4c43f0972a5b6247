import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_input, project_service

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.errors import DeadlinePassed, InvalidTransition, NotPermitted
from trading.jobs import chronograph
from trading.projects.errors import AlreadySignedUp, NotEditable, NotSignedUp, PostingInvalid
from trading.projects.models import Announcement, Project, SignUp
from trading.projects.status import ProjectStatus as S
from trading.storage import FileTooLarge

TWO_LOTS = (("一标段", 500_000_00, 480_000_00), ("二标段", 300_000_00, None))


@pytest.fixture
def service(dbsession, clock, registry):
    return project_service(dbsession, clock, registry)


@pytest.fixture
def owner(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.OWNER)


@pytest.fixture
def center(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.CENTER)


@pytest.fixture
def bidder(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.BIDDER)


def count(dbsession, model):
    return dbsession.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_two_lot_draft(service, owner):
    project = service.create_draft(project_input(service.clock, lots=TWO_LOTS),
                                   owner=owner.organisation, actor=actor_for(owner))
    assert project.status is S.DRAFT and project.number.startswith("YG-2026-")
    assert [lot.number for lot in project.lots] == [1, 2]
    assert project.budget == 800_000_00
    assert project.params["notice.min_days"] == 20


def test_only_owners_post(service, bidder):
    with pytest.raises(NotPermitted):
        service.create_draft(project_input(service.clock), owner=bidder.organisation,
                             actor=actor_for(bidder))


@pytest.mark.parametrize("lots,field", [
    ((("a", None, None),), "lots.0.budget"),
    ((("a", 100, 200),), "lots.0.ceiling_price"),
    ((("a", 100, -5),), "lots.0.ceiling_price"),
])
def test_bad_lots_change_nothing(service, owner, dbsession, lots, field):
    before = count(dbsession, Project)
    with pytest.raises(PostingInvalid) as info:
        service.create_draft(project_input(service.clock, lots=lots), owner=owner.organisation,
                             actor=actor_for(owner))
    assert info.value.field == field and count(dbsession, Project) == before


def test_submission_checks_the_timeline_and_documents(service, owner, clock):
    past = project_input(clock, bid_deadline=clock() - timedelta(hours=1))
    project = service.create_draft(past, owner=owner.organisation, actor=actor_for(owner))
    with pytest.raises(PostingInvalid) as info:
        service.submit_for_review(project, actor=actor_for(owner))
    fields = {p.field for p in info.value.problems}
    assert {"bid_deadline", "documents"} <= fields
    assert project.status is S.DRAFT


def test_notice_period_shorter_than_the_profile_is_refused(service, owner, clock):
    start = clock() + timedelta(days=1)
    short = project_input(clock, bid_deadline=start + timedelta(days=12),
                          clarification_deadline=start + timedelta(days=11))
    project = service.create_draft(short, owner=owner.organisation, actor=actor_for(owner))
    service.add_document(project, filename="a.pdf", content_type="application/pdf",
                         stream=io.BytesIO(b"x"), actor=actor_for(owner))
    with pytest.raises(PostingInvalid, match="不得少于20日"):
        service.submit_for_review(project, actor=actor_for(owner))


def test_review_then_publication(service, dbsession, clock, settings, registry, owner, center):
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    service.submit_for_review(project, actor=actor_for(owner))
    with pytest.raises(NotEditable):
        service.update_draft(project, project_input(clock), actor=actor_for(owner))
    service.approve(project, actor=actor_for(center))
    assert project.status is S.PUBLISHED and project.published_at == clock()
    [notice] = project.announcements
    assert notice.kind == "tender" and "招标公告" in notice.title
    assert project.next_check == project.doc_start


def test_return_needs_reasons_and_allows_editing(service, dbsession, clock, settings, registry,
                                                 owner, center):
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    service.submit_for_review(project, actor=actor_for(owner))
    with pytest.raises(PostingInvalid):
        service.return_for_changes(project, reasons=" ", actor=actor_for(center))
    service.return_for_changes(project, reasons="补充资格条件", actor=actor_for(center))
    assert project.status is S.RETURNED and project.status_reason == "补充资格条件"
    service.update_draft(project, project_input(clock, name="改名后"), actor=actor_for(owner))
    assert project.name == "改名后"


def test_invalid_transition_is_refused(service, dbsession, clock, settings, registry, owner):
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    with pytest.raises(InvalidTransition):
        service.transition(project, S.AWARDED, actor=actor_for(owner))
    assert project.status is S.DRAFT


def test_time_moves_the_project_through_bidding_to_opening(
        service, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, publish=True)
    assert chronograph.sweep_kind("project") == 0
    clock.set(project.doc_start)
    assert chronograph.sweep_kind("project") == 1
    # The next instant is the signed-up bidders' reminder a day before the deadline
    # (trading.messages), then the deadline.
    assert project.status is S.BIDDING
    assert project.next_check == project.bid_deadline - timedelta(hours=24)
    clock.set(project.next_check)
    chronograph.sweep_kind("project")
    assert project.status is S.BIDDING and project.next_check == project.bid_deadline
    clock.set(project.bid_deadline + timedelta(hours=1))  # the worker was down at the deadline
    chronograph.sweep_kind("project")
    # Opened late but opened: with no bid at all the opening ends in 流标 (rules §7.10).
    assert project.status is S.FAILED and "流标" in project.status_reason
    assert project.next_check is None


def test_advance_is_idempotent(service, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    clock.set(project.bid_deadline)
    service.advance(project)
    service.advance(project)
    assert project.status is S.FAILED  # no bids: one opening, one 流标, not two


def test_sign_up_rules(service, dbsession, clock, settings, registry, bidder, owner):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True,
                           lots=TWO_LOTS)
    lot1, lot2 = project.lots
    service.sign_up(project, lot1, bidder=bidder, actor=actor_for(bidder))
    with pytest.raises(AlreadySignedUp):
        service.sign_up(project, lot1, bidder=bidder, actor=actor_for(bidder))
    with pytest.raises(NotPermitted):
        service.sign_up(project, lot2, bidder=owner, actor=actor_for(owner))
    clock.set(project.bid_deadline)
    with pytest.raises(DeadlinePassed):
        service.sign_up(project, lot2, bidder=bidder, actor=actor_for(bidder))
    assert service.signed_up_lots(project, bidder.organisation_id) == [lot1.id]


def test_sign_up_refused_before_bidding_opens(service, dbsession, clock, settings, registry,
                                              bidder):
    project = make_project(dbsession, clock, settings, registry, publish=True)
    with pytest.raises(NotEditable):
        service.sign_up(project, project.lots[0], bidder=bidder, actor=actor_for(bidder))
    assert service.signups(project) == []


def test_questions_need_a_sign_up_and_hide_the_asker(service, dbsession, clock, settings,
                                                     registry, bidder, owner):
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    with pytest.raises(NotSignedUp):
        service.ask_question(project, text="能否联合体投标？", asker=bidder,
                             actor=actor_for(bidder))
    service.sign_up(project, project.lots[0], bidder=bidder, actor=actor_for(bidder))
    question = service.ask_question(project, text="能否联合体投标？", asker=bidder,
                                    actor=actor_for(bidder))
    service.answer_question(question, answer="不接受联合体。", actor=actor_for(owner))
    assert question.answer and question.answered_at == clock()
    clock.set(project.clarification_deadline)
    with pytest.raises(DeadlinePassed):
        service.ask_question(project, text="还有问题吗？", asker=bidder, actor=actor_for(bidder))


def test_clarification_moves_the_deadline_when_it_must(service, dbsession, clock, settings,
                                                       registry, owner):
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    clock.set(project.bid_deadline - timedelta(days=5))
    old = project.bid_deadline
    with pytest.raises(PostingInvalid, match="须顺延截止时间"):
        service.publish_clarification(project, title="变更", body="工程量调整", affects_bids=True,
                                      new_deadline=None, actor=actor_for(owner))
    assert project.bid_deadline == old and count(dbsession, Announcement) == 1
    new = clock() + timedelta(days=15)
    notice = service.publish_clarification(project, title="变更", body="工程量调整",
                                           affects_bids=True, new_deadline=new,
                                           actor=actor_for(owner))
    # The chronograph comes back for the bidders' reminder a day before the new deadline.
    assert project.bid_deadline == new and project.next_check == new - timedelta(hours=24)
    assert notice.changes["bid_deadline"]["from"] == old.isoformat()
    assert project.clarification_deadline <= new and project.doc_end <= new


def test_clarification_that_does_not_affect_bids_keeps_the_deadline(
        service, dbsession, clock, settings, registry, owner):
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    clock.set(project.bid_deadline - timedelta(days=2))
    notice = service.publish_clarification(project, title="澄清", body="联系人变更",
                                           affects_bids=False, new_deadline=None,
                                           actor=actor_for(owner))
    assert notice.changes == {}


def test_documents_over_the_size_limit_are_refused(dbsession, clock, registry, owner):
    from trading.projects.service import ProjectService
    from trading.storage import FileStorage

    small = FileStorage(registry["storage"].root, max_bytes=10)
    service = ProjectService(dbsession, clock, small)
    project = service.create_draft(project_input(clock), owner=owner.organisation,
                                   actor=actor_for(owner))
    with pytest.raises(FileTooLarge):
        service.add_document(project, filename="big.pdf", content_type="application/pdf",
                             stream=io.BytesIO(b"x" * 11), actor=actor_for(owner))
    assert project.documents == []


def test_upload_names_are_for_display_only(service, dbsession, clock, settings, registry):
    from trading.projects.service import safe_filename

    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("a\x00b<c>.pdf") == "abc.pdf"
    assert safe_filename("x" * 10_000) == "x" * 200
    assert safe_filename("..") == "file"


def test_signups_are_hidden_until_the_deadline(service, dbsession, clock, settings, registry,
                                               owner, bidder, center):
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    service.sign_up(project, project.lots[0], bidder=bidder, actor=actor_for(bidder))
    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    visible = {u.role: service.signups_visible_to(project, u)
               for u in (owner, bidder, center, supervisor)}
    assert visible == {Role.OWNER: False, Role.BIDDER: False, Role.CENTER: True,
                       Role.SUPERVISOR: False}
    clock.set(project.bid_deadline)
    assert service.signups_visible_to(project, owner) and service.signups_visible_to(
        project, supervisor)
    assert not service.signups_visible_to(project, bidder)
    assert count(dbsession, SignUp) >= 1


def test_a_failed_project_is_retendered_as_a_linked_draft(service, dbsession, clock, settings,
                                                          registry, owner):
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True,
                           lots=TWO_LOTS)
    with pytest.raises(NotEditable):
        service.retender(project, actor=actor_for(owner))
    clock.set(project.bid_deadline)
    service.advance(project)  # no bids: the opening fails the project (流标)
    assert project.status is S.FAILED
    copy = service.retender(project, actor=actor_for(owner))
    assert copy.status is S.DRAFT and copy.retender_of_id == project.id
    assert [lot.name for lot in copy.lots] == [lot.name for lot in project.lots]
    assert copy.number != project.number and project.status is S.FAILED


def test_a_frozen_project_refuses_every_transition(service, dbsession, clock, settings,
                                                    registry, owner):
    from trading.projects.errors import ProjectFrozen

    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    with pytest.raises(PostingInvalid):
        service.freeze(project, reason="", actor=actor_for(supervisor))
    service.freeze(project, reason="收到围标举报，核查中", actor=actor_for(supervisor))
    for target in (S.OPENING, S.CANCELLED, S.FAILED):
        with pytest.raises(ProjectFrozen, match="围标举报"):
            service.transition(project, target, actor=actor_for(owner))
    clock.set(project.bid_deadline + timedelta(minutes=1))
    chronograph.sweep_kind("project")
    assert project.status is S.BIDDING  # the deadline passed while frozen: nothing moved
    service.unfreeze(project, reason="核查完毕", actor=actor_for(supervisor))
    chronograph.sweep_kind("project")
    assert project.status is S.FAILED  # opened after the freeze; no bids, so 流标
    trail = [(e.action, e.actor_user_id, e.data.get("reason")) for e in dbsession.scalars(
        sa.select(AuditEvent).where(AuditEvent.subject_type == "project",
                                    AuditEvent.subject_id == str(project.id),
                                    AuditEvent.action.in_(["project.frozen",
                                                           "project.unfrozen"]))
        .order_by(AuditEvent.seq))]
    assert trail == [("project.frozen", supervisor.id, "收到围标举报，核查中"),
                     ("project.unfrozen", supervisor.id, "核查完毕")]  # the refusals left none


def test_the_project_field_list_is_the_forms_and_the_inputs():
    """PROJECT_FIELDS (what the service sets and the edit form shows) is ProjectInput's
    fields; the form and API body (ProjectBody) has a node for each of them."""
    from dataclasses import fields

    from trading.projects.forms import ProjectBody
    from trading.projects.service import PROJECT_FIELDS, RETENDER_FIELDS, ProjectInput

    assert set(PROJECT_FIELDS) | {"lots"} == {f.name for f in fields(ProjectInput)}
    assert set(PROJECT_FIELDS) | {"lots"} <= {node.name for node in ProjectBody().children}
    assert set(RETENDER_FIELDS) == set(PROJECT_FIELDS) - {"crypto_suite"} | {
        "regime", "rule_profile_id", "budget"}
