"""Content-addressed storage on the S3 API (storage.backend = s3), beside FileStorage.

The same promises as the filesystem backend, kept with what S3 offers:

- **Content-addressed, never a user path**: an object's key is `<prefix>sha256/ab/cd/<digest>`
  of its bytes, computed on the way in; callers never supply a key.
- **Atomic**: an S3 object appears whole or not at all once a PutObject, a
  CompleteMultipartUpload or a CopyObject returns. The digest (the key) is only known at the
  end of the stream, so:
  * up to one part (PART_BYTES, the common case: a bid of a few MiB) the bytes are held in
    memory while hashed and counted, then sent by one *conditional* PutObject
    (`If-None-Match: *`) straight to the final key with its SHA-256 checksum, which the
    server verifies: no copy, and an object already stored is never rewritten;
  * a larger stream goes as a multipart upload to a temporary key `<prefix>incoming/<random>`
    part by part while it is read (never held whole, never written to a local disk), is
    completed, then copied server-side to its final key and the temporary object deleted.
    A multipart upload is invisible until completed; a refused or failed one is aborted.
  A crash between completion and copy can leave a temporary object under `incoming/`, never
  anything under `sha256/`: a lifecycle rule on `incoming/` removes such leftovers (README).
- **Size limit while streaming**: counted as the bytes arrive; the first byte over the limit
  aborts the upload before anything is stored.
- **Durable before the receipt**: the caller commits before it signs a receipt, and S3
  answers a put, a completion or a copy only once the object is stored durably.

Reading keeps the rest of the platform unchanged: `path_for` gives a local file, fetched
once into a cache under storage.root (`s3-cache/`) and checked against its digest before it
is used, so an object altered in the bucket is refused, not served or opened. The local
root also holds what is on its way in (scratch files). The cache is bounded
(`storage.s3.cache_max_bytes`): each use marks its file, and after a fetch that takes the
cache over the cap the files used longest ago are removed until it is under 90 % of it;
a file used in the last ten minutes is never removed (a reader may be about to open it),
and a removed file is simply fetched and checked again on its next use.
"""

import base64
import contextlib
import hashlib
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import BinaryIO

from .storage import (
    CHUNK,
    DIGEST,
    UNWRITABLE,
    FileStorage,
    FileTooLarge,
    StorageUnavailable,
    StoredFile,
)

# Every part of a multipart upload but the last must be at least 5 MiB (S3's rule).
PART_BYTES = 8 * 1024 * 1024
# The read cache: trimmed down to this share of its cap, never a file used this recently,
# and walked at most once a minute per process (a walk reads every file's metadata).
CACHE_LOW_WATER = 0.9
CACHE_KEEP_SECONDS = 600
CACHE_TRIM_EVERY = 60
UNREADABLE = "文件存储暂不可读，请稍后再试"
ALTERED = "存储中的文件与其摘要不符"


def _client_errors():
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def _code(error) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


class S3Storage:
    def __init__(self, root: str | os.PathLike, max_bytes: int, *, bucket: str,
                 endpoint: str | None = None, region: str | None = None, prefix: str = "",
                 client=None, cache_max_bytes: int | None = None):
        self.root = Path(root)  # local: scratch and the read cache
        self.max_bytes = max_bytes
        self.cache_max_bytes = int(cache_max_bytes or 20 * 1024 ** 3)
        self._trimmed_at = 0.0
        self.bucket = bucket
        self.prefix = prefix
        if client is None:
            import boto3
            from botocore.config import Config

            # Credentials from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
            # a role), never from the ini: nothing secret in the repository.
            client = boto3.client(
                "s3", endpoint_url=endpoint or None, region_name=region or "us-east-1",
                config=Config(retries={"max_attempts": 3, "mode": "standard"},
                              connect_timeout=5, read_timeout=60,
                              s3={"addressing_style": "path"}))
        self.client = client

    # -- names ---------------------------------------------------------------------------

    def key_for(self, sha256: str) -> str:
        if not DIGEST.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{self.prefix}sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def path_for(self, sha256: str) -> Path:
        """A local copy of the object, fetched and checked on first use. An object that is
        not in the bucket gives a path that does not exist, as the filesystem backend does."""
        key = self.key_for(sha256)
        local = self._cached(sha256)
        try:
            os.utime(local)  # used now: the trim keeps it
        except FileNotFoundError:
            if self._fetch(key, sha256, local):
                self._trim_soon()
        return local

    def _cached(self, sha256: str) -> Path:
        return self.root / "s3-cache" / sha256[:2] / sha256[2:4] / sha256

    # -- the read cache ------------------------------------------------------------------

    def _trim_soon(self) -> None:
        now = time.time()
        if now - self._trimmed_at >= CACHE_TRIM_EVERY:
            self._trimmed_at = now
            self.trim_cache(now)

    def trim_cache(self, now: float | None = None) -> int:
        """Remove the files used longest ago until the cache is under its low-water mark;
        returns the bytes removed. File times are the operating system's, as the files'."""
        now = time.time() if now is None else now
        files = []
        for path in (self.root / "s3-cache").glob("??/??/*"):
            if path.name.startswith("."):
                continue  # a fetch in progress
            with contextlib.suppress(FileNotFoundError):
                info = path.stat()
                files.append((info.st_mtime, info.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.cache_max_bytes:
            return 0
        target, removed = self.cache_max_bytes * CACHE_LOW_WATER, 0
        for _, size, path in sorted(files):
            if total - removed <= target:
                break
            with contextlib.suppress(FileNotFoundError):
                if now - path.stat().st_mtime >= CACHE_KEEP_SECONDS:  # looked at again now
                    path.unlink()
                    removed += size
        return removed

    # -- writing -------------------------------------------------------------------------

    # The same streaming loop as the filesystem's: only `incoming` differs between backends.
    put = FileStorage.put

    @contextlib.contextmanager
    def incoming(self, max_bytes: int | None = None):
        limit = self.max_bytes if max_bytes is None else max_bytes
        file = S3Incoming(self, limit)
        try:
            yield file
        finally:
            if not file.committed:
                file.abort()

    def adopt(self, path: Path, sha256: str, size: int) -> StoredFile:
        """A finished local file (a resumable upload) into the bucket under the digest its
        caller computed: boto3's transfer sends it (multipart when large) to the final key,
        where it appears only when complete."""
        key = self.key_for(sha256)
        if os.stat(path).st_size != size:
            raise StorageUnavailable("文件在存储过程中发生变化，请重新上传")
        try:
            if not self._exists(key):
                self.client.upload_file(str(path), self.bucket, key)
        except _client_errors() as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        return StoredFile(sha256, size)

    @contextlib.contextmanager
    def scratch(self):
        try:
            incoming = self.root / "incoming"
            incoming.mkdir(parents=True, exist_ok=True)
            handle = tempfile.TemporaryFile(dir=incoming)
        except OSError as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        with handle:
            yield handle

    # -- reading -------------------------------------------------------------------------

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError:
            return self.path_for(sha256).open("rb")  # trimmed between the two: fetched again

    def exists(self, sha256: str) -> bool:
        key = self.key_for(sha256)
        local = self._cached(sha256)
        if local.exists():
            return True
        try:
            return self._exists(key)
        except _client_errors() as exc:
            raise StorageUnavailable(UNREADABLE) from exc

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def _fetch(self, key: str, sha256: str, local: Path) -> bool:
        """Into the cache, checked; False when the bucket has no such object."""
        from botocore.exceptions import ClientError

        try:
            local.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=local.parent, prefix=".fetch-")
        except OSError as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                try:
                    body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
                except ClientError as exc:
                    if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                        return False  # absent: the caller's open says FileNotFoundError
                    raise
                for chunk in body.iter_chunks(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise StorageUnavailable(ALTERED)
            os.replace(tmp, local)
            return True
        except _client_errors() as exc:
            raise StorageUnavailable(UNREADABLE) from exc
        finally:
            Path(tmp).unlink(missing_ok=True)


class S3Incoming:
    """A stream on its way into the bucket (see S3Storage.incoming and the module's notes)."""

    def __init__(self, storage: S3Storage, limit: int):
        self._s, self._limit = storage, limit
        self._hash, self.size = hashlib.sha256(), 0
        self._buffer = bytearray()
        self._temp_key: str | None = None
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self.committed = False

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise FileTooLarge(f"文件超过大小上限 {self._limit // (1024 * 1024)} MiB")
        self._hash.update(data)
        self._buffer += data
        if len(self._buffer) >= PART_BYTES:
            self._send_part()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def commit(self) -> StoredFile:
        digest = self.sha256
        key = self._s.key_for(digest)
        try:
            if self._upload_id is None:
                self._put_final(key, digest)
            else:
                self._complete_and_copy(key)
        except _client_errors() as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        self.committed = True
        self._buffer = bytearray()
        return StoredFile(digest, self.size)

    def _put_final(self, key: str, digest: str) -> None:
        from botocore.exceptions import ClientError

        checksum = base64.b64encode(bytes.fromhex(digest)).decode()
        try:
            self._s.client.put_object(Bucket=self._s.bucket, Key=key, Body=bytes(self._buffer),
                                      ChecksumSHA256=checksum, IfNoneMatch="*")
        except ClientError as exc:
            # Already stored (content addressing deduplicates), or a twin upload is racing
            # us to the same key: either way the object under this digest is these bytes.
            if _code(exc) not in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise

    def _send_part(self) -> None:
        s = self._s
        try:
            if self._upload_id is None:
                self._temp_key = f"{s.prefix}incoming/{uuid.uuid4().hex}"
                self._upload_id = s.client.create_multipart_upload(
                    Bucket=s.bucket, Key=self._temp_key)["UploadId"]
            number = len(self._parts) + 1
            etag = s.client.upload_part(Bucket=s.bucket, Key=self._temp_key, PartNumber=number,
                                        UploadId=self._upload_id,
                                        Body=bytes(self._buffer))["ETag"]
        except _client_errors() as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        self._parts.append({"ETag": etag, "PartNumber": number})
        self._buffer = bytearray()

    def _complete_and_copy(self, key: str) -> None:
        s = self._s
        if self._buffer:
            self._send_part()
        s.client.complete_multipart_upload(
            Bucket=s.bucket, Key=self._temp_key, UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts})
        self._upload_id = None  # completed: nothing left to abort, only the temporary key
        try:
            if not s._exists(key):
                # The managed copy: one CopyObject, or a multipart copy past 5 GiB.
                s.client.copy({"Bucket": s.bucket, "Key": self._temp_key}, s.bucket, key)
        finally:
            s.client.delete_object(Bucket=s.bucket, Key=self._temp_key)

    def abort(self) -> None:
        """Nothing of a refused or failed upload stays: the multipart upload is aborted."""
        self._buffer = bytearray()
        if self._upload_id is not None:
            with contextlib.suppress(*_client_errors()):
                self._s.client.abort_multipart_upload(
                    Bucket=self._s.bucket, Key=self._temp_key, UploadId=self._upload_id)
            self._upload_id = None
