"""Shared pieces of the route factories: a route's id, or 404."""

from pyramid.httpexceptions import HTTPNotFound

# Keys are 32-bit integers: past that PostgreSQL answers with an overflow error, not
# "no such row", so an id out of range is a 404 before it reaches the database.
from .forms import ID_MAX


def route_id(request, name: str) -> int:
    """The integer id in the matched route, or 404 (missing, not a number, out of range)."""
    try:
        value = int(request.matchdict[name])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None
    if not 0 < value <= ID_MAX:
        raise HTTPNotFound()
    return value


def get_or_404(request, model, name: str, **belongs):
    """The row whose id is in the matched route, or 404; `belongs` (e.g. project_id=7)
    are columns it must match, so a child is only found under its own parent."""
    row = request.dbsession.get(model, route_id(request, name))
    if row is None or any(getattr(row, k) != v for k, v in belongs.items()):
        raise HTTPNotFound()
    return row
