"""Content-addressed file storage under one configured root.

A file's name is the SHA-256 of its bytes, computed on the way in; callers never supply a
path. Writes are atomic: a temporary file in the same folder, fsync, rename, fsync of the
folder. A partial or oversized upload leaves nothing behind.
"""

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
        limit = self.max_bytes if max_bytes is None else max_bytes
        incoming = self.root / "incoming"
        try:
            incoming.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=incoming)
        except OSError as exc:
            raise StorageUnavailable("文件存储不可写，请稍后再试") from exc
        try:
            digest, size = self._copy(stream, fd, limit)
            return self._commit(Path(tmp), digest, size)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _copy(self, stream: BinaryIO, fd: int, limit: int) -> tuple[str, int]:
        h, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(f"文件超过大小上限 {limit // (1024 * 1024)} MiB")
                h.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise StorageUnavailable("文件存储空间不足或不可写") from exc
            out.flush()
            os.fsync(out.fileno())
        return h.hexdigest(), size

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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def includeme(config):
    settings = config.get_settings()
    storage = FileStorage(settings["storage.root"], settings["storage.max_bytes"])
    config.registry["storage"] = storage
    config.add_request_method(lambda request: request.registry["storage"], "storage",
                              reify=True)
