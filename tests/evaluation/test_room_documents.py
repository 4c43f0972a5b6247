"""The evaluation room (issue #18 point 1): the committee reads the opened bids, and only
the committee; after 汇总 the room and the report show the deviation warnings and the
abnormally-low-price reviews in words, with the chair's recorded finding; the price base
is named by the formula actually used."""

import re

import pytest
import sqlalchemy as sa
from evaluation.helpers import plain_marks, score_all, sitting_committee
from factories import make_user

from trading.accounts.models import Role, User
from trading.audit.models import AuditEvent
from trading.evaluation.models import LowPriceReview

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCS = (("技术标.pdf", PDF), ("报价清单.xlsx", b"PK\x03\x04not really a workbook"))


def _login(testapp, w, user_or_member):
    user_id = getattr(user_or_member, "user_id", None) or user_or_member.id
    testapp.reset()
    testapp.login(w.dbsession.get(User, user_id).username)


def _token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def with_documents(evaluated_factory):
    return evaluated_factory(documents=DOCS)


def test_a_member_reads_every_opened_bid_and_each_read_is_audited(testapp, with_documents):
    w = with_documents
    _, seated = sitting_committee(w)
    _login(testapp, w, seated[1])
    room = testapp.get(f"/projects/{w.project.id}/evaluation")
    listing = room.click(href=f"/projects/{w.project.id}/bid-documents$")
    for bidder in w.bidders:
        assert bidder.organisation.name in listing.text
    assert listing.text.count("技术标.pdf") == 3 and "在浏览器中查看" in listing.text
    links = re.findall(r'href="([^"]+/bid-documents/\d+/\d+)(\?view=1)?"', listing.text)
    pdf_url = links[0][0]
    viewed = testapp.get(pdf_url + "?view=1")
    assert viewed.body == PDF and viewed.content_type == "application/pdf"
    assert viewed.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in viewed.headers["Content-Security-Policy"]
    sheet = [u for u, view in links if not view and u != pdf_url][0]
    download = testapp.get(sheet + "?view=1")  # not a safe type: an attachment anyway
    assert download.headers["Content-Disposition"].startswith("attachment")
    reads = w.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "evaluation.bid_document_read")).all()
    assert len(reads) == 2
    testapp.get(re.sub(r"/\d+$", "/9", pdf_url), status=404)


def test_nobody_outside_the_committee_reads_the_bids(testapp, with_documents):
    w = with_documents
    committee, seated = sitting_committee(w)
    _login(testapp, w, seated[0])
    listing = testapp.get(f"/projects/{w.project.id}/bid-documents")
    url = re.search(r'href="([^"]+/bid-documents/\d+/\d+)"', listing.text).group(1)
    other_expert = make_user(w.dbsession, w.clock, w.settings, role=Role.EXPERT)
    owner = w.dbsession.get(User, w.project.created_by_id)
    outsiders = [other_expert, w.bidders[0], owner, w.center,
                 make_user(w.dbsession, w.clock, w.settings, role=Role.SUPERVISOR)]
    for user in outsiders:
        _login(testapp, w, user)
        testapp.get(f"/projects/{w.project.id}/bid-documents", status=403)
        testapp.get(url, status=403)
        testapp.get(url + "?view=1", status=403)
    testapp.reset()
    testapp.get(url, status=(302, 303, 403))


def test_a_member_of_another_project_cannot_read_this_one(testapp, evaluated_factory):
    first = evaluated_factory(documents=DOCS)
    _, seated = sitting_committee(first)
    _login(testapp, first, seated[0])
    url = re.search(r'href="([^"]+/bid-documents/\d+/\d+)"', testapp.get(
        f"/projects/{first.project.id}/bid-documents").text).group(1)
    second = evaluated_factory()
    _, others = sitting_committee(second)
    both = {m.user_id for m in seated}  # the draw may seat an expert on both committees
    _login(testapp, second, next(m for m in others if m.user_id not in both))
    testapp.get(url, status=403)
    testapp.get(url.replace(f"/projects/{first.project.id}/",
                            f"/projects/{second.project.id}/"), status=404)


def test_after_tabulation_the_room_and_report_show_warnings_and_reviews(testapp,
                                                                         evaluated_factory):
    from trading.bidding.models import OpeningLine

    w = evaluated_factory(prices=(80_000_000, 30_000_000, 84_000_000))
    _, seated = sitting_committee(w)
    chair = next(m for m in seated if m.is_chair)
    deviating = next(m for m in reversed(seated) if not m.is_chair)
    first = w.dbsession.scalar(sa.select(sa.func.min(OpeningLine.bid_id)))

    def marks(index, bid):  # one member far below the others on 技术方案 (30 max)
        low = seated[index].id == deviating.id and bid == first
        return {**plain_marks(index, bid), "t2": "10"} if low else plain_marks(index, bid)

    score_all(w, seated, marks)
    _login(testapp, w, chair)
    room = testapp.get(f"/projects/{w.project.id}/evaluation")
    base = f"/projects/{w.project.id}/lots/{w.lot.id}"
    done = testapp.post(f"{base}/chair/evaluate", {"csrf_token": _token(room)}, status=303)
    room = done.follow()
    assert "1条评分偏离提示待书面说明理由，1家异常低价报价待说明和认定" in room.text
    expert_name = deviating.expert.name
    assert f"{expert_name}对" in room.text and "“技术方案”评10分" in room.text
    assert "偏离该项满分的" in room.text and "提示线30%" in room.text
    assert "低于通过符合性审查的全部报价平均值的50%" in room.text
    assert "为最低报价且低于次低报价的50%" in room.text
    assert "below_mean" not in room.text and "deviation=" not in room.text
    testapp.get("/locale/en")
    english = testapp.get(f"/projects/{w.project.id}/evaluation").text
    assert f"{expert_name} gave" in english and "10 on “技术方案”" in english
    assert "below 50% of the mean of all conformity-passed prices" in english
    testapp.get("/locale/zh_CN")
    refused = testapp.post(f"{base}/chair/generate", {"csrf_token": _token(room)}, status=409)
    assert "异常低价投标待说明或认定" in refused.text
    # the bidder explains; the chair records the finding
    review = w.dbsession.scalar(sa.select(LowPriceReview))
    _login(testapp, w, w.bidders[1])
    page = testapp.get(f"/projects/{w.project.id}/low-price/{review.id}")
    assert "平均值的50%" in page.text
    testapp.post(page.request.url, {"csrf_token": _token(page),
                                    "explanation": "自有预制构件厂，材料成本见附表"}, status=303)
    _login(testapp, w, chair)
    room = testapp.get(f"/projects/{w.project.id}/evaluation")
    testapp.post(f"{base}/chair/decide", {"csrf_token": _token(room), "review_id": review.id,
                                          "accepted": "1", "reason": "成本测算可信"},
                 status=303)
    _login(testapp, w, deviating)
    sheet = testapp.get(f"{base}/sheet")
    assert "汇总发现您的评分偏离" in sheet.html.find(id="my-warnings").get_text()
    assert "“技术方案”评10分" in sheet.text
    room = sheet.click(href="#warnings")
    assert "说明成立，投标有效" in room.text and "成本测算可信" in room.text
    form = room.forms[[k for k, f in room.forms.items()
                       if "answer-warning" in (f.action or "")][0]]
    form["reason"] = "该投标人技术方案缺少关键工序"
    form.submit(status=303)
    _login(testapp, w, chair)
    room = testapp.get(f"/projects/{w.project.id}/evaluation")
    testapp.post(f"{base}/chair/generate", {"csrf_token": _token(room)}, status=303)
    report = testapp.get(f"{base}/report")
    benchmark = report.html.find(id="benchmark").get_text()
    assert "低价优先法" in benchmark and "算术平均值" not in benchmark.split("\n")[0]
    assert "评分偏离" in report.text and "该投标人技术方案缺少关键工序" in report.text
    assert "说明成立，投标有效" in report.text and "自有预制构件厂" in report.text


def test_a_clean_tabulation_says_nothing_is_left(testapp, evaluated):
    _, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, plain_marks)
    chair = next(m for m in seated if m.is_chair)
    _login(testapp, evaluated, chair)
    room = testapp.get(f"/projects/{evaluated.project.id}/evaluation")
    done = testapp.post(f"/projects/{evaluated.project.id}/lots/{evaluated.lot.id}"
                        "/chair/evaluate", {"csrf_token": _token(room)}, status=303).follow()
    assert "未发现评分偏离，无异常低价报价" in done.text
    assert "暂无评分偏离提示" in done.text and "暂无异常低价审查" in done.text


def test_the_average_benchmark_is_named_as_such():
    from trading.evaluation.rules import DEFAULT_EVALUATION
    from trading.evaluation.words import price_base_text

    price = {"formula": "average_benchmark", "weight": "0.30", "coefficient": "0.95"}
    four = price_base_text(price, priced=4, params=DEFAULT_EVALUATION).interpolate()
    assert "去掉一个最高价和一个最低价后的算术平均值乘以系数0.95" in four
    assert "去掉" not in price_base_text(price, priced=3, params=DEFAULT_EVALUATION)
    lowest = price_base_text({"formula": "low_price_first"}, priced=5,
                             params=DEFAULT_EVALUATION).interpolate()
    assert "最低" in lowest and "平均" not in lowest

