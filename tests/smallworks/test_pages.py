"""Small works end to end through the pages and the JSON API, with the bad inputs of the
issue: each refused with a clear message (a code in the API) and nothing changed."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from factories import actor_for, make_enterprise, make_user, smallwork_input, smallworks_service

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.smallworks.models import Enterprise, SmallWork
from trading.smallworks.status import AllocationStatus as A
from trading.smallworks.status import RegistryStatus as R


def count(dbsession, model):
    return dbsession.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def people(dbsession, clock, settings):
    make = lambda role, name: make_user(dbsession, clock, settings, role=role,  # noqa: E731
                                        username=name)
    return {"owner": make(Role.OWNER, "sw_owner"), "center": make(Role.CENTER, "sw_center"),
            "bidder": make(Role.BIDDER, "sw_bidder")}


def fill_application(form, clock, category="building_municipal"):
    today = clock().date()
    form["category"] = category
    form["grade"] = "2"
    form["certificate_no"] = "D335012345"
    for name, value in (("valid_from", today - timedelta(days=30)),
                        ("valid_until", today + timedelta(days=700)),
                        ("business_licence_until", today + timedelta(days=700)),
                        ("safety_licence_until", today + timedelta(days=700))):
        form[name] = value.isoformat()
    form["safety_licence_no"] = "（闽）JZ安许证字〔2025〕000123"
    form["local_office"] = "福州市鼓楼区五四路 1 号"
    form["local_insured_staff"] = "15"
    form["manager"] = "王工"
    form["integrity_commitment"] = True


def test_apply_in_the_browser_and_the_center_approves(testapp, dbsession, clock, people):
    testapp.login("sw_bidder")
    form = testapp.get("/smallworks/apply").forms["deform"]
    fill_application(form, clock)
    page = form.submit("submit").follow()
    assert "待审核" in page.text
    entry = dbsession.scalar(sa.select(Enterprise))
    testapp.reset()
    testapp.login("sw_center")
    review = next(f for f in testapp.get(f"/smallworks/enterprises/{entry.id}").forms.values()
                  if f.action.endswith("/review"))
    review.submit("decision", value="approve").follow()
    assert entry.status is R.ACTIVE
    assert entry.name in testapp.get("/smallworks").text  # public registry


def test_a_second_application_with_the_same_credit_code_is_refused(testapp, dbsession, clock,
                                                                   settings, registry, people):
    make_enterprise(dbsession, clock, settings, registry, user=people["bidder"])
    testapp.login("sw_bidder")
    # the page no longer offers the form; the API refuses with the code
    assert "本单位已提交入库申请" in testapp.get("/smallworks/apply").text
    auth = {"Authorization": f"Bearer {_api_token(dbsession, clock, settings, people['bidder'])}"}
    body = {"qualifications": [{"category": "roads", "grade": 3, "certificate_no": "X",
                                "valid_from": "2026-01-01", "valid_until": "2028-01-01"}],
            "business_licence_until": "2030-01-01", "safety_licence_no": "S",
            "safety_licence_until": "2030-01-01", "local_office": "福州",
            "local_insured_staff": 3, "managers": ["甲"], "integrity_commitment": True}
    before = (count(dbsession, Enterprise), count(dbsession, AuditEvent))
    response = testapp.post_json("/api/v1/smallworks/enterprises", body, status=409,
                                 headers=auth)
    assert response.json["error"] == "duplicate_credit_code"
    assert "已在企业库中" in response.json["message"]
    assert (count(dbsession, Enterprise), count(dbsession, AuditEvent)) == before


def _api_token(dbsession, clock, settings, user):
    from trading.accounts.service import AccountService

    return AccountService(dbsession, clock, settings).create_api_token(
        user, "t", actor_for(user))[1]


def test_an_amount_at_the_threshold_is_refused_on_the_page_and_in_the_api(
        testapp, dbsession, clock, settings, people):
    testapp.login("sw_owner")
    form = testapp.get("/smallworks/projects/new").forms["deform"]
    form["name"] = "某路段改造工程"
    form["category"] = "roads"
    form["amount"] = "4000000.00"
    form["site"] = "仓山区"
    form["approved_on"] = clock().date().isoformat()
    form["budget_proof"] = "仓发改〔2026〕3号"
    page = form.submit("submit", status=400)
    assert "已达到必须招标限额 4,000,000.00 元" in page.text
    assert count(dbsession, SmallWork) == 0
    token = _api_token(dbsession, clock, settings, people["owner"])
    body = {"name": "某路段改造工程", "category": "roads", "object_type": "works",
            "amount": "4000000", "site": "仓山区", "approved_on": "2026-03-01",
            "budget_proof": "x", "method": "lottery"}
    response = testapp.post_json("/api/v1/smallworks/projects", body, status=400,
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.json == {"error": "above_tender_threshold", "field": "amount",
                             "message": response.json["message"]}
    assert count(dbsession, SmallWork) == 0


def test_an_owner_can_never_choose_the_winner(testapp, dbsession, clock, settings, registry,
                                              people):
    token = _api_token(dbsession, clock, settings, people["owner"])
    auth = {"Authorization": f"Bearer {token}"}
    firms = [make_enterprise(dbsession, clock, settings, registry) for _ in range(3)]
    body = {"name": "某小学围墙维修", "category": "building_municipal",
            "object_type": "works", "amount": "500000", "site": "鼓楼区",
            "approved_on": "2026-03-01", "budget_proof": "x", "method": "lottery",
            "winner_id": firms[0].id}
    response = testapp.post_json("/api/v1/smallworks/projects", body, status=403,
                                 headers=auth)
    assert response.json["error"] == "direct_award_refused" and "不能直接指定" in \
        response.json["message"]
    assert count(dbsession, SmallWork) == 0
    # nor may the owner run the draw itself
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation, smallwork_input(clock), actor=center)
    service.approve_project(work, actor=center)
    testapp.post_json(f"/api/v1/smallworks/projects/{work.id}/draw", {}, status=403,
                      headers=auth)
    assert work.status is A.POOL_FROZEN and work.winner_id is None


def test_an_expired_licence_keeps_the_enterprise_out_of_the_draw_with_its_reason(
        testapp, dbsession, clock, settings, registry, people):
    for _ in range(3):
        make_enterprise(dbsession, clock, settings, registry)
    stale = make_enterprise(dbsession, clock, settings, registry,
                            safety_until=clock().date() + timedelta(days=1))
    clock.advance(days=3)
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation, smallwork_input(clock), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    assert work.winner_id != stale.id
    page = testapp.get(f"/smallworks/projects/{work.id}")
    assert stale.name in page.text and "安全生产许可证过期" in page.text
    record = testapp.get(f"/api/v1/smallworks/projects/{work.id}").json
    assert record["excluded"] == [{"id": str(stale.id), "label": stale.name,
                                   "reasons": ["safety_licence_expired"],
                                   "reason_labels": ["安全生产许可证过期"]}]
    assert str(stale.id) not in {c["id"] for c in record["eligible"]}


def test_drawn_winner_declines_on_the_page_and_the_next_is_drawn(
        testapp, dbsession, clock, settings, registry, people):
    firms = [make_enterprise(dbsession, clock, settings, registry) for _ in range(3)]
    firms.append(make_enterprise(dbsession, clock, settings, registry, user=people["bidder"]))
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation, smallwork_input(clock), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    while work.winner_id != firms[-1].id:  # let the others decline until ours is drawn
        service.decline(work, work.winner, reason="测试", actor=center)
        assert work.status is A.DRAWN
    testapp.login("sw_bidder")
    page = testapp.get(f"/smallworks/projects/{work.id}")
    assert "中选确认" in page.text
    form = next(f for f in page.forms.values() if f.action.endswith("/decline"))
    form["reason"] = "项目经理在外地"
    form.submit().follow()
    assert work.status in (A.DRAWN, A.FAILED) and work.winner_id != firms[-1].id


def test_a_confirmation_after_its_time_is_refused_on_the_page(testapp, dbsession, clock,
                                                              settings, registry, people):
    mine = make_enterprise(dbsession, clock, settings, registry, user=people["bidder"])
    mine.credit_score = Decimal(99)
    for _ in range(2):
        make_enterprise(dbsession, clock, settings, registry)
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation,
                        smallwork_input(clock, method="double_random_credit"), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    assert work.winner_id == mine.id
    clock.advance(hours=24, minutes=1)  # the sweep has not run: the page still offers it
    testapp.login("sw_bidder")
    form = next(f for f in testapp.get(f"/smallworks/projects/{work.id}").forms.values()
                if f.action.endswith("/accept"))
    page = form.submit(status=409)
    assert "确认期限已过" in page.text
    assert work.status is A.DRAWN and work.accepted_at is None


def test_public_pages_need_no_javascript(testapp, dbsession, clock, settings, registry, people):
    make_enterprise(dbsession, clock, settings, registry)
    for path in ("/smallworks", "/smallworks/projects", "/smallworks/statistics",
                 "/smallworks?category=roads"):
        page = testapp.get(path)
        assert "<script" not in page.text
    stats = testapp.get("/api/v1/smallworks/statistics").json
    assert stats == {"months": []}


def test_a_short_listed_enterprise_quotes_on_the_page_and_nobody_sees_the_price(
        testapp, dbsession, clock, settings, registry, people):
    make_enterprise(dbsession, clock, settings, registry, user=people["bidder"])
    for _ in range(2):
        make_enterprise(dbsession, clock, settings, registry)
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation,
                        smallwork_input(clock, method="reasonable_low_price"), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    testapp.login("sw_bidder")
    form = next(f for f in testapp.get(f"/smallworks/projects/{work.id}").forms.values()
                if f.action.endswith("/quote"))
    form["price"] = "456789.12"
    page = form.submit().follow()
    assert "报价已加密提交" in page.text and "456,789.12" not in page.text
    api = testapp.get(f"/api/v1/smallworks/projects/{work.id}").json
    assert api["quotes"][0]["price_fen"] is None and "45678912" not in json.dumps(api)


def test_the_center_decides_a_decline_on_the_page_and_in_the_api(
        testapp, dbsession, clock, settings, registry, people):
    for _ in range(3):
        make_enterprise(dbsession, clock, settings, registry)
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation, smallwork_input(clock), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    service.decline(work, work.winner, reason="设备检修", actor=center)
    decline = service.declines_of(work)[0]
    testapp.login("sw_center")
    page = testapp.get(f"/smallworks/projects/{work.id}")
    assert "待认定（暂按无正当理由计）" in page.text
    form = next(f for f in page.forms.values() if f.action.endswith("/decision"))
    form["reason"] = "检修计划早于抽取，属实"
    page = form.submit("decision", value="justified").follow()
    assert "已认定有正当理由" in page.text and "检修计划早于抽取，属实" in page.text
    assert decline.justified and decline.decided_at is not None
    token = _api_token(dbsession, clock, settings, people["center"])
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/smallworks/projects/{work.id}/decision"
    before = count(dbsession, AuditEvent)
    for body, field in (({"decline_id": decline.id, "decision": "unjustified"}, "reason"),
                        ({"decline_id": decline.id, "decision": "maybe", "reason": "x"},
                         "decision"),
                        ({"decision": "unjustified", "reason": "x"}, "decline_id")):
        response = testapp.post_json(url, body, status=400, headers=auth)
        assert response.json["error"] == "invalid" and response.json["field"] == field
    assert count(dbsession, AuditEvent) == before and decline.justified
    record = testapp.post_json(url, {"decline_id": decline.id, "decision": "unjustified",
                                     "reason": "复核：检修可另行安排"}, headers=auth).json
    assert record["declines"][0]["decision"] == "unjustified"
    assert record["declines"][0]["decision_reason"] == "复核：检修可另行安排"
    assert not decline.justified


def test_the_center_edits_the_parameters_on_the_page_and_in_the_api(
        testapp, dbsession, clock, settings, registry, people):
    from trading.projects.models import RuleProfile

    testapp.login("sw_center")
    page = testapp.get("/smallworks/profile")
    form = page.forms["deform"]
    assert form["confirmation_hours"].value == "24"
    assert [form.get("upper", index=i).value for i in range(3)] == ["300000.00", "1000000.00", ""]
    versions = count(dbsession, RuleProfile)
    form["cooldown_days"] = "-1"
    page = form.submit("submit", status=400)
    assert count(dbsession, RuleProfile) == versions
    form = page.forms["deform"]
    form["cooldown_days"] = "60"
    form["confirmation_hours"] = "48"
    page = form.submit("submit").follow()
    assert "参数已保存为新版本" in page.text
    assert count(dbsession, RuleProfile) == versions + 1
    public = testapp.get("/api/v1/smallworks/profile").json
    assert public["params"]["smallworks.cooldown_days"] == 60
    token = _api_token(dbsession, clock, settings, people["center"])
    auth = {"Authorization": f"Bearer {token}"}
    body = {"tiers": [{"upper": "300000", "grade": 3}, {"upper": "200000", "grade": 3},
                      {"upper": None, "grade": 2}],
            "max_active_contracts": 2, "max_manager_active_contracts": 1,
            "cooldown_days": 60, "annual_award_count_cap": None,
            "annual_award_amount_cap": "8000000", "confirmation_hours": 48,
            "decline_suspension_count": 2, "decline_lookback_months": 12,
            "split_window_days": 90}
    response = testapp.post_json("/api/v1/smallworks/profile", body, status=400,
                                 headers=auth)
    assert response.json["field"] == "smallworks.tiers" and "递增" in response.json["message"]
    assert count(dbsession, RuleProfile) == versions + 1
    body["tiers"][1]["upper"] = "1000000"
    saved = testapp.post_json("/api/v1/smallworks/profile", body, headers=auth).json
    assert saved["version"] == public["version"] + 1
    assert saved["params"]["smallworks.annual_award_count_cap"] is None


def _post_form(testapp, clock, **files):
    form = testapp.get("/smallworks/projects/new").forms["deform"]
    form["name"] = "某小学操场改造工程"
    form["category"] = "building_municipal"
    form["amount"] = "500000.00"
    form["site"] = "晋安区某小学"
    form["approved_on"] = clock().date().isoformat()
    form["budget_proof"] = "晋财预〔2026〕7号"
    for name, upload in files.items():
        form[name] = upload
    return form


def test_the_owner_uploads_the_budget_file_and_the_center_reads_it(
        testapp, dbsession, clock, settings, registry, people):
    from webtest import Upload

    from trading.demo.smallworks import demo_pdf

    testapp.login("sw_owner")
    page = _post_form(testapp, clock).submit("submit", status=400)  # no file
    assert "请上传预算批复文件" in page.text and count(dbsession, SmallWork) == 0
    page = _post_form(testapp, clock, upload=Upload("批复.pdf", b"GIF89a", "application/pdf")
                      ).submit("submit", status=400)
    assert "须为 PDF、JPG 或 PNG 格式" in page.text and count(dbsession, SmallWork) == 0
    pdf = demo_pdf("Budget approval 7")
    page = _post_form(testapp, clock, upload=Upload("晋财预7号.pdf", pdf, "application/pdf")
                      ).submit("submit").follow()
    work = dbsession.scalar(sa.select(SmallWork))
    assert work.budget_file_type == "application/pdf" and "晋财预7号.pdf" in page.text
    testapp.reset()
    testapp.login("sw_center")
    page = testapp.get(f"/smallworks/projects/{work.id}")
    download = page.click(href=f"/smallworks/projects/{work.id}/budget-file")
    assert download.body == pdf and download.content_type == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    testapp.reset()
    testapp.login("sw_bidder")  # not a reviewer: neither the link nor the file
    testapp.get(f"/smallworks/projects/{work.id}/budget-file", status=403)


@pytest.mark.slow
def test_the_api_takes_the_budget_file_in_base64(testapp, dbsession, clock, settings, people):
    import base64

    token = _api_token(dbsession, clock, settings, people["owner"])
    auth = {"Authorization": f"Bearer {token}"}
    body = {"name": "某路灯更换工程", "category": "power", "object_type": "works",
            "amount": "300000", "site": "仓山区", "approved_on": "2026-03-01",
            "budget_proof": "仓财预〔2026〕9号", "method": "lottery"}
    for budget_file, status, code in (
            (None, 400, "application_invalid"),
            ({"filename": "a.pdf", "content_base64": "%%%"}, 400, "application_invalid"),
            ({"filename": "a.pdf", "content_base64": base64.b64encode(b"text").decode()},
             400, "application_invalid"),
            ({"filename": "a.pdf",
              "content_base64": "A" * (14 * 1024 * 1024)}, 413, "file_too_large")):
        sent = {**body, **({"budget_file": budget_file} if budget_file else {})}
        response = testapp.post_json("/api/v1/smallworks/projects", sent, status=status,
                                     headers=auth)
        assert response.json["error"] == code and response.json["field"] == "budget_file"
    assert count(dbsession, SmallWork) == 0
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    body["budget_file"] = {"filename": "扫描件.jpg",
                           "content_base64": base64.b64encode(jpeg).decode()}
    record = testapp.post_json("/api/v1/smallworks/projects", body, headers=auth).json
    assert record["budget_file"]["content_type"] == "image/jpeg"
    assert record["budget_file"]["size"] == len(jpeg)


def test_the_project_page_names_its_band_basis_firms_and_draws_in_words(
        testapp, dbsession, clock, settings, registry, people):
    """Issue #18 point 2: no `1m_to_4m`, `decided_by=smallworks.lottery`, grade `third`
    or enterprise ids on the allocation record; each firm by its name."""
    for _ in range(4):
        make_enterprise(dbsession, clock, settings, registry)
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(people["center"])
    work = service.post(people["owner"].organisation, smallwork_input(clock), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    declined = work.winner
    service.decline(work, declined, reason="项目经理在外地", actor=center)
    testapp.login(people["center"].username)
    page = testapp.get(f"/smallworks/projects/{work.id}")
    soup = BeautifulSoup(page.text, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert work.tier and work.tier not in page.text
    assert re.search(r"金额档 (\d+ 万元及以下|\d+–\d+ 万元|\d+ 万元以上)", text)
    assert "决定依据 抽签决定：小额工程随机抽取承接企业（摇号）" in text
    assert "decided_by" not in page.text and "smallworks.lottery" not in text
    decline = soup.find(string=re.compile("项目经理在外地")).find_parent("li")
    assert declined.name in decline.get_text() and not decline.find("code")  # by name
    grades = [tr.find_all("td")[2].get_text(strip=True)
              for tr in soup.find(string="候选库").find_next("table").tbody.find_all("tr")]
    assert grades and set(grades) <= {"特级", "一级", "二级", "三级"}
    draw = testapp.get(f"/draws/{service.draws.draws_for('smallworks_project', work.id)[0].id}")
    record = BeautifulSoup(draw.text, "html.parser").get_text(" ", strip=True)
    assert "资质等级：三级" in record and "同类上次承接日期：无" in record
    assert "third" not in record and "None" not in record
