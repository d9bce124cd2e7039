"""Identities: one phone in every spelling is one person; the CCCD is kept as a keyed hash and its last 4 digits."""

from datetime import UTC

import pytest
from sqlalchemy import select

from contests.models import Participant
from contests.services.participants import identities
from contests.services.participants.identities import AlreadyRegistered, InvalidIdentity, keyed_hash, normalise_phone

from .conftest import NOW, SECRET


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "(+84) 912.345.678",
        "０９１２３４５６７８",
        " 091-234-5678 ",
    ],
)
def test_every_spelling_of_a_phone_is_the_same_number(typed):
    assert normalise_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["", "12345", "0212345678", "091234567", "09123456789", "+1 912 345 678", "abc"])
def test_what_is_not_a_vietnamese_mobile_is_refused_on_the_phone_field(typed):
    with pytest.raises(InvalidIdentity) as raised:
        normalise_phone(typed)
    assert raised.value.field == "phone"


def test_keyed_hashes_depend_on_the_secret_and_never_mix_a_phone_with_a_cccd():
    assert keyed_hash("0912345678", SECRET, "phone") == keyed_hash("0912345678", SECRET, "phone")
    assert keyed_hash("0912345678", SECRET, "phone") != keyed_hash("0912345678", "another", "phone")
    assert keyed_hash("001203004567", SECRET, "phone") != keyed_hash("001203004567", SECRET, "cccd")
    assert len(keyed_hash("0912345678", SECRET, "phone")) == 64


def test_the_cccd_is_never_stored_only_its_hash_and_last_four(quiz):
    person = identities.register_participant(
        quiz.session,
        quiz.contest,
        full_name="  Trần   Thị Bình ",
        phone="+84 987 654 321",
        birth_year=2001,
        ward_unit_id=quiz.ward.id,
        consent=True,
        now=NOW,
        secret=SECRET,
        cccd="0012 0300 4567",
    )
    assert (person.full_name, person.phone, person.phone_last4) == ("Trần Thị Bình", "0987654321", "4321")
    assert person.cccd_last4 == "4567" and person.cccd_hash == keyed_hash("001203004567", SECRET, "cccd")
    stored = [str(v) for v in quiz.session.execute(select(Participant.__table__)).one()]
    assert not any("001203004567" in value for value in stored)
    assert person.masked_phone.endswith("4321") and "0987" not in person.masked_phone


def test_the_same_phone_or_cccd_in_another_spelling_is_refused_as_already_registered(quiz):
    common = dict(birth_year=1985, ward_unit_id=quiz.ward.id, consent=True, now=NOW, secret=SECRET)
    identities.register_participant(
        quiz.session, quiz.contest, full_name="Lê Văn Cường", phone="0912345678", cccd="079085001234", **common
    )
    with pytest.raises(AlreadyRegistered) as by_phone:
        identities.register_participant(
            quiz.session, quiz.contest, full_name="Ai đó", phone="+84 912 345 678", **common
        )
    assert by_phone.value.field == "phone"
    with pytest.raises(AlreadyRegistered) as by_cccd:
        identities.register_participant(
            quiz.session, quiz.contest, full_name="Ai đó", phone="0933333333", cccd="0790 8500 1234", **common
        )
    assert by_cccd.value.field == "cccd"
    assert len(quiz.session.scalars(select(Participant)).all()) == 1


def test_the_fallback_needs_phone_year_of_birth_and_the_cccds_last_four_all_matching(quiz):
    person = identities.register_participant(
        quiz.session,
        quiz.contest,
        full_name="Phạm Minh Đức",
        phone="0356 111 222",
        birth_year=1999,
        cccd="079099001234",
        ward_unit_id=quiz.ward.id,
        consent=True,
        now=NOW,
        secret=SECRET,
    )
    back = identities.returning_participant
    assert back(quiz.session, quiz.contest, "+84356111222", 1999, "1234", SECRET) == person
    assert back(quiz.session, quiz.contest, "0356111222", 1999, "１２３４", SECRET) == person  # full-width digits
    assert back(quiz.session, quiz.contest, "0356111222", 1999, None, SECRET) is None  # a year alone is not enough
    assert back(quiz.session, quiz.contest, "0356111222", 1999, "1235", SECRET) is None
    assert back(quiz.session, quiz.contest, "0356111222", 1998, "1234", SECRET) is None
    assert back(quiz.session, quiz.contest, "0356111223", 1999, "1234", SECRET) is None
    assert back(quiz.session, quiz.contest, "not a phone", 1999, "1234", SECRET) is None


def test_without_a_cccd_given_there_is_no_fallback(quiz):
    common = dict(birth_year=1999, ward_unit_id=quiz.ward.id, consent=True, now=NOW, secret=SECRET)
    identities.register_participant(quiz.session, quiz.contest, full_name="Hồ Thị Giang", phone="0356111333", **common)
    for last4 in ("", "0000", None):
        assert identities.returning_participant(quiz.session, quiz.contest, "0356111333", 1999, last4, SECRET) is None


def test_a_new_key_first_in_the_list_strands_nobody_and_lets_nobody_sign_up_twice(quiz):
    """Digests made under the old key are found while it stays in the list; new sign-ups use the new one."""
    common = dict(birth_year=1985, ward_unit_id=quiz.ward.id, consent=True, now=NOW)
    old = identities.register_participant(
        quiz.session, quiz.contest, full_name="Lê Văn Cường", phone="0912345678", cccd="079085001234",
        secret=SECRET, **common,
    )  # fmt: skip
    keys = ["khoa-moi", SECRET]
    assert identities.find_participant(quiz.session, quiz.contest, "0912345678", keys) == old
    for phone, cccd in (("0912345678", None), ("0933333333", "079085001234")):
        with pytest.raises(AlreadyRegistered):
            identities.register_participant(quiz.session, quiz.contest, full_name="Ai đó", phone=phone, cccd=cccd,
                                            secret=keys, **common)  # fmt: skip
    new = identities.register_participant(
        quiz.session, quiz.contest, full_name="Mai Thị Hạnh", phone="0944444444", secret=keys, **common
    )
    assert new.phone_hash == keyed_hash("0944444444", "khoa-moi", "phone")


def test_registration_needs_consent_a_name_and_a_plausible_year(quiz):
    base = dict(
        full_name="Võ Thị Em",
        phone="0977000111",
        birth_year=2000,
        ward_unit_id=quiz.ward.id,
        consent=True,
        now=NOW,
        secret=SECRET,
    )
    for change, field in [
        ({"consent": False}, "consent"),
        ({"full_name": "  "}, "full_name"),
        ({"birth_year": 1800}, "birth_year"),
        ({"birth_year": 2030}, "birth_year"),
        ({"cccd": "12345"}, "cccd"),
    ]:
        with pytest.raises(InvalidIdentity) as raised:
            identities.register_participant(quiz.session, quiz.contest, **(base | change))
        assert raised.value.field == field


def test_a_name_with_control_characters_or_too_long_is_refused(quiz):
    base = dict(phone="0977000222", birth_year=2000, ward_unit_id=quiz.ward.id, consent=True, now=NOW, secret=SECRET)
    for name in ["Lê\x00Văn", "Trần\u202eThị", "A" * 121]:
        with pytest.raises(InvalidIdentity) as raised:
            identities.register_participant(quiz.session, quiz.contest, full_name=name, **base)
        assert raised.value.field == "full_name"


def test_the_year_of_birth_is_bounded_by_the_campaigns_local_date_as_on_the_form(quiz):
    """At 01:00 on 1 January in Viet Nam (18:00 UTC the day before) a baby born that night may be signed up, as
    the form already allows; by the UTC date alone it could not."""
    from datetime import date, datetime

    evening = datetime(2030, 12, 31, 18, 0, tzinfo=UTC)
    common = dict(ward_unit_id=quiz.ward.id, consent=True, now=evening, secret=SECRET, birth_year=2031)
    with pytest.raises(InvalidIdentity) as refused:
        identities.register_participant(quiz.session, quiz.contest, full_name="Bé Na", phone="0912000001", **common)
    assert refused.value.field == "birth_year"
    person = identities.register_participant(quiz.session, quiz.contest, full_name="Bé Na", phone="0912000001",
                                             today=date(2031, 1, 1), **common)  # fmt: skip
    assert person.birth_year == 2031
