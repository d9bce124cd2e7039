"""Every SMS template, rendered with the longest names: unaccented ASCII (GSM-7), at most two segments, names cut
only between words, and the facts a person needs (what, when, the link) present, in Vietnamese and in English."""

from __future__ import annotations

import glob
import os

import pytest

from app import outbox
from app.models import OutboxMessage

TITLE = "Ngày hội Chuyển đổi số thành phố Tân Uyên năm 2027 và Lễ ra mắt mô hình ấp thông minh, ký kết hợp tác"
VENUE = "Quảng trường thành phố Tân Uyên, phường Uyên Hưng, thành phố Tân Uyên"
TOKEN = "x" * 32
REGISTRATION = {
    "name": "Nguyễn Thị Hồng Nhung Phương",
    "activity_title": TITLE,
    "starts_at": "2027-10-02T00:30:00+00:00",  # 07:30 02/10 in Ho Chi Minh City
    "venue": VENUE,
    "token": TOKEN,
    "position": 123,
    "activity_id": 7,
}
ROUND = "Tuần 12: Nhận diện lừa đảo trực tuyến qua tin nhắn, mạng xã hội và cuộc gọi giả danh cơ quan"
RESULTS = {"round_title": ROUND, "contest_title": "Cuộc thi", "round_id": 99_999, "name": "An", "token": "t" * 43}
CASES = {
    "registration_confirmed": (REGISTRATION, ["07:30", "02/10", f"/events/registrations/{TOKEN}"]),
    "registration_waitlisted": (REGISTRATION, ["123", f"/events/registrations/{TOKEN}"]),
    "registration_promoted": (REGISTRATION, ["07:30", "02/10", f"/events/registrations/{TOKEN}"]),
    "registration_reminder": (REGISTRATION, ["07:30", "Quang truong", f"/events/registrations/{TOKEN}"]),
    "registration_cancelled": (REGISTRATION, ["07:30", "02/10"]),
    "activity_changed": (REGISTRATION, ["07:30", "02/10", "Quang truong", f"/events/registrations/{TOKEN}"]),
    "activity_cancelled": (REGISTRATION, ["07:30", "02/10"]),
    "activity_restored": (REGISTRATION, ["07:30", "02/10", "/events/registrations/"]),
    "registration_links": (
        {"registrations": [{"activity_title": TITLE, "starts_at": REGISTRATION["starts_at"], "token": TOKEN}]},
        ["07:30", "02/10", f"/events/registrations/{TOKEN}"],
    ),
    "quiz_results": (RESULTS | {"prize": "first", "prize_tied": False}, ["/rounds/99999/result"]),
    "quiz_return_code": ({"code": "482913", "minutes": 10, "contest_title": "Cuộc thi"}, ["482913", "10"]),
}
CANONICAL = "https://ngaychuyendoiso.tanuyen.binhduong.gov.vn"


def test_every_sms_template_is_checked_here():
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "templates", "messages")
    names = {os.path.basename(path).removesuffix(".sms.txt") for path in glob.glob(f"{folder}/*.sms.txt")}
    assert names == set(CASES)


def sms(app, template, payload, locale):
    app.config["CANONICAL_URL"] = CANONICAL
    with app.app_context():
        message = OutboxMessage(channel="sms", recipient="0912345678", template=template, locale=locale,
                                payload=payload)  # fmt: skip
        return outbox.fold_to_ascii(outbox.render(message).body)


def quoted_name(text: str) -> str:
    return text.split('"')[1]


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("template", sorted(CASES))
def test_every_sms_is_ascii_in_two_segments_with_whole_words_and_its_facts(app, template, locale):
    payload, facts = CASES[template]
    text = sms(app, template, payload, locale)
    assert text.isascii() and "\n" not in text and "...." not in text, text
    assert outbox.sms_segments(text) <= outbox.SMS_MAX_SEGMENTS, (len(text), text)
    for fact in facts:
        assert fact in text, (fact, text)
    if '"' in text:  # the activity's or round's name, cut only after a whole word
        name = quoted_name(text)
        full = outbox.fold_to_ascii(TITLE if template != "quiz_results" else ROUND)
        assert name == full or (name.endswith("...") and full.startswith(name[:-3]) and full[len(name) - 3] == " ")
        assert len(name) >= 30, name  # enough of the name to recognise it


def test_a_long_name_is_cut_after_a_whole_word_never_inside_one():
    assert outbox.shorten("Ngày hội Chuyển đổi số thành phố Tân Uyên", 30) == "Ngày hội Chuyển đổi số..."
    assert outbox.shorten("Ngày hội Chuyển đổi số", 30) == "Ngày hội Chuyển đổi số"
    assert outbox.shorten("Ngày hội, Chuyển đổi số", 14) == "Ngày hội..."
    assert outbox.shorten("Siêudàikhôngcókhoảngtrắng", 10) == "Siêudài..."


def test_segments_are_counted_as_a_phone_counts_them():
    assert outbox.sms_segments("a" * 160) == 1 and outbox.sms_segments("a" * 161) == 2
    assert outbox.sms_segments("a" * 306) == 2 and outbox.sms_segments("a" * 307) == 3
    assert outbox.sms_segments("[" * 80) == 1 and outbox.sms_segments("[" * 81) == 2  # two septets each
    assert outbox.sms_segments("Ngày") == 1 and outbox.sms_segments("ầ" * 71) == 2  # UCS-2: 70 a segment


@pytest.mark.parametrize(
    ("prize", "tied", "says"),
    [
        ("first", False, "congratulations, you won a prize in"),
        ("second", True, "You are tied for a prize (Second prize)"),
        (None, False, "You did not win a prize this time"),
    ],
)
def test_the_results_sms_says_whether_the_person_won_and_what(app, prize, tied, says):
    text = sms(app, "quiz_results", RESULTS | {"prize": prize, "prize_tied": tied}, "en")
    assert says in text, text
    assert ("First prize" in text) == (prize == "first")


def test_find_my_registration_by_sms_names_the_activity(app):
    payload, _facts = CASES["registration_links"]
    text = sms(app, "registration_links", payload, "en")
    assert text.startswith('DX Day 10/10: your ticket for "Ngay hoi Chuyen doi so thanh pho Tan Uyen'), text
