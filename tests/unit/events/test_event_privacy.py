"""Events carry member ids, not contact details or birthdays: every subscriber (the
merchant's ERP, CRM, data warehouse) gets every event, so a personal-data field in one is
copied to all of them. A field whose name says personal data (birthday, phone, email,
address, name, ...) fails here unless it is allow-listed below with the reason it is
harmless. Member ids in events follow the one id grammar of the HTTP edge."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.events.catalog import CATALOG
from shared.events.envelope import Event
from shared.events.referral import ReferralRegistered
from shared.events.tiering import MemberBirthday, MemberEnrolled

PERSONAL_WORDS = frozenset({
    "birthday", "birthdate", "birth", "dob", "age", "phone", "mobile", "msisdn", "sms",
    "email", "mail", "address", "street", "postcode", "zip", "city", "name", "surname",
    "firstname", "lastname", "fullname", "gender", "sex", "passport", "ssn", "wechat",
    "ip", "location", "latitude", "longitude", "contact", "contacts", "nationality",
})

# (event or value class, field): why it is not personal data.
ALLOWED = {
    ("MemberEnrolled", "birthday"): "deprecated in v1 and always null since tiering keeps the "
    "birthday (MemberBirthday says when to celebrate); kept because a released schema never "
    "loses a field",
    ("MemberEnrolled", "phone_hash"): "a keyed HMAC of the number: equal numbers match, the "
    "number cannot be recovered without the deployment's key",
    ("TierBenefitsEntry", "name"): "the name of a tier (gold), not of a person",
    ("AppliedRule", "name"): "the name of a bonus rule, not of a person",
    ("ReportFigure", "name"): "the name of a KPI in a program report, not of a person",
}


def personal_fields(model: type[BaseModel]) -> set[tuple[str, str]]:
    """(class, field) pairs, of the model and the values nested in it, whose name has a
    personal-data word as one of its parts (`phone_hash` has `phone`)."""
    found: set[tuple[str, str]] = set()
    for name, info in model.model_fields.items():
        if PERSONAL_WORDS & set(re.split(r"[_\W]+", name.lower())):
            found.add((model.__name__, name))
        found |= set().union(*(personal_fields(nested) for nested in _models_in(info.annotation)))
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in getattr(annotation, "__args__", ()) for model in _models_in(arg)]


@pytest.mark.parametrize("cls", CATALOG, ids=lambda cls: cls.__name__)
def test_no_event_carries_a_personal_data_field_that_is_not_allow_listed(cls):
    unexplained = personal_fields(cls) - ALLOWED.keys()
    assert not unexplained, f"{cls.__name__} carries personal data: {sorted(unexplained)}"


def test_every_allow_listed_field_still_exists_so_the_list_cannot_rot():
    everywhere = set().union(*(personal_fields(cls) for cls in CATALOG))
    assert set(ALLOWED) <= everywhere


def test_the_check_finds_contact_details_at_any_depth():
    class Contact(BaseModel):
        email: str

    class Leaky(Event):
        event_type = "Leaky"
        producer_name = "tiering"
        mobile_number: str
        contacts: tuple[Contact, ...] = ()
        member_name: str | None = None

    assert personal_fields(Leaky) == {("Leaky", "mobile_number"), ("Contact", "email"),
                                      ("Leaky", "member_name"), ("Leaky", "contacts")}


def test_the_birthday_event_says_whom_to_celebrate_and_when_but_not_the_birth_date():
    assert set(MemberBirthday.model_fields) - set(Event.model_fields) == {"celebrated_on"}


HIDDEN = ["m_1\u202e9", "m_\u200b1", "m\u200d_1", "m_1\x00", "m 1", ""]


@pytest.mark.parametrize("member_id", HIDDEN)
def test_an_event_about_a_member_id_that_hides_characters_cannot_be_built(member_id):
    with pytest.raises(ValidationError):
        MemberEnrolled(member_id=member_id, occurred_at="2026-01-01T00:00:00Z", channel="pos",
                       locale="en", enrolled_at="2026-01-01T00:00:00Z")
    with pytest.raises(ValidationError):
        ReferralRegistered(member_id="m_1", occurred_at="2026-01-01T00:00:00Z",
                           referral_id="r_1", referrer_id="m_1", invitee_id=member_id,
                           code="ABCD")
