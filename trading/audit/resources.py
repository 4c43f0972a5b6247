"""Who may read a project's collusion signals: the root grants staff and supervisors;
the project's evaluation committee is added by whoever knows it."""

from collections.abc import Callable

from pyramid.authorization import Allow

from ..projects.resources import ProjectResource, project_factory
from ..security import Permission

# `hook(dbsession, project) -> [principal, ...]`: the evaluation domain registers one that
# names the members of the project's committee (rules §7.9: flags go to the committee).
COMMITTEE_PRINCIPALS: list[Callable] = []


def sitting_committee(dbsession, project) -> list[str]:
    """The members who signed in to the project's evaluation committee (read only): they
    weigh the signals when they evaluate (rules §7.9)."""
    import sqlalchemy as sa

    from ..evaluation.models import Committee, CommitteeMember, CommitteeStatus, MemberState

    query = (sa.select(CommitteeMember.user_id)
             .join(Committee, Committee.id == CommitteeMember.committee_id)
             .where(Committee.project_id == project.id,
                    Committee.status.in_([CommitteeStatus.SITTING, CommitteeStatus.DONE]),
                    CommitteeMember.state == MemberState.SIGNED_IN,
                    CommitteeMember.user_id.is_not(None)))
    return [f"user:{user_id}" for user_id in dbsession.scalars(query)]


class SignalsResource(ProjectResource):
    def __init__(self, project, parent, committee=()):
        super().__init__(project, parent)
        self.committee = tuple(committee)

    @property
    def __acl__(self):
        grants = [(Allow, p, Permission.AUDIT_SIGNALS) for p in self.committee]
        return grants + super().__acl__


def signals_factory(request) -> SignalsResource:
    resource = project_factory(request)
    committee = [p for hook in COMMITTEE_PRINCIPALS
                 for p in hook(request.dbsession, resource.project)]
    return SignalsResource(resource.project, resource.__parent__, committee)
