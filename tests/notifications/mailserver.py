"""A real SMTP server on loopback (aiosmtpd) for tests.

``MailServer`` collects every message it accepts, parsed with the modern e-mail policy so
subjects and bodies come back decoded. ``refuse`` makes it answer 554 to every message,
like a mail server that is up but rejects our mail.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        # Django folds a long encoded subject right after "Subject:", which the parser keeps
        # as a leading space; mail clients drop it too.
        return str(self.message["subject"]).strip()

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: ARG002 - aiosmtpd hook
        if self.server.refuse:
            return "554 5.7.1 Message rejected by the test server"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parsed)
            )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    host = "127.0.0.1"

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.refuse = False
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.controller = Controller(_Handler(self), hostname=self.host, port=self.port)

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages() if address in m.recipients]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Wait until at least ``count`` messages arrived (a worker delivers asynchronously)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages()) >= count:
                return self.messages()
            time.sleep(0.1)
        raise AssertionError(
            f"expected {count} message(s) within {timeout}s, got {len(self.messages())}"
        )

    def clear(self) -> None:
        with self.lock:
            self.received.clear()


def use_smtp(settings, server: MailServer) -> None:
    """Point Django's SMTP backend at ``server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
