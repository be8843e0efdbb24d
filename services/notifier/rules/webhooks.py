"""Webhooks, the pure part: which events a subscription wants, the body and the Standard
Webhooks signature of a delivery, which targets may be called, and when to retry, park or
disable.

The signature follows the Standard Webhooks spec: the secret is `whsec_` + base64 of the
key; `webhook-signature` is `v1,` + base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}"),
the id being the event id and the timestamp Unix seconds. Receivers verify it with any
Standard Webhooks library or a few lines of their own (docs/events/README.md, "Webhooks").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import orjson

from shared.events.catalog import CATALOG
from shared.events.cloudevents import SPEC_VERSION, header_attributes
from shared.events.envelope import Event
from shared.rule_violations import RuleViolation

SECRET_PREFIX = "whsec_"
EVERY_EVENT = "*"
EVENT_TYPES = frozenset(kind.event_type for kind in CATALOG)


def new_secret(key: bytes) -> str:
    """The secret shown once to ops, from random bytes the caller drew."""
    return SECRET_PREFIX + base64.b64encode(key).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"content-type": "application/cloudevents+json", "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body)}


def cloudevent_body(event: Event) -> bytes:
    """The event as one CloudEvents JSON document (structured mode): the attributes Kafka
    carries as `ce_*` headers, and as `data` the very JSON Kafka carries as the value."""
    attributes = header_attributes(event, trace={})
    document: dict[str, object] = {
        "specversion": SPEC_VERSION, "id": attributes["ce_id"], "type": attributes["ce_type"],
        "source": attributes["ce_source"], "time": attributes["ce_time"],
        "subject": attributes["ce_subject"], "datacontenttype": attributes["content-type"]}
    for extension in ("correlationid", "causationid"):
        if f"ce_{extension}" in attributes:
            document[extension] = attributes[f"ce_{extension}"]
    document["data"] = orjson.Fragment(event.to_json())
    return orjson.dumps(document)


# --- which events a subscription wants


@dataclass(frozen=True)
class Interest:
    event_types: tuple[str, ...]  # event types (`RechargeCompleted`), or ("*",) for all
    member_id: str | None = None  # only this member's events

    def wants(self, event_type: str, member_id: str) -> bool:
        if self.member_id is not None and self.member_id != member_id:
            return False
        return EVERY_EVENT in self.event_types or event_type in self.event_types


def known_event_types(event_types: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(event_types) - EVENT_TYPES - {EVERY_EVENT})
    if unknown:
        raise RuleViolation("unknown_event_type", f"No such event type: {', '.join(unknown)} "
                            "(docs/events/README.md lists them; `*` is every event).")
    if not event_types:
        raise RuleViolation("no_event_types", "Name at least one event type, or `*`.")
    return tuple(dict.fromkeys(event_types))


# --- server-side request forgery: where a webhook may go


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int


def target_of(url: str, allow_private: bool) -> Target:
    """The URL's scheme, host and port; https only unless private targets are allowed (dev)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RuleViolation("webhook_url_invalid", f"Not a URL: {error}.") from error
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RuleViolation("webhook_url_invalid", "A webhook URL is https://host/path.")
    if parts.username or parts.password:
        raise RuleViolation("webhook_url_invalid", "A webhook URL carries no credentials.")
    if parts.scheme == "http" and not allow_private:
        raise RuleViolation("webhook_url_not_https", "A webhook URL must be https.")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def refused_address(address: str) -> str | None:
    """Why a resolved address may not be called (None: it may): anything but a public
    unicast address, an IPv4-mapped IPv6 address judged as the IPv4 one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("private", "loopback", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not-global"


def check_addresses(host: str, addresses: Iterable[str], allow_private: bool) -> None:
    """Refuse a host any of whose addresses is not public (unless private targets are
    allowed): one private answer is enough for a rebinding attacker."""
    addresses = list(addresses)
    if not addresses:
        raise RuleViolation("webhook_url_unresolvable", f"{host} has no address.")
    if allow_private:
        return
    for address in addresses:
        if reason := refused_address(address):
            raise RuleViolation("webhook_target_not_public",
                                f"{host} resolves to {address}, a {reason} address.")


# --- retries, parking, disabling


def next_attempt_at(attempts: int, first_attempt_at: datetime, now: datetime,
                    schedule: Sequence[float], retry_for: float, jitter: float) -> datetime | None:
    """When to try again after `attempts` failed attempts (None: park it). `jitter` is the
    fraction (0..1, drawn by the caller) of the wait added on top."""
    if attempts > len(schedule):
        return None
    wait = schedule[attempts - 1] * (1 + jitter)
    at = now + timedelta(seconds=wait)
    if at - first_attempt_at > timedelta(seconds=retry_for):
        return None
    return at


def should_disable(failing_since: datetime | None, now: datetime, disable_after: float) -> bool:
    return failing_since is not None and now - failing_since >= timedelta(seconds=disable_after)
