"""Projects (交易项目): postings, lots, announcements, clarifications, sign-up, listing."""


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "project.drafted": N_("创建项目"),
        "project.edited": N_("编辑项目"),
        "project.document_added": N_("上传项目文件"),
        "project.announced": N_("发布公告"),
        "project.status_changed": N_("项目状态变更"),
        "project.frozen": N_("冻结项目"),
        "project.unfrozen": N_("解除项目冻结"),
        "project.retendered": N_("重新招标"),
        "project.signed_up": N_("投标报名"),
        "project.document_downloaded": N_("下载招标文件"),
        "project.question_asked": N_("提出疑问"),
        "project.question_answered": N_("答复疑问"),
    }



def name_projects(request, ids: set[str]) -> dict[str, tuple[str, str]]:
    """Projects by name, linked; one not yet published only to staff (trading.subjects)."""
    import sqlalchemy as sa

    from ..subjects import is_staff, numeric
    from .models import Project

    query = sa.select(Project.id, Project.name).where(Project.id.in_(numeric(ids)))
    if not is_staff(request):
        query = query.where(Project.published_at.is_not(None))
    return {str(i): (name, request.route_url("projects.detail", project_id=i))
            for i, name in request.dbsession.execute(query)}


def includeme(config):
    from .chronograph import advance_project, due_projects
    from .service import ProjectService, project_service_factory

    config.include(".listing_cache")
    config.add_audit_actions(_audit_actions())
    config.add_subject_namer("project", name_projects)
    config.register_service_factory(project_service_factory, ProjectService)
    config.add_chronograph_kind("project", due=due_projects, advance=advance_project)
