"""`MultipartReader`: a pull parser for multipart/form-data that yields one part at a time,
each readable as a stream. WebOb's parser reads file parts line by line into temporary
files first; this one hands an uploaded envelope's bytes straight to storage."""

import re
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import DomainError

BLOCK = 64 * 1024
FILL = 256 * 1024  # what the reader asks the body for at a time
MAX_HEADER_BYTES = 16 * 1024
_DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)="((?:[^"\\]|\\.)*)"')
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)


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
    """The body is read FILL bytes at a time into one buffer, which is consumed by moving an
    offset (not by slicing off what was read, which copied the rest each time) and searched
    for the delimiter only past what is already known to hold none: a 1 MiB upload costs a
    few reads and searches, not dozens (issue #19)."""

    def __init__(self, stream: BinaryIO, boundary: str):
        self._src = stream
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")
        # The body starts with "--boundary" without the CRLF every later one has.
        self._buffer = b"\r\n"
        self._pos = 0  # the first unread byte of the buffer
        self._clear = 0  # the buffer holds no delimiter starting before this index
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
        data = self._src.read(FILL)
        if not data:
            self._eof = True
        pos = self._pos
        self._buffer = self._buffer[pos:] + data if pos else self._buffer + data
        self._clear, self._pos = max(0, self._clear - pos), 0

    def _take(self, size: int) -> bytes:
        while len(self._buffer) - self._pos < size and not self._eof:
            self._fill()
        if len(self._buffer) - self._pos < size:
            raise MultipartError("表单数据不完整（上传中断？）")
        data = self._buffer[self._pos:self._pos + size]
        self._pos += size
        return data

    def read_data(self, size: int) -> bytes:
        """Up to `size` bytes of the current part; b"" once its closing delimiter is read."""
        while self._in_part:
            pos, buffer = self._pos, self._buffer
            if self._clear > pos:
                found = -1
            else:
                found = buffer.find(self._delimiter, pos)
                if found < 0:  # a delimiter may yet start in the last len - 1 bytes
                    self._clear = max(pos, len(buffer) - len(self._delimiter) + 1)
            if found == pos:
                self._pos = pos + len(self._delimiter)
                self._in_part = False
                break
            if found > 0:
                self._clear = found  # the part's data ends there
            ready = (found if found > 0 else self._clear) - pos
            if ready > 0:
                take = min(ready, size)
                self._pos = pos + take
                return buffer[pos:pos + take]
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
        while (end := self._buffer.find(b"\r\n\r\n", self._pos)) < 0:
            if len(self._buffer) - self._pos > MAX_HEADER_BYTES or self._eof:
                raise MultipartError("表单分段头无效")
            self._fill()
        head, self._pos = self._buffer[self._pos:end], end + 4
        self._clear = 0
        headers = {}
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        params = dict(_DISPOSITION_PARAM.findall(headers.get("content-disposition", "")))
        if "name" not in params:
            raise MultipartError("表单分段缺少字段名")
        return Part(self, params["name"], params.get("filename"),
                    headers.get("content-type", "text/plain"))
