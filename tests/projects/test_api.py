"""The projects API end to end with bearer tokens, and the OpenAPI document."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.projects.models import Project


@pytest.fixture
def token_for(dbsession, clock, settings):
    def issue(role, **kw):
        user = make_user(dbsession, clock, settings, role=role, **kw)
        _, token = AccountService(dbsession, clock, settings).create_api_token(
            user, "test", actor_for(user))
        return user, {"Authorization": f"Bearer {token}"}

    return issue


def body(clock, **overrides):
    local = (clock() + timedelta(days=1)).astimezone()
    start = clock() + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%S%z"
    data = {
        "name": "API项目", "project_type": "works", "object_type": "works",
        "procurement_method": "open_tender", "evaluation_method": "comprehensive",
        "award_method": "rank_one", "custody_mode": "auto", "region": "市本级",
        "doc_start": start.strftime(fmt), "doc_end": (start + timedelta(days=10)).strftime(fmt),
        "clarification_deadline": (start + timedelta(days=20)).strftime(fmt),
        "bid_deadline": (start + timedelta(days=30)).strftime(fmt),
        "lots": [{"name": "一标段", "budget": "500000.00", "ceiling_price": "480000"},
                 {"name": "二标段", "budget": "300000"}],
    }
    del local
    data.update(overrides)
    return data


def test_the_whole_walk_through_the_api(testapp, token_for, clock, dbsession):
    owner, owner_h = token_for(Role.OWNER)
    _, center_h = token_for(Role.CENTER)
    bidder, bidder_h = token_for(Role.BIDDER)
    created = testapp.post_json("/api/v1/projects", body(clock), headers=owner_h, status=201).json
    pid = created["id"]
    assert [lot["budget_fen"] for lot in created["lots"]] == [50_000_000, 30_000_000]
    testapp.post(f"/api/v1/projects/{pid}/documents", headers=owner_h,
                 upload_files=[("file", "招标文件.pdf", b"%PDF")], status=201)
    testapp.post_json(f"/api/v1/projects/{pid}/submit", {}, headers=owner_h)
    approved = testapp.post_json(f"/api/v1/projects/{pid}/approve", {"reasons": "同意"},
                                 headers=center_h).json
    assert approved["status"] == "published"
    listing = testapp.get("/api/v1/projects", {"q": "API项目"}).json
    assert listing["total"] == 1 and listing["items"][0]["id"] == pid
    clock.set(clock() + timedelta(days=1))
    lot_id = created["lots"][0]["id"]
    # Still "published" until the chronograph runs: sign-up is refused, not silently lost.
    testapp.post_json(f"/api/v1/projects/{pid}/lots/{lot_id}/signup", {}, headers=bidder_h,
                      status=409)
    from trading.jobs import chronograph

    chronograph.sweep_kind("project")
    testapp.post_json(f"/api/v1/projects/{pid}/lots/{lot_id}/signup", {}, headers=bidder_h)
    again = testapp.post_json(f"/api/v1/projects/{pid}/lots/{lot_id}/signup", {},
                              headers=bidder_h, status=409).json
    assert again["error"] == "already_signed_up"
    qid = testapp.post_json(f"/api/v1/projects/{pid}/questions", {"text": "是否接受联合体投标？"},
                            headers=bidder_h).json["id"]
    testapp.post_json(f"/api/v1/projects/{pid}/questions/{qid}/answer", {"answer": "不接受"},
                      headers=owner_h)
    new_deadline = (clock() + timedelta(days=40)).isoformat()
    moved = testapp.post_json(f"/api/v1/projects/{pid}/clarifications", {
        "title": "变更公告", "body": "延期", "affects_bids": True, "new_deadline": new_deadline,
    }, headers=owner_h).json
    assert moved["bid_deadline"].startswith(new_deadline[:16])
    assert moved["announcements"][-1]["changes"]["bid_deadline"]
    doc_id = created and testapp.get(f"/api/v1/projects/{pid}").json["documents"][0]["id"]
    testapp.get(f"/api/v1/projects/{pid}/documents/{doc_id}", headers=bidder_h, status=200)
    testapp.get(f"/api/v1/projects/{pid}/signups", headers=bidder_h, status=403)
    assert testapp.get(f"/api/v1/projects/{pid}/signups", headers=center_h).json["signups"]


@pytest.mark.parametrize("overrides,field", [
    ({"lots": [{"name": "一标段"}]}, "lots.0.budget"),
    ({"lots": [{"name": "一标段", "budget": "100", "ceiling_price": "200"}]},
     "lots.0.ceiling_price"),
    ({"lots": []}, "lots"),
    ({"name": "x" * 201}, "name"),
    ({"project_type": "pirate"}, "project_type"),
    ({"bid_deadline": "next tuesday"}, "bid_deadline"),
])
def test_bad_postings_are_precise_and_change_nothing(testapp, token_for, clock, dbsession,
                                                     overrides, field):
    _, owner_h = token_for(Role.OWNER)
    before = dbsession.scalar(sa.select(sa.func.count()).select_from(Project))
    error = testapp.post_json("/api/v1/projects", body(clock, **overrides), headers=owner_h,
                              status=400).json
    assert error["field"] == field and error["message"]
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Project)) == before


def test_deadline_in_the_past_is_refused_at_submission(testapp, token_for, clock):
    _, owner_h = token_for(Role.OWNER)
    past = (clock() - timedelta(days=1)).isoformat()
    pid = testapp.post_json("/api/v1/projects", body(clock, bid_deadline=past),
                            headers=owner_h, status=201).json["id"]
    testapp.post(f"/api/v1/projects/{pid}/documents", headers=owner_h,
                 upload_files=[("file", "a.pdf", b"x")])
    error = testapp.post_json(f"/api/v1/projects/{pid}/submit", {}, headers=owner_h,
                              status=400).json
    assert error["error"] == "posting_invalid"
    assert {p["field"] for p in error["problems"]} >= {"bid_deadline"}


def test_editing_a_published_project_is_refused(testapp, token_for, dbsession, clock, settings,
                                                registry):
    owner, owner_h = token_for(Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner, publish=True)
    testapp.put_json(f"/api/v1/projects/{project.id}", body(clock), headers=owner_h, status=403)
    assert project.name == "测试项目"


def test_non_owner_cannot_publish_a_clarification(testapp, token_for, dbsession, clock,
                                                  settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    _, other_owner_h = token_for(Role.OWNER)
    _, bidder_h = token_for(Role.BIDDER)
    for headers in (other_owner_h, bidder_h):
        testapp.post_json(f"/api/v1/projects/{project.id}/clarifications",
                          {"title": "伪造公告", "body": "x"}, headers=headers, status=403)
    assert len(project.announcements) == 1


def test_drafts_are_invisible_to_others(testapp, token_for, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry)
    testapp.get(f"/api/v1/projects/{project.id}", status=401)
    _, other_h = token_for(Role.OWNER)
    testapp.get(f"/api/v1/projects/{project.id}", headers=other_h, status=403)


@pytest.mark.parametrize("params,field", [
    ({"page": "1000000000"}, "page"), ({"type": "pirate"}, "type"), ({"page": "-1"}, "page"),
    ({"budget_min": "abc"}, "budget_min"), ({"date_from": "2026-02-30"}, "date_from"),
    ({"sort": "random"}, "sort"), ({"per_page": "100000"}, "per_page"),
    ({"status": "draft"}, "status"),
])
def test_absurd_search_parameters_are_a_400_never_a_500(testapp, params, field):
    error = testapp.get("/api/v1/projects", params, status=400).json
    assert error["field"] == field
    page = testapp.get("/projects", params, status=400)
    assert "查询条件有误" in page.text


def test_openapi_describes_every_api_route(testapp, app):
    from pyramid.interfaces import IRoutesMapper

    doc = testapp.get("/api/v1/openapi.json").json
    described = {op["operationId"].rsplit(".", 1)[0] for path in doc["paths"].values()
                 for op in path.values()}
    mapper = app.registry.queryUtility(IRoutesMapper)
    api_routes = {r.name for r in mapper.get_routes() if r.name.startswith("api.")}
    assert api_routes - described == set()
    post = doc["paths"]["/api/v1/projects"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert "lots" in schema["required"] and schema["properties"]["lots"]["type"] == "array"
