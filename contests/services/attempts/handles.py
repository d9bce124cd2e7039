"""Option handles: what a question page, its form and the JSON save name an option by. An HMAC of the attempt (its id
and its secret seed) and the option under a key derived from the server's secret: nothing in it tells the option's
id or its authored position, it differs from one attempt to the next, and a handle of another attempt names
nothing. The save maps handles back from the option rows it reads anyway (no query more)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from ...models import QuizAttempt

HANDLE_LENGTH = 12  # base64url characters: 72 bits of an HMAC, unguessable and unique within a question


def handle_key(secret: str) -> bytes:
    """The key of option handles, derived from the server's secret (one purpose, one key)."""
    return hmac.new(secret.encode(), b"quiz-option-handles", hashlib.sha256).digest()


def option_handle(key: bytes, attempt: QuizAttempt, option_id: int) -> str:
    """The name of an option in one attempt's pages and saves: an HMAC of the attempt (its id and its secret seed)
    and the option, so it says nothing of the option's id or its authored position, differs from one attempt to
    the next, and a handle copied from another attempt names nothing here."""
    message = f"{attempt.id}:{attempt.seed}:{option_id}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()[:9]).decode()
