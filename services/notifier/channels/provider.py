"""SMS, app push and WeChat: each a provider's HTTP API, called with httpx.

The request is `POST <provider url>` with JSON `{channel, to, subject, text, reference}`,
our account in `X-Patronage-Key` and `X-Patronage-Signature` = HMAC-SHA256 of
`<X-Patronage-Timestamp>.<body>` with the provider secret. A 2xx answer's `message_id` is
recorded; a 5xx, a 429 or no answer is transient; any other 4xx is permanent.
"""

from __future__ import annotations

import time

import httpx
import orjson

from services.notifier.channels import Outgoing, PermanentFailure, TransientFailure
from services.notifier.rules.signatures import signature


class ProviderApi:
    def __init__(self, channel: str, url: str, key: str, secret: str, client: httpx.AsyncClient):
        self.channel, self.url, self.key, self.secret, self.client = channel, url, key, secret, client

    async def send(self, message: Outgoing) -> str | None:
        body = orjson.dumps({"channel": self.channel, "to": message.address,
                             "subject": message.rendered.subject, "text": message.rendered.text,
                             "reference": str(message.notification_id)})
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Patronage-Key": self.key,
                   "X-Patronage-Timestamp": timestamp,
                   "X-Patronage-Signature": signature(self.secret, timestamp, body)}
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise TransientFailure(f"{self.channel} provider unreachable: {error!r}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientFailure(f"{self.channel} provider {response.status_code}: "
                                   f"{response.text[:500]}")
        if response.status_code >= 400:
            raise PermanentFailure(f"{self.channel} provider {response.status_code}: "
                                   f"{response.text[:500]}")
        try:
            return str(response.json()["message_id"])
        except (ValueError, KeyError, TypeError):
            return None
