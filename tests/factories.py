"""Plain builder functions: each flushes and returns what it made."""

import itertools

from trading.accounts.models import Organisation, Role, User
from trading.accounts.rules import make_credit_code
from trading.accounts.service import AccountService
from trading.actor import Actor

PASSWORD = "Password-123"
_seq = itertools.count(1)


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.organisation_id, str(user.role), "192.0.2.1")


def make_org(dbsession, clock, role=Role.BIDDER, name=None, credit_code=None) -> Organisation:
    n = next(_seq)
    org = Organisation(
        name=name or f"测试单位{n}", role=role,
        credit_code=credit_code or make_credit_code(f"91350100MA{n:07d}"),
        created_at=clock(),
    )
    dbsession.add(org)
    dbsession.flush()
    return org


def make_user(dbsession, clock, settings, role=Role.BIDDER, username=None,
              organisation=None, password=PASSWORD) -> User:
    n = next(_seq)
    if organisation is None and role in (Role.OWNER, Role.BIDDER, Role.INTERMEDIARY):
        organisation = make_org(dbsession, clock, role=role)
    accounts = AccountService(dbsession, clock, settings)
    return accounts.create_user(
        username=username or f"{role}{n}", display_name=f"用户{n}", password=password,
        role=role, organisation=organisation, actor=Actor.system("test"),
    )


def project_input(clock, name="测试项目", lots=((("一标段", 1_000_000_00, 900_000_00)),),
                  **overrides):
    """A valid posting starting tomorrow with a 30-day notice period."""
    from datetime import timedelta

    from trading.projects.kinds import (
        AwardMethod,
        CustodyMode,
        EvaluationMethod,
        ObjectType,
        ProcurementMethod,
        ProjectType,
    )
    from trading.projects.service import ProjectInput

    start = clock() + timedelta(days=1)
    values = dict(
        name=name, project_type=ProjectType.WORKS, object_type=ObjectType.WORKS,
        procurement_method=ProcurementMethod.OPEN_TENDER,
        evaluation_method=EvaluationMethod.COMPREHENSIVE, award_method=AwardMethod.RANK_ONE,
        custody_mode=CustodyMode.AUTO, region="市本级", description="概况",
        doc_start=start, doc_end=start + timedelta(days=10),
        clarification_deadline=start + timedelta(days=20),
        bid_deadline=start + timedelta(days=30),
        lots=tuple({"name": n, "budget": b, "ceiling_price": c} for n, b, c in lots),
    )
    values.update(overrides)
    return ProjectInput(**values)


def project_service(dbsession, clock, registry):
    from trading.projects.service import ProjectService

    return ProjectService(dbsession, clock, registry["storage"], keys=registry["keys"])


def make_project(dbsession, clock, settings, registry, *, owner=None, publish=False,
                 open_bidding=False, **overrides):
    """A draft (or a published project) with one tender document, by the real service."""
    import io

    owner = owner or make_user(dbsession, clock, settings, role=Role.OWNER)
    service = project_service(dbsession, clock, registry)
    project = service.create_draft(project_input(clock, **overrides),
                                   owner=owner.organisation, actor=actor_for(owner))
    service.add_document(project, filename="招标文件.pdf", content_type="application/pdf",
                         stream=io.BytesIO(b"%PDF tender"), actor=actor_for(owner))
    if publish or open_bidding:
        center = make_user(dbsession, clock, settings, role=Role.CENTER)
        service.submit_for_review(project, actor=actor_for(owner))
        service.approve(project, actor=actor_for(center))
    if open_bidding:
        clock.set(project.doc_start)
        service.advance(project)
    return project


def enterprise_input(clock, *, categories=("building_municipal",), grade=3, safety_until=None,
                     managers=("张工", "李工"), sub_specialty="", **overrides):
    """A complete 入库申请 for the registry, valid for two more years."""
    from datetime import timedelta

    from trading.smallworks.rules import Category, Grade
    from trading.smallworks.service import EnterpriseInput, QualificationInput

    today = clock().date()
    later = today + timedelta(days=730)
    values = dict(
        business_licence_until=later, safety_licence_no="（闽）JZ安许证字〔2025〕000001",
        safety_licence_until=safety_until or later, local_office="福州市鼓楼区五四路 1 号",
        local_insured_staff=12, managers=tuple(managers),
        similar_projects="2025 年 某小区道路改造（竣工）", integrity_commitment=True,
        qualifications=tuple(
            QualificationInput(Category(c), Grade(grade), f"D3350{n:05d}",
                               today - timedelta(days=365), later, sub_specialty)
            for n, c in enumerate(categories)),
    )
    values.update(overrides)
    return EnterpriseInput(**values)


def smallworks_service(dbsession, clock, registry):
    from trading.smallworks.service import SmallWorksService

    return SmallWorksService(dbsession, clock, registry["keys"], storage=registry["storage"])


def make_enterprise(dbsession, clock, settings, registry, *, user=None, active=True,
                    center=None, **kw):
    """A bidder organisation's registry entry, approved (active) unless `active=False`."""
    user = user or make_user(dbsession, clock, settings, role=Role.BIDDER)
    service = smallworks_service(dbsession, clock, registry)
    entry = service.apply(user.organisation, enterprise_input(clock, **kw),
                          actor=actor_for(user))
    if active:
        service.approve_entry(entry, actor=Actor.system("test"))
    return entry


def smallwork_input(clock, *, amount=50_000_000, method="lottery", **overrides):
    """A small work of 50 万元 in building & municipal, allocated by lottery."""
    import io

    from trading.smallworks.rules import AllocationMethod, Category, ObjectType
    from trading.smallworks.service import BudgetFile, ProjectInput

    values = dict(name="鼓楼区某小学围墙维修工程", category=Category.BUILDING_MUNICIPAL,
                  object_type=ObjectType.WORKS, amount=amount, site="鼓楼区某小学",
                  approved_on=clock().date(), budget_proof="鼓财预〔2026〕12号",
                  method=AllocationMethod(method),
                  budget_file=BudgetFile("预算批复.pdf", io.BytesIO(b"%PDF-1.4\n% budget\n")))
    values.update(overrides)
    return ProjectInput(**values)
