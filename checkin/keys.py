"""Where the ticket-signing keys come from: the CHECKIN_SIGNING_KEYS setting, or else the files
``<instance>/checkin-keys/<id>.pem`` (key 1 is created there on first use). Never in the repository.

Several web servers on several hosts must share the same keys: set CHECKIN_SIGNING_KEYS (or share the instance
folder). To rotate, add a key with a higher number: it signs from then on, and the older keys keep verifying the
tickets already sent until their activities are over; then they may be removed."""

from __future__ import annotations

import os
import threading

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app

from .services import tokens

KEY_FOLDER = "checkin-keys"
_lock = threading.Lock()


def signing_keys(app: Flask | None = None) -> dict[int, Ed25519PrivateKey]:
    """The private keys by number (read once per app and source, then kept)."""
    app = app or current_app._get_current_object()
    setting = app.config.get("CHECKIN_SIGNING_KEYS") or ""
    source = ("setting", setting) if setting.strip() else ("folder", os.path.join(app.instance_path, KEY_FOLDER))
    cache = app.extensions.setdefault("checkin_keys", {})
    keys = cache.get(source)
    if keys is None:
        with _lock:
            keys = cache.get(source)
            if keys is None:
                keys = tokens.parse_keys(setting) if source[0] == "setting" else _folder_keys(source[1])
                cache.clear()
                cache[source] = keys
    return keys


def verifying_keys(app: Flask | None = None) -> dict[int, Ed25519PublicKey]:
    app = app or current_app._get_current_object()
    cache = app.extensions.setdefault("checkin_public_keys", {})
    private = signing_keys(app)
    if cache.get("of") is not private:
        cache.update(of=private, keys=tokens.public_keys(private))
    return cache["keys"]


def _folder_keys(folder: str) -> dict[int, Ed25519PrivateKey]:
    os.makedirs(folder, mode=0o700, exist_ok=True)
    keys = _read_folder(folder)
    if not keys:
        # Written aside, then linked into place: another process sees either no key 1 or the whole of it, and
        # if two make one at once, the first link wins and both use it.
        path = os.path.join(folder, "1.pem")
        spare = os.path.join(folder, f".1.pem.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(tokens.key_to_pem(tokens.generate_key()))
        try:
            os.link(spare, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(spare)
        keys = _read_folder(folder)
    return keys


def _read_folder(folder: str) -> dict[int, Ed25519PrivateKey]:
    keys = {}
    for name in os.listdir(folder):
        stem, ext = os.path.splitext(name)
        if ext == ".pem" and stem.isdigit() and 1 <= int(stem) <= 255:
            with open(os.path.join(folder, name), "rb") as handle:
                keys[int(stem)] = tokens.key_from_pem(handle.read())
    return keys


def ticket_token(registration, app: Flask | None = None) -> str:
    """The signed token of a confirmed registration's ticket."""
    issued = registration.promoted_at or registration.created_at
    return tokens.sign(registration.id, registration.activity_id, issued, signing_keys(app))


def ticket_code(registration, app: Flask | None = None) -> str:
    app = app or current_app._get_current_object()
    return tokens.short_code(registration.id, registration.activity_id, app.config["SECRET_KEY"])
