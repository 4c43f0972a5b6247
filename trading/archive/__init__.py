"""Archive packages: every document, record and audit row of a finished project, signed."""

from ..projects.events import ProjectStatusChanged
from ..projects.status import FINAL


def _on_project_event(event):
    """ProjectStatusChanged: a project that reached a final state is archived."""
    from datetime import timedelta

    from .tasks import archive_project

    # A minute later: the final transaction's notices and records are all committed by
    # then (the periodic catch-up would find the project anyway).
    service = event.service
    if event.project.status in FINAL:
        service.enqueue(archive_project, event.project.id,
                        eta=service.clock() + timedelta(minutes=1))


def includeme(config):
    from .service import ArchiveService

    config.register_service_factory(
        lambda context, request: ArchiveService(request.dbsession, request.clock,
                                                request.storage, request.registry["keys"]),
        ArchiveService)
    config.add_subscriber(_on_project_event, ProjectStatusChanged)

