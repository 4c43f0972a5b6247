"""Projects (交易项目): postings, lots, announcements, clarifications, sign-up, listing."""


def includeme(config):
    from ..jobs import chronograph
    from .chronograph import advance_project, due_projects
    from .service import ProjectService, project_service_factory

    config.register_service_factory(project_service_factory, ProjectService)
    chronograph.register("project", due=due_projects, advance=advance_project)
