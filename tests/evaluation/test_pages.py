"""The pages end to end: an expert scores in the browser form, the chair generates the
report, members sign; bad input shows the reason and changes nothing."""

import re

import sqlalchemy as sa
from evaluation.helpers import plain_marks, score_all, sitting_committee

from trading.accounts.models import User
from trading.evaluation.models import ScoreEntry, ScoreSheet, SheetState
from trading.evaluation.service import REPORT_CONFIRMATION


def _login(testapp, w, member):
    testapp.reset()
    testapp.login(w.dbsession.get(User, member.user_id).username)


def _token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_an_expert_scores_in_the_form_and_a_bad_score_changes_nothing(testapp, evaluated):
    _, seated = sitting_committee(evaluated)
    me = seated[1]
    _login(testapp, evaluated, me)
    url = f"/projects/{evaluated.project.id}/lots/{evaluated.lot.id}/sheet"
    page = testapp.get(url)
    assert "技术方案" in page.text and "价格分由系统计算" in page.text
    bids = [int(b) for b in re.findall(r'name="s-(\d+)-t2"', page.text)]
    assert len(bids) == 3
    data = {"csrf_token": _token(page), "save": ""}
    for bid in bids:
        data.update({f"s-{bid}-q1": "pass", f"s-{bid}-t1": "8", f"s-{bid}-t2": "24",
                     f"s-{bid}-t3": "16"})
    bad = testapp.post(url, {**data, f"s-{bids[0]}-t2": "24.3"}, status=400)
    assert "不符合分值步长" in bad.text
    assert evaluated.dbsession.scalar(sa.select(sa.func.count(ScoreEntry.id))) == 0
    data.pop("save")
    testapp.post(url, {**data, "submit": ""}, status=303)
    sheet = evaluated.dbsession.scalar(sa.select(ScoreSheet).where(ScoreSheet.member_id == me.id))
    assert sheet.state is SheetState.SUBMITTED and len(sheet.entries) == 12
    again = testapp.post(url, {**data, "submit": ""}, status=409)
    assert "锁定" in again.text


def test_an_undrawn_expert_cannot_open_the_room(testapp, evaluated):
    from factories import make_user

    from trading.accounts.models import Role
    sitting_committee(evaluated)
    make_user(evaluated.dbsession, evaluated.clock, evaluated.settings, role=Role.EXPERT,
              username="stranger_expert")
    testapp.login("stranger_expert")
    testapp.get(f"/projects/{evaluated.project.id}/evaluation", status=403)


def test_the_chair_generates_and_everyone_signs_on_the_pages(testapp, evaluated):
    _, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, plain_marks)
    chair = next(m for m in seated if m.is_chair)
    _login(testapp, evaluated, chair)
    room = testapp.get(f"/projects/{evaluated.project.id}/evaluation")
    base = f"/projects/{evaluated.project.id}/lots/{evaluated.lot.id}"
    committee = f"/projects/{evaluated.project.id}/committee"
    assert f"{base}/report" not in testapp.get(committee).text  # no link to a 404
    testapp.post(f"{base}/chair/generate", {"csrf_token": _token(room)}, status=303)
    assert f"{base}/report" in testapp.get(committee).text  # now it exists
    for member in seated:
        _login(testapp, evaluated, member)
        page = testapp.get(f"{base}/report")
        wrong = testapp.post(f"{base}/report", {"csrf_token": _token(page),
                                                "confirmation": "同意", "agrees": "1"},
                             status=400)
        assert "请完整输入" in wrong.text
        testapp.post(f"{base}/report", {"csrf_token": _token(page),
                                        "confirmation": REPORT_CONFIRMATION, "agrees": "1"},
                     status=303)
    final = testapp.get(f"{base}/report")
    assert "已全体签署并锁定" in final.text and "平台签名有效" in final.text
    api = testapp.get(f"/api/v1/projects/{evaluated.project.id}/lots/{evaluated.lot.id}"
                      "/candidates")
    assert [c["rank"] for c in api.json["candidates"]] == [1, 2, 3]


def test_a_report_without_the_full_body_still_renders(testapp, evaluated):
    """Reports written by other domains' demo helpers carry an empty body."""
    from factories import make_user

    from trading.accounts.models import Role
    from trading.evaluation.models import Committee, CommitteeStatus, EvaluationReport

    db, now = evaluated.dbsession, evaluated.clock()
    committee = Committee(project_id=evaluated.project.id, status=CommitteeStatus.DONE,
                          pseudonym_salt="00" * 32, created_at=now)
    db.add(committee)
    db.flush()
    db.add(EvaluationReport(project_id=evaluated.project.id, lot_id=evaluated.lot.id,
                            committee_id=committee.id, state="signed", ranked=False, body={},
                            body_sha256="0" * 64, generated_at=now, locked_at=now))
    db.flush()
    make_user(db, evaluated.clock, evaluated.settings, role=Role.SUPERVISOR,
              username="report_supervisor")
    testapp.login("report_supervisor")
    page = testapp.get(f"/projects/{evaluated.project.id}/lots/{evaluated.lot.id}/report")
    assert "评定分离，不排序" in page.text


def test_the_criteria_page_names_the_price_formula_in_words(testapp, evaluated):
    """Issue #18 point 2: the published price rule reads 低价优先法, not low_price_first."""
    page = testapp.get(f"/projects/{evaluated.project.id}/criteria")
    assert "低价优先法（基准价=最低评标价）" in page.text
    assert "low_price_first" not in page.text


def test_the_committee_page_offers_only_the_step_possible_now(testapp, evaluated):
    """One button at a time (issue #18): 冻结名单, then 揭示, then — every member signed in
    and a chair elected — 开始评标; never three of which two would be refused."""
    from evaluation.helpers import CENTER, committees, make_expert, seat_everyone

    w, service = evaluated, committees(evaluated)
    for _ in range(12):
        make_expert(w)
    service.form(w.project, plan=[{"specialty": "工程造价", "count": 5, "reserves": 1}],
                 owner_rep_ids=[], region="", actor=CENTER)
    testapp.login(w.center.username)
    url = f"/projects/{w.project.id}/committee"

    def offered():
        page = testapp.get(url)
        return [b for b in ("冻结名单并承诺种子", "揭示抽取结果", "开始评标")
                if f">{b}</button>" in page.text], page

    assert offered()[0] == ["冻结名单并承诺种子"]
    service.draw(w.project, actor=CENTER)
    assert offered()[0] == ["揭示抽取结果"]
    service.reveal(w.project, actor=CENTER)
    buttons, page = offered()
    assert buttons == [] and "还有5名成员未签到" in page.text
    seat_everyone(w, service.committee_of(w.project))
    buttons, page = offered()
    assert buttons == ["开始评标"]
    testapp.post(f"{url}/start", {"csrf_token": _token(page)}, status=303)
    buttons, page = offered()
    assert buttons == [] and "committee-step" not in page.text


def test_an_experts_workspace_names_the_next_step_of_each_seat(testapp, evaluated):
    _, seated = sitting_committee(evaluated)
    me = seated[1]
    _login(testapp, evaluated, me)
    row = _seat_row(testapp.get("/workspace").text, evaluated.project.name)
    assert "已签到" in row and "进入评标室填写并提交评分表" in row
    score_all(evaluated, [me], plain_marks, submit=False)
    row = _seat_row(testapp.get("/workspace").text, evaluated.project.name)
    assert "提交评分表（已交 0 / 1）" in row
    score_all(evaluated, [me], plain_marks)
    row = _seat_row(testapp.get("/workspace").text, evaluated.project.name)
    assert "评分表已全部提交，待汇总与签署报告" in row
    english = testapp.get("/workspace?_LOCALE_=en").text
    assert "All score sheets submitted" in _seat_row(english, evaluated.project.name)
    # Another expert's workspace names neither the seat nor its project.
    from factories import make_user

    from trading.accounts.models import Role
    make_user(evaluated.dbsession, evaluated.clock, evaluated.settings, role=Role.EXPERT,
              username="other_expert")
    testapp.reset()
    testapp.login("other_expert")
    other = testapp.get("/workspace").text
    assert evaluated.project.name not in other and "暂无评标邀请" in other


def _seat_row(page: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if name in row)
