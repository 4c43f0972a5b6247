"""The OCDS API: the cursor feed, a project's release package, and its record."""

import colander
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from ..api import describe, query_parameters
from ..forms import validated
from ..security import Permission
from .ocds import PUBLISHER, dump_json, instant, load_json, release_package
from .service import OpenDataService


class FeedParams(colander.MappingSchema):
    after = colander.SchemaNode(colander.Integer(), missing=0,
                                validator=colander.Range(0, 2**62))
    limit = colander.SchemaNode(colander.Integer(), missing=100, validator=colander.Range(1, 1000))


def _json(body) -> Response:
    return Response(dump_json(body), content_type="application/json", charset="utf-8")


def _package(request, releases):
    return release_package(releases, uri=request.url, published=request.clock(),
                           publisher=PUBLISHER)


@describe("api.ocds.releases", "GET", "OCDS release feed, cursor-paged; follow `links.next`",
          response={"type": "object", "required": ["releases", "cursor"]},
          parameters=query_parameters(FeedParams()))
@view_config(route_name="api.ocds.releases", permission=Permission.PUBLIC_VIEW)
def feed(request):
    params = validated(FeedParams(), dict(request.GET.items()))
    page = request.find_service(OpenDataService).feed(params["after"], params["limit"])
    body = _package(request, [load_json(r.data_json) for r in page.rows])
    body["cursor"] = page.cursor
    body["links"] = {"next": request.route_url("api.ocds.releases",
                                               _query={"after": page.cursor,
                                                       "limit": params["limit"]})}
    return _json(body)


@describe("api.ocds.project", "GET", "A project's OCDS release package",
          response={"type": "object", "required": ["releases"]})
@view_config(route_name="api.ocds.project", permission=Permission.PROJECT_VIEW)
def project_releases(context, request):
    releases = request.find_service(OpenDataService).releases_of(context.project.id)
    if not releases:
        raise HTTPNotFound()
    return _json(_package(request, releases))


@describe("api.ocds.record", "GET", "A project's OCDS record with its compiled release",
          response={"type": "object", "required": ["records"]})
@view_config(route_name="api.ocds.record", permission=Permission.PROJECT_VIEW)
def project_record(context, request):
    service = request.find_service(OpenDataService)
    releases = service.releases_of(context.project.id)
    if not releases:
        raise HTTPNotFound()
    record = {"ocid": releases[0]["ocid"], "releases": releases,
              "compiledRelease": service.compiled(context.project.id)}
    return _json({"uri": request.url, "version": "1.1", "publishedDate": instant(request.clock()),
                  "publisher": {"name": PUBLISHER}, "records": [record]})
