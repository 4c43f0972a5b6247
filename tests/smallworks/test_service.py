"""SmallWorksService against the database: registry, projects, allocation, declines, credit."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import (
    actor_for,
    enterprise_input,
    make_enterprise,
    make_user,
    smallwork_input,
    smallworks_service,
)

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.draws.models import Draw, DrawStatus
from trading.draws.record import verify_record
from trading.smallworks import errors
from trading.smallworks.models import Decline, Enterprise, SmallWork
from trading.smallworks.status import AllocationStatus as A
from trading.smallworks.status import RegistryStatus as R
from trading.storage import FileTooLarge


@pytest.fixture
def service(dbsession, clock, registry):
    return smallworks_service(dbsession, clock, registry)


@pytest.fixture
def owner(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.OWNER)


@pytest.fixture
def center(dbsession, clock, settings):
    return actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))


@pytest.fixture
def firms(dbsession, clock, settings, registry):
    return [make_enterprise(dbsession, clock, settings, registry, grade=2) for _ in range(4)]


def count(dbsession, model):
    return dbsession.scalar(sa.select(sa.func.count()).select_from(model))


def audit_actions(dbsession, prefix="smallworks."):
    query = sa.select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%"))
    return list(dbsession.scalars(query.order_by(AuditEvent.seq)))


def post(service, clock, owner, **kw):
    return service.post(owner.organisation, smallwork_input(clock, **kw), actor=actor_for(owner))


def winner_actor(dbsession, work):
    from trading.accounts.models import User

    user = dbsession.scalar(sa.select(User).where(
        User.organisation_id == work.winner.organisation_id))
    return actor_for(user)


# --- registry ---------------------------------------------------------------------------


def test_apply_review_and_activate(dbsession, clock, settings, registry, service, center):
    user = make_user(dbsession, clock, settings, role=Role.BIDDER)
    entry = service.apply(user.organisation, enterprise_input(clock), actor=actor_for(user))
    assert entry.status is R.APPLIED and entry.credit_code == user.organisation.credit_code
    service.return_entry(entry, reasons="安全生产许可证扫描件不清晰", actor=center)
    assert entry.status is R.RETURNED
    service.resubmit(entry, enterprise_input(clock, categories=("roads",)), actor=center)
    assert entry.status is R.APPLIED
    assert [str(q.category) for q in entry.qualifications] == ["roads"]
    service.approve_entry(entry, actor=center)
    assert entry.status is R.ACTIVE
    assert audit_actions(dbsession)[-2:] == ["smallworks.enterprise.approved",
                                             "smallworks.enterprise.activated"]


def test_a_credit_code_already_in_the_registry_is_refused(dbsession, clock, settings,
                                                          registry, service):
    entry = make_enterprise(dbsession, clock, settings, registry)
    before = (count(dbsession, Enterprise), count(dbsession, AuditEvent))
    with pytest.raises(errors.DuplicateCreditCode, match="已在企业库中") as error:
        service.apply(entry.organisation, enterprise_input(clock),
                      actor=actor_for(entry.organisation.users[0]))
    assert error.value.code == "duplicate_credit_code" and error.value.field == "credit_code"
    assert (count(dbsession, Enterprise), count(dbsession, AuditEvent)) == before


@pytest.mark.parametrize(("overrides", "field"), [
    ({"integrity_commitment": False}, "integrity_commitment"),
    ({"qualifications": ()}, "qualifications"),
    ({"local_insured_staff": 0}, "local_insured_staff"),
    ({"managers": ()}, "managers"),
])
def test_incomplete_applications_are_refused(dbsession, clock, settings, service, overrides,
                                             field):
    user = make_user(dbsession, clock, settings, role=Role.BIDDER)
    with pytest.raises(errors.ApplicationInvalid) as error:
        service.apply(user.organisation, enterprise_input(clock, **overrides),
                      actor=actor_for(user))
    assert error.value.field == field
    assert count(dbsession, Enterprise) == 0


def test_center_suspends_reinstates_and_exits_for_cause(dbsession, clock, settings, registry,
                                                        service, center):
    entry = make_enterprise(dbsession, clock, settings, registry)
    service.suspend(entry, reason="施工现场安全事故", actor=center)
    assert entry.status is R.SUSPENDED
    service.reinstate(entry, actor=center)
    service.exit(entry, reason="提供虚假材料", actor=center)
    assert entry.status is R.EXITED
    with pytest.raises(errors.NotNow, match="出库"):
        service.reinstate(entry, actor=center)


def test_sweep_gives_notice_then_suspends_on_an_expired_licence(dbsession, clock, settings,
                                                                registry, service):
    soon = clock().date() + timedelta(days=20)
    entry = make_enterprise(dbsession, clock, settings, registry, safety_until=soon)
    system = actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))
    assert service.sweep(actor=system) == {"noticed": 1}
    assert entry.expiry_notice_for == soon and entry.status is R.ACTIVE
    assert service.sweep(actor=system) == {}  # one notice per expiry
    clock.advance(days=21)
    assert service.sweep(actor=system) == {"suspended": 1}
    assert entry.status is R.SUSPENDED and "安全生产许可证" in entry.status_reason


# --- projects -----------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [400_000_000, 400_000_001])
def test_an_amount_at_or_above_the_threshold_is_refused(dbsession, clock, service, owner,
                                                        amount):
    before = count(dbsession, AuditEvent)
    with pytest.raises(errors.AtOrAboveThreshold, match="必须招标限额 4,000,000.00 元") as e:
        post(service, clock, owner, amount=amount)
    assert e.value.code == "above_tender_threshold" and e.value.field == "amount"
    assert count(dbsession, SmallWork) == 0 and count(dbsession, AuditEvent) == before


def test_a_likely_split_is_flagged_and_needs_the_centers_decision(dbsession, clock, service,
                                                                  owner, center, firms):
    post(service, clock, owner, name="某小学围墙维修工程一期", amount=250_000_000)
    second = post(service, clock, owner, name="某小学围墙维修工程二期", amount=200_000_000)
    assert second.split_flag["total"] == 450_000_000
    with pytest.raises(errors.SplitDecisionMissing):
        service.approve_project(second, actor=center)
    assert second.status is A.SUBMITTED
    service.approve_project(second, actor=center, split_decision="两期分属不同批复，已核实")
    assert second.status is A.POOL_FROZEN


# --- allocation ---------------------------------------------------------------------------


def test_lottery_freezes_the_pool_with_exclusion_reasons_and_draws(
        dbsession, clock, settings, registry, service, owner, center, firms):
    expired = make_enterprise(dbsession, clock, settings, registry,
                              safety_until=clock().date() + timedelta(days=1))
    clock.advance(days=2)
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    assert work.status is A.POOL_FROZEN
    assert {c["id"] for c in work.eligible} == {str(f.id) for f in firms}
    assert work.excluded == [{"id": str(expired.id), "label": expired.name,
                              "reasons": ["safety_licence_expired"]}]
    draw = dbsession.get(Draw, work.draw_id)
    assert draw.status is DrawStatus.COMMITTED and draw.count == 1
    service.draw(work, actor=center)
    assert work.status is A.DRAWN and str(work.winner_id) in {c["id"] for c in work.eligible}
    assert work.respond_by == clock() + timedelta(hours=24)
    assert verify_record(service.draws.record_of(draw)).valid


def test_a_decline_draws_the_next_from_the_same_frozen_list(dbsession, service, clock, owner,
                                                            center, firms):
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    first = work.winner
    service.decline(work, first, reason="人员不足", actor=winner_actor(dbsession, work))
    draw = dbsession.get(Draw, work.draw_id)
    assert work.status is A.DRAWN and work.winner_id != first.id
    assert draw.follow_ups[0]["declined"] == [str(first.id)]
    assert draw.follow_ups[0]["result"] == [str(work.winner_id)]
    assert verify_record(service.draws.record_of(draw)).valid


def test_confirmation_after_its_time_is_refused_and_changes_nothing(dbsession, service, clock,
                                                                    owner, center, firms):
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    clock.advance(hours=24, seconds=1)
    before = count(dbsession, AuditEvent)
    with pytest.raises(errors.ResponseClosed, match="确认期限已过"):
        service.accept(work, work.winner, manager="张工", actor=winner_actor(dbsession, work))
    assert work.status is A.DRAWN and work.accepted_at is None
    assert count(dbsession, AuditEvent) == before
    # the sweep treats the silence as a decline and draws the next
    silent = work.winner_id
    service.sweep(actor=center)
    assert work.status is A.DRAWN and work.winner_id != silent


def test_only_the_drawn_enterprise_may_answer(dbsession, service, clock, owner, center, firms):
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    other = next(f for f in firms if f.id != work.winner_id)
    with pytest.raises(errors.NotTheWinner):
        service.accept(work, other, manager="张工", actor=center)


def test_two_unjustified_declines_in_twelve_months_suspend(dbsession, service, clock, owner,
                                                           center, firms):
    victim = firms[0]
    for other in firms[1:]:  # double-random: the best credit is drawn each time
        other.credit_score = Decimal("50")
    for _ in range(2):
        assert victim.status is R.ACTIVE
        work = post(service, clock, owner, method="double_random_credit")
        service.approve_project(work, actor=center)
        service.draw(work, actor=center)
        assert work.winner_id == victim.id
        service.decline(work, victim, reason="另有任务", actor=winner_actor(dbsession, work))
        assert work.status is A.DRAWN and work.winner_id != victim.id
        clock.advance(days=30)
    assert victim.status is R.SUSPENDED
    assert victim.suspended_until == (clock() - timedelta(days=30)).date().replace(month=10)
    assert victim.credit_score == Decimal("70.00")  # 80 initial − 2 × 5 per decline
    assert count(dbsession, Decline) == 2


def test_a_sub_specialty_restricts_the_pool_and_the_record_says_why(
        dbsession, clock, settings, registry, service, owner, center):
    fitters = [make_enterprise(dbsession, clock, settings, registry, sub_specialty=sub)
               for sub in ("装饰装修", "装饰 装修", "装饰装修")]
    gardener = make_enterprise(dbsession, clock, settings, registry, sub_specialty="园林绿化")
    general = make_enterprise(dbsession, clock, settings, registry)
    work = post(service, clock, owner, sub_specialty="装饰装修")
    service.approve_project(work, actor=center)
    assert {c["id"] for c in work.eligible} == {str(f.id) for f in fitters}
    assert {c["attributes"]["sub_specialty"] for c in work.eligible} == {"装饰装修",
                                                                          "装饰 装修"}
    assert sorted((e["id"], e["reasons"]) for e in work.excluded) == sorted(
        (str(f.id), ["no_sub_specialty"]) for f in (gardener, general))
    service.draw(work, actor=center)
    assert work.winner_id in {f.id for f in fitters}


def _decline_twice(dbsession, service, clock, owner, center, firms):
    """The best-credit firm drawn and declining twice, 30 days apart: suspended."""
    victim = firms[0]
    for other in firms[1:]:
        other.credit_score = Decimal("50")
    works = []
    for _ in range(2):
        work = post(service, clock, owner, method="double_random_credit")
        service.approve_project(work, actor=center)
        service.draw(work, actor=center)
        service.decline(work, victim, reason="另有任务", actor=winner_actor(dbsession, work))
        works.append(work)
        clock.advance(days=30)
    return victim, works


def _decline_of(service, work, victim):
    return next(d for d in service.declines_of(work) if d.enterprise_id == victim.id)


def test_a_justified_decline_lifts_the_suspension_it_caused(dbsession, service, clock, owner,
                                                            center, firms):
    victim, works = _decline_twice(dbsession, service, clock, owner, center, firms)
    assert victim.status is R.SUSPENDED and victim.suspension_cause == "declines"
    decline = _decline_of(service, works[0], victim)
    service.decide_decline(works[0], decline.id, justified=True, reason="突发疫情停工，有证明",
                           actor=center)
    assert decline.justified and decline.decided_at == clock()
    assert decline.decision_reason == "突发疫情停工，有证明"
    assert victim.status is R.ACTIVE and victim.suspended_until is None
    assert victim.credit_score == Decimal("75.00")  # one unjustified decline left
    assert audit_actions(dbsession)[-2:] == ["smallworks.decline.justified",
                                             "smallworks.enterprise.reinstated"]
    # the center changes its mind: unjustified again, the firm is suspended again
    service.decide_decline(works[0], decline.id, justified=False, reason="证明材料系伪造",
                           actor=center)
    assert victim.status is R.SUSPENDED and victim.credit_score == Decimal("70.00")


def test_only_unjustified_declines_count_towards_the_suspension(dbsession, service, clock,
                                                                owner, center, firms):
    victim = firms[0]
    for other in firms[1:]:
        other.credit_score = Decimal("50")
    work = post(service, clock, owner, method="double_random_credit")
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    service.decline(work, victim, reason="设备损坏", actor=winner_actor(dbsession, work))
    service.decide_decline(work, _decline_of(service, work, victim).id, justified=True,
                           reason="设备损坏属实", actor=center)
    clock.advance(days=30)
    second = post(service, clock, owner, method="double_random_credit", name="再一项维修")
    service.approve_project(second, split_decision="不同工程", actor=center)
    service.draw(second, actor=center)
    service.decline(second, victim, reason="另有任务", actor=winner_actor(dbsession, second))
    assert victim.status is R.ACTIVE  # one unjustified decline in 12 months
    service.decide_decline(second, _decline_of(service, second, victim).id, justified=False,
                           reason="理由不成立", actor=center)
    assert victim.status is R.ACTIVE


def test_justifying_does_not_lift_a_suspension_for_another_cause(dbsession, service, clock,
                                                                 owner, center, firms):
    victim, works = _decline_twice(dbsession, service, clock, owner, center, firms)
    service.reinstate(victim, actor=center)
    service.suspend(victim, reason="施工现场安全事故", actor=center)
    decline = _decline_of(service, works[1], victim)
    service.decide_decline(works[1], decline.id, justified=True, reason="属实", actor=center)
    assert victim.status is R.SUSPENDED and victim.suspension_cause == "center"
    assert victim.status_reason == "施工现场安全事故"


@pytest.mark.parametrize(("decline_id", "justified", "reason", "error", "field"), [
    (None, True, "", errors.ApplicationInvalid, "reason"),
    (None, True, "  ", errors.ApplicationInvalid, "reason"),
    (999_999, True, "属实", errors.ApplicationInvalid, "decline_id"),
    (0, True, "属实", errors.ApplicationInvalid, "decline_id"),
    ("other", True, "属实", errors.ApplicationInvalid, "decline_id"),  # another work's
    ("decided", False, "再次认定", errors.NotNow, "decision"),  # the same decision again
])
def test_bad_decline_decisions_are_refused_and_change_nothing(
        dbsession, service, clock, owner, center, firms, decline_id, justified, reason,
        error, field):
    victim, works = _decline_twice(dbsession, service, clock, owner, center, firms)
    first, second = (_decline_of(service, w, victim) for w in works)
    service.decide_decline(works[1], second.id, justified=False, reason="不成立", actor=center)
    target = {None: first.id, "other": second.id, "decided": second.id}.get(decline_id,
                                                                          decline_id)
    on = works[1] if decline_id == "decided" else works[0]
    before = (count(dbsession, AuditEvent), victim.status, first.justified, first.decided_at)
    with pytest.raises(error) as raised:
        service.decide_decline(on, target, justified=justified, reason=reason, actor=center)
    assert raised.value.field == field
    assert (count(dbsession, AuditEvent), victim.status, first.justified,
            first.decided_at) == before


def test_accept_contract_complete_and_evaluate_feed_credit(dbsession, service, clock, owner,
                                                           center, firms):
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    winner = work.winner
    service.accept(work, winner, manager="张工", actor=winner_actor(dbsession, work))
    assert work.status is A.PUBLICITY
    with pytest.raises(errors.NotNow, match="公示期未满"):
        service.contract(work, actor=center)
    clock.advance(days=3)
    service.contract(work, actor=center)
    service.complete(work, completed_on=clock().date(), on_time=True, quality_accepted=True,
                     actor=actor_for(owner))
    service.evaluate(work, score=Decimal("95"), actor=actor_for(owner))
    # 0.6 × 95 + 0.2 × 100 + 0.2 × 100
    assert work.status is A.EVALUATED and winner.credit_score == Decimal("97.00")


def test_a_win_puts_the_enterprise_in_cool_down_for_the_next_pool(dbsession, service, clock,
                                                                  owner, center, firms):
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    service.accept(work, work.winner, manager="张工", actor=center)
    nxt = post(service, clock, owner, name="另一条道路修补", site="仓山区")
    service.approve_project(nxt, actor=center)
    reasons = {e["id"]: e["reasons"] for e in nxt.excluded}
    assert reasons == {str(work.winner_id): ["cool_down"]}


def test_rotation_takes_the_never_awarded_first_and_breaks_ties_by_lottery(
        dbsession, service, clock, owner, center, firms):
    work = post(service, clock, owner, method="rotation")
    service.approve_project(work, actor=center)
    assert work.draw_id is None
    service.draw(work, actor=center)
    tie = service.draws.draws_for("smallworks_project", work.id)
    assert len(tie) == 1 and "轮候并列" in tie[0].purpose
    assert str(work.winner_id) == tie[0].result[0]


def test_double_random_takes_the_best_credit_on_the_short_list(
        dbsession, service, clock, owner, center, firms):
    firms[2].credit_score = Decimal("91.50")
    work = post(service, clock, owner, method="double_random_credit")
    service.approve_project(work, actor=center)
    assert work.draw_id is None and sorted(work.short_list) == sorted(
        str(f.id) for f in firms)  # 4 firms ≤ short list of 5: everyone is on it
    service.draw(work, actor=center)
    assert work.winner_id == firms[2].id and "credit_score=91.50" in work.decided_by


def test_a_pool_too_small_fails(dbsession, service, clock, owner, center, firms):
    for firm in firms[:2]:
        service.suspend(firm, reason="测试", actor=center)
    work = post(service, clock, owner)
    service.approve_project(work, actor=center)
    assert work.status is A.FAILED and "不足 3 家" in work.failure_reason


# --- reasonable low price: sealed quotes -----------------------------------------------------


def quoting_work(service, clock, owner, center):
    work = post(service, clock, owner, method="reasonable_low_price")
    service.approve_project(work, actor=center)
    assert work.opening_key and work.wrapped_key
    service.draw(work, actor=center)  # 4 firms ≤ short list: everyone quotes
    assert work.status is A.POOL_FROZEN and work.quotes_due_at == clock() + timedelta(days=2)
    return work


def test_reasonable_low_price_seals_quotes_and_awards_the_lowest_reasonable(
        dbsession, service, clock, owner, center, firms):
    work = quoting_work(service, clock, owner, center)
    prices = {firms[0]: 46_000_000, firms[1]: 44_000_000, firms[2]: 30_000_000}
    for firm, price in prices.items():
        quote = service.submit_quote(work, firm, price=price, actor=center)
        assert str(price).encode() not in quote.envelope and b"price_fen" not in quote.envelope
    with pytest.raises(errors.NotNow, match="截止前不能开启"):
        service.open_quotes(work, actor=center)
    clock.advance(days=2, seconds=1)
    with pytest.raises(errors.ResponseClosed):
        service.submit_quote(work, firms[3], price=40_000_000, actor=center)
    service.open_quotes(work, actor=center)
    # floor = max(50万 × 0.85, mean 40万 × 0.90) = 42.5万: 30万 is unreasonably low
    assert work.status is A.DRAWN and work.winner_id == firms[1].id
    assert "floor_fen=42500000" in work.decided_by and work.wrapped_key is None
    service.decline(work, firms[1], reason="报价有误", actor=center)
    assert work.winner_id == firms[0].id  # the next reasonable quote, floor unchanged


@pytest.mark.parametrize("price", [0, 50_000_001])
def test_a_quote_outside_zero_to_the_estimate_is_refused(dbsession, service, clock, owner,
                                                         center, firms, price):
    work = quoting_work(service, clock, owner, center)
    with pytest.raises(errors.ApplicationInvalid, match="不超过工程估算金额"):
        service.submit_quote(work, firms[0], price=price, actor=center)
    assert service.quotes_of(work) == []


# --- parameters from the RuleProfile row ------------------------------------------------


def _profile(service, **changes):
    from trading.smallworks import rules

    return {**rules.profile_from_params(service.params),
            **{f"smallworks.{k}": v for k, v in changes.items()}}


def test_the_seeded_profile_holds_the_defaults(service):
    from trading.smallworks import rules

    profile = service.current_profile()
    assert profile.code == "smallworks" and profile.version >= 1
    assert service.params == rules.SmallWorksParams()


def test_a_new_profile_version_drives_new_pools_and_old_works_keep_theirs(
        dbsession, clock, settings, registry, service, owner, center, firms):
    before = post(service, clock, owner)
    service.approve_project(before, actor=center)
    version = service.current_profile().version
    assert before.profile_version == version
    assert before.params["smallworks.confirmation_hours"] == 24
    profile = service.update_profile(_profile(service, confirmation_hours=48,
                                              max_active_contracts=1), actor=center)
    assert profile.version == version + 1
    assert audit_actions(dbsession)[-1] == "smallworks.profile.updated"
    fresh = smallworks_service(dbsession, clock, registry)  # as the next request sees it
    assert fresh.params.decline_window == timedelta(hours=48)
    fresh.draw(before, actor=center)
    assert before.respond_by - before.notified_at == timedelta(hours=24)  # its own version
    after = post(fresh, clock, owner, name="另一所小学围墙维修", site="别处")
    fresh.approve_project(after, actor=center)
    fresh.draw(after, actor=center)
    assert after.profile_version == version + 1
    assert after.respond_by - after.notified_at == timedelta(hours=48)
    # the first work's winner now runs a contract: the new cap of 1 excludes it
    fresh.accept(before, before.winner, manager="张工", actor=winner_actor(dbsession, before))
    third = post(fresh, clock, owner, name="第三项维修", site="又一处")
    fresh.approve_project(third, actor=center)
    reasons = {e["id"]: e["reasons"] for e in third.excluded}
    assert "concurrent_contract_cap" in reasons[str(before.winner_id)]


@pytest.mark.parametrize(("changes", "field"), [
    ({"max_active_contracts": 0}, "smallworks.max_active_contracts"),
    ({"confirmation_hours": "24"}, "smallworks.confirmation_hours"),
    ({"tiers": [{"upper_fen": 500_000_000, "grade": 3}, {"upper_fen": None, "grade": 2}]},
     "smallworks.tiers"),
    ({"tiers": [{"upper_fen": 30_000_000, "grade": 3}]}, "smallworks.tiers"),
])
def test_bad_parameters_are_refused_and_change_nothing(dbsession, service, center, changes,
                                                       field):
    from trading.projects.models import RuleProfile

    before = (count(dbsession, RuleProfile), count(dbsession, AuditEvent), service.params)
    with pytest.raises(errors.ApplicationInvalid) as error:
        service.update_profile(_profile(service, **changes), actor=center)
    assert error.value.field == field
    assert (count(dbsession, RuleProfile), count(dbsession, AuditEvent),
            service.params) == before


def test_saving_the_same_parameters_is_refused(dbsession, service, center):
    with pytest.raises(errors.NotNow, match="参数没有变化"):
        service.update_profile(_profile(service), actor=center)


# --- the budget approval file -------------------------------------------------------------


def _with_file(clock, name, content, **kw):
    import io

    from trading.smallworks.service import BudgetFile

    return smallwork_input(clock, budget_file=BudgetFile(name, io.BytesIO(content)), **kw)


def test_the_budget_file_is_stored_by_its_digest_with_a_clean_name(
        dbsession, clock, registry, service, owner):
    import hashlib

    content = b"\x89PNG\r\n\x1a\n" + b"scan" * 100
    work = service.post(owner.organisation,
                        _with_file(clock, "../../etc/<预算>\x00批复.png", content),
                        actor=actor_for(owner))
    assert work.budget_file_sha256 == hashlib.sha256(content).hexdigest()
    assert work.budget_file_type == "image/png" and work.budget_file_size == len(content)
    assert work.budget_file_name == "预算批复.png"  # no path, no markup, no control bytes
    assert service.budget_file_path(work).read_bytes() == content


@pytest.mark.parametrize(("name", "content", "error", "message"), [
    (None, None, errors.ApplicationInvalid, "请上传预算批复文件"),
    ("批复.pdf", b"", errors.ApplicationInvalid, "是空的"),
    ("批复.pdf", b"MZ\x90\x00 not a pdf", errors.ApplicationInvalid, "PDF、JPG 或 PNG"),
    ("批复.exe", b"<html><script>", errors.ApplicationInvalid, "PDF、JPG 或 PNG"),
    ("批复.pdf", b"%PDF-1.4\n" + b"x" * (10 * 1024 * 1024), FileTooLarge, "超过 10 MiB"),
])
def test_bad_budget_files_are_refused_and_change_nothing(dbsession, clock, registry, service,
                                                         owner, name, content, error, message):
    import os

    data = (smallwork_input(clock, budget_file=None) if name is None
            else _with_file(clock, name, content))
    root = registry["storage"].root
    stored = sum(len(files) for _, _, files in os.walk(root))
    with pytest.raises(error, match=message) as raised:
        service.post(owner.organisation, data, actor=actor_for(owner))
    assert raised.value.field == "budget_file"
    assert count(dbsession, SmallWork) == 0
    assert sum(len(files) for _, _, files in os.walk(root)) == stored
