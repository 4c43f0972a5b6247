"""The exceptions of bid_crypto.

Every failure the library detects is a ``BidCryptoError`` with a message precise enough
to put in an opening record (开标记录): which envelope part failed and why. The
subclasses let callers map failures to legal outcomes (rules §7.4) without parsing
messages.
"""


class BidCryptoError(Exception):
    """Base class of every error raised by bid_crypto."""


class InvalidHeader(BidCryptoError):
    """A header value given to seal is invalid (bad id, chunk size, custody mode...)."""


class EnvelopeError(BidCryptoError):
    """The envelope bytes cannot be opened as they are."""


class UnsupportedEnvelope(EnvelopeError):
    """Not a bid envelope, or a format version / suite this library does not know."""


class TamperedEnvelope(EnvelopeError):
    """Authentication failed or the structure was altered (header, chunks, order)."""

    def __init__(self, message: str, *, chunk_index: int | None = None) -> None:
        super().__init__(message)
        self.chunk_index = chunk_index


class TruncatedEnvelope(EnvelopeError):
    """The envelope ends before its final chunk (an incomplete upload)."""


class WrongKey(BidCryptoError):
    """The key given is not the one the envelope or wrapped key was sealed to."""


class DecryptionShareError(WrongKey):
    """A dual-custody envelope lacks the bidder's share, or the share is wrong."""


class HeaderMismatch(BidCryptoError):
    """The envelope header names another project, lot or bidder than expected."""

    def __init__(self, field: str, expected: str, actual: str) -> None:
        super().__init__(f"envelope {field} is {actual!r}, expected {expected!r}")
        self.field = field
        self.expected = expected
        self.actual = actual


class WrongProject(HeaderMismatch):
    """The envelope belongs to another project."""


class InvalidOffer(BidCryptoError):
    """offer.json is not a valid structured offer."""


class InvalidPackage(BidCryptoError):
    """The bid package (offer + documents container) is malformed."""


class KeyFormatError(BidCryptoError):
    """A key file or key encoding cannot be read."""


class CustodyError(BidCryptoError):
    """Key custody (wrapping, Shamir shares) failed."""


class WrongPassphrase(CustodyError):
    """A passphrase does not open its protected key file (or the file was altered)."""


class WeakPassphrase(CustodyError):
    """A passphrase typed for a new key file is too easy to guess (the message says why)."""


class ReleaseRefused(CustodyError):
    """A custodian release cannot be made or accepted; ``reason`` is a stable code.

    Codes: ``before_deadline``, ``other_project`` (another project or split),
    ``other_opening`` (another or an earlier opening, a changed deadline), ``not_yours``
    (another custodian's index or key), ``wrong_share`` (fails its check value),
    ``already_released``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotEnoughShares(CustodyError):
    """Fewer distinct shares than the threshold were released."""


class InconsistentShares(CustodyError):
    """The shares are from different splits, or do not rebuild the recorded key."""


class ReceiptError(BidCryptoError):
    """A receipt is malformed or does not verify."""


class InvalidReceipt(ReceiptError):
    """The receipt signature or one of its fields is not valid."""


class EnvelopeHashMismatch(ReceiptError):
    """The receipt is genuine but covers another envelope than the one presented."""


class InvalidNotice(ReceiptError):
    """A published notice (公告) is malformed, altered, or not signed by the key given."""
