"""Sending one webhook: resolve the host, refuse it unless every address is public, and POST
the signed body to the address just checked, never following a redirect.

The request goes to the checked IP itself (the URL's host in the `Host` header and as the
TLS server name, so the certificate is still verified for the host): a resolver that
answers a public address to the check and a private one to the connection (DNS
rebinding) gains nothing. Ops' subscription routes run the same check at subscription
time (`resolve_and_check`).
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from services.notifier.rules.webhooks import Target, check_addresses, signed_headers, target_of
from shared.rule_violations import RuleViolation

RESOLVE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Answer:
    delivered: bool
    status_code: int | None
    duration_ms: int
    error: str | None


async def resolve_and_check(url: str, allow_private: bool) -> tuple[Target, str]:
    """The URL's target and the address to call; RuleViolation if it may not be called."""
    target = target_of(url, allow_private)
    try:
        infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS)
    except (OSError, TimeoutError) as error:
        raise RuleViolation("webhook_url_unresolvable",
                            f"{target.host} cannot be resolved ({error!r}).") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    check_addresses(target.host, addresses, allow_private)
    return target, addresses[0]


def _pinned_url(url: str, target: Target, address: str) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    return urlunsplit((parts.scheme, f"{host}:{target.port}", parts.path or "/", parts.query, ""))


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, allow_private: bool) -> None:
        self.client, self.allow_private = client, allow_private

    async def send(self, url: str, secret: str, message_id: str, body: bytes) -> Answer:
        started = time.monotonic()

        def answer(delivered: bool, status: int | None, error: str | None) -> Answer:
            return Answer(delivered, status, round((time.monotonic() - started) * 1000), error)

        try:
            target, address = await resolve_and_check(url, self.allow_private)
        except RuleViolation as refused:
            return answer(False, None, f"{refused.code}: {refused.detail}")
        # the timestamp is for the receiver's replay window, checked against its wall
        # clock: the wall clock's, even when `patronage dev` travels in time
        headers = signed_headers(secret, message_id, int(time.time()), body)
        host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
        try:
            response = await self.client.post(
                _pinned_url(url, target, address), content=body,
                headers={**headers, "host": host}, extensions={"sni_hostname": target.host})
        except httpx.TimeoutException:
            return answer(False, None, "timeout")
        except httpx.HTTPError as error:
            return answer(False, None, f"no connection: {error!r}"[:2000])
        if 200 <= response.status_code < 300:
            return answer(True, response.status_code, None)
        if 300 <= response.status_code < 400:
            return answer(False, response.status_code, "redirect not followed")
        return answer(False, response.status_code, f"HTTP {response.status_code}")
