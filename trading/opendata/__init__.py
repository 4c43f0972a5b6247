"""Open data: OCDS 1.1.5 releases of every public project and small work, a feed, packages
and records."""

from ..db import registry_of


def _on_project_event(event):
    """ProjectStatusChanged, ClarificationPublished: the project's release moves on."""
    from .service import OpenDataService

    service = event.service
    OpenDataService(service.db, service.clock, service.registry.settings).record_event(
        event.project, event.name)


def _on_smallwork_step(event):
    """SmallWorkChanged: the work's release moves on."""
    from ..smallworks.service import QUOTE_WINDOW
    from .service import OpenDataService

    service = event.service
    OpenDataService(service.db, service.clock, registry_of(service.db).settings)\
        .record_smallwork(event.work, quote_window=QUOTE_WINDOW)


def includeme(config):
    from ..projects.events import ClarificationPublished, ProjectStatusChanged
    from ..smallworks.events import SmallWorkChanged
    from .service import OpenDataService

    config.add_subscriber(_on_project_event, ProjectStatusChanged)
    config.add_subscriber(_on_project_event, ClarificationPublished)
    config.add_subscriber(_on_smallwork_step, SmallWorkChanged)
    config.register_service_factory(
        lambda context, request: OpenDataService(request.dbsession, request.clock,
                                                 request.registry.settings),
        OpenDataService)
