"""Each printable document as a signed PDF (``….pdf``) and as its record (``….json``):
the print page's own view, permission and template give the content (trading.printables
.record), so the PDF cannot say anything the page does not. Official documents are in
Simplified Chinese whatever the reader's interface language, so the record is the same
for everyone who may read it and a verifier fetching it compares like with like."""

from pyramid.httpexceptions import HTTPServiceUnavailable
from pyramid.renderers import render

from ..files import serve_bytes
from ..i18n import DEFAULT_LOCALE
from ..security import Permission
from . import views
from .pdf import make_pdf
from .record import build_record, canonical, read_blocks

# route, view, template, permission, kind (a callable of the context for the notices)
DOCUMENTS = (
    ("print.opening", views.opening_record, "print/opening.jinja2", Permission.PROJECT_VIEW,
     lambda context: "opening_record"),
    ("print.evaluation", views.evaluation_report, "print/evaluation.jinja2",
     Permission.EVALUATION_VIEW, lambda context: "evaluation_report"),
    ("print.award_report", views.award_report, "print/award_report.jinja2",
     Permission.PROJECT_VIEW, lambda context: "award_report"),
    ("print.notice", views.notice, "print/notice.jinja2", Permission.AWARD_NOTICE,
     lambda context: f"{context.notice.kind}_notice"),
    ("print.announcement", views.announcement, "print/announcement.jinja2",
     Permission.PROJECT_VIEW, lambda context: f"announcement.{context.child.kind}"),
)


def _chinese(request) -> None:
    """Render this request in Simplified Chinese (locale_name and localizer are reified)."""
    request.__dict__.pop("localizer", None)
    request.locale_name = DEFAULT_LOCALE


def document_record(request, context, route, view, template, kind) -> dict:
    _chinese(request)
    html = render(template, view(context, request), request=request)
    args = dict(request.matchdict)
    return build_record(kind=kind(context), project=context.project, blocks=read_blocks(html),
                        page_url=request.route_url(route, **args),
                        record_url=request.route_url(f"{route}.json", **args))


def _filename(record: dict, ext: str) -> str:
    return f"{record['project']['number']}-{record['kind']}.{ext}".replace("/", "-")


def _pdf_view(route, view, template, kind):
    def pdf(context, request):
        signer = request.registry.get("document_signer")
        if signer is None:
            raise HTTPServiceUnavailable("文书签章证书未配置（keys.document_signing_key / "
                                         "keys.document_certificate），暂不能生成 PDF")
        record = document_record(request, context, route, view, template, kind)
        center = request.registry.settings.get("trading.center_name") or "阳光交易平台"
        return serve_bytes(make_pdf(record, signer, center), _filename(record, "pdf"),
                           "application/pdf")
    return pdf


def _json_view(route, view, template, kind):
    def record_json(context, request):
        record = document_record(request, context, route, view, template, kind)
        return serve_bytes(canonical(record), _filename(record, "json"), "application/json")
    return record_json


def certificate(request):
    """The certificate that signs the PDFs, to pin: `trading printables verify --cert`."""
    signer = request.registry.get("document_signer")
    if signer is None:
        raise HTTPServiceUnavailable("文书签章证书未配置")
    return serve_bytes(signer.cert_pem, "platform-document.pem", "application/x-pem-file")


def includeme(config):
    for route, view, template, permission, kind in DOCUMENTS:
        config.add_view(_pdf_view(route, view, template, kind), route_name=f"{route}.pdf",
                        permission=permission, request_method="GET")
        config.add_view(_json_view(route, view, template, kind), route_name=f"{route}.json",
                        permission=permission, request_method="GET")
    config.add_view(certificate, route_name="printables.certificate",
                    permission=Permission.PUBLIC_VIEW, request_method="GET")
