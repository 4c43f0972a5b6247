"""Official documents as signed PDF (issue #18 point 4): every printable document has a
下载PDF link to a PDF rendered from the print page's own data, in Chinese, sealed and
signed (PAdES) with the platform's document certificate, embedding its record; the offline
check accepts it, and refuses one altered, extended after signing, re-signed with another
key, or no longer matching the record."""

import io
import json

import pypdf
import pytest
from award_support import cands, enrol, form, login_as, sign_all, sign_report, vote
from factories import actor_for

from trading.award.service import AwardService
from trading.cli import main as cli
from trading.keys import new_document_signer
from trading.printables.pdf import make_pdf
from trading.printables.verify import verify_pdf
from trading.projects.kinds import ProcurementMethod
from trading.projects.status import ProjectStatus


@pytest.fixture(autouse=True)
def _pinned(registry):
    """The certificate a verifier pins: the test run's document certificate."""
    global CERT
    CERT = registry["document_signer"].cert_der


@pytest.fixture
def awarded(award_world_factory):
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER)
    sign_report(w, ranked=True)
    service = AwardService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])
    w.clock.set(service.publicity(w.project).ends_at)
    (w.award,) = service.decide(w.project, actor=actor_for(w.owner))
    w.service = service
    return w


def _text(pdf: bytes) -> str:
    """The text, lines joined: a table cell wraps a long name."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


def _pdf_of(testapp, print_page) -> tuple[bytes, dict]:
    """Follow the print page's 下载PDF link; the record as the platform gives it now."""
    pdf = print_page.click(description="下载PDF（平台签章）")
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF")
    record = testapp.get(print_page.request.path + ".json").json
    return pdf.body, record


def _checked(testapp, print_page, *words) -> bytes:
    pdf, record = _pdf_of(testapp, print_page)
    verdict = verify_pdf(pdf, CERT, record)
    assert verdict.ok, verdict.problems
    assert verdict.record["page"].endswith(print_page.request.path)
    text = _text(pdf)
    for word in words:
        assert word in text, (word, text[:400])
    assert "核验链接" in text and print_page.request.path in text
    return pdf


@pytest.mark.slow  # ≈2.3 s: renders and signs every document; the walks check PDFs too
def test_every_document_of_an_awarded_project_is_a_signed_chinese_pdf(testapp, awarded):
    w = awarded
    winner, loser = w.bidders[0], w.bidders[1]
    login_as(testapp, w, w.owner)
    detail = testapp.get(f"/projects/{w.project.id}")
    opening = detail.click(href="/print/opening-record$")
    _checked(testapp, opening, "开标记录", winner.organisation.name, "投标报价",
             "开标结果")
    report = detail.click(href="/print/evaluation-report$")
    _checked(testapp, report, "评标报告", "推荐的中标候选人", "签署")
    for kind, word in (("candidates", "中标候选人公示"), ("result", "中标结果公告")):
        item = next(a for a in w.project.announcements if a.kind == kind)
        page = testapp.get(f"/projects/{w.project.id}/announcements/{item.id}").click(
            href=f"/announcements/{item.id}/print$")
        _checked(testapp, page, word, w.project.owner.name)
    login_as(testapp, w, winner)
    award_page = testapp.get(f"/projects/{w.project.id}/award")
    won = award_page.click(href=r"/notices/\d+/print$", index=0)
    _checked(testapp, won, "中标通知书", winner.organisation.name, "中标价")
    login_as(testapp, w, loser)
    lost = testapp.get(f"/projects/{w.project.id}/award").click(href=r"/notices/\d+/print$",
                                                                 index=0)
    _checked(testapp, lost, "结果通知书", loser.organisation.name, "未中标")
    testapp.get(won.request.path + ".pdf", status=403)  # another bidder's notice
    testapp.get(won.request.path + ".json", status=403)


def test_the_award_report_pdf(testapp, world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    a, b, _ = cands(w)
    vote(w, committee, [[a], [a], [b], [a], [b]])
    sign_all(w, committee)
    AwardService(w.dbsession, w.clock, w.registry["keys"]).decide(
        w.project, actor=actor_for(w.owner))
    login_as(testapp, w, w.bidders[1])
    page = testapp.get(f"/projects/{w.project.id}/award").click(
        href=f"/award/committees/{committee.id}/print$", index=0)
    _checked(testapp, page, "定标报告", "定标委员会", "得票", w.bidders[0].organisation.name)


def test_failure_and_cancellation_notices(testapp, awarded):
    w = awarded
    for bidder in w.bidders:
        w.service.decline(w.award, reason="无法履约", actor=actor_for(bidder))
    assert w.project.status is ProjectStatus.FAILED
    testapp.reset()
    failure = next(a for a in w.project.announcements if a.kind == "failure")
    page = testapp.get(f"/projects/{w.project.id}").click(
        href=f"/announcements/{failure.id}/print$", index=0)
    _checked(testapp, page, "流标公告", "流标原因")


def test_a_cancelled_project_prints_its_termination_notice(testapp, awarded_factory_free):
    w = awarded_factory_free
    w.projects().cancel(w.project, reason="采购需求发生重大变化，终止本次招标",
                        actor=actor_for(w.center))
    testapp.reset()
    notice = next(a for a in w.project.announcements if a.kind == "cancellation")
    page = testapp.get(f"/projects/{w.project.id}").click(
        href=f"/announcements/{notice.id}/print$", index=0)
    _checked(testapp, page, "终止公告", "采购需求发生重大变化")


@pytest.fixture
def awarded_factory_free(award_world_factory):
    return award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER)


# -- refusals ------------------------------------------------------------------------------

@pytest.fixture
def signed(testapp, awarded):
    testapp.reset()
    failure_free = next(a for a in awarded.project.announcements if a.kind == "result")
    page = testapp.get(f"/projects/{awarded.project.id}/announcements/{failure_free.id}/print")
    pdf, record = _pdf_of(testapp, page)
    assert verify_pdf(pdf, CERT, record).ok
    return pdf, record


def test_a_pdf_altered_after_signing_is_refused(signed):
    pdf, record = signed
    # one byte of the signed content (the page's drawing, before the signature's range ends)
    at = pdf.index(b"stream", 2000) + 40
    forged = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]
    verdict = verify_pdf(forged, CERT, record)
    assert not verdict.ok and "altered after signing" in " ".join(verdict.problems)


def test_a_record_swapped_in_after_signing_is_refused(signed):
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pdf, record = signed
    forged_record = json.loads(json.dumps(record))
    forged_record["title"] = "伪造"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = embed.EmbeddedFileObject.from_file_data(
        writer, json.dumps(forged_record, ensure_ascii=False).encode())
    embed.embed_file(writer, embed.FileSpec(file_spec_string="record.json",
                                            file_name="record.json", embedded_data=data))
    out = io.BytesIO()
    writer.write(out)
    verdict = verify_pdf(out.getvalue(), CERT, forged_record)
    assert not verdict.ok
    assert "added to the PDF after it was signed" in " ".join(verdict.problems)


def test_a_pdf_resigned_with_another_key_is_refused(signed):
    _, record = signed
    forged_record = {**record, "title": record["title"] + "（改）"}
    other = new_document_signer("阳光市公共资源交易中心")
    forged = make_pdf(forged_record, other, "阳光市公共资源交易中心")
    verdict = verify_pdf(forged, CERT, forged_record)
    assert not verdict.ok and "not the pinned platform certificate" in verdict.problems[0]
    assert verify_pdf(forged, other.cert_der, forged_record).ok  # a valid PDF, wrong signer


def test_a_pdf_that_no_longer_matches_the_record_is_refused(signed):
    pdf, record = signed
    changed = json.loads(json.dumps(record))
    changed["content"][-1]["lines"] = ["别的招标人"]
    verdict = verify_pdf(pdf, CERT, changed)
    assert not verdict.ok
    assert "differs from the platform's record: record.content[" in verdict.problems[0]


def test_the_command_line_check(signed, tmp_path, capsys, testapp):
    pdf, record = signed
    (tmp_path / "doc.pdf").write_bytes(pdf)
    (tmp_path / "record.json").write_text(json.dumps(record, ensure_ascii=False))
    cert = testapp.get("/printables/certificate.pem")
    assert cert.body.decode() == testapp.app.registry["document_signer"].cert_pem
    (tmp_path / "platform.pem").write_bytes(cert.body)
    args = ["printables", "verify", str(tmp_path / "doc.pdf"),
            "--cert", str(tmp_path / "platform.pem")]
    assert cli([*args, "--record", str(tmp_path / "record.json")]) == 0
    out = capsys.readouterr().out
    assert "document valid" in out and "matches the record" in out
    assert cli(args) == 0
    assert "not compared" in capsys.readouterr().out
    (tmp_path / "doc.pdf").write_bytes(pdf.replace(b"/Title", b"/Titlf", 1))
    assert cli([*args, "--record", str(tmp_path / "record.json")]) == 1
    assert "INVALID:" in capsys.readouterr().out
    assert cli(["printables", "verify", str(tmp_path / "doc.pdf")]) == 2  # nothing pinned


def test_the_command_line_fetches_the_record_the_pdf_names(signed, tmp_path, capsys, testapp,
                                                            monkeypatch):
    """--fetch reads the record from the address inside the signed PDF (here the test app
    answers for the network); a record changed since refuses the PDF."""
    import urllib.request
    from urllib.parse import urlsplit

    pdf, record = signed
    answers = {}

    def urlopen(url, timeout=None):
        response = testapp.get(urlsplit(url).path)
        return io.BytesIO(answers.get("body", response.body))

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    (tmp_path / "doc.pdf").write_bytes(pdf)
    (tmp_path / "platform.pem").write_text(testapp.app.registry["document_signer"].cert_pem)
    args = ["printables", "verify", str(tmp_path / "doc.pdf"),
            "--cert", str(tmp_path / "platform.pem"), "--fetch"]
    assert cli(args) == 0
    assert "content matches the record (fetched from http" in capsys.readouterr().out
    answers["body"] = json.dumps({**record, "title": "已更正"}, ensure_ascii=False).encode()
    assert cli(args) == 1
    assert "INVALID: the content differs from the platform's record: record.title" \
        in capsys.readouterr().out
