"""The OCDS API: the cursor feed, a project's release package, and its record; the
公开数据 page that explains them beside the bulk export and the verification tools."""

import io

import colander
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileIter, Response
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


@view_config(route_name="opendata", renderer="opendata/index.jinja2",
             permission=Permission.PUBLIC_VIEW, request_method="GET")
def open_data(request):
    """公开数据: what anyone may download and check, without an account or JavaScript."""
    return {}


@view_config(route_name="opendata.export", permission=Permission.PUBLIC_VIEW,
             request_method="GET")
def bulk_export(request):
    """Every release as one package, `trading ocds export`'s file: spooled to a temporary
    file as it is read (memory stays flat) and served from there once the session is done."""
    import tempfile

    from .export import export_releases

    spool = tempfile.TemporaryFile()
    text = io.TextIOWrapper(spool, encoding="utf-8", write_through=True)
    export_releases(request.dbsession, text, now=request.clock())
    text.detach()
    spool.seek(0)
    response = Response(app_iter=FileIter(spool), content_type="application/json",
                        charset="utf-8")
    response.content_disposition = 'attachment; filename="ocds-releases.json"'
    return response
