"""Outgoing email: plain text over SMTP (Python's smtplib), or to the server log when no server is set.

One code path for both: the message is built the same way, then either handed to ``MAIL_SERVER``
or, with none configured (a demo, a laptop), written to the log at WARNING so its link can be
followed from the terminal. Sending never raises: a mail server that is down must not turn a
"forgot password" or a registration into a 500, which would also tell a visitor that the address
has an account (only then would a mail be attempted on some paths). Failures are logged.

Views' mails are ``post``-ed: one thread per process sends them after the response, so how long
a request takes says nothing about whether a mail went out (an SMTP round trip is tens to hundreds
of milliseconds: "forgot password" for a known address would otherwise answer visibly slower).
At exit the queue is given a few seconds to empty.
"""
from __future__ import annotations

import atexit
import queue
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def build(mail: Mail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()  # refuses line breaks in headers: no header injection through an address
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="quizapp")
    message.set_content(mail.body)
    return message


def send(mail: Mail) -> bool:
    """Sends ``mail``; True when the server took it (or it was logged, with no server set)."""
    config = current_app.config
    log = current_app.logger
    try:
        message = build(mail)
    except ValueError as exc:
        log.error("email to %r not built: %s", mail.to, exc)
        return False
    if not config.get("MAIL_SERVER"):
        # As plain text, not the encoded message: a quoted-printable body breaks the link's lines.
        log.warning("no MAIL_SERVER is set, so this email was not sent; it is shown here instead:\n"
                    "To: %s\nSubject: %s\n\n%s", message["To"], message["Subject"], mail.body)
        return True
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:  # OSError: refused, timed out, TLS failed
        log.error("email %r to %s not sent: %s: %s", mail.subject, mail.to, type(exc).__name__, exc)
        return False
    log.info("email %r sent to %s", mail.subject, mail.to)
    return True


_outbox: queue.Queue[tuple[Flask, Mail]] = queue.Queue()
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()
EXIT_WAIT_SECONDS = 5


def _send_queued() -> None:
    while True:
        app, mail = _outbox.get()
        try:
            with app.app_context():
                send(mail)
        except Exception:  # the thread must live on; send() itself logs what it can
            app.logger.exception("email to %s not sent", mail.to)
        finally:
            _outbox.task_done()


def post(mail: Mail) -> None:
    """Queues ``mail`` for this process's sending thread (started on first use)."""
    global _sender
    with _sender_lock:
        if _sender is None or not _sender.is_alive():
            _sender = threading.Thread(target=_send_queued, name="quizapp-mail", daemon=True)
            _sender.start()
    _outbox.put((current_app._get_current_object(), mail))  # type: ignore[attr-defined]


def wait_until_sent(timeout: float = 10.0) -> bool:
    """True once every posted mail has been handled (sent, logged or failed); for tests and exit."""
    deadline = time.monotonic() + timeout
    with _outbox.all_tasks_done:
        while _outbox.unfinished_tasks:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _outbox.all_tasks_done.wait(left)
    return True


atexit.register(wait_until_sent, EXIT_WAIT_SECONDS)
