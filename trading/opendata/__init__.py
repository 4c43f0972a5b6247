"""Open data: OCDS 1.1.5 releases of every public project and small work, a feed, packages
and records."""

from ..db import registry_of


def _on_project_event(event):
    """ProjectStatusChanged, ClarificationPublished: the project's release moves on."""
    from .service import OpenDataService

    service = event.service
    OpenDataService(service.db, service.clock, service.registry.settings).record_event(
        event.project, event.name)


def _on_smallwork_step(smallworks_service, work):
    from ..smallworks.service import QUOTE_WINDOW
    from .service import OpenDataService

    OpenDataService(smallworks_service.db, smallworks_service.clock,
                    registry_of(smallworks_service.db).settings).record_smallwork(
        work, quote_window=QUOTE_WINDOW)


def includeme(config):
    from ..projects.events import ClarificationPublished, ProjectStatusChanged
    from ..smallworks.service import PUBLISH_HOOKS
    from .service import OpenDataService

    config.add_subscriber(_on_project_event, ProjectStatusChanged)
    config.add_subscriber(_on_project_event, ClarificationPublished)
    if _on_smallwork_step not in PUBLISH_HOOKS:
        PUBLISH_HOOKS.append(_on_smallwork_step)
    config.register_service_factory(
        lambda context, request: OpenDataService(request.dbsession, request.clock,
                                                 request.registry.settings),
        OpenDataService)
