"""A real SMTP server on loopback (aiosmtpd) for the e-mail tests, and helpers to read
what it received."""
from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

SENDER = "Gemeente Deventer <participatie@deventer.nl>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """What the server received. ``refuse`` maps an address to an SMTP reply for RCPT TO
    (e.g. ``"550 5.1.1 Unknown user"``); ``flaky`` holds addresses refused once with 451."""
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    flaky: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def config(self, **extra) -> dict:
        return {"MAIL_HOST": self.host, "MAIL_PORT": self.port, "MAIL_SECURITY": "none",
                "MAIL_SENDER": SENDER, "MAIL_REPLY_TO": "participatie@deventer.nl", **extra}


class _Handler:
    def __init__(self, box: Mailbox):
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.box.refuse:
            return self.box.refuse[address]
        if address in self.box.flaky:
            self.box.flaky.discard(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.box.lock:
            self.box.messages.append(message)
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    port = free_port()
    box = Mailbox("127.0.0.1", port)
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", text_of(message))


def code_in(message: EmailMessage) -> str:
    return re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b", text_of(message)).group(1)
