"""Uploaded files, whichever feature takes them (a unit's report attachments, a contest entry's images, an award
dossier): what a file is, how much a use takes, where it is kept, how it is served and when it goes.

- **Type by content.** A file's name and the browser's content type are the sender's words; ``detect_kind``
  reads the bytes: PDF by its magic, images by Pillow (verified, their pixel count bounded before anything is
  decoded: a 50 KB PNG may claim 100,000 × 100,000 pixels), DOCX/XLSX as zip files holding their expected parts
  with the unpacked size read from the directory (a zip bomb is refused before it is inflated), MP4/WebM by their
  container magic. A renamed .exe is none of these.
- **A size per use.** Each use declares an ``UploadPolicy`` (the kinds it takes, the bytes and the number of
  files); the stream is read in chunks and refused at the first byte past the bound, not after it was all read.
- **Stored by content.** A file is kept once per content, under ``uploads/ab/cd/<sha256>`` of the instance folder
  (one shared folder for every worker), written beside its final name and renamed, so it is never half there.
  Each upload is a ``StoredFile`` row; rows may share a file.
- **Served after the caller's scope check**, by ``send_stored``: as an attachment, with the detected type,
  ``nosniff`` and a sandboxing CSP, never from the instance folder by its path.
- **Removed with its record or its retention**: ``remove`` deletes the row and ``discard_unreferenced`` (after the
  commit) deletes the file once no row names its hash; ``sweep`` catches the files a crash left behind.

Apart from ``send_stored`` nothing here imports Flask: the functions take the session, ``now``, the instance
folder and the policy, and never commit."""

from __future__ import annotations

import enum
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import DomainError
from .models import StoredFile
from .tabular import unpacked_size

CHUNK = 64 * 1024
FOLDER = "uploads"
# A file whose row was removed but which was written or reused this recently is left for the next sweep: an
# upload of the same content may be committing its row at this very moment.
GRACE = timedelta(minutes=10)


class UploadRefused(DomainError):
    """An upload the policy does not take; ``field`` is the form field the file came in."""

    code = "upload_refused"
    status = 400


class UploadTooLarge(UploadRefused):
    code = "upload_too_large"
    status = 413


class UploadTypeRefused(UploadRefused):
    code = "upload_type_refused"
    status = 415


class UploadEmpty(UploadRefused):
    code = "upload_empty"


class TooManyUploads(UploadRefused):
    code = "upload_too_many"


class FileKind(enum.StrEnum):
    """What a file's content proved it to be; its value is the extension it is served with."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpg"
    WEBP = "webp"
    DOCX = "docx"
    XLSX = "xlsx"
    MP4 = "mp4"
    WEBM = "webm"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]


CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.WEBP: "image/webp",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.MP4: "video/mp4",
    FileKind.WEBM: "video/webm",
}
IMAGES = frozenset({FileKind.PNG, FileKind.JPEG, FileKind.WEBP})
DOCUMENTS = frozenset({FileKind.PDF, FileKind.DOCX, FileKind.XLSX})
_PILLOW_FORMATS = {"PNG": FileKind.PNG, "JPEG": FileKind.JPEG, "WEBP": FileKind.WEBP}
# The part each Office kind must hold, beside [Content_Types].xml.
_OFFICE_PARTS = {FileKind.DOCX: "word/document.xml", FileKind.XLSX: "xl/workbook.xml"}


@dataclass(frozen=True)
class UploadPolicy:
    """What one use of uploads takes (declared once by the feature, e.g. "a task report's attachments: PDF,
    DOCX, XLSX or images, 10 MB each, 5 files"). ``use`` is stored on each row."""

    use: str
    kinds: frozenset[FileKind]
    max_bytes: int
    max_count: int = 1
    max_pixels: int = 40_000_000  # a 40-megapixel photo; Pillow's own bomb limit is about twice this
    max_unpacked_bytes: int = 50 * 1024 * 1024  # what the parts of a DOCX/XLSX may unpack to
    max_zip_entries: int = 2_000


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g}".replace(".", ",")


def read_limited(stream, policy: UploadPolicy, *, field: str = "file") -> bytes:
    """The bytes of ``stream``, read in chunks and refused (``upload_too_large``) at the first chunk that passes
    ``policy.max_bytes``; an empty stream is ``upload_empty``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > policy.max_bytes:
            raise UploadTooLarge(
                _l("The file is larger than %(size)s MB. Choose a smaller file.", size=_megabytes(policy.max_bytes)),
                field=field,
            )
        chunks.append(chunk)
    if not size:
        raise UploadEmpty(_l("The file is empty."), field=field)
    return b"".join(chunks)


def _refused(policy: UploadPolicy, field: str) -> UploadTypeRefused:
    allowed = ", ".join(sorted(kind.value.upper() for kind in policy.kinds))
    return UploadTypeRefused(
        _l("This file's content is not one of the kinds accepted here (%(kinds)s).", kinds=allowed), field=field
    )


def _image_kind(data: bytes, policy: UploadPolicy, field: str) -> FileKind | None:
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = _PILLOW_FORMATS.get(image.format or "")
                if kind is None:
                    return None
                width, height = image.size
                if width * height > policy.max_pixels:
                    raise UploadTooLarge(
                        _l("The image has too many pixels. Resize it (at most %(count)s megapixels).",
                           count=policy.max_pixels // 1_000_000),
                        field=field,
                    )  # fmt: skip
                image.verify()  # checks the structure (chunks, CRCs) without decoding the pixels
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            if isinstance(error, UnidentifiedImageError):
                return None
            raise UploadTooLarge(
                _l("The image has too many pixels. Resize it (at most %(count)s megapixels).",
                   count=policy.max_pixels // 1_000_000),
                field=field,
            ) from error  # fmt: skip
        except (OSError, SyntaxError, ValueError) as error:  # what Pillow raises for a damaged file
            raise UploadTypeRefused(_l("The image is damaged and cannot be read."), field=field) from error
    return kind


def _office_kind(data: bytes, policy: UploadPolicy, field: str) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
        unpacked = unpacked_size(data)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(names) > policy.max_zip_entries or unpacked > policy.max_unpacked_bytes:
        raise UploadTooLarge(_l("The file unpacks to more data than allowed here."), field=field)
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in _OFFICE_PARTS.items() if part in names), None)


def detect_kind(data: bytes, policy: UploadPolicy, *, field: str = "file") -> FileKind:
    """What ``data`` is, by its content only, if ``policy`` takes it; else ``UploadTypeRefused`` (or
    ``UploadTooLarge`` for an image of too many pixels or a zip that unpacks to too much)."""
    kind: FileKind | None = None
    if data.startswith(b"%PDF-"):
        kind = FileKind.PDF
    elif data.startswith(b"PK\x03\x04"):
        kind = _office_kind(data, policy, field) if policy.kinds & {FileKind.DOCX, FileKind.XLSX} else None
    elif data[4:8] == b"ftyp":
        kind = FileKind.MP4
    elif data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        kind = FileKind.WEBM
    elif policy.kinds & IMAGES:
        kind = _image_kind(data, policy, field)
    if kind is None or kind not in policy.kinds:
        raise _refused(policy, field)
    return kind


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_name(filename: str | None, kind: FileKind) -> str:
    """The sender's file name for a download: its last path part, NFC (one spelling per Vietnamese letter),
    without control or path characters, at most 120 characters, ending in the extension of what it really is
    ("bao-cao.exe" that is a PDF becomes "bao-cao.exe.pdf")."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    extension = "." + kind.value
    if kind is FileKind.JPEG and name.lower().endswith(".jpeg"):
        extension = ".jpeg"
    stem = name[: -len(extension)] if name.lower().endswith(extension) else name
    stem = stem[: 120 - len(extension)].rstrip(" .") or "tep"
    return stem + extension


def storage_path(instance_path: str, sha256: str) -> str:
    """Where the file of content hash ``sha256`` is: ``uploads/ab/cd/<sha256>`` under the instance folder (two
    levels of 256 folders keep each folder small)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256 hex digest")
    return os.path.join(instance_path, FOLDER, sha256[:2], sha256[2:4], sha256)


def _write_once(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` unless it is there (same hash, same bytes), beside it first then renamed; a file
    reused is touched, so a removal racing with this upload leaves it to the next sweep."""
    if os.path.exists(path):
        os.utime(path)
        return
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def check_count(existing: int, adding: int, policy: UploadPolicy, *, field: str = "file") -> None:
    """Refuse (``upload_too_many``) when ``existing`` + ``adding`` files pass ``policy.max_count``."""
    if existing + adding > policy.max_count:
        raise TooManyUploads(_l("At most %(count)s files may be attached here.", count=policy.max_count), field=field)


def store(
    session: Session,
    stream,
    *,
    filename: str | None,
    policy: UploadPolicy,
    instance_path: str,
    user_id: int | None,
    now: datetime,
    existing: int = 0,
    field: str = "file",
) -> StoredFile:
    """Read ``stream`` under ``policy``, find its kind by content, keep its bytes once per content and add its
    ``StoredFile`` row (flushed, not committed). ``existing`` is how many files the record already holds, for
    ``policy.max_count``. Raises an ``UploadRefused`` subclass (on ``field``) when the policy does not take it."""
    check_count(existing, 1, policy, field=field)
    data = read_limited(stream, policy, field=field)
    kind = detect_kind(data, policy, field=field)
    sha256 = hashlib.sha256(data).hexdigest()
    _write_once(storage_path(instance_path, sha256), data)
    record = StoredFile(
        sha256=sha256,
        size=len(data),
        kind=kind.value,
        use=policy.use,
        original_name=safe_name(filename, kind),
        uploaded_by_id=user_id,
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def remove(session: Session, record: StoredFile) -> str:
    """Delete the row (not committed) and give its hash, for ``discard_unreferenced`` once committed."""
    session.delete(record)
    session.flush()
    return record.sha256


def remove_expired(session: Session, use: str, before: datetime) -> list[str]:
    """Retention: delete the rows of ``use`` uploaded before ``before`` (not committed); their hashes, for
    ``discard_unreferenced`` once committed."""
    old = list(session.scalars(select(StoredFile).where(StoredFile.use == use, StoredFile.created_at < before)))
    return [remove(session, record) for record in old]


def discard_unreferenced(session: Session, instance_path: str, hashes: Iterable[str], *, now: datetime) -> int:
    """After the commit that removed rows: delete the files of ``hashes`` that no row names any more (a file
    written or reused within ``GRACE`` is left to ``sweep``). The number of files deleted."""
    deleted = 0
    for sha256 in set(hashes):
        if session.scalar(select(func.count(StoredFile.id)).where(StoredFile.sha256 == sha256)):
            continue
        deleted += _delete_if_old(storage_path(instance_path, sha256), now)
    return deleted


def _delete_if_old(path: str, now: datetime) -> int:
    try:
        if now.timestamp() - os.path.getmtime(path) < GRACE.total_seconds():
            return 0
        os.remove(path)
    except FileNotFoundError:
        return 0
    return 1


def sweep(session: Session, instance_path: str, *, now: datetime) -> int:
    """Delete the stored files no row names (left by a crash between a commit and its clean-up, or by a removal
    within ``GRACE`` of an upload) and stray partial writes, once older than ``GRACE``. Idempotent."""
    root = os.path.join(instance_path, FOLDER)
    if not os.path.isdir(root):
        return 0
    known = set(session.scalars(select(StoredFile.sha256).distinct()))
    deleted = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name not in known:
                deleted += _delete_if_old(os.path.join(folder, name), now)
    return deleted


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 form (``filename*=UTF-8''…``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored(instance_path: str, record: StoredFile):
    """The response sending ``record``'s file as an attachment, with its detected content type, ``nosniff``, a
    sandboxing Content-Security-Policy and ``Cache-Control: private, no-store``; 404 when the file is gone.

    The caller MUST have checked that the current user may see the record this file belongs to (its scope,
    architecture rule 11) and answer 404 otherwise: this helper takes the record as already checked."""
    from flask import abort, send_file

    path = storage_path(instance_path, record.sha256)
    if not os.path.exists(path):
        abort(404)
    response = send_file(path, mimetype=FileKind(record.kind).content_type, conditional=True, etag=record.sha256)
    response.headers["Content-Disposition"] = content_disposition(record.original_name or "tep." + record.kind)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
