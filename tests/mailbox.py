"""A real SMTP server on a loopback port (aiosmtpd) that keeps what the app sends, for the tests.

``mailbox`` points the app's MAIL_SERVER/MAIL_PORT at it. The app sends from a background thread
(quizapp/services/mail.py), so tests read the box through ``wait_for``/``settled``, which first let
that thread finish.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from quizapp.services import mail

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """What the server received, in order: parsed messages with their SMTP envelope."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []
        self._lock = threading.Lock()
        self._credentials = credentials
        self.controller: Controller | None = None
        self.port = 0

    # aiosmtpd's handler hook
    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        with self._lock:
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self._credentials is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self._credentials)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    def start(self) -> Mailbox:
        for _ in range(5):  # the port is free when picked; retry if another process takes it first
            self.port = free_port()
            # AUTH offered without TLS (a loopback test server); not required, which aiosmtpd warns about.
            options = {"authenticator": self._authenticate, "auth_require_tls": False} if self._credentials else {}
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
            try:
                self.controller.start()
                return self
            except (OSError, RuntimeError):
                continue
        raise RuntimeError("no free port for the test SMTP server")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def settled(self) -> list[EmailMessage]:
        """Every message, once the app has handed over all it queued."""
        assert mail.wait_until_sent(10), "the app's mail thread did not finish"
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.settled()
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"expected {count} emails, got {len(self.messages)}")

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.settled() if m["To"] == address]


def body(message: EmailMessage) -> str:
    """The text as the reader sees it (decoded, with the wire's CRLF line ends made \\n)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def link_in(message: EmailMessage) -> str:
    links = LINK.findall(body(message))
    assert len(links) == 1, links
    return links[0]


def path_of(link: str) -> str:
    """The path of an emailed link, for the test client (which serves http://localhost/)."""
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.fixture
def mailbox(app):
    box = Mailbox().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port, MAIL_USE_TLS=False, MAIL_USERNAME=None,
                      MAIL_FROM="Quizapp <quiz@example.org>")
    yield box
    mail.wait_until_sent(10)
    box.stop()
