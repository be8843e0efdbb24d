"""A member with a full history in every service, made through the services' own APIs the
way the POS, the member app and ops tools make it, and a scan of the data map's columns for
their phone, email, birthday and name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from shared.topics import SERVICES
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all
from tests.unit.test_personal_data_map import declarations

# Consumer groups join slowly on a busy machine: a generous deadline, never a sleep.
SETTLE = 90.0
OPS = ops_headers("ops:pii", "ops:report", "ops:config", "ops:review", user="ops_dana")


def once() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@dataclass(frozen=True)
class Person:
    member_id: str
    phone: str
    email: str
    birthday: str  # MM-DD, far from today so no timestamp of this test contains it
    name: str  # no service has a name column: it can only reach a free-text note

    @classmethod
    def new(cls) -> Person:
        tag = uuid.uuid4().hex[:8]
        far = datetime.now(UTC) + timedelta(days=120)
        return cls(f"m_erase_{tag}", f"+86139{int(tag, 16) % 10**8:08d}",
                   f"erase.{tag}@example.com", far.strftime("%m-%d"), f"Ann Erasmus-{tag}")

    @property
    def needles(self) -> dict[str, str]:
        return {"phone": self.phone, "email": self.email, "birthday": self.birthday,
                "name": self.name}


def clients(runtimes: dict) -> dict[str, httpx.AsyncClient]:
    return {name: httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                    base_url=f"http://{name}") for name, runtime in runtimes.items()}


async def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


async def give_full_history(http: dict[str, httpx.AsyncClient], database_url: str,
                            person: Person) -> None:
    """Enrolment with phone, email and birthday through a referral; contact details and a
    consent; a recharge (and its bonus); a membership bought at its quote with stored value;
    a purchase that lifts the tier; points and a coupon; a referral the member made, noted
    by ops with their name; the messages that followed; a data export of all of it."""
    me, member = member_headers(person.member_id), person.member_id
    referrer, walk_in = f"{member}_r", f"{member}_w"
    for other in (referrer, walk_in):
        await ok(await http["tiering"].post("/v1/members", headers=pos_headers(),
                                            json={"member_id": other}), 201)
    code = (await ok(await http["referral"].post(f"/v1/members/{referrer}/referral-code",
                                                 headers=member_headers(referrer))))["code"]
    await ok(await http["tiering"].post("/v1/members", headers=pos_headers(), json={
        "member_id": member, "phone": person.phone, "email": person.email,
        "birthday": person.birthday, "referral_code": code, "device_hash": f"dev-{member}"}), 201)
    await ok(await http["notifier"].patch(f"/v1/members/{member}/contact", headers=me, json={
        "email": person.email, "phone": person.phone}))
    await ok(await http["notifier"].put(f"/v1/members/{member}/consents/inbox/marketing",
                                        headers=me, json={"granted": True}))
    # a recharge before the wallet has heard of the enrolment is an unregistered card's: no bonus
    await eventually(lambda: fetch_all(database_url, "SELECT 1 FROM wallet.registered_members "
                                       "WHERE member_id = $1", member), lambda rows: rows,
                     timeout=SETTLE)
    await ok(await http["wallet"].post("/v1/recharges", headers={**pos_headers(), **once()}, json={
        "member_id": member, "amount": 100_000, "currency": "CNY", "payment_method": "wechat_pay",
        "payment_reference": f"wx-{member}", "store_id": "store_1", "terminal_id": "pos_1",
        "channel": "pos", "pos_reference": uuid.uuid4().hex}), 201)
    await eventually(lambda: http["wallet"].get(f"/v1/wallets/{member}", headers=me),
                     lambda answer: answer.json()["bonus"] > 0, timeout=SETTLE)
    quotes = (await ok(await http["tiering"].get(f"/v1/members/{member}/renewal-quotes",
                                                 headers=me)))["quotes"]
    [year] = [quote for quote in quotes if quote["years"] == 1]
    await buy(http, member, year["price"], "stored_value", [{
        "sku": year["product"]["sku"], "category": "membership", "quantity": 1,
        "amount": year["price"], "quote_token": year["quote_token"]}])
    await buy(http, member, 500_000, "cash", [{"sku": "sofa", "category": "goods",
                                                "quantity": 1, "amount": 500_000}])
    await ok(await http["rewards"].post(f"/v1/members/{member}/points/awards",
                                        headers={**OPS, **once()},
                                        json={"points": 50, "task": "profile_completed"}), 201)
    template = f"tpl_{member}"
    await ok(await http["rewards"].post("/v1/coupon-templates", headers=OPS, json={
        "template_id": template, "name": "Ten off", "kind": "no_threshold", "value": 1_000,
        "currency": "CNY"}), 201)
    await ok(await http["rewards"].post("/v1/coupons", headers={**OPS, **once()}, json={
        "member_id": member, "template_id": template, "reason": "service_recovery"}), 201)
    own_code = (await ok(await http["referral"].post(f"/v1/members/{member}/referral-code",
                                                     headers=me)))["code"]
    await eventually(lambda: fetch_all(database_url, "SELECT 1 FROM referral.members "
                                       "WHERE member_id = $1", walk_in), lambda rows: rows,
                     timeout=SETTLE)
    await ok(await http["referral"].post("/v1/referrals", headers={**OPS, **once()}, json={
        "invitee_id": walk_in, "code": own_code,
        "note": f"{person.name} brought a friend to the counter"}), 201)
    await settled(http, database_url, person)
    # last, so every part copies the whole history: export parts hold personal data too
    export = await ok(await http["tiering"].post(f"/v1/members/{member}/data-exports",
                                                 headers={**me, **once()}), 201)
    await eventually(lambda: http["tiering"].get(
        f"/v1/members/{member}/data-exports/{export['export_id']}", headers=me),
        lambda answer: answer.json()["status"] == "ready", timeout=SETTLE)


async def buy(http: dict, member: str, total: int, tender: str, items: list[dict]) -> None:
    await ok(await http["wallet"].post("/v1/purchases", headers={**pos_headers(), **once()}, json={
        "member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
        "total": total, "store_id": "store_1", "items": items,
        "tenders": [{"method": tender, "amount": total}]}), 201)


async def settled(http: dict, database_url: str, person: Person) -> None:
    """Wait until every service has applied the history: the member's tier, paid term,
    points, coupon, qualified referral and messages are all there."""
    me, member = member_headers(person.member_id), person.member_id
    await eventually(lambda: http["tiering"].get(f"/v1/members/{member}/membership", headers=me),
                     lambda answer: answer.json()["status"] == "active", timeout=SETTLE)
    await eventually(lambda: http["tiering"].get(f"/v1/members/{member}/tier", headers=me),
                     lambda answer: answer.json()["tier"] != "regular", timeout=SETTLE)
    await eventually(lambda: fetch_all(
        database_url, "SELECT status FROM referral.referrals WHERE invitee_id = $1", member),
        lambda rows: rows and rows[0]["status"] == "qualified", timeout=SETTLE)
    await eventually(lambda: fetch_all(
        database_url, "SELECT kind FROM rewards.points_entries WHERE member_id = $1", member),
        lambda rows: {"earn"} <= {row["kind"] for row in rows} and len(rows) >= 2,
        timeout=SETTLE)
    await eventually(lambda: fetch_all(
        database_url, "SELECT 1 FROM notifier.notifications WHERE member_id = $1", member),
        lambda rows: len(rows) >= 2, timeout=SETTLE)


async def find_person(database_url: str, person: Person) -> dict[str, list[str]]:
    """Which of the person's phone, email, birthday and name each column of the data map
    still holds, in any row: {"<service>.<table>.<column>": [what]}."""
    found: dict[str, list[str]] = {}
    for service in SERVICES:
        for entry in declarations(service).PERSONAL_DATA:
            column = f"{service}.{entry.table}.{entry.column}"
            for what, needle in person.needles.items():
                rows = await fetch_all(
                    database_url, f'SELECT 1 FROM "{service}"."{entry.table}" '
                    f'WHERE strpos(CAST("{entry.column}" AS text), $1) > 0 LIMIT 1', needle)
                if rows:
                    found.setdefault(column, []).append(what)
    return found
