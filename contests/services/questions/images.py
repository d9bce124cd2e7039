"""Pictures of questions: an organizer's upload is checked and re-encoded by Pillow (only PNG, JPEG and WebP,
bounded in bytes and pixels), stored in one shared folder under a name made of its content's hash and its size
(``<sha256>-<width>x<height>.<ext>``), so the name never changes for the same picture (a long cache is safe), a
new picture is a new name (a versioned question keeps its old one), and the page knows the size before loading
it (no layout shift)."""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from app.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 6000 * 6000  # a larger picture is refused before it is decoded (a "decompression bomb")
MAX_SIDE = 1600  # shown at most this wide: larger ones are scaled down
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
NAME = re.compile(r"^(?P<hash>[0-9a-f]{64})-(?P<width>[1-9][0-9]{0,4})x(?P<height>[1-9][0-9]{0,4})\.(?:png|jpg|webp)$")


class InvalidImage(DomainError):
    code = "invalid_image"
    status = 422


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int


def read_bounded(stream, limit: int = MAX_BYTES) -> bytes:
    """At most ``limit`` bytes of ``stream``; ``InvalidImage`` when there are more (never reads past limit + 1)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidImage(_l("The picture is larger than %(size)s MB.", size=limit // (1024 * 1024)), field="image")
    return data


def reencode(data: bytes) -> tuple[bytes, str, int, int]:
    """The picture decoded, checked and written again by Pillow (nothing of the upload's own bytes is kept:
    no metadata, no trailing payload): (bytes, extension, width, height)."""
    refused = InvalidImage(_l("Choose a PNG, JPEG or WebP picture."), field="image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidImage(_l("The picture has too many pixels."), field="image")
            probe.verify()
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if kind == "JPEG":
                picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif kind == "PNG":
                keep = picture.mode if picture.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else "RGBA"
                picture.convert(keep).save(out, "PNG", optimize=True)
            else:
                keep = "RGBA" if "A" in picture.getbands() else "RGB"
                picture.convert(keep).save(out, "WEBP", quality=85)
            return out.getvalue(), FORMATS[kind], picture.width, picture.height
    except InvalidImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise refused from None


def store(data: bytes, folder: str) -> StoredImage:
    """Re-encode the upload and write it to ``folder`` under its content-hashed name (the same picture twice is
    one file); the file appears whole or not at all."""
    encoded, ext, width, height = reencode(data)
    name = f"{hashlib.sha256(encoded).hexdigest()}-{width}x{height}.{ext}"
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        temporary = f"{path}.{os.getpid()}.part"
        with open(temporary, "wb") as handle:
            handle.write(encoded)
        os.replace(temporary, path)
    return StoredImage(name, width, height)


def parse_name(name: str | None) -> StoredImage | None:
    """The size a stored name carries, or None for anything else (an older path, a hand-typed one)."""
    match = NAME.match(name or "")
    if match is None:
        return None
    return StoredImage(name, int(match["width"]), int(match["height"]))


def attach(question, *, image_path: str | None, image_alt: str) -> None:
    """Set a new question's picture and its description (an edit passes them to ``edit_question`` instead, so
    that a new version carries them)."""
    question.image_path = image_path
    question.image_alt = image_alt if image_path else ""
