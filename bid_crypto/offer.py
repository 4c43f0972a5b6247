"""offer.json: the structured, priced part of a bid shown by the opening record.

Money is integer minor units (分, fen) everywhere; a float is refused at parse time, and
integers stay within 2**53 - 1 so a browser (the opening hall page, WebCrypto sealing)
reads them exactly. Schema: FORMAT.md §6.2.
"""

import json
import re
from collections.abc import Callable, Mapping

from .encoding import loads_strict
from .errors import InvalidOffer

SCHEMA = "bid_crypto.offer/1"
MAX_OFFER_BYTES = 1024 * 1024
MAX_ITEMS = 10_000
MAX_INT = 2**53 - 1
_CURRENCY_RE = re.compile(r"[A-Z]{3}")

Check = Callable[[str, object], None]


def _integer(path: str, value: object) -> None:
    # bool is an int subclass in Python; True is not a price.
    if type(value) is not int or not 0 <= value <= MAX_INT:
        raise InvalidOffer(f"{path} must be a non-negative integer (fen), got {value!r}")


def _text(limit: int, *, required: bool = False) -> Check:
    def check(path: str, value: object) -> None:
        if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
            kind = "non-empty string" if required else "string"
            raise InvalidOffer(f"{path} must be a {kind} of at most {limit} characters")

    return check


def _currency(path: str, value: object) -> None:
    if not isinstance(value, str) or not _CURRENCY_RE.fullmatch(value):
        raise InvalidOffer(f"{path} must be an ISO 4217 code such as 'CNY'")


def _schema(path: str, value: object) -> None:
    if value != SCHEMA:
        raise InvalidOffer(f"{path} must be {SCHEMA!r}")


def _extra(path: str, value: object) -> None:
    if not isinstance(value, dict):
        raise InvalidOffer(f"{path} must be an object")
    for key, item in value.items():
        _text(100, required=True)(f"{path} key", key)
        if isinstance(item, str):
            _text(2000)(f"{path}.{key}", item)
        else:
            _integer(f"{path}.{key}", item)


_ITEM_FIELDS: dict[str, Check] = {
    "name": _text(200, required=True),
    "total_price": _integer,
    "unit_price": _integer,
    "quantity": _integer,
    "unit": _text(20),
    "spec": _text(500),
}
_ITEM_REQUIRED = {"name", "total_price"}


def _items(path: str, value: object) -> None:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidOffer(f"{path} must be a list of at most {MAX_ITEMS} items")
    for index, item in enumerate(value):
        _check_object(f"{path}[{index}]", item, _ITEM_FIELDS, _ITEM_REQUIRED)


_OFFER_FIELDS: dict[str, Check] = {
    "schema": _schema,
    "total_price": _integer,
    "currency": _currency,
    "duration_days": _integer,
    "quality": _text(500),
    "project_manager": _text(100),
    "items": _items,
    "remarks": _text(2000),
    "extra": _extra,
}
_OFFER_REQUIRED = {"total_price"}


def _check_object(
    path: str, value: object, fields: Mapping[str, Check], required: set[str]
) -> None:
    if not isinstance(value, Mapping):
        raise InvalidOffer(f"{path} must be a JSON object")
    if missing := sorted(required - set(value)):
        raise InvalidOffer(f"{path} is missing {', '.join(missing)}")
    if unknown := sorted(set(value) - set(fields)):
        raise InvalidOffer(
            f"{path} has unknown field(s) {', '.join(map(str, unknown))}; "
            f"allowed: {', '.join(fields)}"
        )
    for name, check in fields.items():
        if name in value:
            check(f"{path}.{name}", value[name])


def validate_offer(offer: object) -> dict:
    """Return a plain-dict copy of ``offer``, or InvalidOffer naming the field."""
    _check_object("offer", offer, _OFFER_FIELDS, _OFFER_REQUIRED)
    return json.loads(json.dumps(offer))


def parse_offer(data: bytes) -> dict:
    """Parse and validate the bytes of an offer.json."""
    if len(data) > MAX_OFFER_BYTES:
        raise InvalidOffer(f"offer.json is larger than {MAX_OFFER_BYTES} bytes")
    return validate_offer(loads_strict(data, "offer.json", InvalidOffer))


def encode_offer(offer: Mapping | bytes) -> bytes:
    """Validated offer.json bytes: bytes kept verbatim, a mapping serialised."""
    if isinstance(offer, bytes):
        parse_offer(offer)
        return offer
    validated = validate_offer(offer)
    return (json.dumps(validated, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
