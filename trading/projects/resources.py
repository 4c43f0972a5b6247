"""Route factories and ACLs for projects: who may do what to one project.

Who is decided here; when (status, deadlines) is decided by the service.
"""

import sqlalchemy as sa
from pyramid.authorization import Allow, Everyone
from pyramid.httpexceptions import HTTPNotFound

from ..resources import get_or_404, route_id
from ..security import Permission, RootFactory
from .models import Announcement, Lot, Project, ProjectDocument, Question
from .status import EDITABLE, PUBLIC


class ProjectResource:
    # The root is the parent, so platform-wide grants (a supervisor's freeze) apply here too.
    __parent__ = None

    def __init__(self, project: Project, parent=None):
        self.project = project
        self.__parent__ = parent

    @property
    def __acl__(self):
        project = self.project
        owner = f"org:{project.owner_org_id}:owner"
        acl = [
            (Allow, owner, Permission.PROJECT_VIEW),
            (Allow, owner, Permission.PROJECT_MANAGE),
            (Allow, "role:center", Permission.PROJECT_VIEW),
            (Allow, "role:center", Permission.PROJECT_REVIEW),
            (Allow, "role:center", Permission.PROJECT_SIGNUPS),
            (Allow, "role:supervisor", Permission.PROJECT_VIEW),
            (Allow, "role:supervisor", Permission.PROJECT_SIGNUPS),
            (Allow, owner, Permission.PROJECT_SIGNUPS),
        ]
        if project.status in EDITABLE:
            acl.append((Allow, owner, Permission.PROJECT_EDIT))
        if project.status in PUBLIC:
            acl += [
                (Allow, Everyone, Permission.PROJECT_VIEW),
                (Allow, "role:bidder", Permission.PROJECT_PARTICIPATE),
            ]
        return acl


def project_factory(request) -> ProjectResource:
    return ProjectResource(get_or_404(request, Project, "project_id"), RootFactory(request))


class ChildResource(ProjectResource):
    def __init__(self, project, child, parent):
        super().__init__(project, parent)
        self.child = child


def _child_factory(model, key):
    def factory(request):
        resource = project_factory(request)
        child = request.dbsession.scalar(sa.select(model).where(
            model.id == route_id(request, key), model.project_id == resource.project.id))
        if child is None:
            raise HTTPNotFound()
        return ChildResource(resource.project, child, resource.__parent__)

    return factory


lot_factory = _child_factory(Lot, "lot_id")
document_factory = _child_factory(ProjectDocument, "document_id")
question_factory = _child_factory(Question, "question_id")
announcement_factory = _child_factory(Announcement, "announcement_id")
