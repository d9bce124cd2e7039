"""Signed tickets: the token in a ticket's QR code, and the short code printed under it for typing.

A token is ``base45(payload || signature)`` (RFC 9285 base45, which a QR code holds in its compact alphanumeric
mode): the payload is 14 bytes, big-endian — version (1), key id, ticket id (the registration's id), activity id,
issue time (Unix seconds) — and the signature is Ed25519's 64 bytes over the payload; 78 bytes make 117
characters. Anyone holding the public keys (the scanners, offline) can check a token; only the server signs.

Keys are numbered 1-255. The highest number signs; every key still listed verifies, so a new key can be added
(rotation) while the tickets already sent keep working until their activity is over (``expires_at``).

The short code is ``<ticket id>-<4 check characters>``: an HMAC of the ticket with the server's secret, in
Crockford's base32 (no I, L, O or U to misread). It is checked by the server only.

Plain functions: keys, secrets and times are arguments (checkin/keys.py reads them where the app runs)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.errors import DomainError

VERSION = 1
PAYLOAD = struct.Struct(">BBIII")  # version, key id, ticket id, activity id, issued at
SIGNATURE_SIZE = 64
TOKEN_BYTES = PAYLOAD.size + SIGNATURE_SIZE  # 78
TOKEN_LENGTH = TOKEN_BYTES // 2 * 3  # 117 base45 characters
# A ticket stays valid this long after its activity ends (late exits, an activity that runs over); after that it
# is "expired", and a key whose tickets have all expired may be removed.
EXPIRY_GRACE = timedelta(hours=12)
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_CHECK_LENGTH = 4
CODE_PATTERN = re.compile(r"\A([0-9]{1,10})-?([0-9A-Z]{4})\Z")  # the check is always 4 long: the dash may be left out
# What people type into a code that it does not hold: spaces (NFKC has already made every Unicode space a plain
# one; zero-width ones come with copy and paste) are dropped, and every dash look-alike a phone keyboard or a word
# processor puts for "-" is read as "-". static/js/checkin/code.js holds the same rule.
CODE_SPACES = re.compile("[\\s\u200b-\u200d\u2060\ufeff]+")
CODE_DASHES = re.compile("[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d]")
# Letters Crockford's base32 leaves out because they look like digits.
CODE_LOOK_ALIKES = str.maketrans("OIL", "011")


class InvalidToken(DomainError):
    """Not a ticket this server signed: bad format, unknown key, wrong signature."""

    code = "unknown"
    status = 422


@dataclass(frozen=True)
class Ticket:
    """What a valid token says."""

    key_id: int
    ticket_id: int
    activity_id: int
    issued_at: datetime


# --- base45 (RFC 9285) ----------------------------------------------------------------------------------------

B45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES = {char: value for value, char in enumerate(B45_ALPHABET)}


def b45encode(data: bytes) -> str:
    """RFC 9285 section 4: each two bytes as three characters (least significant first), a last odd byte as two."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (B45_ALPHABET[c], B45_ALPHABET[d], B45_ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (B45_ALPHABET[c], B45_ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """The bytes of a base45 string; ValueError for a character outside the alphabet, a dangling character or a
    group worth more than its bytes can hold (RFC 9285 section 4.2: "GGW" is not valid)."""
    try:
        values = [_B45_VALUES[char] for char in text]
    except KeyError:
        raise ValueError("not base45") from None
    if len(values) % 3 == 1:
        raise ValueError("base45 length")
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i : i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise ValueError("base45 group out of range")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise ValueError("base45 group out of range")
            out.append(n)
    return bytes(out)


# --- keys ---------------------------------------------------------------------------------------------------------


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 signing key for tickets (the first process without one writes it to the instance folder)."""
    return Ed25519PrivateKey.generate()


def key_to_pem(key: Ed25519PrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 PEM, as kept in the instance folder."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_from_pem(data: bytes) -> Ed25519PrivateKey:
    """Read a PEM private key; ValueError if it is not an Ed25519 key."""
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def key_to_text(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte private key in base64url (no padding), as written in CHECKIN_SIGNING_KEYS."""
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parse_keys(text: str) -> dict[int, Ed25519PrivateKey]:
    """Keys written as ``<id>:<base64url of the raw 32-byte private key>``, separated by commas, semicolons or
    spaces (the CHECKIN_SIGNING_KEYS setting). ValueError names what is wrong, never a key."""
    keys: dict[int, Ed25519PrivateKey] = {}
    for entry in re.split(r"[\s,;]+", text.strip()):
        if not entry:
            continue
        key_id, sep, value = entry.partition(":")
        if not sep or not key_id.isdigit() or not 1 <= int(key_id) <= 255:
            raise ValueError("CHECKIN_SIGNING_KEYS: each key is <id 1-255>:<base64url raw key>")
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            keys[int(key_id)] = Ed25519PrivateKey.from_private_bytes(raw)
        except ValueError:
            raise ValueError(f"CHECKIN_SIGNING_KEYS: key {int(key_id)} is not a 32-byte Ed25519 key") from None
    return keys


def public_keys(keys: Mapping[int, Ed25519PrivateKey]) -> dict[int, Ed25519PublicKey]:
    """The public half of each signing key, by key id (what scanners verify tickets with offline)."""
    return {key_id: key.public_key() for key_id, key in keys.items()}


def public_key_text(key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key in base64url without padding (WebCrypto imports it as "raw")."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def describe_keys(keys: Mapping[int, Ed25519PublicKey]) -> list[dict]:
    """The public keys as the API serves them, in key order."""
    return [
        {"id": key_id, "algorithm": "Ed25519", "public_key": public_key_text(keys[key_id])} for key_id in sorted(keys)
    ]


# --- signing and checking -----------------------------------------------------------------------------------------


def sign(ticket_id: int, activity_id: int, issued_at: datetime, keys: Mapping[int, Ed25519PrivateKey]) -> str:
    """The token of a ticket, signed with the highest-numbered key."""
    if not keys:
        raise ValueError("no signing key")
    key_id = max(keys)
    payload = PAYLOAD.pack(VERSION, key_id, ticket_id, activity_id, int(issued_at.timestamp()))
    return b45encode(payload + keys[key_id].sign(payload))


def verify(token: str, keys: Mapping[int, Ed25519PublicKey]) -> Ticket:
    """What ``token`` says, if one of ``keys`` signed exactly it; InvalidToken otherwise."""
    try:
        data = b45decode(normalise_token(token))
    except ValueError:
        raise InvalidToken("not a ticket") from None
    if len(data) != TOKEN_BYTES:
        raise InvalidToken("not a ticket")
    payload, signature = data[: PAYLOAD.size], data[PAYLOAD.size :]
    version, key_id, ticket_id, activity_id, issued = PAYLOAD.unpack(payload)
    if version != VERSION or key_id not in keys:
        raise InvalidToken("not a ticket")
    try:
        keys[key_id].verify(signature, payload)
    except InvalidSignature:
        raise InvalidToken("not a ticket") from None
    return Ticket(key_id, ticket_id, activity_id, datetime.fromtimestamp(issued, UTC))


def normalise_token(text: str) -> str:
    """A token as a keyboard-wedge scanner or a camera may hand it: line ends dropped, letters upper-cased
    (base45 has no lower case; a scanner typing with Caps Lock on inverts them)."""
    return text.strip("\r\n\t").upper()


def expires_at(activity_ends_at: datetime) -> datetime:
    """When the tickets of an activity that ends at ``activity_ends_at`` stop being valid."""
    return activity_ends_at + EXPIRY_GRACE


# --- short codes ----------------------------------------------------------------------------------------------


def short_code(ticket_id: int, activity_id: int, secret: str) -> str:
    """``<ticket id>-<check>``: what a volunteer types when the camera cannot read the QR code."""
    return f"{ticket_id}-{_check(ticket_id, activity_id, secret)}"


def normalise_code(text: str) -> str | None:
    """A typed short code in its printed form (``1234-K7QX``), or None when ``text`` cannot be one. Forgiven:
    full-width characters (NFKC), spaces, any dash or none, lower case, and O, I, L for 0, 1, 1. The scanner's
    JavaScript (static/js/checkin/code.js ``normaliseCode``) applies the same rule offline; a test keeps them equal."""
    if len(text) > 64:  # a code is at most 15 characters; a token (117) is never one
        return None
    cleaned = CODE_SPACES.sub("", unicodedata.normalize("NFKC", text))
    cleaned = CODE_DASHES.sub("-", cleaned).upper().translate(CODE_LOOK_ALIKES)
    match = CODE_PATTERN.match(cleaned)
    if match is None:
        return None
    return f"{int(match.group(1))}-{match.group(2)}"


def parse_code(text: str) -> tuple[int, str] | None:
    """(ticket id, check characters) of a typed code, or None when ``text`` does not look like one (see
    ``normalise_code`` for what is forgiven)."""
    code = normalise_code(text)
    if code is None:
        return None
    ticket_id, check = code.split("-")
    return int(ticket_id), check


def code_matches(check: str, ticket_id: int, activity_id: int, secret: str) -> bool:
    """Whether a typed ticket code's check characters belong to this ticket and activity (constant time)."""
    return hmac.compare_digest(check, _check(ticket_id, activity_id, secret))


def _check(ticket_id: int, activity_id: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"checkin-code:{ticket_id}:{activity_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:4], "big")
    chars = []
    for _ in range(CODE_CHECK_LENGTH):
        number, index = divmod(number, 32)
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)
