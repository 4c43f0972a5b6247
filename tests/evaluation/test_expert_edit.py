"""Editing an expert of the pool (rules §4.3 facts, status): checked whole, audited
without personal data, on the page and through the API."""

import json

import pytest
import sqlalchemy as sa
from evaluation.helpers import CENTER, make_expert
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.accounts.rules import make_credit_code
from trading.accounts.service import AccountService
from trading.audit.models import AuditEvent
from trading.evaluation.committee import ExpertInput, ExpertPoolService
from trading.evaluation.conflicts import fact_problems
from trading.evaluation.errors import EvaluationConflict, EvaluationInvalid
from trading.evaluation.models import ExpertStatus

CODE = make_credit_code("91350100MA2XK0009")
JOB = {"name": "某设计院", "credit_code": CODE, "from": "2015-03-01", "to": "2020-06-30"}


@pytest.mark.parametrize(("employers", "shareholdings", "relatives", "fields"), [
    ((JOB,), ({"name": "某公司", "credit_code": "", "share": "30%"},),
     ({"name": "李某", "relation": "配偶", "org_name": "某公司", "credit_code": ""},), []),
    (({**JOB, "to": None},), (), (), []),  # still employed
    (({**JOB, "from": "2015/03/01"},), (), (), ["employers"]),
    (({**JOB, "to": "2014-01-01"},), (), (), ["employers"]),  # ends before it starts
    (({**JOB, "from": ""},), (), (), ["employers"]),
    (({**JOB, "from": "20150301"},), (), (), ["employers"]),  # YYYY-MM-DD only
    (({**JOB, "credit_code": CODE[:-1] + ("0" if CODE[-1] != "0" else "1")},), (), (),
     ["employers"]),  # a wrong check character
    ((), ({"name": "某公司", "credit_code": "", "share": "0"},), (), ["shareholdings"]),
    ((), ({"name": "某公司", "credit_code": "", "share": "120%"},), (), ["shareholdings"]),
    ((), ({"name": "某公司", "credit_code": "", "share": "许多"},), (), ["shareholdings"]),
    ((), (), ({"name": "李某", "relation": "", "org_name": "某公司", "credit_code": ""},),
     ["relatives"]),
    ((), (), ({"name": "李某", "relation": "兄弟", "org_name": "", "credit_code": ""},),
     ["relatives"]),
])
def test_fact_problems(employers, shareholdings, relatives, fields):
    assert [f for f, _ in fact_problems(employers, shareholdings, relatives)] == fields


def data(expert, **changes) -> ExpertInput:
    values = dict(code=expert.code, name=expert.name, region=expert.region,
                  specialties=tuple(expert.specialties), title=expert.title,
                  years_experience=expert.years_experience, phone=expert.phone,
                  employers=tuple(expert.employers), shareholdings=tuple(expert.shareholdings),
                  relatives=tuple(expert.relatives))
    values.update(changes)
    return ExpertInput(**values)


def audits(w, expert, action="expert.updated"):
    return list(w.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.subject_id == str(expert.id))))


def test_an_edit_is_checked_whole_and_audited_without_the_values(evaluated):
    w = evaluated
    expert = make_expert(w)
    pool = ExpertPoolService(w.dbsession, w.clock)
    pool.update(expert, data(expert, region="鼓楼区", phone="13800000000",
                             specialties=("工程造价", "市政工程"), employers=(JOB,)),
                actor=CENTER, status=ExpertStatus.SUSPENDED, reason="年度考核不合格")
    assert expert.region == "鼓楼区" and expert.specialties == ["工程造价", "市政工程"]
    assert expert.status is ExpertStatus.SUSPENDED and expert.employers == [JOB]
    row = audits(w, expert)[-1]
    assert row.data["changed"] == ["employers", "phone", "region", "specialties"]
    assert "13800000000" not in json.dumps(row.data, ensure_ascii=False)
    assert audits(w, expert, "expert.status_changed")


@pytest.mark.parametrize(("changes", "kw", "error", "field"), [
    ({"employers": ({**JOB, "to": "2010-01-01"},)}, {}, EvaluationInvalid, "employers"),
    ({"specialties": ()}, {}, EvaluationInvalid, "specialties"),
    ({"code": "E99999"}, {}, EvaluationInvalid, "code"),
    ({"region": "鼓楼区"}, {"status": ExpertStatus.BLACKLISTED, "reason": " "},
     EvaluationInvalid, "reason"),
    ({"region": "鼓楼区"}, {"version": 0}, EvaluationConflict, "version"),
])
def test_a_bad_edit_is_refused_and_changes_nothing(evaluated, changes, kw, error, field):
    w = evaluated
    expert = make_expert(w)
    before = (expert.region, list(expert.specialties), list(expert.employers), expert.status)
    with pytest.raises(error) as refused:
        ExpertPoolService(w.dbsession, w.clock).update(expert, data(expert, **changes),
                                                       actor=CENTER, **kw)
    assert refused.value.field == field
    assert (expert.region, expert.specialties, expert.employers, expert.status) == before
    assert not audits(w, expert)


def login(testapp, w, user):
    testapp.reset()
    testapp.set_cookie("trading_auth", AccountService(w.dbsession, w.clock, w.settings)
                       .start_session(user, ip=""))


def test_the_center_edits_an_expert_on_its_page(testapp, evaluated):
    w = evaluated
    expert = make_expert(w)
    login(testapp, w, make_user(w.dbsession, w.clock, w.settings, role=Role.CENTER))
    page = f"/evaluation/experts/{expert.id}"
    shown = testapp.get(page)
    assert expert.log_alias in shown.text  # 专家库代号: the library log's name for it
    form = shown.forms["deform"]
    assert form["name"].value == expert.name and form["specialties"].value == "工程造价"
    form["employers"] = "某设计院||2015-03-01|2014-01-01"
    refused = form.submit("submit", status=400)
    assert "结束日期早于起始日期" in refused.text and expert.employers == []
    form = refused.forms["deform"]
    form["employers"] = "某设计院||2015-03-01|"
    form["relatives"] = "李某|配偶|某公司|"
    form["region"] = "鼓楼区"
    shown = form.submit("submit").follow()
    assert "专家信息已更新" in shown.text and "某设计院" in shown.text
    assert expert.region == "鼓楼区" and expert.relatives[0]["relation"] == "配偶"


def test_the_api_reads_and_edits_an_expert(testapp, evaluated):
    w = evaluated
    expert = make_expert(w)
    center = make_user(w.dbsession, w.clock, w.settings, role=Role.CENTER)
    secret = AccountService(w.dbsession, w.clock, w.settings).create_api_token(
        center, "t", actor_for(center))[1]
    auth = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/evaluation/experts/{expert.id}"
    read = testapp.get(url, headers=auth).json
    body = {"name": read["name"], "region": "台江区", "specialties": "工程造价, 市政工程",
            "employers": "某设计院||2015-03-01|", "status": "active",
            "version": read["version"]}
    bad = testapp.put_json(url, {**body, "employers": "某设计院||20150301|"}, headers=auth,
                           status=400).json
    assert bad["field"] == "employers" and expert.region != "台江区"
    done = testapp.put_json(url, body, headers=auth).json
    assert done["region"] == "台江区" and done["specialties"] == ["工程造价", "市政工程"]
    stale = testapp.put_json(url, body, headers=auth, status=409).json  # the old version
    assert stale["field"] == "version"
    assert testapp.get("/api/v1/evaluation/experts/999999", headers=auth, status=404)
