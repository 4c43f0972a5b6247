"""站内消息 and e-mail notifications (issue #18 point 3).

The domains know nothing of messages: this package subscribes to their events (below, in
one place) and writes a message for each account concerned; an account that opted in also
gets it by e-mail after the transaction commits (trading.messages.mail)."""

from ..award.events import AwardCommitteeFormed
from ..bidding.events import OpeningCompleted
from ..evaluation.events import ExpertsSummoned, ReportSigned
from ..intermediaries.events import EntryStatusChanged, PurchaseStatusChanged
from ..projects.events import ProjectDue, ProjectScheduling, ProjectStatusChanged
from ..smallworks.events import SmallWorkChanged


def _audit_actions() -> dict[str, str]:
    from ..i18n import N_

    return {"messages.email_settings": N_("修改邮件通知设置")}


def unread_messages(request) -> int:
    """The navigation's badge: the signed-in account's unread count (0 when signed out)."""
    user = request.identity
    if user is None:
        return 0
    from .service import MessageService

    return request.find_service(MessageService).unread_count(user.id)


def includeme(config):
    from . import subscribers as s
    from .mail import SENDER_KEY, sender_from_settings
    from .service import MessageService, message_service_factory

    config.registry[SENDER_KEY] = sender_from_settings(config.get_settings())
    config.add_audit_actions(_audit_actions())
    config.register_service_factory(message_service_factory, MessageService)
    config.add_request_method(unread_messages, "unread_messages", reify=True)
    config.add_subscriber(s.on_project_status, ProjectStatusChanged)
    config.add_subscriber(s.deadline_due, ProjectDue)
    config.add_subscriber(s.deadline_next, ProjectScheduling)
    # After supervision's collusion scan (included before): the supervisors hear of its signals.
    config.add_subscriber(s.on_opening_completed, OpeningCompleted)
    config.add_subscriber(s.on_experts_summoned, ExpertsSummoned)
    config.add_subscriber(s.on_report_signed, ReportSigned)
    config.add_subscriber(s.on_award_committee, AwardCommitteeFormed)
    config.add_subscriber(s.on_purchase_status, PurchaseStatusChanged)
    config.add_subscriber(s.on_entry_status, EntryStatusChanged)
    config.add_subscriber(s.on_smallwork_changed, SmallWorkChanged)
