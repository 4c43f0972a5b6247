"""Resumable envelope uploads kept in the bucket (storage.backend = s3).

With several web machines, the parts of one browser upload may reach different machines:
kept on one machine's disk, the next part (or the finish) sent to another would find no
upload. Here every part is an object of its own under
`<prefix>uploads/<user>-<lot>-<token>/`, so any machine can continue or finish an upload.

- `start` writes the upload's `start` object; an upload without it does not exist.
- A part is stored at the key of its offset (`part-<offset>`) by a *conditional* PutObject
  (`If-None-Match: *`): two parts racing for the same offset cannot both land, the loser is
  told where the upload stands, as on disk where the file's lock decides.
- `claimed` writes the `claimed` object first (conditionally: one finish only), then lists
  the parts; a part stored after that finds `claimed` and is refused ("上传已完成"), as on
  disk a part arriving once the file was moved away finds nothing. The parts are read back
  into one private local file for the bid service (which checks, hashes and adopts it into
  the store), and every object of the upload is deleted afterwards; after a failure that is
  not a refusal only `claimed` is removed, so the retried request finds the upload again.

Everything here is HPKE ciphertext; nothing is ever read by a user path. Uploads left
unfinished are removed by a lifecycle rule on `uploads/` (README, storage), as `incoming/`.
"""

import base64
import contextlib
import hashlib
import io
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

from ..errors import DomainError
from ..storage import FileTooLarge, StorageUnavailable
from ..storage_s3 import S3Storage, _client_errors, _code
from .uploads import _TOKEN, PART_BYTES, UploadNotFound, UploadOffset

GONE = "上传不存在或已过期"
FINISHED = "上传已完成或已过期"
_TAKEN = ("PreconditionFailed", "412", "ConditionalRequestConflict", "409")


class S3EnvelopeUploads:
    """The same interface as EnvelopeUploads, on the bucket."""

    def __init__(self, storage: S3Storage, max_bytes: int):
        self.s3 = storage
        self.max_bytes = max_bytes

    def _folder(self, user_id: int, lot_id: int, token: str) -> str:
        if not _TOKEN.match(token or ""):
            raise UploadNotFound(GONE)
        return f"{self.s3.prefix}uploads/{int(user_id)}-{int(lot_id)}-{token}/"

    # -- the bucket's answers ------------------------------------------------------------

    def _put(self, key: str, body: bytes) -> bool:
        """Store `body` at `key` unless something is there already (False then)."""
        from botocore.exceptions import ClientError

        checksum = base64.b64encode(hashlib.sha256(body).digest()).decode()
        try:
            self.s3.client.put_object(Bucket=self.s3.bucket, Key=key, Body=body,
                                      ChecksumSHA256=checksum, IfNoneMatch="*")
        except ClientError as exc:
            if _code(exc) in _TAKEN:
                return False
            raise StorageUnavailable("文件存储不可写，请稍后再试") from exc
        except _client_errors() as exc:
            raise StorageUnavailable("文件存储不可写，请稍后再试") from exc
        return True

    def _listing(self, folder: str) -> dict[str, int]:
        """Every object of the upload: name → size."""
        found: dict[str, int] = {}
        try:
            pages = self.s3.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.s3.bucket, Prefix=folder)
            for page in pages:
                for item in page.get("Contents", ()):
                    found[item["Key"][len(folder):]] = item["Size"]
        except _client_errors() as exc:
            raise StorageUnavailable("文件存储暂不可读，请稍后再试") from exc
        return found

    def _parts(self, folder: str) -> list[tuple[int, int]]:
        """The parts in order as (offset, size), or UploadNotFound for an upload that was
        never started, is finishing or was discarded."""
        listing = self._listing(folder)
        if "start" not in listing or "claimed" in listing:
            raise UploadNotFound(GONE)
        return self._in_order(listing)

    @staticmethod
    def _in_order(listing: dict[str, int]) -> list[tuple[int, int]]:
        return sorted((int(name[5:]), size) for name, size in listing.items()
                      if name.startswith("part-"))

    def _contiguous(self, parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The parts that make up the upload (see `_size`)."""
        size = self._size(parts)
        return [part for part in parts if part[0] < size]

    @staticmethod
    def _size(parts: list[tuple[int, int]]) -> int:
        """Where the upload stands: the contiguous run from 0 (a part stored beside a
        racing twin at a later offset cannot extend it past a gap)."""
        size = 0
        for offset, length in parts:
            if offset != size:
                break
            size += length
        return size

    # -- the interface -------------------------------------------------------------------

    def start(self, user_id: int, lot_id: int) -> str:
        token = secrets.token_urlsafe(24)
        if not self._put(self._folder(user_id, lot_id, token) + "start", b""):
            raise StorageUnavailable("文件存储不可写，请稍后再试")
        return token

    def received(self, user_id: int, lot_id: int, token: str) -> int:
        return self._size(self._parts(self._folder(user_id, lot_id, token)))

    def append(self, user_id: int, lot_id: int, token: str, *, offset: int, stream: BinaryIO,
               length: int) -> int:
        """Store one part at `offset` (the current size); returns the new size."""
        folder = self._folder(user_id, lot_id, token)
        size = self._size(self._parts(folder))
        if offset != size:
            raise UploadOffset(size)
        if not 0 < length <= PART_BYTES:
            raise FileTooLarge(f"每个上传分段不超过 {PART_BYTES // (1024 * 1024)} MiB")
        if size + length > self.max_bytes:
            raise FileTooLarge(f"投标信封超过大小上限 {self.max_bytes // (1024 * 1024)} MiB")
        body = stream.read(length)
        if len(body) != length:
            raise UploadOffset(size)  # a part cut short is not kept: resume from `size`
        if not self._put(f"{folder}part-{offset:015d}", body):
            raise UploadOffset(self.received(user_id, lot_id, token))
        if "claimed" in self._listing(folder):
            raise UploadNotFound(FINISHED)  # finished while this part was on its way
        return size + length

    @contextlib.contextmanager
    def claimed(self, user_id: int, lot_id: int, token: str):
        """The finished upload as a private local file (see the module's notes)."""
        folder = self._folder(user_id, lot_id, token)
        self._parts(folder)  # exists and is not finishing elsewhere
        if not self._put(folder + "claimed", b""):
            raise UploadNotFound(FINISHED)
        try:
            parts = self._contiguous(self._in_order(self._listing(folder)))
            with self._private_file() as handle:
                self._assemble(folder, parts, handle)
                handle.flush()
                yield Path(handle.name)
        except DomainError:
            self._delete(folder)
            raise
        except BaseException:
            self._delete_keys([folder + "claimed"])
            raise
        self._delete(folder)

    def _private_file(self):
        """A file of this request's own under the local root, removed when it is closed."""
        try:
            incoming = self.s3.root / "incoming"
            incoming.mkdir(parents=True, exist_ok=True)
            return tempfile.NamedTemporaryFile(dir=incoming, prefix=".finishing-")
        except OSError as exc:
            raise StorageUnavailable("文件存储不可写，请稍后再试") from exc

    def _assemble(self, folder: str, parts: list[tuple[int, int]], out) -> None:
        try:
            for offset, length in parts:
                body = self.s3.client.get_object(Bucket=self.s3.bucket,
                                                 Key=f"{folder}part-{offset:015d}")["Body"]
                data = body.read()
                if len(data) != length:
                    raise StorageUnavailable("文件存储暂不可读，请稍后再试")
                out.write(data)
        except _client_errors() as exc:
            raise StorageUnavailable("文件存储暂不可读，请稍后再试") from exc

    def open(self, user_id: int, lot_id: int, token: str) -> BinaryIO:
        """What has arrived so far, in memory: read for the header check, when the first
        part (at most PART_BYTES) is all there is."""
        folder = self._folder(user_id, lot_id, token)
        parts = self._contiguous(self._parts(folder))
        buffer = io.BytesIO()
        self._assemble(folder, parts, buffer)
        buffer.seek(0)
        return buffer

    def discard(self, user_id: int, lot_id: int, token: str) -> None:
        self._delete(self._folder(user_id, lot_id, token))

    def _delete(self, folder: str) -> None:
        with contextlib.suppress(StorageUnavailable):
            self._delete_keys([folder + name for name in self._listing(folder)])

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            with contextlib.suppress(*_client_errors()):
                self.s3.client.delete_objects(Bucket=self.s3.bucket, Delete={
                    "Objects": [{"Key": key} for key in keys[start:start + 1000]],
                    "Quiet": True})

