"""Archive packages: every document, record and audit row of a finished project, signed."""


def _on_project_event(project_service, project, event):
    from datetime import timedelta

    from ..projects.status import FINAL
    from .tasks import archive_project

    # A minute later: the final transaction's notices and records are all committed by
    # then (the periodic catch-up would find the project anyway).
    if project.status in FINAL:
        project_service.enqueue(archive_project, project.id,
                                eta=project_service.clock() + timedelta(minutes=1))


def includeme(config):
    from ..projects.service import EVENT_HOOKS
    from .service import SOURCES, ArchiveService
    from .sources import award_records, contracts, draw_records, evaluation_reports, opening_record

    config.register_service_factory(
        lambda context, request: ArchiveService(request.dbsession, request.clock,
                                                request.storage, request.registry["keys"]),
        ArchiveService)
    if _on_project_event not in EVENT_HOOKS:
        EVENT_HOOKS.append(_on_project_event)
    for source in (opening_record, draw_records, evaluation_reports, award_records,
                   contracts):
        if source not in SOURCES:
            SOURCES.append(source)
