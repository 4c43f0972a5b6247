"""A printable document's record: the content of its printed page as canonical JSON.

The PDF is not laid out from a second reading of the database: the print page is rendered
(the same view, the same template, the same data) and its ``<article class="doc">`` is read
back into blocks — title, facts, headings, tables, lists, paragraphs, the sign-off. The PDF
draws those blocks, embeds them as ``record.json`` and is signed; the ``.json`` route gives
the same record computed now, so a verifier can tell whether the PDF still says what the
platform's records say.
"""

import hashlib
import json
import re
from html.parser import HTMLParser

FORMAT = "trading-printable/1"
SKIPPED = {"generated"}  # classes of what changes with every rendering (the print time)
BLOCK_TAGS = {"h1", "h2", "p", "dl", "table", "ul", "ol", "div"}


def canonical(record: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes hashed and compared."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def record_sha256(record: dict) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def _squash(text: str) -> str:
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


class _Reader(HTMLParser):
    """The article's blocks in order. The templates are ours and simple: a block is one of
    BLOCK_TAGS; tables, definition lists and lists are read whole."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict] = []
        self.depth = 0  # inside <article class="doc">
        self.skip = 0  # inside an element of a SKIPPED class
        self.stack: list[str] = []
        self.text: list[str] | None = None  # the running text of a cell, item, paragraph
        self.block: dict | None = None
        self.row: list[str] | None = None
        self.head = False

    # -- the tree ---------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if tag == "article" and "doc" in classes:
            self.depth = 1
            return
        if not self.depth or tag in ("br", "meta", "link", "img", "hr"):
            if tag == "br" and self.text is not None and not self.skip:
                self.text.append("\n")
            return
        self.stack.append(tag)
        if self.skip or classes & SKIPPED:
            self.skip += 1
            return
        if self.block is None and tag in BLOCK_TAGS:
            self._open(tag, classes)
        elif self.block is not None:
            self._inner(tag)

    def handle_endtag(self, tag):
        if not self.depth or tag in ("br", "meta", "link", "img", "hr"):
            return
        if tag == "article":
            self.depth = 0
            return
        if not self.stack:
            return
        self.stack.pop()
        if self.skip:
            self.skip -= 1
            return
        if self.block is not None:
            self._close(tag)

    def handle_data(self, data):
        if self.depth and not self.skip and self.text is not None:
            self.text.append(data)

    # -- blocks -----------------------------------------------------------------------
    def _open(self, tag, classes):
        self.opened = tag
        style = " ".join(sorted(classes))
        if tag in ("h1", "h2", "p"):
            kind = {"h1": "title", "h2": "heading", "p": "paragraph"}[tag]
            self.block = {"type": kind, "text": "", "style": style}
            self.text = []
        elif tag == "div" and "signoff" in classes:
            self.block = {"type": "signoff", "lines": []}
        elif tag == "div":
            self.block = {"type": "paragraph", "text": "", "style": style}
            self.text = []
        elif tag == "dl":
            self.block = {"type": "facts", "items": []}
        elif tag == "table":
            self.block = {"type": "table", "head": [], "rows": []}
        else:
            self.block = {"type": "list", "ordered": tag == "ol", "items": []}
        self.level = len(self.stack)

    def _inner(self, tag):
        kind = self.block["type"]
        if kind == "table":
            if tag == "thead":
                self.head = True
            elif tag == "tbody":
                self.head = False
            elif tag == "tr":
                self.row = []
            elif tag in ("td", "th"):
                self.text = []
        elif kind in ("facts", "signoff", "list") and tag in ("dt", "dd", "p", "li"):
            self.text = []

    def _take(self) -> str:
        text, self.text = _squash("".join(self.text or [])), None
        return text

    def _close(self, tag):
        kind = self.block["type"]
        if len(self.stack) < self.level:  # the block's own end tag
            if kind in ("title", "heading", "paragraph"):
                self.block["text"] = self._take()
            self._emit()
            return
        if kind == "table":
            if tag in ("td", "th") and self.row is not None:
                self.row.append(self._take())
            elif tag == "tr" and self.row is not None:
                (self.block["head"] if self.head else self.block["rows"]).append(self.row)
                self.row = None
        elif kind == "facts" and tag == "dt":
            self.block["items"].append([self._take(), ""])
        elif kind == "facts" and tag == "dd" and self.block["items"]:
            self.block["items"][-1][1] = self._take()
        elif kind == "signoff" and tag == "p":
            self.block["lines"].append(self._take())
        elif kind == "list" and tag == "li":
            self.block["items"].append(self._take())

    def _emit(self):
        block, self.block, self.text = self.block, None, None
        if block["type"] == "table":
            block["head"] = block["head"][0] if block["head"] else []
            block["numeric"] = []
        if block.get("text", True) or block["type"] not in ("paragraph",):
            self.blocks.append(block)


def read_blocks(html: str) -> list[dict]:
    """The blocks of a rendered print page's article (everything outside it — the print
    bar, links — is the page's, not the document's)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    _mark_numeric(html, reader.blocks)
    return reader.blocks


def _mark_numeric(html: str, blocks: list[dict]) -> None:
    """Which columns the page right-aligns (``th class="num"``), in table order."""
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", html, flags=re.S)
    tables = [b for b in blocks if b["type"] == "table"]
    for block, head in zip(tables, heads, strict=False):
        cells = re.findall(r"<th( class=\"num\")?>", head)
        block["numeric"] = [i for i, num in enumerate(cells) if num]


def build_record(*, kind: str, project, blocks: list[dict], page_url: str,
                 record_url: str) -> dict:
    """The record: what the document is about, where to check it, and its content."""
    title = next((b["text"] for b in blocks if b["type"] == "title"), "")
    return {"format": FORMAT, "kind": kind, "title": title,
            "project": {"id": project.id, "number": project.number, "name": project.name},
            "page": page_url, "record": record_url, "content": blocks}
