"""The notices' resource: a 中标通知书 / 结果通知书 is read by the organisation it is
addressed to, the owner who issued it, the center and supervisors — no other bidder."""

from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound

from ..award.models import Award, AwardNotice
from ..projects.resources import ProjectResource, project_factory
from ..resources import route_id
from ..security import Permission


class NoticeResource(ProjectResource):
    def __init__(self, project, parent, notice: AwardNotice):
        super().__init__(project, parent)
        self.notice = notice

    @property
    def __acl__(self):
        return [*super().__acl__,
                (Allow, f"org:{self.notice.org_id}", Permission.AWARD_NOTICE),
                (Allow, f"org:{self.project.owner_org_id}:owner", Permission.AWARD_NOTICE),
                (Allow, "role:center", Permission.AWARD_NOTICE),
                (Allow, "role:supervisor", Permission.AWARD_NOTICE)]


def notice_factory(request) -> NoticeResource:
    base = project_factory(request)
    notice = request.dbsession.get(AwardNotice, route_id(request, "notice_id"))
    if notice is None or request.dbsession.get(Award, notice.award_id).project_id \
            != base.project.id:
        raise HTTPNotFound()
    return NoticeResource(base.project, base.__parent__, notice)
