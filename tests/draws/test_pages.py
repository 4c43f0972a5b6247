"""Draw pages and API end to end: public record and download, the verify page, the beacon
for supervisors only (page and bearer token), and the demo draw verified offline."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.draws.models import Draw
from trading.draws.record import dump_record
from trading.draws.services import DrawService

ROOT = Path(__file__).resolve().parents[2]
FIRMS = [{"id": f"X{i}", "label": f"机构{i}", "attributes": {"grade": "甲级"}} for i in range(5)]


@pytest.fixture
def service(dbsession, clock, registry):
    return DrawService(dbsession, clock, registry["keys"])


@pytest.fixture
def center(dbsession, clock, settings):
    return actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))


@pytest.fixture
def draw(service, center):
    draw = service.freeze(purpose="页面测试抽取", subject_type="intermediary_purchase",
                          subject_id="ZJ-7", candidates=FIRMS, count=2, rule="等概率抽取2家",
                          actor=center, witnesses=[{"name": "见证人甲"}])
    return service.commit(draw, actor=center)


@pytest.fixture
def token_for(dbsession, clock, settings):
    def issue(role):
        user = make_user(dbsession, clock, settings, role=role)
        _, token = AccountService(dbsession, clock, settings).create_api_token(
            user, "test", actor_for(user))
        return {"Authorization": f"Bearer {token}"}

    return issue


def login(testapp, dbsession, clock, settings, role):
    user = make_user(dbsession, clock, settings, role=role)
    testapp.login(user.username)
    return user


# -- public pages and the record download --------------------------------------------------


def test_public_page_and_record_before_and_after_reveal(testapp, draw, service, center):
    page = testapp.get(f"/draws/{draw.id}")
    for text in (draw.commitment, draw.candidate_list_hash, "揭示后公布", "ZJ-7", "机构3",
                 "见证人甲", "python3 -m trading.draws verify"):
        assert text in page.text
    download = testapp.get(f"/draws/{draw.id}/record.json")
    assert download.content_type == "application/json"
    assert f'filename="draw-{draw.id}.json"' in download.headers["Content-Disposition"]
    assert json.loads(download.text)["seed"] is None
    service.reveal(draw, actor=center)
    page = testapp.get(f"/draws/{draw.id}")
    assert draw.seed in page.text and "揭示后公布" not in page.text
    record = json.loads(testapp.get(f"/draws/{draw.id}/record.json").text)
    assert record == service.record_of(draw) and record["result"] == draw.result
    listing = testapp.get("/draws")
    assert draw.purpose in listing.text and "已揭示" in listing.text


def test_follow_ups_are_shown_on_the_page(testapp, draw, service, center):
    service.reveal(draw, actor=center)
    service.redraw_after_decline(draw, declined_ids=[draw.result[0]], reason="书面放弃",
                                 count=1, actor=center)
    page = testapp.get(f"/draws/{draw.id}")
    assert "放弃与递补" in page.text and "书面放弃" in page.text
    assert draw.follow_ups[0]["result"][0] in page.text


def test_a_frozen_draw_has_a_page_but_no_record_yet(testapp, service, center):
    draw = service.freeze(purpose="仅冻结", subject_type="t", subject_id="1", candidates=FIRMS,
                          count=1, rule="r", actor=center)
    assert "名单已冻结" in testapp.get(f"/draws/{draw.id}").text
    testapp.get(f"/draws/{draw.id}/record.json", status=409)
    body = testapp.get(f"/api/v1/draws/{draw.id}", status=409).json
    assert body["error"] == "not_committed"


@pytest.mark.parametrize("ident", ["999999", "abc", "0", "-1", "99999999999999999999"])
def test_unknown_draws_are_404(testapp, ident):
    testapp.get(f"/draws/{ident}", status=404)
    assert testapp.get(f"/api/v1/draws/{ident}", status=404).json["error"] == "not_found"


# -- the verify page ----------------------------------------------------------------------


def verify(testapp, status=200, **fields):
    form = testapp.get("/draws/verify").forms[0]
    for name, value in fields.items():
        form[name] = value
    return form.submit(status=status)


def test_verify_page_says_valid_or_names_what_differs(testapp, draw, service, center):
    service.reveal(draw, actor=center)
    text = dump_record(service.record_of(draw))
    page = verify(testapp, record=text)
    assert "记录有效" in page.text and "<code>valid</code>" in page.text
    tampered = json.loads(text)
    tampered["result"] = list(reversed(tampered["result"]))
    page = verify(testapp, record=json.dumps(tampered, ensure_ascii=False))
    assert "记录无效" in page.text and "<code>result[0]</code>" in page.text
    tampered = json.loads(text)
    tampered["candidates"][3]["attributes"]["grade"] = "乙级"
    page = verify(testapp, record=json.dumps(tampered, ensure_ascii=False))
    assert "<code>candidate_list_hash</code>" in page.text


def test_verify_page_takes_an_upload_and_a_pending_record(testapp, draw, service):
    text = dump_record(service.record_of(draw)).encode("utf-8")
    page = verify(testapp, file=("draw.json", text, "application/json"))
    assert "记录有效" in page.text and "尚未揭示种子" in page.text


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ("   ", "请粘贴或上传抽取记录"),
    ('{"algorithm": "draw-v9"}', "unknown algorithm version"),
])
def test_verify_page_explains_what_it_cannot_read(testapp, text, message):
    page = verify(testapp, status=400 if "algorithm" not in text else 200, record=text)
    assert message in page.text


def test_verify_page_needs_its_csrf_token(testapp):
    testapp.post("/draws/verify", {"record": "{}"}, status=400)


# -- the beacon (supervisor only) ---------------------------------------------------------


def test_a_bidder_cannot_enter_a_beacon_and_nothing_changes(testapp, draw, dbsession, clock,
                                                            settings):
    testapp.get(f"/draws/{draw.id}/beacon", status=303)  # anonymous: to the login page
    login(testapp, dbsession, clock, settings, Role.BIDDER)
    testapp.get(f"/draws/{draw.id}/beacon", status=403)
    token = testapp.get_csrf_token(f"/draws/{draw.id}")
    testapp.post(f"/draws/{draw.id}/beacon", {"csrf_token": token, "value": "x",
                                              "source": "y", "submit": "submit"}, status=403)
    assert "录入公共随机数" not in testapp.get(f"/draws/{draw.id}").text
    assert draw.beacon is None and draw.beacon_at is None


def test_a_supervisor_enters_the_beacon_once(testapp, draw, dbsession, clock, settings):
    login(testapp, dbsession, clock, settings, Role.SUPERVISOR)
    detail = testapp.get(f"/draws/{draw.id}")
    form = detail.click(description="录入公共随机数").forms["deform"]
    form["value"] = "2026123:09 12"
    form["source"] = "彩票开奖"
    assert "公共随机数已录入" in form.submit("submit").follow().text
    assert draw.beacon == "2026123:09 12" and draw.beacon_source == "彩票开奖"
    form = testapp.get(f"/draws/{draw.id}/beacon").forms["deform"]
    form["value"] = "again"
    form["source"] = "x"
    assert "不能更改" in form.submit("submit", status=409).text
    assert draw.beacon == "2026123:09 12"


def test_the_beacon_form_checks_its_fields_and_refuses_after_reveal(testapp, draw, service,
                                                                    center, dbsession, clock,
                                                                    settings):
    login(testapp, dbsession, clock, settings, Role.SUPERVISOR)
    form = testapp.get(f"/draws/{draw.id}/beacon").forms["deform"]
    form["source"] = "彩票开奖"
    assert "必需" in form.submit("submit", status=400).text and draw.beacon is None
    service.reveal(draw, actor=center)
    form = testapp.get(f"/draws/{draw.id}/beacon").forms["deform"]
    form["value"] = "late"
    form["source"] = "彩票开奖"
    assert "种子已揭示" in form.submit("submit", status=409).text
    assert draw.beacon is None


# -- JSON API -----------------------------------------------------------------------------


def test_api_lists_draws_and_serves_the_record(testapp, draw, service, center):
    listed = testapp.get("/api/v1/draws").json["draws"]
    assert any(d["id"] == draw.id and d["status"] == "committed" for d in listed)
    mine = testapp.get("/api/v1/draws", {"subject_type": "intermediary_purchase",
                                         "subject_id": "ZJ-7"}).json["draws"]
    assert [d["id"] for d in mine] == [draw.id]
    service.reveal(draw, actor=center)
    assert testapp.get(f"/api/v1/draws/{draw.id}").json == service.record_of(draw)


def test_api_beacon_for_supervisors_only(testapp, draw, service, center, token_for):
    url = f"/api/v1/draws/{draw.id}/beacon"
    testapp.post_json(url, {"value": "v1", "source": "s"}, status=401)
    testapp.post_json(url, {"value": "v1", "source": "s"}, headers=token_for(Role.BIDDER),
                      status=403)
    assert draw.beacon is None
    supervisor = token_for(Role.SUPERVISOR)
    bad = testapp.post_json(url, {"source": "s"}, headers=supervisor, status=400).json
    assert bad["error"] == "invalid" and bad["field"] == "value"
    body = testapp.post_json(url, {"value": "v1", "source": "s"}, headers=supervisor).json
    assert body["beacon"] == "v1" and body["beacon_at"]
    again = testapp.post_json(url, {"value": "v2", "source": "s"}, headers=supervisor,
                              status=409).json
    assert again["error"] == "beacon_already_entered" and draw.beacon == "v1"
    service.reveal(draw, actor=center)
    late = testapp.post_json(url, {"value": "v3", "source": "s"}, headers=supervisor,
                             status=409).json
    assert late["error"] == "already_revealed"


def test_openapi_describes_the_draw_routes(testapp):
    paths = testapp.get("/api/v1/openapi.json").json["paths"]
    assert {"get"} <= set(paths["/api/v1/draws"]) and "get" in paths["/api/v1/draws/{draw_id}"]
    beacon = paths["/api/v1/draws/{draw_id}/beacon"]["post"]
    assert beacon["security"] == [{"bearer": []}]
    schema = beacon["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["value", "source"]


# -- the demo draw, verified with nothing installed ----------------------------------------


def run_bare_verifier(path: Path) -> subprocess.CompletedProcess:
    # The system interpreter with an empty environment: nothing but the checkout.
    return subprocess.run(["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "python3", "-m",
                           "trading.draws", "verify", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_demo_draws_verify_offline_from_their_download(testapp, dbsession, clock, settings,
                                                       tmp_path):
    from trading.demo import ORDER, load_accounts
    from trading.demo.draws import PENDING, PURPOSE, load_draws

    # Only this domain's loader: other domains' demo data is theirs to test.
    assert "trading.demo.draws:load_draws" in ORDER
    load_accounts(dbsession, clock, settings)
    load_draws(dbsession, clock, settings)
    load_draws(dbsession, clock, settings)  # idempotent
    for purpose, expected in ((PURPOSE, "valid"), (PENDING, "valid (seed not revealed")):
        (draw,) = dbsession.query(Draw).filter_by(purpose=purpose).all()
        path = tmp_path / f"draw-{draw.id}.json"
        path.write_bytes(testapp.get(f"/draws/{draw.id}/record.json").body)
        out = run_bare_verifier(path)
        assert out.returncode == 0 and out.stdout.startswith(expected), out.stderr
    revealed = dbsession.query(Draw).filter_by(purpose=PURPOSE).one()
    assert revealed.beacon and revealed.follow_ups and revealed.committed_at < \
        revealed.beacon_at < revealed.revealed_at


def test_the_list_and_the_record_name_the_subject_by_its_name(testapp, draw, service, center,
                                                               dbsession, clock, settings,
                                                               registry):
    """Issue #18 point 2: 项目 + its name with a link, never `project` #7; a subject
    nothing can name (a demo code) keeps its number."""
    from bs4 import BeautifulSoup
    from factories import make_project

    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    mine = service.freeze(purpose="专家抽取", subject_type="project", subject_id=str(project.id),
                          candidates=FIRMS, count=2, rule="等概率抽取2家", actor=center)
    listing = BeautifulSoup(testapp.get("/draws").text, "html.parser")
    row = listing.find("a", href=re.compile(f"/draws/{mine.id}$")).find_parent("tr")
    cell = row.find_all("td")[2]
    assert cell.get_text(" ", strip=True) == f"项目 {project.name}" and not cell.code
    assert cell.a["href"].endswith(f"/projects/{project.id}")
    page = BeautifulSoup(testapp.get(f"/draws/{mine.id}").text, "html.parser")
    assert page.find("a", href=cell.a["href"]).get_text() == project.name
    row = listing.find("a", href=re.compile(f"/draws/{draw.id}$")).find_parent("tr")
    assert row.find_all("td")[2].get_text(" ", strip=True) == "中介服务采购 #ZJ-7"
