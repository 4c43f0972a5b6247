"""Collusion signals (pure rules): each check, its evidence, and what must not raise."""

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.supervision.collusion import (
    CLUSTER_WINDOW,
    BidderFacts,
    Level,
    SignalKind,
    Trace,
    describe,
    detect,
    near_constant,
    network_of,
    usable_ip,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
K = SignalKind


def bidder(n, **kw) -> BidderFacts:
    """A bidder sharing nothing with any other of this module's bidders."""
    defaults = dict(
        name=f"公司{n}", envelopes=(f"{n:064x}",), offer_sha256=f"{n + 1000:064x}",
        documents=(("技术标.pdf", f"{n + 2000:064x}"),), price=None,
        project_manager=f"经理{n}", contact_name=f"联系人{n}", contact_phone=f"0591-8000{n:04d}",
        contact_email=f"c{n}@example.com",
        traces=(Trace("submit", f"198.51.{n}.10", f"dev{n}", T0 + timedelta(hours=n)),))
    return BidderFacts(org_id=n, **{**defaults, **kw})


def kinds(signals) -> list[str]:
    return [str(s.kind) for s in signals]


def test_a_clean_lot_raises_nothing():
    lot = [bidder(1, price=95_123_400), bidder(2, price=91_870_000), bidder(3, price=97_004_500)]
    assert detect(lot) == []


def test_copied_documents_and_an_arithmetic_progression():
    copied = "ab" * 32
    lot = [bidder(1, price=90_000_000, documents=(("技术标.pdf", copied),)),
           bidder(2, price=91_000_000, documents=(("技术方案.pdf", copied),)),
           bidder(3, price=92_000_000), bidder(4, price=93_000_000)]
    signals = detect(lot)
    assert kinds(signals) == ["identical_document", "price_constant_difference"]
    document, prices = signals
    assert document.bidders == (1, 2) and document.level is Level.HARD
    assert document.evidence == {"sha256": copied, "files": [
        {"bidder": 1, "name": "技术标.pdf"}, {"bidder": 2, "name": "技术方案.pdf"}]}
    assert prices.bidders == (1, 2, 3, 4) and prices.level is Level.PATTERN
    assert prices.evidence["differences"] == [1_000_000] * 3
    assert prices.evidence["cv"] == "0.00%"


def test_a_known_tender_form_is_no_evidence():
    form = "cd" * 32
    lot = [bidder(1, documents=(("投标函格式.docx", form),)),
           bidder(2, documents=(("投标函格式.docx", form),))]
    assert kinds(detect(lot)) == ["identical_document"]
    assert detect(lot, known_documents={form}) == []


@pytest.mark.parametrize("field,kind", [
    ("envelopes", K.IDENTICAL_ENVELOPE), ("offer_sha256", K.IDENTICAL_OFFER)])
def test_identical_envelope_or_offer(field, kind):
    same = "ef" * 32
    value = (same,) if field == "envelopes" else same
    signals = detect([bidder(1, **{field: value}), bidder(2, **{field: value}), bidder(3)])
    assert [(s.kind, s.bidders, s.evidence) for s in signals] == [
        (kind, (1, 2), {"sha256": same})]


def test_one_bidder_repeating_its_own_file_is_not_a_signal():
    same = "12" * 32
    assert detect([bidder(1, envelopes=(same, same), documents=(("a", same), ("b", same)))]) \
        == []


@pytest.mark.parametrize("channel_a,channel_b", [
    ("submit", "submit"), ("download", "download"), ("decrypt", "decrypt"),
    ("signup", "download"), ("submit", "decrypt")])
def test_the_same_address_across_any_channels(channel_a, channel_b):
    a = bidder(1, traces=(Trace(channel_a, "203.0.113.7", "", T0),))
    b = bidder(2, traces=(Trace(channel_b, "203.0.113.7", "", T0 + timedelta(days=1)),))
    [signal] = detect([a, b, bidder(3)])
    assert signal.kind is K.SAME_IP and signal.bidders == (1, 2)
    assert signal.evidence["ip"] == "203.0.113.7"
    assert [e["channel"] for e in signal.evidence["events"]] == [channel_a, channel_b]


@pytest.mark.parametrize("ip", ["127.0.0.1", "::1", "0.0.0.0", "", "not an address"])
def test_loopback_or_missing_addresses_are_ignored(ip):
    a = bidder(1, traces=(Trace("submit", ip, "", T0),))
    b = bidder(2, traces=(Trace("submit", ip, "", T0),))
    assert detect([a, b]) == []
    assert not usable_ip(ip)


def test_the_same_device():
    a = bidder(1, traces=(Trace("download", "198.51.1.1", "f00d", T0),))
    b = bidder(2, traces=(Trace("submit", "198.51.2.1", "f00d", T0 + timedelta(days=2)),))
    [signal] = detect([a, b])
    assert signal.kind is K.SAME_DEVICE and signal.evidence["device"] == "f00d"


@pytest.mark.parametrize("field,a,b,kind", [
    ("project_manager", "张 三", "张三", K.SAME_PROJECT_MANAGER),
    ("contact_name", "李四", " 李四 ", K.SAME_CONTACT_PERSON),
    ("contact_phone", "0591-88880000", "(0591) 8888 0000", K.SAME_CONTACT_PHONE),
    ("contact_email", "Bid@Example.com", "bid@example.com ", K.SAME_CONTACT_EMAIL),
])
def test_the_same_people(field, a, b, kind):
    [signal] = detect([bidder(1, **{field: a}), bidder(2, **{field: b}), bidder(3)])
    assert signal.kind is kind and signal.level is Level.DEEMED and signal.bidders == (1, 2)


@pytest.mark.parametrize("field", ["project_manager", "contact_name", "contact_phone",
                                   "contact_email"])
def test_empty_contacts_match_nothing(field):
    assert detect([bidder(1, **{field: ""}), bidder(2, **{field: ""})]) == []


def test_a_short_number_is_no_telephone():
    assert detect([bidder(1, contact_phone="110"), bidder(2, contact_phone="110")]) == []


def test_identical_prices():
    signals = detect([bidder(1, price=88_888_800), bidder(2, price=88_888_800),
                      bidder(3, price=70_123_400)])
    assert [(s.kind, s.bidders) for s in signals] == [(K.IDENTICAL_PRICE, (1, 2)),
                                                     (K.PRICE_IDENTICAL_TAIL, (1, 2))]


def test_a_geometric_series_is_a_ratio_signal():
    prices = [80_000_000, 84_000_000, 88_200_000, 92_610_000]  # ×1.05 each step
    signals = detect([bidder(i + 1, price=p) for i, p in enumerate(prices)])
    [signal] = [s for s in signals if s.kind is not K.PRICE_IDENTICAL_TAIL]
    assert signal.kind is K.PRICE_CONSTANT_RATIO
    assert signal.evidence["ratios"] == ["1.0500"] * 3


def test_two_prices_are_no_pattern():
    assert detect([bidder(1, price=90_000_000), bidder(2, price=91_000_000)]) == []


def test_near_constant_gaps_within_one_percent():
    # Gaps 1 000 000 and 1 015 000: CV ≈ 0.74 %, flagged; 1 000 000 and 1 050 000 is not.
    flagged = detect([bidder(1, price=90_000_000), bidder(2, price=91_000_000),
                      bidder(3, price=92_015_000)])
    assert kinds(flagged) == ["price_constant_difference"]
    assert flagged[0].evidence["cv"] == "0.74%"
    assert detect([bidder(1, price=90_000_000), bidder(2, price=91_000_000),
                   bidder(3, price=92_050_000)]) == []


def test_identical_tails_but_not_round_ones():
    signals = detect([bidder(1, price=91_234_567), bidder(2, price=85_004_567),
                      bidder(3, price=77_777_001)])
    assert [(s.kind, s.bidders, s.evidence["tail"]) for s in signals] == [
        (K.PRICE_IDENTICAL_TAIL, (1, 2), 4567)]
    round_ = detect([bidder(1, price=91_230_000), bidder(2, price=85_000_000),
                     bidder(3, price=77_773_000)])
    assert round_ == []


def test_uploads_clustered_from_one_network():
    a = bidder(1, traces=(Trace("submit", "203.0.113.7", "", T0),))
    b = bidder(2, traces=(Trace("submit", "203.0.113.99", "", T0 + timedelta(seconds=40)),))
    c = bidder(3, traces=(Trace("submit", "203.0.113.50", "", T0 + timedelta(minutes=30)),))
    [signal] = detect([a, b, c])
    assert signal.kind is K.CLUSTERED_SUBMISSIONS and signal.bidders == (1, 2)
    assert signal.evidence["network"] == "203.0.113.0/24"
    assert [e["ip"] for e in signal.evidence["events"]] == ["203.0.113.7", "203.0.113.99"]


def test_a_chain_of_close_uploads_is_one_cluster():
    traces = [Trace("submit", f"203.0.113.{i}", "", T0 + timedelta(seconds=50 * i))
              for i in range(1, 4)]
    [signal] = detect([bidder(i + 1, traces=(t,)) for i, t in enumerate(traces)])
    assert signal.bidders == (1, 2, 3)


def test_clustered_downloads_or_other_networks_are_not_submissions():
    a = bidder(1, traces=(Trace("download", "203.0.113.7", "", T0),))
    b = bidder(2, traces=(Trace("download", "203.0.113.8", "", T0),))
    c = bidder(3, traces=(Trace("submit", "203.0.114.8", "", T0),))
    assert detect([a, b, c]) == []


def test_networks():
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2:3::9") == "2001:db8:1:2::/64"
    assert network_of("127.0.0.1") is None and network_of("x") is None


def test_near_constant_is_exact():
    assert near_constant([Fraction(5)] * 4) == 0
    assert near_constant([Fraction(1)]) is None
    assert near_constant([Fraction(0), Fraction(0)]) is None
    assert near_constant([Fraction(100), Fraction(102)]) is not None  # CV 0.99 %
    assert near_constant([Fraction(100), Fraction(103)]) is None  # CV 1.48 %


def test_every_signal_is_described_and_serialisable():
    copied = "ab" * 32
    shared = (Trace("submit", "203.0.113.7", "f00d", T0),)
    lot = [bidder(1, price=90_001_234, envelopes=(copied,), offer_sha256=copied,
                  documents=(("a", copied),), traces=shared, project_manager="同一人",
                  contact_name="同", contact_phone="13800000000", contact_email="x@y.cn"),
           bidder(2, price=90_001_234, envelopes=(copied,), offer_sha256=copied,
                  documents=(("b", copied),), traces=shared, project_manager="同一人",
                  contact_name="同", contact_phone="13800000000", contact_email="x@y.cn"),
           bidder(3, price=91_000_000), bidder(4, price=92_000_000)]
    signals = detect(lot)
    assert set(kinds(signals)) == set(SignalKind) - {"price_constant_ratio"}
    for signal in signals:
        json.dumps(signal.evidence)
        text = describe(signal.kind, json.loads(json.dumps(signal.evidence)),
                        {1: "甲公司", 2: "乙公司"})
        assert text and "None" not in text


# -- properties ------------------------------------------------------------------------------

prices = st.lists(st.integers(min_value=1, max_value=10**12), min_size=0, max_size=7)


@st.composite
def lots(draw):
    n = draw(st.integers(min_value=0, max_value=6))
    ips = st.sampled_from(["203.0.113.1", "203.0.113.2", "198.51.100.1", "127.0.0.1", ""])
    out = []
    for i in range(1, n + 1):
        traces = tuple(Trace(draw(st.sampled_from(["signup", "download", "submit", "decrypt"])),
                             draw(ips), draw(st.sampled_from(["", "d1", "d2"])),
                             T0 + timedelta(seconds=draw(st.integers(0, 600))))
                       for _ in range(draw(st.integers(0, 3))))
        out.append(BidderFacts(
            org_id=i, name=f"b{i}",
            envelopes=tuple(draw(st.lists(st.sampled_from(["e1", "e2", f"u{i}"]), max_size=2))),
            offer_sha256=draw(st.sampled_from([None, "o1", f"o{i}x"])),
            documents=tuple((f"n{j}", h) for j, h in enumerate(
                draw(st.lists(st.sampled_from(["d1", "d2", f"d{i}x"]), max_size=2)))),
            price=draw(st.one_of(st.none(), st.integers(1, 10**10))),
            project_manager=draw(st.sampled_from(["", "王", f"m{i}"])),
            contact_phone=draw(st.sampled_from(["", "0591-88880000", f"1380000{i:04d}"])),
            traces=traces))
    return out


@given(lots(), st.randoms())
def test_order_of_bidders_does_not_matter(lot, random):
    shuffled = list(lot)
    random.shuffle(shuffled)
    assert detect(shuffled) == detect(lot)


@given(lots())
def test_signals_name_at_least_two_of_the_lots_bidders(lot):
    ids = {b.org_id for b in lot}
    for signal in detect(lot):
        assert len(signal.bidders) >= 2 and set(signal.bidders) <= ids
        assert list(signal.bidders) == sorted(set(signal.bidders))
        json.dumps(signal.evidence)


@given(lots())
def test_a_lone_bidder_raises_nothing(lot):
    for one in lot:
        assert detect([one]) == []


@given(st.integers(1, 10**9), st.integers(1, 10**7), st.integers(3, 8))
def test_every_arithmetic_progression_is_flagged(start, step, n):
    lot = [BidderFacts(org_id=i, name="", price=start + i * step) for i in range(n)]
    assert K.PRICE_CONSTANT_DIFFERENCE in kinds(detect(lot))
    assert K.PRICE_CONSTANT_RATIO not in kinds(detect(lot))


@given(st.integers(10**6, 10**9), st.sampled_from([Fraction(21, 20), Fraction(11, 10),
                                                    Fraction(6, 5)]), st.integers(3, 6))
def test_every_geometric_progression_is_flagged(start, ratio, n):
    lot = [BidderFacts(org_id=i, name="", price=int(start * ratio ** i)) for i in range(n)]
    found = kinds(detect(lot))
    assert K.PRICE_CONSTANT_RATIO in found or K.PRICE_CONSTANT_DIFFERENCE in found


@given(prices)
def test_scaling_every_price_keeps_the_pattern_verdict(values):
    def verdict(ps):
        return {s.kind for s in detect([BidderFacts(org_id=i, name="", price=p)
                                        for i, p in enumerate(ps)])
                if s.kind in (K.PRICE_CONSTANT_DIFFERENCE, K.PRICE_CONSTANT_RATIO,
                              K.IDENTICAL_PRICE)}
    assert verdict(values) == verdict([p * 7 for p in values])


@given(lots(), st.integers(0, 5))
def test_more_bidders_never_hide_a_shared_file_or_address(lot, extra):
    before = {(s.kind, s.bidders) for s in detect(lot)
              if s.kind in (K.IDENTICAL_DOCUMENT, K.SAME_IP, K.SAME_DEVICE)}
    grown = lot + [BidderFacts(org_id=100 + i, name="") for i in range(extra)]
    after = {(s.kind, s.bidders) for s in detect(grown)}
    assert before <= after


def test_the_cluster_window_is_a_minute():
    assert CLUSTER_WINDOW == timedelta(seconds=60)
