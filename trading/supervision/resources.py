"""Who may read a project's collusion signals: the root grants staff and supervisors;
the project's evaluation committee is added by whoever knows it."""

import sqlalchemy as sa
from pyramid.authorization import Allow

from ..evaluation.models import Committee, CommitteeMember, CommitteeStatus, MemberState
from ..projects.resources import ProjectResource, project_factory
from ..security import Permission

# Registry key: `readers(dbsession, project) -> [principal, ...]` functions, added with
# `config.add_signal_readers(fn)`; `sitting_committee` names the members of the project's
# committee (rules §7.9: flags go to the committee).
SIGNAL_READERS = "supervision.signal_readers"


def add_signal_readers(config, readers) -> None:
    """The directive: who else may read a project's collusion signals."""
    readers = config.maybe_dotted(readers)
    config.action(("supervision.signal_readers", readers),
                  lambda: config.registry[SIGNAL_READERS].append(readers))


def sitting_committee(dbsession, project) -> list[str]:
    """The members who signed in to the project's evaluation committee (read only): they
    weigh the signals when they evaluate (rules §7.9)."""
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
    committee = [p for readers in request.registry[SIGNAL_READERS]
                 for p in readers(request.dbsession, resource.project)]
    return SignalsResource(resource.project, resource.__parent__, committee)
