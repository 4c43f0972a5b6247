"""Signed public notices (公告): tender, clarification, cancellation, candidates, result and
failure notices, verifiable offline by anyone (FORMAT.md §7.1).

A signed notice is the seven fields below plus a signature by the platform over their
canonical JSON (sorted keys, UTF-8, no whitespace), exactly like a receipt (§7): Ed25519,
or SM2 with SM3 and the GB/T 32918.2 signer ID for the projects of a national suite (国密).
The whole body is signed, not a digest, so the saved document alone shows what was
published. ``algorithm`` is signed too, and must be the algorithm of the key presented:
a 国密 notice checked with an Ed25519 key (or the reverse) is refused by name.
``python -m bid_crypto verify-notice --platform-key platform-sm2.pub notice.json``.
"""

from collections.abc import Mapping

from .encoding import canonical_json, check_id, check_timestamp, format_timestamp, loads_strict
from .errors import InvalidNotice
from .gm import DEFAULT_SM2_ID
from .receipts import ED25519, SM2, SigningKey, VerifyKey

NOTICE_FIELDS = ("project", "notice", "kind", "title", "body", "published_at", "algorithm")
NOTICE_KINDS = ("tender", "clarification", "cancellation", "candidates", "result", "failure")
_MAX_TITLE, _MAX_BODY = 300, 1_000_000


def notice_fields(fields: Mapping) -> dict:
    """Validate and normalise the signed fields (published_at may be a datetime)."""
    if set(fields) != set(NOTICE_FIELDS):
        raise InvalidNotice(f"notice fields must be exactly {', '.join(NOTICE_FIELDS)}")
    check_id("project", fields["project"], InvalidNotice)
    check_id("notice", fields["notice"], InvalidNotice)
    if fields["kind"] not in NOTICE_KINDS:
        raise InvalidNotice(f"notice kind must be one of {', '.join(NOTICE_KINDS)}, "
                            f"got {fields['kind']!r}")
    if fields["algorithm"] not in (ED25519, SM2):
        raise InvalidNotice(f"notice algorithm must be {ED25519} or {SM2}, "
                            f"got {fields['algorithm']!r}")
    for name, limit in (("title", _MAX_TITLE), ("body", _MAX_BODY)):
        value = fields[name]
        if not isinstance(value, str) or len(value) > limit or (name == "title" and not value):
            raise InvalidNotice(f"notice {name} must be text of at most {limit} characters")
    published_at = fields["published_at"]
    if not isinstance(published_at, str):
        published_at = format_timestamp(published_at)
    check_timestamp("published_at", published_at, InvalidNotice)
    return {**fields, "published_at": published_at}


def notice_message(fields: Mapping) -> bytes:
    """The exact bytes signed: canonical JSON of the seven validated fields."""
    return canonical_json(notice_fields(fields))


def sign_notice(signing_key: SigningKey, fields: Mapping) -> dict:
    """The signed notice document: the fields (``algorithm`` set from the key) plus
    ``signature`` (128 lowercase hex: Ed25519, or SM2 r || s)."""
    normalised = notice_fields({**fields, "algorithm": signing_key.algorithm})
    return {**normalised, "signature": signing_key.sign(canonical_json(normalised)).hex()}


def verify_notice(public_key: VerifyKey, document: Mapping | str | bytes) -> dict:
    """Check a signed notice against the platform's pinned key; returns the signed fields.

    InvalidNotice names what is wrong: a malformed document, a notice of the other
    algorithm than the key's, a signer ID other than the one signed under, or a notice
    altered (title, body, time …) or signed by another key.
    """
    document = _document(document)
    fields = {name: document[name] for name in NOTICE_FIELDS}
    message = notice_message(fields)
    if fields["algorithm"] != public_key.algorithm:
        raise InvalidNotice(
            f"the notice is signed with {fields['algorithm']}, the platform key given is "
            f"{public_key.algorithm}: use the platform's {fields['algorithm']} key "
            f"({'platform-sm2.pub' if fields['algorithm'] == SM2 else 'platform.pub'})")
    signature = bytes.fromhex(document["signature"])
    if public_key.verify(message, signature):
        return fields
    if public_key.algorithm == SM2 and public_key.user_id != DEFAULT_SM2_ID and VerifyKey(
            public_key.key, DEFAULT_SM2_ID).verify(message, signature):
        raise InvalidNotice(
            f"wrong SM2 signer ID {public_key.user_id.decode('latin-1')!r}: the notice was "
            f"signed under the platform's ID {DEFAULT_SM2_ID.decode()!r} (GB/T 32918.2)")
    hint = (f" under signer ID {public_key.user_id.decode('latin-1')!r}"
            if public_key.algorithm == SM2 else "")
    raise InvalidNotice(
        f"notice signature is not valid for this {public_key.algorithm} platform key{hint}: "
        "the notice was altered after publication (title, body, time …), or it was signed "
        "by another key")


def _document(document: Mapping | str | bytes) -> Mapping:
    if isinstance(document, str | bytes):
        document = loads_strict(document, "notice", InvalidNotice)
    if not isinstance(document, Mapping) or set(document) != {*NOTICE_FIELDS, "signature"}:
        raise InvalidNotice(
            f"a signed notice has exactly the fields {', '.join(NOTICE_FIELDS)}, signature")
    signature = document["signature"]
    if not isinstance(signature, str) or len(signature) != 128 or any(
            c not in "0123456789abcdef" for c in signature):
        raise InvalidNotice("notice signature must be 128 lowercase hex characters")
    return document
