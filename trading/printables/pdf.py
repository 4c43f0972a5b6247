"""A record (trading.printables.record) as a sealed, signed PDF.

ReportLab lays it out with its built-in CID font STSong-Light (Adobe's Song for Simplified
Chinese: the reader supplies the glyphs, so no font file is installed or embedded); the
platform's round seal is drawn beside the sign-off; every page's foot carries the
verification link and the record's SHA-256; the record is embedded as ``record.json``; and
pyHanko signs the whole file (PAdES baseline B, ECDSA P-256 with the document certificate).
"""

import io
import math
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .record import canonical, record_sha256

FONT = "STSong-Light"
RED = colors.Color(0.82, 0.08, 0.08)
RECORD_NAME = "record.json"
SEAL_FIELD = "PlatformSeal"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _style(name, size=10.5, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.5,
                          wordWrap="CJK", **kw)


STYLES = {
    "issuer": _style("issuer", 9, alignment=TA_CENTER, textColor=colors.grey),
    "title": _style("title", 20, alignment=TA_CENTER, spaceBefore=4, spaceAfter=6),
    "meta": _style("meta", 9.5, alignment=TA_CENTER, spaceAfter=8),
    "heading": _style("heading", 13, spaceBefore=10, spaceAfter=4),
    "body": _style("body", spaceAfter=4),
    "void": _style("void", 12, textColor=RED, alignment=TA_CENTER, spaceAfter=6),
    "salutation": _style("salutation", 12, spaceBefore=6),
    "cell": _style("cell", 8.5),
    "cellnum": _style("cellnum", 8.5, alignment=TA_RIGHT),
    "signoff": _style("signoff", 11, alignment=TA_RIGHT),
    "small": _style("small", 8, textColor=colors.grey),
}


# Characters the Song font lacks, as the ones it has (the record keeps the originals).
GLYPHS = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u2713": "\u221a"})


def _text(value: str) -> str:
    return escape(value.translate(GLYPHS)).replace("\n", "<br/>")


class Seal(Flowable):
    """The platform's round seal (电子签章): a red ring, a five-pointed star, the center's
    name along the upper arc and 电子文书专用章 below the star."""

    def __init__(self, name: str, size: float = 4.2 * cm):
        super().__init__()
        self.name, self.size = name, size
        self.width = self.height = size
        self.hAlign = "RIGHT"

    def draw(self):
        c, r = self.canv, self.size / 2
        c.saveState()
        c.translate(r, r)
        c.setStrokeColor(RED)
        c.setFillColor(RED)
        c.setFillAlpha(0.85)
        c.setStrokeAlpha(0.85)
        c.setLineWidth(2.4)
        c.circle(0, 0, r - 1.5, stroke=1, fill=0)
        star = [(0.2 * r * math.cos(math.radians(90 + 36 * i)) * (1 if i % 2 == 0 else 0.4),
                 0.2 * r * math.sin(math.radians(90 + 36 * i)) * (1 if i % 2 == 0 else 0.4))
                for i in range(10)]
        path = c.beginPath()
        path.moveTo(*star[0])
        for point in star[1:]:
            path.lineTo(*point)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
        chars = list(self.name)
        size = min(0.3 * r, 2 * math.pi * 0.7 * r * (220 / 360) / max(len(chars), 1))
        c.setFont(FONT, size)
        spread = min(220.0, len(chars) * size / (0.72 * r) * 180 / math.pi)
        for i, ch in enumerate(chars):
            angle = 90 + spread / 2 - (spread * (i + 0.5) / len(chars))
            c.saveState()
            c.rotate(angle - 90)
            c.drawCentredString(0, 0.66 * r, ch)
            c.restoreState()
        c.setFont(FONT, 0.17 * r)
        c.drawCentredString(0, -0.55 * r, "电子文书专用章")
        c.restoreState()


def _table(block: dict, width: float) -> Table | None:
    head, rows = block.get("head") or [], block.get("rows") or []
    columns = max([len(head), *(len(r) for r in rows)] or [0])
    if not columns:
        return None
    numeric = set(block.get("numeric") or [])

    def cell(value, i):
        return Paragraph(_text(value), STYLES["cellnum" if i in numeric else "cell"])

    data = [[cell(v, i) for i, v in enumerate(row)] + [""] * (columns - len(row))
            for row in ([head] if head else []) + rows]
    widths = _widths([head, *rows], columns, width, STYLES["cell"].fontSize)
    table = Table(data, colWidths=widths, repeatRows=1 if head else 0)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *([("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93))] if head else []),
    ]))
    return table


def _widths(rows: list[list[str]], columns: int, width: float, size: float) -> list[float]:
    """Columns as wide as their text wants, shrunk toward two characters (a heading reads
    across at least two) when the page is too narrow for all of them."""
    pad = 8

    def wide(text):
        return max((pdfmetrics.stringWidth(line, FONT, size) for line in text.split("\n")),
                   default=0)

    natural = [min(max([wide(r[i]) for r in rows if i < len(r)] or [0]) + pad, width * 0.4)
               for i in range(columns)]
    least = [min(n, 2 * size + pad) for n in natural]
    if sum(natural) <= width:
        return [n * width / sum(natural) for n in natural]
    spare = (width - sum(least)) / max(sum(natural) - sum(least), 1)
    return [lo + (n - lo) * spare for n, lo in zip(natural, least, strict=True)]


def _facts(block: dict, width: float) -> Table | None:
    items = block.get("items") or []
    if not items:
        return None
    data = [[Paragraph(_text(k), STYLES["body"]), Paragraph(_text(v), STYLES["body"])]
            for k, v in items]
    table = Table(data, colWidths=[width * 0.24, width * 0.76])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TEXTCOLOR", (0, 0), (0, -1), colors.grey)]))
    return table


def _story(record: dict, center: str, width: float) -> list:
    story, sealed = [], False
    for block in record["content"]:
        kind = block["type"]
        if kind == "title":
            story.append(Paragraph(_text(block["text"]), STYLES["title"]))
        elif kind == "heading":
            story.append(Paragraph(_text(block["text"]), STYLES["heading"]))
        elif kind == "paragraph":
            styles = set(block.get("style", "").split())
            style = next((STYLES[s] for s in ("issuer", "meta", "void", "salutation")
                          if s in styles), STYLES["body"])
            story.append(Paragraph(_text(block["text"]), style))
        elif kind in ("table", "facts"):
            flowable = (_table if kind == "table" else _facts)(block, width)
            if flowable is not None:
                story += [flowable, Spacer(1, 6)]
        elif kind == "list":
            for i, item in enumerate(block.get("items") or [], 1):
                mark = f"{i}. " if block.get("ordered") else "・"
                story.append(Paragraph(_text(mark + item), STYLES["body"]))
        elif kind == "signoff":
            lines = [Paragraph(_text(t), STYLES["signoff"]) for t in block.get("lines") or []]
            story.append(KeepTogether([Spacer(1, 10), *lines, Seal(center)]))
            sealed = True
    if not sealed:
        story.append(KeepTogether([Spacer(1, 10), Seal(center)]))
    story.append(_verification(record, width))
    return story


def _verification(record: dict, width: float) -> Table:
    """The last block: where and how to check this document, with the link as QR code."""
    qr = QrCodeWidget(record["page"])
    x0, y0, x1, y1 = qr.getBounds()
    side = 2.6 * cm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(qr)
    text = Paragraph(_text(
        f"核验：本文书由平台以电子签章签署（PAdES），内嵌记录 {RECORD_NAME}。\n"
        f"核验链接：{record['page']}\n"
        f"记录摘要 SHA-256：{record_sha256(record)}\n"
        "离线核验：trading printables verify 本文件.pdf --cert 平台文书证书.pem --fetch"),
        STYLES["small"])
    table = Table([[drawing, text]], colWidths=[side + 0.4 * cm, width - side - 0.4 * cm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return KeepTogether([Spacer(1, 12), table])


def render_pdf(record: dict, center: str) -> bytes:
    """The unsigned PDF of a record."""
    buffer = io.BytesIO()
    digest = record_sha256(record)

    def foot(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(2 * cm, 1.2 * cm, f"核验链接：{record['page']}")
        canvas.drawString(2 * cm, 0.8 * cm, f"记录摘要 SHA-256：{digest}")
        canvas.drawRightString(A4[0] - 2 * cm, 0.8 * cm, f"第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=2 * cm, bottomMargin=2 * cm, title=record["title"],
                            author=center, subject=record["project"]["name"],
                            creator="阳光交易平台", invariant=1)
    doc.build(_story(record, center, A4[0] - 4 * cm), onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()


def sign_pdf(pdf: bytes, record: dict, signer, *, center: str) -> bytes:
    """Embed the record and sign the whole file with the platform's document key."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = embed.EmbeddedFileObject.from_file_data(writer, canonical(record),
                                                   mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=RECORD_NAME, file_name=RECORD_NAME, embedded_data=data,
        description="canonical JSON of the record this document was rendered from"))
    staged = io.BytesIO()
    writer.write(staged)
    pdf_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.cert_der),
        signing_key=asn1_keys.PrivateKeyInfo.load(signer.key_der), cert_registry=None)
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"{record['title']}（平台电子签章）", location=center)
    return signers.sign_pdf(IncrementalPdfFileWriter(staged), meta,
                            signer=pdf_signer).getvalue()


def make_pdf(record: dict, signer, center: str) -> bytes:
    return sign_pdf(render_pdf(record, center), record, signer, center=center)
