"""Signed messages with an outside party (the bank, a guarantee provider): canonical JSON
bodies, the party's Ed25519 signature (bid_crypto keys) in a header, its public key pinned
in the settings. `SignedPeer` is the client both adapters share: it posts a body, and
accepts an answer only when it is a 200 whose signature verifies with the pinned key.

Standard library plus bid_crypto only, so the simulators can import it and run alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bid_crypto.errors import BidCryptoError
from bid_crypto.receipts import SigningKey, VerifyKey, load_verify_key

TIMEOUT_SECONDS = 10


class PeerUnavailable(Exception):
    """The party did not answer with a valid signed receipt: nothing is assumed done."""


def canonical(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sign(key: SigningKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body)).decode()


def verify(key: VerifyKey, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 64 and key.verify(body, raw)


# (url, body, headers) -> (status, body, headers); urllib by default, a WSGI app in tests.
Poster = Callable[[str, bytes, dict], tuple[int, bytes, dict]]


def urllib_post(url: str, body: bytes, headers: dict) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
    except (urllib.error.URLError, OSError) as error:
        raise PeerUnavailable(f"接口无法连接：{error}") from None


def key_loader(setting: str) -> Callable[[], VerifyKey]:
    """A party's public key from a PEM/hex value or a file path, read on first use (a
    simulator writes its key when it starts, possibly after the app)."""
    cache: list[VerifyKey] = []

    def load() -> VerifyKey:
        if not cache:
            text = setting.strip()
            if not text.startswith("-----") and Path(text).exists():
                text = Path(text).read_text()
            cache.append(load_verify_key(text))
        return cache[0]

    return load


class SignedPeer:
    """A client of one signed party; subclasses name it (`label`, in the messages), its
    signature header and the exception that means "not done, try again"."""

    label = "对方"
    signature_header = ""
    unavailable: type[PeerUnavailable] = PeerUnavailable

    def __init__(self, base_url: str, public_key: Callable[[], VerifyKey],
                 post: Poster = urllib_post):
        self.base_url = base_url.rstrip("/")
        self._public_key, self._post = public_key, post

    @property
    def key(self) -> VerifyKey:
        try:
            return self._public_key()
        except (BidCryptoError, OSError, ValueError) as error:
            raise self.unavailable(f"{self.label}公钥不可用：{error}") from None

    def verify_signed(self, body: bytes, signature: str | None) -> bool:
        """Did the party sign `body`? False, never an error, without a pinned key."""
        try:
            return verify(self.key, body, signature)
        except PeerUnavailable:
            return False

    def call(self, path: str, body: bytes) -> dict:
        """POST `body`; the answer once it is a 200 the party signed, else `unavailable`."""
        try:
            status, answer, headers = self._post(f"{self.base_url}{path}", body,
                                                 {"Content-Type": "application/json"})
        except PeerUnavailable as error:
            if isinstance(error, self.unavailable):
                raise
            raise self.unavailable(f"{self.label}{error}") from None
        if status != 200:
            raise self.unavailable(
                f"{self.label}接口返回 {status}：{answer[:200].decode(errors='replace')}")
        signature = {k.lower(): v for k, v in headers.items()}.get(
            self.signature_header.lower())
        if not verify(self.key, answer, signature):
            raise self.unavailable(f"{self.label}回执签名无效")
        return json.loads(answer)
