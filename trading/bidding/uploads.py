"""Chunked upload of an envelope sealed in the bidder's browser (ciphertext only).

The bid page seals a bid in the browser and sends the `.tbid` in parts of at most
PART_BYTES as it is produced: neither the browser nor the server ever holds the whole
envelope in memory, and an interrupted upload resumes at the size the server reports.
Once complete, the file is submitted like any uploaded envelope (BidService
.submit_envelope: header, structure, storage, receipt).

An upload is a file under `<storage root>/uploads/`, named by the user, the lot and a
random token, so one user can neither see nor append to another's upload. Everything in
it is HPKE ciphertext: the server never receives bid plaintext on this path either.
"""

import contextlib
import fcntl
import os
import re
import secrets
import time
from pathlib import Path
from typing import BinaryIO

from ..errors import DomainError
from ..storage import FileTooLarge, StorageUnavailable
from ..storage_s3 import S3Storage

PART_BYTES = 8 * 1024 * 1024
STALE_SECONDS = 2 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_BLOCK = 1024 * 1024


class UploadNotFound(DomainError):
    code = "upload_not_found"
    status = 404


class UploadOffset(DomainError):
    """The part does not start where the upload stands: the client resumes from `received`."""

    code = "upload_offset"
    status = 409

    def __init__(self, received: int):
        super().__init__(f"上传位置不一致，服务器已收到 {received} 字节，请从该位置继续")
        self.received = received

    def as_json(self) -> dict:
        return {**super().as_json(), "received": self.received}


class EnvelopeUploads:
    def __init__(self, root: str | os.PathLike, max_bytes: int):
        self.folder = Path(root) / "uploads"
        self.max_bytes = max_bytes

    def _path(self, user_id: int, lot_id: int, token: str) -> Path:
        if not _TOKEN.match(token or ""):
            raise UploadNotFound("上传不存在或已过期")
        return self.folder / f"{int(user_id)}-{int(lot_id)}-{token}"

    def start(self, user_id: int, lot_id: int) -> str:
        self._sweep()
        token = secrets.token_urlsafe(24)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._path(user_id, lot_id, token).touch(exist_ok=False)
        except OSError as exc:
            raise StorageUnavailable("文件存储不可写，请稍后再试") from exc
        return token

    def _existing(self, user_id: int, lot_id: int, token: str) -> Path:
        path = self._path(user_id, lot_id, token)
        if not path.is_file():
            raise UploadNotFound("上传不存在或已过期")
        return path

    def received(self, user_id: int, lot_id: int, token: str) -> int:
        return self._existing(user_id, lot_id, token).stat().st_size

    def append(self, user_id: int, lot_id: int, token: str, *, offset: int, stream: BinaryIO,
               length: int) -> int:
        """Append one part at `offset` (the current size); returns the new size."""
        path = self._existing(user_id, lot_id, token)
        size = path.stat().st_size
        if offset != size:
            raise UploadOffset(size)
        if not 0 < length <= PART_BYTES:
            raise FileTooLarge(f"每个上传分段不超过 {PART_BYTES // (1024 * 1024)} MiB")
        if size + length > self.max_bytes:
            raise FileTooLarge(f"投标信封超过大小上限 {self.max_bytes // (1024 * 1024)} MiB")
        with path.open("r+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if not _same_file(path, handle):
                raise UploadNotFound("上传已完成或已过期")  # finished while this part waited
            size = os.fstat(handle.fileno()).st_size
            if offset != size:
                raise UploadOffset(size)
            handle.seek(size)
            left = length
            while left:
                block = stream.read(min(_BLOCK, left))
                if not block:
                    handle.truncate(size)  # a part cut short is not kept: resume from `size`
                    raise UploadOffset(size)
                handle.write(block)
                left -= len(block)
        return size + length

    @contextlib.contextmanager
    def claimed(self, user_id: int, lot_id: int, token: str):
        """The finished upload's path, moved out of its owner's reach first: a part that
        arrives now finds no upload, one already writing is waited for (its lock). Removed
        afterwards, unless something else than a refusal went wrong (the request is then
        retried, and finds its upload back where it was)."""
        path = self._existing(user_id, lot_id, token)
        private = self.folder / f".finishing-{secrets.token_hex(12)}"
        try:
            os.rename(path, private)
        except FileNotFoundError:
            raise UploadNotFound("上传不存在或已过期") from None
        with private.open("rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield private
            except DomainError:
                private.unlink(missing_ok=True)
                raise
            except BaseException:
                os.rename(private, path)
                raise
            private.unlink(missing_ok=True)

    def open(self, user_id: int, lot_id: int, token: str) -> BinaryIO:
        return self._existing(user_id, lot_id, token).open("rb")

    def discard(self, user_id: int, lot_id: int, token: str) -> None:
        self._path(user_id, lot_id, token).unlink(missing_ok=True)

    def _sweep(self) -> None:
        """Uploads left unfinished for two days are removed (they are ciphertext only)."""
        if not self.folder.is_dir():
            return
        cutoff = time.time() - STALE_SECONDS
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue


def _same_file(path: Path, handle) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


def uploads_factory(context, request) -> EnvelopeUploads:
    """On the filesystem, under the storage root; on S3, in the bucket, so that any web
    machine can take the next part or the finish (trading.bidding.uploads_s3)."""
    from .service import BiddingConfig
    from .uploads_s3 import S3EnvelopeUploads  # it builds on this module

    config = BiddingConfig.from_settings(request.registry.settings)
    if isinstance(request.storage, S3Storage):
        return S3EnvelopeUploads(request.storage, config.max_envelope_bytes)
    return EnvelopeUploads(request.storage.root, config.max_envelope_bytes)
