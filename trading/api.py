"""The JSON API's shared parts: operation descriptions and the OpenAPI 3.1 document.

Each API view is decorated with `@describe(...)` beside its `@view_config`; like
`view_config`, the description is registered when `config.scan()` finds the view (into
`registry["api.operations"]`), never at import. The document at /api/v1/openapi.json is built
from those descriptions and the routes, and a test checks that every `api.*` route is
described.
"""

from dataclasses import dataclass, field

import colander
import venusian
from pyramid.interfaces import IRoutesMapper
from pyramid.view import view_config

from .errors import DomainError
from .forms import OPEN_ENDED, Day, LocalDateTime, Money, Ticked, WindowedDate, validated
from .guards import parse_json
from .security import Permission

OPERATIONS = "api.operations"  # registry key: the Operation of every described API view

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": ["string", "null"]},
    },
}


class InvalidBody(DomainError):
    """A request body that is not JSON, not an object, or does not fit its schema."""

    code = "invalid"


def json_object(request, error: type[DomainError] = InvalidBody) -> dict:
    """The request's JSON body, which must be an object."""
    data = parse_json(request.body, error)
    if not isinstance(data, dict):
        raise error("请求体应为 JSON 对象")
    return data


def json_body(request, schema, error: type[DomainError] = InvalidBody) -> dict:
    """Deserialize the JSON body with a colander schema: the forms' validation, once
    (bound to the request as the forms are: dates are checked against its clock)."""
    return validated(schema.bind(request=request), json_object(request, error), error)


@dataclass(frozen=True)
class Operation:
    route_name: str
    method: str
    summary: str
    auth: bool = False
    request_schema: type | None = None
    response: dict = field(default_factory=lambda: {"type": "object"})
    parameters: tuple = ()


def describe(route_name, method, summary, *, auth=False, request_schema=None,
             response=None, parameters=()):
    """Describe an API operation for the OpenAPI document (a view decorator)."""
    operation = Operation(route_name, method.lower(), summary, auth, request_schema,
                          response or {"type": "object"}, tuple(parameters))

    def register(scanner, name, ob):
        scanner.config.registry.setdefault(OPERATIONS, []).append(operation)

    def decorate(fn):
        venusian.attach(fn, register, category="pyramid")
        return fn

    return decorate


def node_schema(node: colander.SchemaNode) -> dict:
    """JSON Schema for a colander node: the same schema validates forms and API bodies."""
    typ = node.typ
    if isinstance(typ, colander.Mapping):
        children = [c for c in node.children if c.name != "csrf_token"]
        return {
            "type": "object",
            "properties": {c.name: node_schema(c) for c in children},
            "required": [c.name for c in children if c.required],
        }
    if isinstance(typ, colander.Sequence):
        return {"type": "array", "items": node_schema(node.children[0]),
                **_item_constraints(node)}
    if isinstance(typ, Money):
        return {"type": "string", "pattern": r"^[0-9]{1,13}(\.[0-9]{1,2})?$",
                "description": "yuan; stored as integer fen"}
    return _scalar_schema(typ, node)


def query_parameters(schema: colander.MappingSchema) -> list[dict]:
    """OpenAPI query parameters from the colander schema that validates them."""
    return [{"name": c.name, "in": "query", "required": c.required, "schema": node_schema(c)}
            for c in schema.children]


def _scalar_schema(typ, node) -> dict:
    if isinstance(typ, colander.Set):
        return {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    if isinstance(typ, colander.Integer):
        return {"type": "integer", **_constraints(node)}
    if isinstance(typ, colander.Boolean):
        return {"type": "boolean", **_constraints(node)}
    if isinstance(typ, colander.DateTime):
        return {"type": "string", "format": "date-time"}
    if isinstance(typ, LocalDateTime):
        window = _year_constraint(typ, node)
        note = "; ".join(filter(None, ("ISO 8601, or Beijing time as 2026-03-25 09:30",
                                       window.pop("description", None))))
        return {"type": "string", "format": "date-time", "description": note, **window}
    if isinstance(typ, colander.Date):
        return {"type": "string", "format": "date", **_year_constraint(typ, node)}
    return {"type": "string", **_constraints(node)}


def _year_constraint(typ, node) -> dict:
    """The year window as a pattern on the year as written (a bound document only: the
    window moves with the clock)."""
    if not isinstance(typ, WindowedDate) or not node.bindings:
        return {}
    low, high = typ.window(node)
    years = "|".join(str(y) for y in range(low, high + 1))
    open_ended = isinstance(typ, Day) and typ.open_ended
    pattern = f"^(({years})-|{OPEN_ENDED.isoformat()}$)" if open_ended else f"^({years})-"
    return {"pattern": pattern, "description": f"a date in the years {low} to {high}"
            + (f", or {OPEN_ENDED.isoformat()} for no end" if open_ended else "")}


def _constraints(node: colander.SchemaNode) -> dict:
    """What the node's validators accept, so the document promises no more and no less
    (schemathesis checks both ways)."""
    found: dict = {}
    validators = node.validator.validators if isinstance(node.validator, colander.All) \
        else [node.validator]
    for v in validators:
        if isinstance(v, colander.Range):
            found.update({k: x for k, x in (("minimum", v.min), ("maximum", v.max))
                          if x is not None})
        elif isinstance(v, colander.Length):
            if v.max:
                found["maxLength"] = v.max
            if v.min and node.required:  # an optional empty value is simply missing
                found["minLength"] = v.min
        elif isinstance(v, colander.OneOf):
            found["enum"] = [*v.choices, *([""] if not node.required else [])]
        elif isinstance(v, Ticked):
            found.update(enum=[True], description=Ticked.description)
        elif isinstance(v, colander.Regex):
            # colander matches from the start (re.match); a JSON Schema pattern searches.
            found["pattern"] = "^" + v.match_object.pattern.removeprefix("^")
    return found


def _item_constraints(node: colander.SchemaNode) -> dict:
    """A sequence's Length validator as minItems/maxItems."""
    v = node.validator
    if not isinstance(v, colander.Length):
        return {}
    return {k: x for k, x in (("minItems", v.min), ("maxItems", v.max)) if x}


def _path_of(pattern: str) -> str:
    # Route patterns like /x/{id:\d+} become OpenAPI paths /x/{id}.
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "{":
            end = pattern.index("}", i)
            out.append("{" + pattern[i + 1:end].split(":")[0] + "}")
            i = end + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def build_openapi(request) -> dict:
    mapper = request.registry.queryUtility(IRoutesMapper)
    routes = {r.name: r.pattern for r in mapper.get_routes()}
    paths: dict = {}
    for op in request.registry.get(OPERATIONS, ()):
        path = _path_of(routes[op.route_name])
        paths.setdefault(path, {})[op.method] = _operation(request, op, path)
    return {
        # 3.1: its schemas are JSON Schema 2020-12, so a nullable field is a type array
        # (["integer", "null"]) as every domain writes it; 3.0 would need `nullable: true`.
        "openapi": "3.1.0",
        "info": {"title": "阳光交易平台 API", "version": "1"},
        "servers": [{"url": request.host_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
        "paths": paths,
    }


def _operation(request, op: Operation, path: str) -> dict:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _path_params(path)]
    params += list(op.parameters)
    ok = {"content": {"application/json": {"schema": op.response}}}
    # An action that creates something answers 201 (a draft, a document, a bid version).
    created = {"201": {"description": "Created", **ok}} if op.method == "post" else {}
    result = {
        "operationId": op.route_name + "." + op.method,
        "summary": op.summary,
        "parameters": params,
        "responses": {
            "200": {"description": "OK", **ok},
            **created,
            "default": {"description": "error", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }
    if op.auth:
        result["security"] = [{"bearer": []}]
    if op.request_schema is not None:
        result["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": node_schema(op.request_schema().bind(request=request))}}}
        # 400 (code `invalid`) is a body outside this schema; 422 a body inside it that a
        # rule the schema cannot state refused (a deadline, a catalogue entry, two dates).
        result["responses"]["422"] = {"description": "Refused by a rule", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return result


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@describe("api.openapi", "GET", "This OpenAPI document")
@view_config(route_name="api.openapi", renderer="json", permission=Permission.PUBLIC_VIEW)
def openapi(request):
    return build_openapi(request)


@describe("api.me", "GET", "The authenticated user", auth=True, response={
     "type": "object", "required": ["id", "username", "role"],
     "properties": {"id": {"type": "integer"}, "username": {"type": "string"},
                    "display_name": {"type": "string"}, "role": {"type": "string"},
                    "organisation_id": {"type": ["integer", "null"]}}})
@view_config(route_name="api.me", renderer="json", permission=Permission.ACCOUNT_SELF)
def api_me(request):
    user = request.identity
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": str(user.role), "organisation_id": user.organisation_id}
