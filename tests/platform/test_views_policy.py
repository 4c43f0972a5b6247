"""Every view names a permission, and unsafe methods are never open without CSRF."""

from pyramid.interfaces import IRoutesMapper

# Error views render the outcome of a refused request; Pyramid adds the last two itself.
EXEMPT_CONTEXT_VIEWS = ("HTTPNotFound", "HTTPForbidden", "BadCSRFToken", "BadCSRFOrigin",
                        "DomainError", "WSGIHTTPException", "IExceptionResponse",
                        "DBAPIError", "StaleDataError")


def _views(app):
    for item in app.registry.introspector.get_category("views"):
        intr = item["introspectable"]
        yield intr


def _permission(app, intr):
    related = app.registry.introspector.related(intr)
    return next((r["value"] for r in related if r.category_name == "permissions"), None)


def test_every_route_view_names_a_permission(app):
    missing, checked = [], 0
    for intr in _views(app):
        if intr["route_name"] is None or intr["route_name"].startswith("__"):
            continue
        checked += 1
        if _permission(app, intr) is None:
            missing.append(f"{intr['route_name']} -> {intr['callable']}")
    assert missing == [] and checked > 40


def test_only_error_views_have_no_route(app):
    names = set()
    for intr in _views(app):
        if intr["route_name"] is None:
            context = getattr(intr["context"], "__name__", str(intr["context"]))
            names.add(context)
    assert names <= set(EXEMPT_CONTEXT_VIEWS) | {"None"}


def test_every_route_has_a_view(app):
    routes = {r.name for r in app.registry.queryUtility(IRoutesMapper).get_routes()}
    viewed = {intr["route_name"] for intr in _views(app) if intr["route_name"]}
    static = {name for name in routes if name.startswith("__")}
    assert routes - viewed - static == set()


def test_csrf_is_required_by_default(app):
    from pyramid.interfaces import IDefaultCSRFOptions

    options = app.registry.queryUtility(IDefaultCSRFOptions)
    assert options.require_csrf is True
