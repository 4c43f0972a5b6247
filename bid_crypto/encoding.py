"""Byte-exact encodings shared by headers, shares and receipts.

Signatures and hashes are only reproducible if every implementation produces the same
bytes, so the rules live here once: canonical JSON, identifiers, hex fields, timestamps.
"""

import json
import re
from datetime import UTC, datetime

from .errors import BidCryptoError

# Identifiers travel in headers, file names and receipts: a conservative ASCII alphabet
# keeps canonical JSON trivial to reproduce in any language (no escaping ever needed).
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}")
_HEX_RE = re.compile(r"(?:[0-9a-f]{2})*")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
# No format of this library nests beyond 4 levels; a bound keeps a hostile document (a
# header of 65 536 "[") from exhausting the parser's recursion (FORMAT.md §1).
MAX_JSON_DEPTH = 32


def canonical_json(value: object) -> bytes:
    """Sorted keys, no whitespace, UTF-8, integers only: one byte string per value."""
    _reject_floats(value)
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def _reject_floats(value: object) -> None:
    # Money is integer fen; a float anywhere in signed or hashed data is a bug upstream.
    if isinstance(value, float):
        raise BidCryptoError("floating-point numbers are not allowed in canonical JSON")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)


def loads_strict(data: bytes | str, what: str, error: type[BidCryptoError]) -> object:
    """Parse JSON, refusing floats, NaN, duplicate keys (each would be ambiguous) and
    nesting deeper than ``MAX_JSON_DEPTH``."""
    if json_depth(data) > MAX_JSON_DEPTH:
        raise error(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(
            data,
            parse_float=_refuse_non_integer,
            parse_constant=_refuse_non_integer,
            object_pairs_hook=_unique_keys,
        )
    except (ValueError, TypeError) as exc:
        raise error(f"{what} is not valid JSON: {exc}") from None


_STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def json_depth(data: bytes | str) -> int:
    """The deepest bracket nesting of ``data``, strings skipped, counted before parsing
    (the parser itself would recurse once per level)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _refuse_non_integer(text: str) -> object:
    raise ValueError(f"non-integer number {text} (amounts are integer fen)")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def check_id(field: str, value: object, error: type[BidCryptoError]) -> str:
    """Return ``value`` if it is an identifier: 1-128 of ``[A-Za-z0-9._:@+-]``."""
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise error(
            f"{field} must be 1-128 characters of A-Z a-z 0-9 . _ : @ + - "
            f"starting with a letter or digit, got {value!r}"
        )
    return value


def from_hex(field: str, value: object, length: int | None, error: type) -> bytes:
    """Decode lowercase hex of an exact byte length (``None``: any length)."""
    if not isinstance(value, str) or not _HEX_RE.fullmatch(value):
        raise error(f"{field} must be lowercase hex")
    raw = bytes.fromhex(value)
    if length is not None and len(raw) != length:
        raise error(f"{field} must be {length} bytes, got {len(raw)}")
    return raw


def format_timestamp(value: datetime | str) -> str:
    """RFC 3339 UTC with milliseconds (``2025-03-01T08:30:00.123Z``)."""
    if isinstance(value, str):
        return check_timestamp("timestamp", value, BidCryptoError)
    if value.tzinfo is None:
        # A naive datetime is ambiguous across the server's and the bidder's zones.
        raise BidCryptoError("timestamp must be timezone-aware")
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def check_timestamp(field: str, value: object, error: type[BidCryptoError]) -> str:
    """Return ``value`` if it is an RFC 3339 UTC timestamp with exactly milliseconds."""
    if not isinstance(value, str) or not _TIMESTAMP_RE.fullmatch(value):
        raise error(f"{field} must look like 2025-03-01T08:30:00.123Z, got {value!r}")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise error(f"{field} is not a real date and time: {value!r}") from None
    return value
