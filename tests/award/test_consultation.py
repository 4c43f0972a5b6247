"""竞争性磋商: rounds with each supplier, broadcast changes, withdrawal, the guard, sealed
final quotes revealed together."""

import pytest
from award_support import submit_final_offer
from factories import actor_for

from trading.evaluation.consultation import ConsultationService
from trading.evaluation.errors import ConsultationInvalid, ConsultationRefused, TooFewSuppliers
from trading.jobs import chronograph
from trading.projects.kinds import ProcurementMethod, ProjectType
from trading.projects.status import ProjectStatus
from trading.rounds.errors import NotEligible, WindowClosed
from trading.rounds.models import RoundState


@pytest.fixture
def consult(award_world_factory):
    return award_world_factory(bids=4, project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                               procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION)


def service(w) -> ConsultationService:
    return ConsultationService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"],
                               None, w.settings)


def test_rounds_changes_withdrawal_and_sealed_final_quotes(consult):
    w = consult
    s, center = service(w), actor_for(w.center)
    s.open_round(w.project, w.lot, actor=center)
    for bidder in w.bidders:
        s.record_session(w.project, w.lot, org_id=bidder.organisation_id,
                         text="就技术方案逐项磋商。", actor=center)
    change = s.broadcast_change(w.project, w.lot, text="交货期调整为60日。", actor=center)
    assert change.kind == "change" and change.org_id is None
    s.close_round(w.project, w.lot, actor=center)
    s.withdraw(w.project, w.lot, reason="无法满足新交货期", actor=actor_for(w.bidders[3]))
    with pytest.raises(NotEligible):
        s.record_session(w.project, w.lot, org_id=w.bidders[3].organisation_id, text="再谈",
                         actor=center)
    quotes = s.start_final_quotes(w.project, w.lot, actor=center)
    assert quotes.purpose == "final_quote" and len(quotes.parties) == 3
    with pytest.raises(ConsultationRefused, match="最后报价已开始"):
        s.withdraw(w.project, w.lot, reason="", actor=actor_for(w.bidders[0]))
    offers = w.offers()
    for bidder, amount in zip(w.bidders[:3], (1_500_000_00, 1_450_000_00, 1_520_000_00),
                              strict=True):
        submit_final_offer(offers, w.project, quotes, bidder, amount)
    w.clock.set(quotes.ends_at)
    with pytest.raises(WindowClosed):
        submit_final_offer(offers, w.project, quotes, w.bidders[0], 1)
    chronograph.sweep_kind("project")
    assert quotes.state is RoundState.DECIDED and quotes.result["outcome"] == "revealed"
    assert sorted(q["amount_fen"] for q in quotes.result["quotes"]) == [
        1_450_000_00, 1_500_000_00, 1_520_000_00]
    assert w.project.status is ProjectStatus.EVALUATION  # scoring follows


def test_too_few_suppliers_refuse_the_final_quote_and_only_termination_remains(consult):
    w = consult
    s = service(w)
    for bidder in w.bidders[:2]:
        s.withdraw(w.project, w.lot, reason="退出", actor=actor_for(bidder))
    with pytest.raises(TooFewSuppliers, match="不足3家（现2家）") as refused:
        s.start_final_quotes(w.project, w.lot, actor=actor_for(w.center))
    assert refused.value.code == "too_few_suppliers"
    assert w.project.status is ProjectStatus.EVALUATION and s.sealed.round_for(w.lot) is None
    with pytest.raises(ConsultationInvalid):
        s.terminate(w.project, reason=" ", actor=actor_for(w.center))
    s.terminate(w.project, reason="参加磋商的供应商不足3家", actor=actor_for(w.center))
    assert w.project.status is ProjectStatus.FAILED and "磋商终止" in w.project.status_reason
    with pytest.raises(ConsultationRefused):
        s.terminate(w.project, reason="再次终止", actor=actor_for(w.center))


def test_only_a_consultation_after_its_opening(award_world):
    with pytest.raises(ConsultationRefused, match="不是竞争性磋商"):
        service(award_world).open_round(award_world.project, award_world.lot,
                                        actor=actor_for(award_world.center))


def test_the_consultation_page_drives_the_panel(testapp, consult):
    from trading.accounts.service import AccountService

    w = consult
    testapp.reset()
    testapp.set_cookie("trading_auth", AccountService(w.dbsession, w.clock, w.settings)
                       .start_session(w.center, ip=""))
    page = f"/projects/{w.project.id}/consultation"
    form = testapp.get(page).forms["panel-1"]
    form["action"] = "open"
    form.submit().follow()
    form = testapp.get(page).forms["panel-1"]
    form["action"], form["text"] = "change", "交货期调整为60日。"
    shown = form.submit().follow()
    assert shown.request.path == page, shown.request.url
    assert "变更通知" in shown.text and "交货期调整为60日" in shown.text
    form = shown.forms["panel-1"]
    form["action"] = "final"
    refused = form.submit(status=409)  # the round is still open
    assert "请先结束当前磋商轮次" in refused.text
