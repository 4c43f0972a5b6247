"""E-mail notifications: a message's copy to an account that opted in.

Why stdlib `smtplib` behind the job queue, not pyramid_mailer: pyramid_mailer (last
release 2017) sends through repoze.sendmail inside the transaction's commit, so a slow or
absent SMTP server holds the request (and its database transaction) and an SMTP error
after the database committed is lost. Here the mails are handed over by an after-commit
hook of the transaction that wrote the messages: a transaction that aborts sends nothing,
and a committed one enqueues one Huey task per mail, retried when the server refuses.
`mail.backend = log` (development, tests) logs the mail instead of sending it.
"""

import logging
import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import transaction

from ..config import ConfigError
from ..db import registry_of

log = logging.getLogger(__name__)

SENDER_KEY = "mail.sender_backend"  # registry key: the configured sender
BACKENDS = ("log", "smtp")
SECURITIES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def as_dict(self) -> dict:
        return asdict(self)


class LogSender:
    """Development: the mail is logged (recipient and subject), nothing leaves the host."""

    def send(self, mail: Mail) -> None:
        log.info("mail not sent (mail.backend = log) to %s: %s", mail.to, mail.subject)


class SmtpSender:
    def __init__(self, *, host: str, port: int, sender: str, username: str = "",
                 password: str = "", security: str = "none", timeout: int = 10):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.security, self.timeout = security, timeout

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> "))
        message.set_content(mail.body)
        return message

    def send(self, mail: Mail) -> None:
        context = ssl.create_default_context()
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(self.message(mail))


def sender_from_settings(settings) -> LogSender | SmtpSender:
    backend = settings.get("mail.backend", "log")
    if backend not in BACKENDS:
        raise ConfigError(f"mail.backend must be log or smtp, not {backend!r}")
    if backend == "log":
        return LogSender()
    security = settings.get("mail.security", "none")
    if security not in SECURITIES:
        raise ConfigError(f"mail.security must be none, starttls or ssl, not {security!r}")
    if not settings.get("mail.host"):
        raise ConfigError("mail.backend = smtp needs mail.host")
    return SmtpSender(host=settings["mail.host"], port=int(settings["mail.port"]),
                      sender=settings["mail.sender"], username=settings.get("mail.username", ""),
                      password=settings.get("mail.password", ""), security=security,
                      timeout=int(settings["mail.timeout"]))


def send_after_commit(dbsession, mails: list[Mail]) -> None:
    """Hand `mails` over when (and only if) the session's transaction commits."""
    if not mails:
        return
    registry = registry_of(dbsession)
    payload = [m.as_dict() for m in mails]
    # The session's own manager (get_tm_session keeps it); a session joined some other way
    # is on the thread's default manager, as zope.sqlalchemy joins it.
    manager = dbsession.info.get("tm") or transaction.manager
    manager.get().addAfterCommitHook(_after_commit, args=(registry, payload))


def _after_commit(success: bool, registry, payload: list[dict]) -> None:
    if not success:
        return
    from .tasks import deliver

    for item in payload:
        if deliver.huey.immediate:
            # Tests and one-process runs: send now, with this app's sender.
            deliver_now(registry, item)
        else:
            deliver(item)


def deliver_now(registry, item: dict) -> None:
    registry[SENDER_KEY].send(Mail(**item))
