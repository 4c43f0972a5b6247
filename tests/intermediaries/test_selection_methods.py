"""Each selection method through the service, as a table of the rules' edge cases:
ties, too few registrants, all quotes equal, the owner's choice out of bounds."""

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import actor_for

from trading.audit.models import AuditEvent
from trading.draws.record import verify_record
from trading.intermediaries import rules as r
from trading.intermediaries.models import Purchase
from trading.intermediaries.rules import AmountMode, FundingSource, SelectionMethod
from trading.intermediaries.status import PurchaseStatus

P, M = PurchaseStatus, SelectionMethod
STATE, PRIVATE = FundingSource.STATE_FUNDS, FundingSource.PRIVATE


def quoted(im, method, prices, funding=STATE, **kw):
    """A purchase where len(prices) firms register and quote (yuan → 分); at selection."""
    firms = [im.intermediary() for _ in prices]
    purchase = im.purchase(method=method, funding=funding, **kw)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    if purchase.status is P.BIDDING:
        for firm, price in zip(firms, prices, strict=True):
            if price is not None:
                im.quote(purchase, firm, price)
    im.to_selection(purchase)
    return purchase, firms


def winner_price(purchase):
    return next(g.price_fen for g in purchase.registrations
                if g.org_id == purchase.selected_org_id)


@pytest.mark.parametrize("prices,funding,expected", [
    ([30_000_00, 25_000_00, 35_000_00], STATE, 25_000_00),   # unique lowest wins
    ([25_000_00, 25_000_00, 35_000_00], STATE, 25_000_00),   # tie → lottery among the two
    ([30_000_00, 30_000_00, 30_000_00], STATE, 30_000_00),   # all equal → lottery of all
    ([30_000_00, 25_000_00], STATE, None),                   # state funds need 3
    ([30_000_00, 25_000_00], PRIVATE, 25_000_00),            # private needs 2
    ([30_000_00, 25_000_00, None], STATE, None),             # a missing quote does not count
])
def test_lowest_price(im, refused, prices, funding, expected):
    purchase, _ = quoted(im, M.LOWEST_PRICE, prices, funding)
    if expected is None:
        assert purchase.status in (P.EXPIRED,)
        return
    assert purchase.status is P.SELECTED and winner_price(purchase) == expected
    ties = im.service.draws_of(purchase)
    tied = sum(1 for p in prices if p == expected)
    assert len(ties) == (1 if tied > 1 else 0)
    for draw in ties:
        assert verify_record(im.service.draws.record_of(draw)).valid
        assert len(draw.candidates) == tied


def test_lowest_price_decline_goes_to_the_next_lowest(im, refused):
    purchase, firms = quoted(im, M.LOWEST_PRICE, [30_000_00, 25_000_00, 35_000_00, 38_000_00])
    first = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    im.service.decline(purchase, user=first, reason="无法按期", actor=actor_for(first))
    assert purchase.status is P.SELECTED and winner_price(purchase) == 30_000_00
    second = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    im.service.decline(purchase, user=second, reason="无法按期", actor=actor_for(second))
    assert purchase.status is P.EXPIRED  # 2 left < 3 → republish
    assert im.db.scalar(sa.select(Purchase).where(Purchase.republished_from_id == purchase.id))


def hostile_quote(im, purchase, user, price, quote):
    """An envelope from a client that skips the page's check: ciphertext, accepted."""
    from bid_crypto import PublicKey, seal_bid
    from trading.intermediaries.service import QUOTE_LOT, org_ref, purchase_ref

    out = io.BytesIO()
    seal_bid(out, PublicKey.from_json(purchase.opening_public_key),
             offer={"total_price": price, "currency": "CNY", "remarks": "方案",
                    "extra": {"quote": str(quote)}},
             project=purchase_ref(purchase), lot=QUOTE_LOT, bidder=org_ref(user.organisation_id))
    out.seek(0)
    return im.service.submit_envelope(purchase, user=user, stream=out, actor=actor_for(user))


def test_quote_outside_the_bounds_counts_as_none_at_the_opening(im, refused):
    """The server cannot check a sealed quote's bounds; the page checks before sealing and
    the opening checks again: out of bounds, or a price that is not the quote's, is none."""
    firms = [im.intermediary() for _ in range(5)]
    purchase = im.purchase(method=M.LOWEST_PRICE)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    for value in (19_999_99, 40_000_01):  # the sealing side refuses before sealing
        with pytest.raises(r.QuoteOutOfBounds):
            im.quote(purchase, firms[0], value)
    hostile_quote(im, purchase, firms[0], 10_000_00, 10_000_00)  # below the range
    hostile_quote(im, purchase, firms[1], 10_000_00, 30_000_00)  # price ≠ its quote
    for firm, price in zip(firms[2:], (31_000_00, 32_000_00, 33_000_00), strict=True):
        im.quote(purchase, firm, price)
    im.to_selection(purchase)
    regs = {g.org_id: g for g in purchase.registrations}
    assert regs[firms[0].organisation_id].price_fen is None
    assert regs[firms[1].organisation_id].price_fen is None
    assert winner_price(purchase) == 31_000_00
    opened = im.db.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "intermediary.quotes_opened"))
    assert set(opened.data["refused"]) == {str(firms[0].organisation_id),
                                           str(firms[1].organisation_id)}
    assert "报价金额与所报数值不符" in opened.data["refused"][str(firms[1].organisation_id)]


def test_discount_rate_quotes_and_bounds(im, refused):
    kw = dict(amount_mode=AmountMode.DISCOUNT_RATE, base_fen=None, highest_fen=None,
              rate_base_fen=100_000_00, min_rate=Decimal("5.00"), max_rate=Decimal("20.00"))
    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase(method=M.LOWEST_PRICE, **kw)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    with pytest.raises(r.QuoteOutOfBounds):  # refused where it is sealed
        im.quote(purchase, firms[0], Decimal("20.01"))
    for firm, rate in zip(firms, ("5", "12.5", "20"), strict=True):
        im.quote(purchase, firm, Decimal(rate))
    im.to_selection(purchase)
    assert winner_price(purchase) == 80_000_00  # 20 % off 100 000 元


def test_sealed_quote_is_not_readable_before_the_selection_time(im, refused):
    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase(method=M.LOWEST_PRICE)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    reg = im.quote(purchase, firms[0], 31_234_56)
    assert reg.price_fen is None
    stored = im.registry["storage"].path_for(reg.quote_sha256).read_bytes()
    assert b"3123456" not in stored and "方案".encode() not in stored


@pytest.mark.parametrize("prices,coefficient_in,dropped_cannot_win", [
    ([20_000_00, 30_000_00, 31_000_00, 32_000_00, 40_000_00], True, True),
    ([30_000_00, 30_000_00, 30_000_00], True, False),  # all equal: one lottery of all
])
def test_best_price(im, refused, prices, coefficient_in, dropped_cannot_win):
    purchase, _ = quoted(im, M.BEST_PRICE, prices)
    assert purchase.status is P.SELECTED
    assert purchase.coefficient_percent in (95, 96, 97, 98)
    (coef_draw, *ties) = im.service.draws_of(purchase)
    assert coef_draw.purpose == "intermediary.best_price_coefficient"
    assert verify_record(im.service.draws.record_of(coef_draw)).valid
    if dropped_cannot_win:
        assert winner_price(purchase) not in (min(prices), max(prices))
        kept = sorted(prices)[1:-1]
        reference = sum(kept) * purchase.coefficient_percent // (len(kept) * 100)
        best = min(kept, key=lambda p: abs(p - reference))
        assert winner_price(purchase) == best
    else:
        assert ties and len(ties[0].candidates) == 3


def test_best_price_private_single_bid_wins(im, refused):
    purchase, _ = quoted(im, M.BEST_PRICE, [30_000_00], PRIVATE)
    assert purchase.status is P.SELECTED


def test_direct_selection(im, refused):
    firms = [im.intermediary() for _ in range(2)]
    outsider = im.intermediary()
    purchase = im.purchase(method=M.DIRECT, fixed_fen=40_000_00)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    im.to_selection(purchase)
    assert purchase.status is P.WAIT_CHOOSE
    owner = actor_for(im.owner)
    refused("missing_justification", im.service.choose, purchase,
            org_id=firms[0].organisation_id, reasons=" ", actor=owner)
    refused("not_a_candidate", im.service.choose, purchase,
            org_id=outsider.organisation_id, reasons="熟悉项目", actor=owner)
    im.service.choose(purchase, org_id=firms[0].organisation_id, reasons="原设计单位，熟悉项目",
                      actor=owner)
    assert purchase.selected_org_id == firms[0].organisation_id
    history = purchase.selection_evidence["history"][-1]
    assert history["evidence"]["justification"] == "原设计单位，熟悉项目"


def test_credit_best_short_list_and_pick(im, refused):
    firms = [im.intermediary() for _ in range(5)]
    purchase = im.purchase(method=M.CREDIT_BEST)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    (draw,) = im.service.draws_of(purchase)
    assert draw.purpose == "intermediary.credit_short_list" and draw.count == 2
    im.to_selection(purchase)
    assert purchase.status is P.WAIT_CHOOSE and len(purchase.short_list) == 2
    outside = next(u for u in firms if str(u.organisation_id) not in purchase.short_list)
    refused("not_a_candidate", im.service.choose, purchase,
            org_id=outside.organisation_id, reasons="信用好", actor=actor_for(im.owner))
    picked = int(purchase.short_list[0])
    im.service.choose(purchase, org_id=picked, reasons="服务响应快", actor=actor_for(im.owner))
    assert purchase.status is P.SELECTED and purchase.selected_org_id == picked
    winner = next(u for u in firms if u.organisation_id == picked)
    im.service.decline(purchase, user=winner, reason="人员调整", actor=actor_for(winner))
    assert purchase.status is P.WAIT_CHOOSE


def test_credit_best_with_one_registrant_fails(im, refused):
    purchase = im.purchase(method=M.CREDIT_BEST)
    im.register(purchase, im.intermediary())
    im.to_deadline(purchase)
    assert purchase.status is P.EXPIRED


@pytest.mark.parametrize("quotes,expected", [(2, P.WAIT_CHOOSE), (1, P.EXPIRED)])
def test_plan_best(im, refused, quotes, expected):
    prices = [30_000_00, 28_000_00, 33_000_00]
    prices = [p if i < quotes else None for i, p in enumerate(prices)]
    purchase, firms = quoted(im, M.PLAN_BEST, prices, PRIVATE)
    assert purchase.status is expected
    if expected is P.WAIT_CHOOSE:
        refused("missing_justification", im.service.choose, purchase,
                org_id=firms[0].organisation_id, reasons="", actor=actor_for(im.owner))
        im.service.choose(purchase, org_id=firms[1].organisation_id,
                          reasons="方案响应更完整，报价较低", actor=actor_for(im.owner))
        assert purchase.selected_org_id == firms[1].organisation_id
        assert purchase.registrations[1].plan == "方案"


def test_credit_best_redraws_the_short_list_once_all_of_it_declined(im):
    firms = [im.intermediary() for _ in range(5)]
    purchase = im.purchase(method=M.CREDIT_BEST, long_list_size=5, short_list_size=1)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    im.to_selection(purchase)
    (first,) = purchase.short_list
    im.service.choose(purchase, org_id=int(first), reasons="信用最好", actor=actor_for(im.owner))
    winner = next(u for u in firms if u.organisation_id == int(first))
    im.service.decline(purchase, user=winner, reason="人员调整", actor=actor_for(winner))
    assert purchase.status is P.WAIT_CHOOSE
    assert len(purchase.short_list) == 1 and purchase.short_list[0] != first
    draws = im.service.draws_of(purchase)
    assert len(draws) == 2 and all(verify_record(im.service.draws.record_of(d)).valid
                                   for d in draws)
    assert first not in [c["id"] for c in draws[-1].candidates]
