"""What the notifier talks to, standing in for the real thing inside a test: a real SMTP
server (aiosmtpd) that keeps what it receives, and a provider HTTP API (http.server in a
thread) that checks each request's signature, answers with a message id, and can be told
to fail."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from aiosmtpd.controller import Controller

from services.notifier.rules.signatures import signed_by

PROVIDER_SECRET = "provider-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """Every email the SMTP server accepted, parsed."""

    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@dataclass
class Provider:
    """The SMS / push provider: `requests` it accepted or refused; `answer` is the status it
    gives next (200 with a message id, or e.g. 503 for an outage, 400 for a bad number)."""

    answer: int = 200
    requests: list[dict] = field(default_factory=list)
    url: str = ""

    def accepted(self) -> list[dict]:
        return [r for r in self.requests if r["status"] == 200]


def provider_handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            good = signed_by(PROVIDER_SECRET, self.headers["X-Patronage-Timestamp"], body,
                             self.headers["X-Patronage-Signature"])
            status = provider.answer if good else 401
            message_id = f"prov-{len(provider.requests) + 1}"
            provider.requests.append({**orjson.loads(body), "status": status, "signed": good,
                                      "message_id": message_id if status == 200 else None})
            answer = orjson.dumps({"message_id": message_id} if status == 200 else {"error": "down"})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def provider_server() -> Iterator[Provider]:
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), provider_handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
