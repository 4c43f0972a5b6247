"""The archive index and package download (trading center and supervisors)."""

import sqlalchemy as sa
from pyramid.view import view_config

from ..files import serve_stored
from ..projects.models import Project
from ..resources import get_or_404
from ..security import Permission
from .models import ArchivePackage
from .service import ARCHIVABLE


@view_config(route_name="archive.index", renderer="archive/index.jinja2",
             permission=Permission.AUDIT_VIEW)
def archive_index(request):
    rows = request.dbsession.execute(
        sa.select(Project, ArchivePackage).outerjoin(
            ArchivePackage, ArchivePackage.project_id == Project.id)
        .where(Project.status.in_([str(s) for s in ARCHIVABLE]))
        .order_by(Project.status_changed_at.desc()).limit(500)).all()
    return {"rows": rows}


@view_config(route_name="archive.download", permission=Permission.AUDIT_VIEW)
def download_package(request):
    package = get_or_404(request, ArchivePackage, "package_id")
    return serve_stored(request, request.storage.path_for(package.sha256),
                        f"archive-project-{package.project_id}.zip")
