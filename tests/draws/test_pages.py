"""Draw pages and API: public record, download, verify page, beacon for supervisors only."""

import json

import pytest
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.draws.record import dump_record
from trading.draws.services import DrawService


@pytest.fixture
def draw(dbsession, clock, settings, registry):
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    service = DrawService(dbsession, clock, registry["keys"])
    draw = service.freeze(purpose="页面测试抽取", subject_type="test", subject_id=1,
                          candidates=[{"id": f"X{i}"} for i in range(5)], count=2,
                          rule="等概率", actor=actor_for(center))
    service.commit(draw, actor=actor_for(center))
    return draw


def test_public_page_and_record_before_and_after_reveal(testapp, draw, dbsession, clock,
                                                        registry):
    page = testapp.get(f"/draws/{draw.id}")
    assert draw.commitment in page.text and "揭示后公布" in page.text
    record = json.loads(testapp.get(f"/draws/{draw.id}/record.json").text)
    assert record["seed"] is None
    DrawService(dbsession, clock, registry["keys"]).reveal(draw, actor=actor_for(
        make_user(dbsession, clock, registry.settings, role=Role.CENTER)))
    record = testapp.get(f"/api/v1/draws/{draw.id}").json
    assert record["seed"] == draw.seed and record["result"] == draw.result
    assert draw.purpose in testapp.get("/draws").text
    testapp.get("/draws/999999", status=404)
    testapp.get("/draws/abc", status=404)


def test_verify_page_says_valid_or_names_the_tampered_field(testapp, draw, dbsession, clock,
                                                            registry):
    service = DrawService(dbsession, clock, registry["keys"])
    center = make_user(dbsession, clock, registry.settings, role=Role.CENTER)
    service.reveal(draw, actor=actor_for(center))
    text = dump_record(service.record_of(draw))
    form = testapp.get("/draws/verify").forms[0]
    form["record"] = text
    assert "记录有效" in form.submit().text
    tampered = json.loads(text)
    tampered["result"] = list(reversed(tampered["result"]))
    form = testapp.get("/draws/verify").forms[0]
    form["record"] = json.dumps(tampered, ensure_ascii=False)
    page = form.submit()
    assert "记录无效" in page.text and "result" in page.text
    form = testapp.get("/draws/verify").forms[0]
    form["record"] = "{not json"
    assert "无法读取记录" in form.submit(status=400).text


def test_only_supervisors_enter_a_beacon(testapp, draw, dbsession, clock, settings):
    make_user(dbsession, clock, settings, role=Role.BIDDER, username="d_bidder")
    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="d_sup")
    testapp.login("d_bidder")
    testapp.get(f"/draws/{draw.id}/beacon", status=403)
    assert draw.beacon is None
    testapp.reset()
    testapp.login("d_sup")
    form = testapp.get(f"/draws/{draw.id}/beacon").forms["deform"]
    form["value"] = "2026123:09 12"
    form["source"] = "彩票开奖"
    assert "公共随机数已录入" in form.submit("submit").follow().text
    assert draw.beacon == "2026123:09 12"
    form = testapp.get(f"/draws/{draw.id}/beacon").forms["deform"]
    form["value"] = "again"
    form["source"] = "x"
    assert "不能更改" in form.submit("submit", status=409).text
    assert draw.beacon == "2026123:09 12"


def test_beacon_through_the_api(testapp, draw, dbsession, clock, settings):
    from trading.accounts.service import AccountService

    sup = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    _, token = AccountService(dbsession, clock, settings).create_api_token(sup, "t",
                                                                           actor_for(sup))
    headers = {"Authorization": f"Bearer {token}"}
    body = testapp.post_json(f"/api/v1/draws/{draw.id}/beacon",
                             {"value": "v1", "source": "s"}, headers=headers).json
    assert body["beacon"] == "v1"
    testapp.post_json(f"/api/v1/draws/{draw.id}/beacon", {"value": "v2", "source": "s"},
                      headers=headers, status=409)
    assert any(d["id"] == draw.id for d in testapp.get("/api/v1/draws").json["draws"])


def test_demo_draw_verifies_offline_from_its_download(testapp, dbsession, clock, settings,
                                                      tmp_path):
    import subprocess
    from pathlib import Path

    from trading.demo import load_demo
    from trading.draws.demo import PURPOSE
    from trading.draws.models import Draw

    load_demo(dbsession, clock, settings)
    draw = dbsession.query(Draw).filter_by(purpose=PURPOSE).one()
    path = tmp_path / "demo.json"
    path.write_bytes(testapp.get(f"/draws/{draw.id}/record.json").body)
    root = Path(__file__).resolve().parents[2]
    # The system interpreter with an empty environment: nothing but the checkout.
    out = subprocess.run(["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "python3", "-m",
                          "trading.draws", "verify", str(path)], cwd=root,
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "valid", out.stderr
    assert draw.follow_ups and draw.beacon
