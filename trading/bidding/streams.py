"""Byte streams for the web-form bid path: plaintext never reaches a disk unencrypted.

- `EncryptedSpool`: a seekable temporary file encrypted with AES-256-CTR under a random
  key that exists only in this process. The retry policy copies a request body larger
  than 10 KiB into a temporary file before any view runs (so it can replay it); for the
  form route that copy is this spool, so a plaintext form body is never written to disk.
- `MultipartReader`: a pull parser for multipart/form-data that yields one part at a
  time, each readable as a stream. WebOb's parser would copy every file part into a
  plain temporary file first; this one hands the bytes straight to the sealer.
"""

import io
import re
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from Crypto.Cipher import AES
from Crypto.Random import get_random_bytes

from ..errors import DomainError

BLOCK = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
_DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)="((?:[^"\\]|\\.)*)"')
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)


class EncryptedSpool(io.RawIOBase):
    """A temporary file whose bytes on disk are AES-256-CTR ciphertext."""

    def __init__(self, directory=None):
        super().__init__()
        self._file = tempfile.TemporaryFile(dir=directory)
        self._key, self._nonce = get_random_bytes(32), get_random_bytes(8)
        self._pos = 0

    def _cipher(self, position: int):
        block, skip = divmod(position, 16)
        cipher = AES.new(self._key, AES.MODE_CTR, nonce=self._nonce, initial_value=block)
        if skip:
            cipher.encrypt(bytes(skip))  # advance the keystream inside the block
        return cipher

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self._file.seek(self._pos)
        self._file.write(self._cipher(self._pos).encrypt(data))
        self._pos += len(data)
        return len(data)

    def readinto(self, buffer) -> int:
        self._file.seek(self._pos)
        data = self._file.read(len(buffer))
        plain = self._cipher(self._pos).encrypt(data)  # CTR: the same keystream XOR
        buffer[: len(plain)] = plain
        self._pos += len(plain)
        return len(plain)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            offset += self._file.seek(0, io.SEEK_END)
        self._pos = max(0, offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._key = b""
        super().close()


class MultipartError(DomainError):
    code = "bad_multipart"
    status = 400


class Part:
    """One form field or file, readable once, in order."""

    def __init__(self, reader: "MultipartReader", name: str, filename: str | None,
                 content_type: str):
        self._reader = reader
        self.name, self.filename, self.content_type = name, filename, content_type

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self._reader.read_data(BLOCK), b""))
        return self._reader.read_data(size) if size else b""

    def text(self, limit: int = 64 * 1024) -> str:
        chunks, size = [], 0
        while chunk := self.read(BLOCK):
            size += len(chunk)
            if size > limit:
                raise MultipartError(f"表单字段 {self.name} 过长")
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", errors="replace")


class MultipartReader:
    def __init__(self, stream: BinaryIO, boundary: str):
        self._src = stream
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")
        # The body starts with "--boundary" without the CRLF every later one has.
        self._buffer = b"\r\n"
        self._eof = False
        self._in_part = False

    @classmethod
    def from_request(cls, request) -> "MultipartReader":
        match = _BOUNDARY.search(request.headers.get("Content-Type", ""))
        if request.content_type != "multipart/form-data" or not match:
            raise MultipartError("请求应为 multipart/form-data")
        if request.is_body_seekable:
            request.body_file_raw.seek(0)  # someone may have read it already
        return cls(request.body_file, match.group(1))

    def _fill(self) -> None:
        data = self._src.read(BLOCK)
        if not data:
            self._eof = True
        self._buffer += data

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size and not self._eof:
            self._fill()
        if len(self._buffer) < size:
            raise MultipartError("表单数据不完整（上传中断？）")
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def read_data(self, size: int) -> bytes:
        """Up to `size` bytes of the current part; b"" once its closing delimiter is read."""
        while self._in_part:
            found = self._buffer.find(self._delimiter)
            if found == 0:
                self._buffer = self._buffer[len(self._delimiter):]
                self._in_part = False
                break
            # Without a delimiter in sight, all but its length - 1 bytes are surely data.
            ready = found if found > 0 else len(self._buffer) - len(self._delimiter) + 1
            if ready > 0:
                take = min(ready, size)
                data, self._buffer = self._buffer[:take], self._buffer[take:]
                return data
            if self._eof:
                raise MultipartError("表单数据不完整（上传中断？）")
            self._fill()
        return b""

    def parts(self) -> Iterator[Part]:
        self._in_part = True
        while self.read_data(BLOCK):  # the preamble
            pass
        while True:
            if self._take(2) == b"--":
                return
            part = self._part_head()
            self._in_part = True
            yield part
            while self.read_data(BLOCK):  # whatever the caller did not read
                pass

    def _part_head(self) -> Part:
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > MAX_HEADER_BYTES or self._eof:
                raise MultipartError("表单分段头无效")
            self._fill()
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        headers = {}
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        params = dict(_DISPOSITION_PARAM.findall(headers.get("content-disposition", "")))
        if "name" not in params:
            raise MultipartError("表单分段缺少字段名")
        return Part(self, params["name"], params.get("filename"),
                    headers.get("content-type", "text/plain"))
