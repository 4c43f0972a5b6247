"""竞争性磋商 end to end: rounds, a withdrawal, sealed final quotes revealed together, the
panel scoring the final responses, the price score from the final quotes (§2.4), the
minimum-supplier guard, the signed report and the publicity it feeds."""

import io
from decimal import Decimal as D

import pytest
from evaluation.helpers import actor_of, sitting_committee
from factories import actor_for

from bid_crypto import seal_bid
from trading.award.service import AwardService
from trading.bidding.service import bidder_ref, project_ref
from trading.evaluation.consultation import ConsultationService
from trading.evaluation.errors import EvaluationConflict, TooFewSuppliers
from trading.evaluation.scoring import Mark, SheetService
from trading.evaluation.service import REPORT_CONFIRMATION, EvaluationService
from trading.projects.kinds import ObjectType, ProcurementMethod, ProjectType
from trading.projects.status import ProjectStatus
from trading.rounds.service import round_ref

WAN = 1_000_000
ITEMS = [
    {"item_id": "q1", "name": "符合性审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "t1", "name": "类似项目业绩", "kind": "objective", "max_score": "10",
     "step": "1"},
    {"item_id": "t2", "name": "服务方案", "kind": "subjective", "max_score": "60",
     "step": "0.5"},
]
PRICE = {"formula": "low_price_first", "weight": "0.30"}  # services: 10 %–30 %


@pytest.fixture
def consult(evaluated_factory):
    """Four responses opened (under the 90 万 ceiling), a 3-member panel sitting."""
    w = evaluated_factory(prices=(80 * WAN, 78 * WAN, 84 * WAN, 86 * WAN), items=ITEMS,
                          price=PRICE, project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                          object_type=ObjectType.SERVICES,
                          procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION)
    assert w.project.status is ProjectStatus.EVALUATION
    w.committee, w.members = sitting_committee(w, count=3, reserves=0, pool=8)
    return w


def panel(w) -> ConsultationService:
    return ConsultationService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"],
                               None, w.settings)


def evaluation(w) -> EvaluationService:
    return EvaluationService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])


def final_quotes(w, amounts, *, withdraw=(3,)):
    """One round, the given suppliers withdraw, the others quote; then the reveal."""
    s, center = panel(w), actor_for(w.center)
    s.open_round(w.project, w.lot, actor=center)
    s.broadcast_change(w.project, w.lot, text="服务期调整为两年。", actor=center)
    s.close_round(w.project, w.lot, actor=center)
    for i in withdraw:
        s.withdraw(w.project, w.lot, reason="不能满足变更后的需求", actor=actor_for(w.bidders[i]))
    quotes = s.start_final_quotes(w.project, w.lot, actor=center)
    for i, amount in amounts.items():
        s.submit_envelope(w.project, w.lot, stream=sealed(w, quotes, w.bidders[i], amount),
                          actor=actor_for(w.bidders[i]))
    return quotes


def reveal(w, quotes):
    w.clock.set(quotes.ends_at)
    w.advance()
    assert quotes.result["outcome"] == "revealed"


TECH = {0: "50", 1: "40", 2: "55"}  # 服务方案 per supplier index, the same from every member


def score(w, *, submit=True):
    sheets = SheetService(w.dbsession, w.clock)
    org_index = {b.organisation_id: i for i, b in enumerate(w.bidders)}
    for member in w.members:
        actor = actor_of(w, member)
        sheet = sheets.sheet(member, w.lot, actor=actor)
        _items, lines = sheets.grid(sheet)
        marks = []
        for line in lines:
            i = org_index[line.bid.bidder_org_id]
            marks += [Mark(line.bid_id, "q1", passed=True), Mark(line.bid_id, "t1", value="8"),
                      Mark(line.bid_id, "t2", value=TECH.get(i, "30"))]
        sheets.save(sheet, marks, actor=actor)
        if submit:
            sheets.submit(sheet, actor=actor)


def test_a_consultation_ends_with_scored_ranked_candidates_and_its_publicity(consult):
    w = consult
    quotes = final_quotes(w, {0: 75 * WAN, 1: 72 * WAN, 2: 80 * WAN})
    with pytest.raises(EvaluationConflict, match="最后报价尚未揭示"):
        score(w)  # the panel scores the final responses, after the final quotes
    reveal(w, quotes)
    assert quotes.result["valid"] == 3 and quotes.result["proceed"] is True
    score(w)
    work, chair = evaluation(w).work(), actor_of(w, w.members[0])
    report = work.generate(w.project, w.lot, actor=chair)
    body = report.body
    assert body["price_source"] == "final_quote" and body["benchmark_price"] == 72 * WAN
    by_org = {b["bidder_org_id"]: b for b in body["bids"]}
    org = [b.organisation_id for b in w.bidders]
    assert org[3] not in by_org  # withdrew before the final quote
    # 72/75 × 30 = 28.80, 72/72 → 30.00, 72/80 × 30 = 27.00; + 8 + 服务方案
    assert [(by_org[o]["price"], by_org[o]["price_score"], by_org[o]["total"])
            for o in org[:3]] == [(75 * WAN, "28.80", "86.80"), (72 * WAN, "30.00", "78.00"),
                                  (80 * WAN, "27.00", "90.00")]
    assert [c["bidder_org_id"] for c in body["candidates"]] == [org[2], org[0], org[1]]
    for member in w.members:
        work.sign(report, confirmation=REPORT_CONFIRMATION, agrees=True, dissent="",
                  actor=actor_of(w, member))
    assert w.project.status is ProjectStatus.CANDIDATES_PUBLICISED
    candidates = evaluation(w).candidates(w.lot)
    assert [(c.bidder_org_id, c.rank, c.price, c.total_score) for c in candidates] == [
        (org[2], 1, 80 * WAN, D("90.00")), (org[0], 2, 75 * WAN, D("86.80")),
        (org[1], 3, 72 * WAN, D("78.00"))]
    source, shown = AwardService(w.dbsession, w.clock).gather_candidates(w.project)
    assert source == "evaluation" and [c["price_fen"] for c in shown][:1] == [80 * WAN]


def sealed(w, final_round, bidder, amount) -> io.BytesIO:
    """A final quote sealed on the supplier's machine, as the CLI would."""
    out = io.BytesIO()
    seal_bid(out, panel(w).sealed.public_key(final_round),
             offer={"total_price": amount, "currency": "CNY"}, documents=[],
             project=project_ref(w.project), lot=round_ref(final_round),
             bidder=bidder_ref(bidder.organisation_id), custody="auto", chunk_size=1024)
    out.seek(0)
    return out


def test_quotes_above_the_ceiling_or_missing_do_not_count_and_the_guard_refuses(consult):
    w = consult
    quotes = final_quotes(w, {0: 75 * WAN})
    # sealed on its own machine, the 95 万 (> the 90 万 ceiling) shows only at the reveal
    panel(w).submit_envelope(w.project, w.lot, stream=sealed(w, quotes, w.bidders[1], 95 * WAN),
                             actor=actor_for(w.bidders[1]))
    reveal(w, quotes)  # supplier 2 sent nothing
    excluded = {q["bidder"]: q["excluded"] for q in quotes.result["quotes"]}
    assert sorted(excluded.values()) == ["", "above_ceiling", "no_quote"]
    assert quotes.result["proceed"] is False and quotes.result["minimum"] == 3
    score(w)  # the panel may still record its scores of the one response in
    before = w.project.status
    with pytest.raises(TooFewSuppliers, match="不足3家") as refused:
        evaluation(w).work().generate(w.project, w.lot, actor=actor_of(w, w.members[0]))
    assert refused.value.code == "too_few_suppliers" and w.project.status is before
    panel(w).terminate(w.project, reason="有效最后报价不足3家", actor=actor_for(w.center))
    assert w.project.status is ProjectStatus.FAILED and "磋商终止" in w.project.status_reason


def test_an_exception_flagged_project_goes_on_with_two(evaluated_factory):
    w = evaluated_factory(prices=(80 * WAN, 78 * WAN, 84 * WAN), items=ITEMS, price=PRICE,
                          project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                          object_type=ObjectType.SERVICES,
                          procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION)
    profile = w.project.rule_profile
    profile.params = {**profile.params, "consult.exception": "gov_services_two_qualified"}
    w.committee, w.members = sitting_committee(w, count=3, reserves=0, pool=8)
    quotes = final_quotes(w, {0: 75 * WAN, 1: 72 * WAN}, withdraw=(2,))
    reveal(w, quotes)
    assert quotes.result["proceed"] is True and quotes.result["minimum"] == 2
    score(w)
    report = evaluation(w).work().generate(w.project, w.lot, actor=actor_of(w, w.members[0]))
    assert len(report.body["candidates"]) == 2


def test_consultation_criteria_may_not_average_the_quotes(evaluated_factory):
    from trading.evaluation.errors import EvaluationInvalid

    with pytest.raises(EvaluationInvalid, match="最低|不得"):
        evaluated_factory(items=ITEMS, price={"formula": "average_benchmark", "weight": "0.30"},
                          procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION,
                          object_type=ObjectType.SERVICES)


def test_the_sheet_shows_the_final_quotes_and_waits_for_their_reveal(testapp, consult):
    """The panel scores the final responses: each column carries the final quote."""
    from trading.accounts.models import User

    w = consult
    quotes = final_quotes(w, {0: 75 * WAN, 1: 72 * WAN, 2: 80 * WAN})
    testapp.login(w.dbsession.get(User, w.members[1].user_id).username)
    url = f"/projects/{w.project.id}/lots/{w.lot.id}/sheet"
    waiting = testapp.get(url)
    assert "最后报价尚未揭示" in waiting.text and 'name="submit"' not in waiting.text
    assert "最后报价 —" in waiting.text
    reveal(w, quotes)  # the window outlasts the idle timeout: the member signs in again
    testapp.login(w.dbsession.get(User, w.members[1].user_id).username)
    sheet = testapp.get(url)
    assert "最后报价尚未揭示" not in sheet.text and 'name="submit"' in sheet.text
    assert "最后报价 720,000.00" in sheet.text and "780,000.00" not in sheet.text  # not 1st
