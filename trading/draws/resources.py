"""Draw pages are public: the point of a draw record is that anyone can check it."""

from pyramid.httpexceptions import HTTPNotFound

from ..security import RootFactory
from .models import Draw


class DrawResource:
    def __init__(self, draw: Draw, parent):
        self.draw = draw
        self.__parent__ = parent


def draw_factory(request) -> DrawResource:
    try:
        draw_id = int(request.matchdict["draw_id"])
    except ValueError:
        raise HTTPNotFound() from None
    draw = request.dbsession.get(Draw, draw_id)
    if draw is None:
        raise HTTPNotFound()
    return DrawResource(draw, RootFactory(request))
