"""Route factory and ACL for one draw.

Draw records are public: the point of a record is that anyone can check it. Only the
beacon is restricted (supervisors); whether a draw still takes one is the service's call,
so a late beacon gets a clear "already revealed" instead of a bare 403.
"""

from pyramid.authorization import Allow, Everyone

from ..resources import get_or_404
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
    return DrawResource(get_or_404(request, Draw, "draw_id"), RootFactory(request))
