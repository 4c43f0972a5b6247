"""A local SMTP server in the test process (aiosmtpd) that the app's mail sender uses."""

import email
import os
import socket
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from trading.messages.mail import SENDER_KEY, SmtpSender


class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.mails.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def _free_port() -> int:
    """A port of this helper's range (7700-7799), one per xdist worker, else any free."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").lstrip("gw") or "0"
    for port in (7750 + int(worker), 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port for the test SMTP server")


@pytest.fixture
def smtp(registry):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = registry[SENDER_KEY]
    registry[SENDER_KEY] = SmtpSender(host="127.0.0.1", port=controller.port,
                                      sender="阳光交易平台 <noreply@example.org>")
    try:
        yield inbox
    finally:
        registry[SENDER_KEY] = saved
        controller.stop()


def commit_hooks(tm) -> None:
    """Run the after-commit hooks the test's doomed transaction holds, as its commit would."""
    for hook, args, kws in tm.get().getAfterCommitHooks():
        hook(True, *args, **kws)
