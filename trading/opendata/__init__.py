"""Open data: OCDS 1.1.5 releases of every public project, a feed, packages and records."""


def _on_project_event(project_service, project, event):
    from ..jobs.runtime import runtime
    from .service import OpenDataService

    OpenDataService(project_service.db, project_service.clock, runtime.settings).record_event(
        project, event)


def includeme(config):
    from ..projects.service import EVENT_HOOKS
    from .service import OpenDataService

    if _on_project_event not in EVENT_HOOKS:
        EVENT_HOOKS.append(_on_project_event)
    config.register_service_factory(
        lambda context, request: OpenDataService(request.dbsession, request.clock,
                                                 request.registry.settings),
        OpenDataService)
