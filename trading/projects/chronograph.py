"""The project kind of the chronograph: which projects are due, and advancing one."""

import sqlalchemy as sa

from .models import Project
from .service import ProjectService


def due_projects(dbsession, now, limit):
    query = (sa.select(Project.id).where(Project.next_check <= now)
             .order_by(Project.next_check).limit(limit))
    return list(dbsession.scalars(query))


def advance_project(request, project_id):
    project = request.dbsession.get(Project, project_id)
    if project is None:
        return None
    # Rescheduling always carries an eta, so a due transition never re-enters advance.
    return request.find_service(ProjectService).advance(project)
