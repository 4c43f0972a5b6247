"""The message centre's service: write messages for accounts, read and mark one's own."""

from collections.abc import Iterable
from string import Template

import colander
import sqlalchemy as sa
from pyramid.request import Request

from ..accounts.models import Role, User
from ..actor import Actor
from ..audit.service import record
from ..db import registry_of
from ..errors import DomainError, NotFound
from .kinds import MessageKind, label
from .mail import Mail, send_after_commit
from .models import Message

PAGE_SIZE = 30
SITE = "阳光交易平台"


class InvalidEmail(DomainError):
    code = "invalid_email"


class MessageService:
    def __init__(self, dbsession, clock):
        self.db, self.clock = dbsession, clock

    # -- writing (the subscribers) ------------------------------------------------------

    def send(self, recipients: Iterable, kind: MessageKind, subject: str, *, body: str = "",
             args: dict | None = None, route: str = "", route_args: dict | None = None,
             key: str | None = None) -> list[Message]:
        """One message per active account in `recipients` (users or ids); with `key`, an
        account that already has a message with that key gets no second one. `subject` and
        `body` are catalogue entries whose `${name}` fields `args` fills."""
        ids = {r if isinstance(r, int) else r.id for r in recipients if r is not None}
        if not ids:
            return []
        users = self.db.scalars(sa.select(User).where(User.id.in_(ids), User.is_active)
                                .order_by(User.id)).all()
        seen = set()
        if key:
            seen = set(self.db.scalars(sa.select(Message.recipient_id).where(
                Message.recipient_id.in_(ids), Message.dedupe_key == key)))
        now, made, mails = self.clock(), [], []
        for user in users:
            if user.id in seen:
                continue
            message = Message(recipient_id=user.id, kind=str(kind), subject=subject[:200],
                              body=body, args=dict(args or {}), route=route,
                              route_args=dict(route_args or {}), dedupe_key=key,
                              created_at=now)
            if user.notify_by_email and user.email:
                message.mailed_at = now
                mails.append(self._mail(user, message))
            made.append(message)
        self.db.add_all(made)
        self.db.flush()
        send_after_commit(self.db, mails)
        return made

    def to_role(self, role: Role, *args, **kw) -> list[Message]:
        ids = self.db.scalars(sa.select(User.id).where(User.role == role, User.is_active))
        return self.send(list(ids), *args, **kw)

    def to_organisation(self, org_id: int | None, *args, **kw) -> list[Message]:
        if org_id is None:
            return []
        ids = self.db.scalars(sa.select(User.id).where(User.organisation_id == org_id,
                                                      User.is_active))
        return self.send(list(ids), *args, **kw)

    def _mail(self, user: User, message: Message) -> Mail:
        link = absolute_link(registry_of(self.db), message.route, message.route_args)
        body = "\n\n".join(part for part in (
            f"{user.display_name}：", render(message.body, message.args),
            f"查看：{link}" if link else "",
            f"—— {SITE}（本邮件由系统发送；可在“站内消息”页关闭邮件通知）") if part)
        subject = render(message.subject, message.args)
        return Mail(to=user.email, subject=f"【{SITE}】{label(message.kind)}：{subject}",
                    body=body)

    # -- reading (the recipient) --------------------------------------------------------

    def unread_count(self, user_id: int) -> int:
        return self.db.scalar(sa.select(sa.func.count(Message.id)).where(
            Message.recipient_id == user_id, Message.read_at.is_(None))) or 0

    def listing(self, user_id: int, *, unread_only: bool = False, page: int = 1
                ) -> tuple[list[Message], int]:
        query = sa.select(Message).where(Message.recipient_id == user_id)
        if unread_only:
            query = query.where(Message.read_at.is_(None))
        total = self.db.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = self.db.scalars(query.order_by(Message.created_at.desc(), Message.id.desc())
                               .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
        return list(rows), total or 0

    def own(self, message_id: int, user_id: int) -> Message:
        """The recipient's message; anyone else's is not found (not even its existence)."""
        message = self.db.get(Message, message_id)
        if message is None or message.recipient_id != user_id:
            raise NotFound("没有这条消息")
        return message

    def mark_read(self, message: Message) -> Message:
        if message.read_at is None:
            message.read_at = self.clock()
        return message

    def mark_all_read(self, user_id: int) -> int:
        result = self.db.execute(sa.update(Message).where(
            Message.recipient_id == user_id, Message.read_at.is_(None)).values(
            read_at=self.clock()))
        return result.rowcount or 0

    # -- the account's e-mail settings ---------------------------------------------------

    def set_email(self, user: User, *, email: str, notify: bool, actor: Actor) -> User:
        email = email.strip()
        if email:
            try:
                colander.Email()(None, email)
            except colander.Invalid:
                raise InvalidEmail("电子邮箱格式不正确", field="email") from None
        if len(email) > 200:
            raise InvalidEmail("电子邮箱过长", field="email")
        if notify and not email:
            raise InvalidEmail("开启邮件通知须先填写电子邮箱", field="email")
        user.email, user.notify_by_email = email, notify
        # The address itself stays out of the audit log (personal data); the fact is kept.
        record(self.db, actor, "messages.email_settings", "user", user.id, now=self.clock(),
               notify=notify, has_email=bool(email))
        return user


def render(text: str, args: dict) -> str:
    """The Chinese text (a mail, a log): the catalogue entry with its fields filled."""
    return Template(text).safe_substitute({k: str(v) for k, v in (args or {}).items()})


def absolute_link(registry, route: str, args: dict) -> str:
    """The object's address on the public host (trading.public_url), for a mail."""
    if not route:
        return ""
    base = str(registry.settings.get("trading.public_url") or "http://localhost:6543")
    request = Request.blank("/", base_url=base.rstrip("/"))
    request.registry = registry
    try:
        return request.route_url(route, **args)
    except KeyError:
        return ""


def message_service_factory(context, request) -> MessageService:
    return MessageService(request.dbsession, request.clock)
