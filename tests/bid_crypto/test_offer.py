"""offer.json validation: integer fen only, precise messages naming the field."""

import pytest

from bid_crypto import InvalidOffer, encode_offer, parse_offer, validate_offer
from bid_crypto.offer import MAX_INT


def test_minimal_and_full_offers_are_valid():
    assert validate_offer({"total_price": 0}) == {"total_price": 0}
    full = {
        "schema": "bid_crypto.offer/1",
        "total_price": MAX_INT,
        "currency": "CNY",
        "duration_days": 365,
        "quality": "优良",
        "project_manager": "王五",
        "remarks": "",
        "items": [
            {
                "name": "a",
                "total_price": 1,
                "unit_price": 1,
                "quantity": 1,
                "unit": "m",
                "spec": "C30",
            }
        ],
        "extra": {"warranty_years": 5, "brand": "某品牌"},
    }
    assert validate_offer(full) == full


@pytest.mark.parametrize(
    ("offer", "message"),
    [
        ({"total_price": 12.5}, r"offer\.total_price must be a non-negative integer"),
        ({"total_price": -1}, r"offer\.total_price"),
        ({"total_price": True}, r"got True"),
        ({"total_price": "100"}, r"got '100'"),
        ({"total_price": MAX_INT + 1}, r"offer\.total_price"),
        ({}, "missing total_price"),
        ({"total_price": 1, "price": 1}, "unknown field"),
        ({"total_price": 1, "currency": "rmb"}, "ISO 4217"),
        ({"total_price": 1, "duration_days": 1.0}, r"offer\.duration_days"),
        ({"total_price": 1, "items": {}}, r"offer\.items must be a list"),
        (
            {"total_price": 1, "items": [{"total_price": 1}]},
            r"offer\.items\[0\] is missing name",
        ),
        (
            {
                "total_price": 1,
                "items": [
                    {"name": "a", "total_price": 0},
                    {"name": "b", "total_price": 1, "unit_price": 0.5},
                ],
            },
            r"offer\.items\[1\]\.unit_price",
        ),
        (
            {"total_price": 1, "items": [{"name": " ", "total_price": 1}]},
            "non-empty string",
        ),
        ({"total_price": 1, "extra": {"x": 1.5}}, r"offer\.extra\.x"),
        ({"total_price": 1, "schema": "v2"}, "bid_crypto.offer/1"),
        ([], "must be a JSON object"),
    ],
)
def test_invalid_offers_name_the_field(offer, message):
    with pytest.raises(InvalidOffer, match=message):
        validate_offer(offer)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"total_price": 1e3}', "non-integer number"),
        (b'{"total_price": 100.00}', "non-integer number"),
        (b'{"total_price": NaN}', "non-integer number"),
        (b'{"total_price": 1, "total_price": 2}', "duplicate key"),
        (b"\xff", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_parse_refuses_floats_and_ambiguity(data, message):
    with pytest.raises(InvalidOffer, match=message):
        parse_offer(data)


def test_oversized_offer_is_refused():
    with pytest.raises(InvalidOffer, match="larger than"):
        parse_offer(b'{"total_price": 1, "remarks": "' + b" " * (1024 * 1024) + b'"}')


def test_encode_offer_serialises_mappings_and_keeps_bytes():
    assert parse_offer(encode_offer({"total_price": 5, "quality": "合格"})) == {
        "total_price": 5,
        "quality": "合格",
    }
    assert "合格" in encode_offer({"total_price": 5, "quality": "合格"}).decode()
    raw = b'{"total_price":5}'
    assert encode_offer(raw) is raw
