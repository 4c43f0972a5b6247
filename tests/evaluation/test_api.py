"""The JSON API: the center forms and draws, a member saves and submits, errors carry a
code and a field and change nothing."""

import sqlalchemy as sa
from evaluation.helpers import make_expert, seat_everyone
from factories import actor_for, make_user

from trading.accounts.models import Role, User
from trading.accounts.service import AccountService
from trading.evaluation.committee import EvaluationCommitteeService
from trading.evaluation.models import ScoreEntry


def bearer(w, user) -> dict:
    token = AccountService(w.dbsession, w.clock, w.settings).create_api_token(
        user, "t", actor_for(user))[1]
    return {"Authorization": f"Bearer {token}"}


def test_center_forms_draws_reveals_then_a_member_scores(testapp, evaluated):
    w = evaluated
    for _ in range(12):
        make_expert(w)
    center = make_user(w.dbsession, w.clock, w.settings, role=Role.CENTER)
    auth, base = bearer(w, center), f"/api/v1/projects/{w.project.id}"
    bad = testapp.post_json(f"{base}/committee", {"plan": "工程造价|4|0"}, headers=auth,
                            status=409)
    assert bad.json["error"] == "committee_invalid" and "单数" in bad.json["message"]
    testapp.post_json(f"{base}/committee", {"plan": "工程造价|5|1"}, headers=auth, status=201)
    testapp.post_json(f"{base}/committee/draw", {}, headers=auth)
    seated = testapp.post_json(f"{base}/committee/reveal", {}, headers=auth).json["members"]
    assert [m["state"] for m in seated] == ["notified"] * 5
    committee = EvaluationCommitteeService(w.dbsession, w.clock, w.registry["keys"]).committee_of(
        w.project)
    members = seat_everyone(w, committee)
    testapp.post_json(f"{base}/committee/start", {}, headers=auth)
    me = bearer(w, w.dbsession.get(User, members[1].user_id))
    sheet = f"{base}/lots/{w.lot.id}/sheet"
    bid = w.dbsession.scalars(sa.text("select bid_id from opening_lines order by id")).first()
    error = testapp.put_json(sheet, {"marks": [
        {"bid_id": bid, "item_id": "t1", "value": "8"},
        {"bid_id": bid, "item_id": "t2", "value": "30.5"}]}, headers=me, status=400)
    assert error.json == {"error": "evaluation_invalid", "field": f"{bid}.t2",
                          "message": "“技术方案”的分数30.5超出范围（0～30分）"}
    assert w.dbsession.scalar(sa.select(sa.func.count(ScoreEntry.id))) == 0
    saved = testapp.put_json(sheet, {"marks": [{"bid_id": bid, "item_id": "t2",
                                                "value": "25.5"}]}, headers=me)
    assert saved.json["marks"] == [{"bid_id": bid, "item_id": "t2", "value": "25.5",
                                    "passed": None, "reason": ""}]
    incomplete = testapp.post_json(f"{sheet}/submit", {}, headers=me, status=400)
    assert "未评分" in incomplete.json["message"]
    chair = bearer(w, w.dbsession.get(User, members[0].user_id))
    blocked = testapp.post_json(f"{base}/lots/{w.lot.id}/chair/evaluate", {}, headers=chair,
                                status=409)
    assert "未提交评分表" in blocked.json["message"]
