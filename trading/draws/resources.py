"""Route factory and ACL for one draw.

Draw records are public: the point of a record is that anyone can check it. Only the
beacon is restricted (supervisors); whether a draw still takes one is the service's call,
so a late beacon gets a clear "already revealed" instead of a bare 403.
"""

from pyramid.authorization import Allow, Everyone
from pyramid.httpexceptions import HTTPNotFound

from ..security import Permission, RootFactory
from .models import Draw


class DrawResource:
    __acl__ = [
        (Allow, Everyone, Permission.PUBLIC_VIEW),
        (Allow, "role:supervisor", Permission.DRAW_BEACON),
    ]

    def __init__(self, draw: Draw, parent):
        self.draw = draw
        self.__parent__ = parent  # the root, so platform-wide grants still apply


def draw_factory(request) -> DrawResource:
    try:
        draw_id = int(request.matchdict["draw_id"])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None
    # Past a 32-bit key PostgreSQL would answer with an overflow error, not "no such row".
    draw = request.dbsession.get(Draw, draw_id) if 0 < draw_id < 2**31 else None
    if draw is None:
        raise HTTPNotFound()
    return DrawResource(draw, RootFactory(request))
