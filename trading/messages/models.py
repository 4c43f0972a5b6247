"""站内消息: one row per recipient account. Only what the recipient may already see is
written here (a project's name, a time, a link): never a bid's contents or a secret."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # The unread badge on every page: a count over this index.
        sa.Index("ix_messages_recipient_read", "recipient_id", "read_at"),
        # A reminder fired again by the chronograph (late, early or twice) is one message.
        sa.UniqueConstraint("recipient_id", "dedupe_key", name="uq_messages_recipient_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))  # trading.messages.kinds.MessageKind
    # Catalogue entries with `${name}` fields filled from `args` when shown, so the page
    # reads in the reader's language (trading.messages.service.render).
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The object it is about, as a route and its arguments: the link is built for the
    # reader's host and language when shown (and from trading.public_url in a mail).
    route: Mapped[str] = mapped_column(sa.String(64), default="")
    route_args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a mail was queued for it (the account opted in and has an address).
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
