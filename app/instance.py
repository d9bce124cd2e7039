"""Keys an installation makes once and keeps in its instance folder, out of the repository."""

from __future__ import annotations

import os
import secrets


def instance_secret(instance_path: str) -> str:
    """A key generated once per installation and kept out of the repository."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()


def identity_keys(configured, instance_path: str, secret_key: str) -> tuple[str, ...]:
    """The keys of the quiz's identity digests, first (the one new rows use) to last: ``IDENTITY_KEYS`` (a list
    or "k1,k2"), else the lines of ``instance/identity_keys``. That file is made once: a new random key, then the
    SECRET_KEY of that day, with which every earlier version digested phones and CCCDs, so upgrading strands
    nobody and rotating SECRET_KEY afterwards changes no identity."""
    if configured:
        keys = configured.split(",") if isinstance(configured, str) else list(configured)
    else:
        path = os.path.join(instance_path, "identity_keys")
        if not os.path.exists(path):
            # Written aside, then linked into place: a worker starting at the same moment reads a whole file.
            draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{secrets.token_hex(32)}\n{secret_key}\n")
            try:
                os.link(draft, path)
            except FileExistsError:  # the other worker's file won: read theirs
                pass
            finally:
                os.unlink(draft)
        with open(path) as handle:
            keys = handle.read().splitlines()
    keys = tuple(key.strip() for key in keys if key.strip())
    if not keys:
        raise RuntimeError("IDENTITY_KEYS holds no key")
    return keys
