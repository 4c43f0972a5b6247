"""Content-addressed file storage under one configured root.

A file's name is the SHA-256 of its bytes, computed on the way in; callers never supply a
path. Writes are atomic: a temporary file in the same folder, fsync, rename, fsync of the
folder. A partial or oversized upload leaves nothing behind.
"""

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import DomainError

CHUNK = 1024 * 1024
DIGEST = re.compile(r"^[0-9a-f]{64}$")
# What a full or read-only disk says; other OSErrors (a client gone mid-upload) are not ours.
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES}
UNWRITABLE = "文件存储不可写，请稍后再试"
FULL = "文件存储空间不足或不可写"


class FileTooLarge(DomainError):
    code = "file_too_large"
    status = 413


class StorageUnavailable(DomainError):
    code = "storage_unavailable"
    status = 503


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class FileStorage:
    def __init__(self, root: str | os.PathLike, max_bytes: int):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        if not DIGEST.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, max_bytes: int | None = None) -> StoredFile:
        """Store a stream; the returned digest is the file's only name."""
        with self.incoming(max_bytes) as incoming:
            while chunk := stream.read(CHUNK):
                incoming.write(chunk)
            return incoming.commit()

    @contextlib.contextmanager
    def incoming(self, max_bytes: int | None = None):
        """An `Incoming` file: bytes written to it are hashed and counted on their way to
        the disk, once; `commit()` makes it durable under its digest. Left uncommitted
        (an error, a refused upload), it is removed."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        try:
            incoming = self.root / "incoming"
            incoming.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=incoming)
        except OSError as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        file = Incoming(self, fd, Path(tmp), limit)
        try:
            yield file
        finally:
            file.close()
            if not file.committed:
                Path(tmp).unlink(missing_ok=True)

    def adopt(self, path: Path, sha256: str, size: int) -> StoredFile:
        """Link a finished file already under the root (a resumable upload) into the store
        under `sha256`, the digest its caller computed while reading it: fsync and a hard
        link, no copy. The caller holds the file privately, so it cannot change meanwhile;
        the size is checked again all the same."""
        final = self.path_for(sha256)
        with _disk_errors():
            fd = os.open(path, os.O_RDONLY)
            try:
                if os.fstat(fd).st_size != size:
                    raise StorageUnavailable("文件在存储过程中发生变化，请重新上传")
                os.fsync(fd)
            finally:
                os.close(fd)
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, final)
            except FileExistsError:
                pass  # same bytes already stored: content addressing deduplicates
            else:
                _fsync_dir(final.parent)
        return StoredFile(sha256, size)

    @contextlib.contextmanager
    def scratch(self):
        """An anonymous temporary file beside the store for bytes on their way in (never
        linked, so a crash leaves nothing); a full or read-only disk is StorageUnavailable."""
        try:
            incoming = self.root / "incoming"
            incoming.mkdir(parents=True, exist_ok=True)
            handle = tempfile.TemporaryFile(dir=incoming)
        except OSError as exc:
            raise StorageUnavailable(UNWRITABLE) from exc
        with _disk_errors(), handle:  # closing flushes, and may be what fails
            yield handle

    def _commit(self, tmp: Path, digest: str, size: int) -> StoredFile:
        final = self.path_for(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            tmp.unlink()  # same bytes already stored: content addressing deduplicates
        else:
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        return StoredFile(digest, size)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()


class Incoming:
    """A file on its way into the store (see FileStorage.incoming)."""

    def __init__(self, storage: FileStorage, fd: int, path: Path, limit: int):
        self._storage, self._fd, self._path, self._limit = storage, fd, path, limit
        self._hash, self.size = hashlib.sha256(), 0
        self.committed = False

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise FileTooLarge(f"文件超过大小上限 {self._limit // (1024 * 1024)} MiB")
        self._hash.update(data)
        with _disk_errors():
            _write_all(self._fd, data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def commit(self) -> StoredFile:
        """One fsync of the file, the rename, one fsync of its folder."""
        with _disk_errors():  # a full disk may only say so here
            os.fsync(self._fd)
            self.close()
            stored = self._storage._commit(self._path, self.sha256, self.size)
        self.committed = True
        return stored

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _write_all(fd: int, data: bytes) -> None:
    """A write may be short (the disk filling up): go on until all is written or the disk
    says why not."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@contextlib.contextmanager
def _disk_errors():
    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            raise
        raise StorageUnavailable(FULL) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


BACKENDS = ("filesystem", "s3")


def from_settings(settings) -> "FileStorage":
    """The backend `storage.backend` names: `filesystem` (the default: files under
    storage.root) or `s3` (objects in storage.s3.bucket at storage.s3.endpoint; storage.root
    then only holds the local read cache and what is on its way in)."""
    backend = settings.get("storage.backend") or "filesystem"
    if backend == "s3":
        from .storage_s3 import S3Storage

        return S3Storage(settings["storage.root"], settings["storage.max_bytes"],
                         bucket=settings["storage.s3.bucket"],
                         endpoint=settings.get("storage.s3.endpoint") or None,
                         region=settings.get("storage.s3.region") or None,
                         prefix=settings.get("storage.s3.prefix") or "",
                         cache_max_bytes=settings.get("storage.s3.cache_max_bytes"))
    return FileStorage(settings["storage.root"], settings["storage.max_bytes"])


def includeme(config):
    storage = from_settings(config.get_settings())
    config.registry["storage"] = storage
    config.add_request_method(lambda request: request.registry["storage"], "storage",
                              reify=True)
