"""Archive jobs: one per project reaching a final state, and a periodic catch-up."""

from huey import crontab

from ..jobs import leases
from ..jobs.queue import huey
from ..jobs.runtime import job_session, runtime
from ..projects.models import Project
from .service import ArchiveService


def _service(dbsession) -> ArchiveService:
    return ArchiveService(dbsession, runtime.clock, runtime.registry["storage"], runtime.keys,
                          runtime.settings)


@huey.task(retries=3, retry_delay=60)
def archive_project(project_id: int) -> None:
    """Write the project's package; a rerun (after a crash) finds or rebuilds it once."""
    with leases.held(f"archive-{project_id}"), job_session() as dbsession:
        project = dbsession.get(Project, project_id)
        if project is not None:
            _service(dbsession).archive(project)


@huey.periodic_task(crontab(minute="*/10"))
def archive_due() -> None:
    """Catch up on final projects without a package (a worker that was down, a lost job)."""
    with job_session() as dbsession:
        due = _service(dbsession).due()
    for project_id in due:
        archive_project(project_id)
