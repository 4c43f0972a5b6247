"""Serving a stored file safely: the one helper every download uses (issue #16 point 1).

A user's file must never run in the platform's origin: its type is sniffed from its bytes
(never the uploader's word), it is an attachment unless it is a type that cannot carry
script (PDF and raster images may be shown inline, for previews), `nosniff` keeps browsers
from guessing, and a CSP `sandbox` gives the response an opaque origin, so even a browser
that renders it anyway cannot read the platform's cookies, pages or API.
"""

from pathlib import Path
from urllib.parse import quote

import filetype
from pyramid.response import FileResponse, Response

SNIFF_BYTES = 8192
OCTET_STREAM = "application/octet-stream"
# Types a browser renders without running the file's own script in the page's origin.
# SVG is an image that carries script, so it is not here.
INLINE_SAFE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif",
                         "image/webp", "image/bmp"})
# The opaque-origin sandbox: no script, no forms, no same-origin access, nothing loaded.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def sniff(head: bytes) -> str:
    """The MIME type the bytes say they are (filetype's magic numbers), or octet-stream."""
    kind = filetype.guess(head[:SNIFF_BYTES]) if head else None
    return kind.mime if kind is not None else OCTET_STREAM


def sniff_file(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return sniff(handle.read(SNIFF_BYTES))


def disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266 with the RFC 5987 UTF-8 form; an ASCII fallback name for old clients."""
    fallback = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_"
                       for c in filename)[:100] or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def harden(response: Response, filename: str, *, inline: bool = False) -> Response:
    """The download headers on a response whose content type is already trusted."""
    inline = inline and response.content_type in INLINE_SAFE
    response.headers["Content-Disposition"] = disposition(filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def serve_stored(request, path: str | Path, filename: str, *, inline: bool = False) -> Response:
    """A stored user file as a download: sniffed type, attachment (inline only for a type
    that cannot run script, and only when the page asks), nosniff, CSP sandbox."""
    response = FileResponse(str(path), request=request, content_type=sniff_file(path))
    return harden(response, filename, inline=inline)


def serve_bytes(body: bytes | str, filename: str, content_type: str) -> Response:
    """A file the platform generated itself (a receipt, a key, a record): an attachment
    with the same headers; its type is the platform's own, not an uploader's."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return harden(Response(body=data, content_type=content_type), filename)
