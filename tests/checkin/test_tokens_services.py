"""Signed tickets (checkin/services/tokens.py): base45 against RFC 9285's own examples, Ed25519 tokens that refuse
every alteration, key rotation, the short typed code. Plain functions: no app, no database."""

from datetime import UTC, datetime

import pytest

from checkin.services import tokens

ISSUED = datetime(2024, 10, 1, 2, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0"), (b"", "")],
)
def test_base45_matches_the_rfc_9285_examples_both_ways(raw, encoded):
    assert tokens.b45encode(raw) == encoded
    assert tokens.b45decode(encoded) == raw


@pytest.mark.parametrize("bad", ["GGW", "ZZZ", "A", "BB8A", "bb8", "BB8\x00", "€€€"])
def test_base45_refuses_what_the_rfc_calls_invalid(bad):
    # "GGW" is 65536 (RFC 9285 section 4.2); one dangling character; lower case and other characters are outside.
    with pytest.raises(ValueError):
        tokens.b45decode(bad)


def test_base45_round_trips_every_byte_value():
    data = bytes(range(256)) + b"\xff"
    assert tokens.b45decode(tokens.b45encode(data)) == data


@pytest.fixture(scope="module")
def keys():
    return {1: tokens.generate_key()}


def test_a_token_is_117_qr_alphanumeric_characters_and_verifies(keys):
    token = tokens.sign(4321, 17, ISSUED, keys)
    assert len(token) == tokens.TOKEN_LENGTH == 117
    assert set(token) <= set(tokens.B45_ALPHABET)  # QR alphanumeric mode holds exactly these
    ticket = tokens.verify(token, tokens.public_keys(keys))
    assert ticket == tokens.Ticket(key_id=1, ticket_id=4321, activity_id=17, issued_at=ISSUED)


def test_a_token_read_by_a_scanner_with_a_line_end_or_caps_lock_still_verifies(keys):
    token = tokens.sign(5, 6, ISSUED, keys)
    public = tokens.public_keys(keys)
    assert tokens.verify(token + "\r\n", public).ticket_id == 5
    assert tokens.verify(token.swapcase(), public).ticket_id == 5


def test_a_tampered_token_is_refused(keys):
    token = tokens.sign(4321, 17, ISSUED, keys)
    data = bytearray(tokens.b45decode(token))
    public = tokens.public_keys(keys)
    for position in (2, 6, 13, 20, 77):  # in the ticket id, the activity, the time, the signature
        altered = data.copy()
        altered[position] ^= 0x01
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(tokens.b45encode(bytes(altered)), public)
    # Another ticket's payload under this ticket's signature.
    other = tokens.b45decode(tokens.sign(4322, 17, ISSUED, keys))
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.b45encode(other[:14] + bytes(data[14:])), public)


@pytest.mark.parametrize("cut", [1, 2, 3, 60, 116])
def test_a_truncated_token_is_refused(keys, cut):
    token = tokens.sign(4321, 17, ISSUED, keys)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token[:-cut], tokens.public_keys(keys))


@pytest.mark.parametrize("junk", ["", "hello", "1234", "https://example.vn/ve/1", "\ud800" * 117, "Z" * 117])
def test_junk_is_refused_not_crashed(keys, junk):
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(junk, tokens.public_keys(keys))


def test_a_token_signed_by_another_server_is_refused(keys):
    stranger = {1: tokens.generate_key()}  # same key number, another key
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.sign(4321, 17, ISSUED, stranger), tokens.public_keys(keys))


def test_a_token_naming_an_unknown_key_is_refused(keys):
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(tokens.sign(1, 1, ISSUED, {9: tokens.generate_key()}), tokens.public_keys(keys))


def test_after_rotation_the_new_key_signs_and_old_tickets_still_verify(keys):
    old_token = tokens.sign(1, 17, ISSUED, keys)
    rotated = {**keys, 2: tokens.generate_key()}
    new_token = tokens.sign(2, 17, ISSUED, rotated)
    public = tokens.public_keys(rotated)
    assert tokens.verify(new_token, public).key_id == 2
    assert tokens.verify(old_token, public).key_id == 1
    # Once key 1 is retired, its tickets are refused; key 2's still pass.
    retired = {2: rotated[2].public_key()}
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(old_token, retired)
    assert tokens.verify(new_token, retired).ticket_id == 2


def test_the_version_byte_is_checked(keys):
    payload = tokens.PAYLOAD.pack(2, 1, 4321, 17, int(ISSUED.timestamp()))
    token = tokens.b45encode(payload + keys[1].sign(payload))  # well signed, but a version this server never wrote
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token, tokens.public_keys(keys))


def test_keys_are_read_from_the_setting_and_served_as_raw_base64url():
    one, two = tokens.generate_key(), tokens.generate_key()
    setting = f"1:{tokens.key_to_text(one)}, 2:{tokens.key_to_text(two)}"
    parsed = tokens.parse_keys(setting)
    assert sorted(parsed) == [1, 2]
    token = tokens.sign(7, 8, ISSUED, parsed)
    assert tokens.verify(token, {2: two.public_key()}).key_id == 2  # the highest key signs
    served = tokens.describe_keys(tokens.public_keys(parsed))
    assert [k["id"] for k in served] == [1, 2] and {k["algorithm"] for k in served} == {"Ed25519"}
    assert all(len(k["public_key"]) == 43 and "=" not in k["public_key"] for k in served)


@pytest.mark.parametrize("setting", ["1", "x:abc", "0:" + "A" * 43, "256:" + "A" * 43, "1:short"])
def test_a_wrong_key_setting_says_what_is_wrong_without_showing_a_key(setting):
    with pytest.raises(ValueError, match="CHECKIN_SIGNING_KEYS"):
        tokens.parse_keys(setting)


def test_pem_files_round_trip():
    key = tokens.generate_key()
    again = tokens.key_from_pem(tokens.key_to_pem(key))
    assert tokens.public_key_text(again.public_key()) == tokens.public_key_text(key.public_key())


def test_the_short_code_checks_the_ticket_with_the_secret():
    code = tokens.short_code(4321, 17, "secret-a")
    assert code.startswith("4321-") and len(code) == len("4321-") + 4
    ticket_id, check = tokens.parse_code(code)
    assert ticket_id == 4321
    assert tokens.code_matches(check, 4321, 17, "secret-a")
    assert not tokens.code_matches(check, 4321, 18, "secret-a")  # another activity
    assert not tokens.code_matches(check, 4321, 17, "secret-b")  # another server
    assert not tokens.code_matches(check, 4320, 17, "secret-a")


def test_a_typed_code_forgives_case_spaces_and_look_alike_letters():
    code = tokens.short_code(12, 3, "s")
    check = code.split("-")[1]
    typed = f" 12 - {check.lower()} ".replace("0", "o").replace("1", "l")
    assert tokens.parse_code(typed) == (12, check)
    assert tokens.parse_code("12-ABC") is None and tokens.parse_code("abc-ABCD") is None
    assert tokens.parse_code(tokens.sign(1, 1, ISSUED, {1: tokens.generate_key()})) is None


# How people type the code printed as "7-2YPC", and what the server (and the scanner's JavaScript, see
# tests/browser/test_checkin_scanner.py) reads: one table for both.
TYPED_CODES = [
    ("7-2YPC", "7-2YPC"),
    ("7 2YPC", "7-2YPC"),  # a space for the dash
    ("72YPC", "7-2YPC"),  # no dash: the check is always the last four
    ("7\u20132YPC", "7-2YPC"),  # en dash (a phone's keyboard after a long press, a word processor)
    ("7\u20142ypc", "7-2YPC"),  # em dash, lower case
    ("7\u22122YPC", "7-2YPC"),  # minus sign
    ("7\u20102YPC", "7-2YPC"),  # hyphen
    ("\uff17\uff0d\uff12\uff39\uff30\uff23", "7-2YPC"),  # full width, as a Vietnamese IME may type it
    ("\uff17\uff12\uff59\uff50\uff43", "7-2YPC"),
    (" 7 - 2 Y P C ", "7-2YPC"),
    ("7\u00a02YPC", "7-2YPC"),  # a no-break space from copy and paste
    ("7\u200b-2YPC", "7-2YPC"),  # a zero-width space
    ("lO-2ypc", "10-2YPC"),  # l and O for 1 and 0
    ("0007-2YPC", "7-2YPC"),
    ("1234-K7QX", "1234-K7QX"),
    ("12-ABC", None),  # the check is four characters
    ("7--2YPC", None),
    ("7-2YPC-", None),
    ("ABC-ABCD", None),
    ("7-2YP\u00c7", None),
    ("", None),
    ("   ", None),
    ("12345678901-ABCD", None),  # more digits than a ticket id has
    ("https://example.vn/7-2YPC", None),
]


@pytest.mark.parametrize(("typed", "printed"), TYPED_CODES)
def test_a_typed_code_is_read_however_it_was_typed(typed, printed):
    assert tokens.normalise_code(typed) == printed


def test_a_code_typed_without_its_dash_or_with_a_look_alike_is_checked_like_the_printed_one():
    code = tokens.short_code(7, 3, "secret-a")
    ticket_id, check = tokens.parse_code(code.replace("-", " \u2013 ").lower())
    assert ticket_id == 7 and tokens.code_matches(check, 7, 3, "secret-a")
    assert tokens.parse_code(code.replace("-", "")) == (7, check)
