"""The evidence page of a project's collusion signals (围标串标预警), HTML and JSON."""

from pyramid.view import view_config

from ..api import describe
from ..i18n import _
from ..security import Permission
from .collusion_service import CollusionService


@view_config(route_name="audit.signals", renderer="supervision/signals.jinja2",
             permission=Permission.AUDIT_SIGNALS)
def signals_page(context, request):
    service = request.find_service(CollusionService)

    def word(message: str, **mapping) -> str:
        return request.localizer.translate(_(message, mapping=mapping))

    return {"project": context.project, "e": service.evidence(context.project, word),
            "scan": service.scan_of(context.project)}


@describe("api.audit.signals", "GET",
          "A project's collusion signals with their evidence (committee, center, supervisors)",
          auth=True, response={"type": "object", "required": ["lots", "scanned_at"]})
@view_config(route_name="api.audit.signals", renderer="json",
             permission=Permission.AUDIT_SIGNALS)
def signals_api(context, request):
    return request.find_service(CollusionService).evidence(context.project)
