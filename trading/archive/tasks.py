"""Archive jobs: one per project reaching a final state, and a periodic catch-up."""

from huey import crontab

from ..jobs import leases
from ..jobs.queue import huey
from ..jobs.request import job_request
from ..projects.models import Project
from .service import ArchiveService


@huey.task(retries=3, retry_delay=60)
def archive_project(project_id: int) -> None:
    """Write the project's package; a rerun (after a crash) finds or rebuilds it once."""
    with leases.held(f"archive-{project_id}"), job_request() as request:
        project = request.dbsession.get(Project, project_id)
        if project is not None:
            request.find_service(ArchiveService).archive(project)


@huey.periodic_task(crontab(minute="*/10"))
def archive_due() -> None:
    """Catch up on final projects without a package (a worker that was down, a lost job)."""
    with job_request() as request:
        due = request.find_service(ArchiveService).due()
    for project_id in due:
        archive_project(project_id)
