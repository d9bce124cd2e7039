"""Uploads (app/uploads.py) with real files: a PDF drawn by fpdf2, a PNG and a JPEG made with Pillow, a DOCX and
an XLSX, a zip bomb, a pixel bomb, a renamed .exe and a stream too long to read."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import unicodedata
import zipfile
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app import uploads
from app.models import StoredFile
from app.uploads import FileKind, UploadPolicy

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
ATTACHMENTS = UploadPolicy(
    use="test.attachments",
    kinds=uploads.DOCUMENTS | uploads.IMAGES,
    max_bytes=200_000,
    max_count=3,
    max_pixels=4_000_000,
    max_unpacked_bytes=1_000_000,
)


def pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(40, 10, "Bao cao thang 5")
    return bytes(pdf.output())


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Đơn vị", "Số hộ"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 5_000_000)  # ~5 KB on the wire
    return buffer.getvalue()


def pixel_bomb() -> bytes:
    """A real 1×1 PNG whose header then claims 50,000 × 50,000 pixels (a valid CRC): Pillow reads the size
    without decoding anything."""
    data = bytearray(image_bytes(size=(1, 1)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", 50_000, 50_000)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\0" * 48
    + b"This program cannot be run in DOS mode"
)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (pdf_bytes, FileKind.PDF),
        (image_bytes, FileKind.PNG),
        (lambda: image_bytes("JPEG"), FileKind.JPEG),
        (lambda: image_bytes("WEBP"), FileKind.WEBP),
        (docx_bytes, FileKind.DOCX),
        (xlsx_bytes, FileKind.XLSX),
    ],
)
def test_real_files_are_known_by_their_content(make, kind):
    assert uploads.detect_kind(make(), ATTACHMENTS) is kind


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (EXE, "upload_type_refused"),  # a renamed .exe: no name or content type is ever asked
        (b"<svg onload='alert(1)'/>", "upload_type_refused"),
        (b"GIF89a" + b"\0" * 20, "upload_type_refused"),  # not among the kinds taken
        (image_bytes()[:60], "upload_type_refused"),  # a PNG cut short
        (zip_bomb(), "upload_too_large"),  # refused from its directory, never inflated
        (pixel_bomb(), "upload_too_large"),
    ],
)
def test_what_the_policy_does_not_take_is_refused_with_a_stable_code(app, data, code):
    with app.test_request_context(), pytest.raises(uploads.UploadRefused) as refused:
        uploads.detect_kind(data, ATTACHMENTS, field="attachment")
    assert (refused.value.code, refused.value.field) == (code, "attachment")
    assert str(refused.value.message)  # a sentence the form shows, in Vietnamese (see below)


def test_a_policy_takes_only_its_kinds():
    images_only = UploadPolicy(use="test.images", kinds=uploads.IMAGES, max_bytes=100_000)
    assert uploads.detect_kind(image_bytes(), images_only) is FileKind.PNG
    for data in (pdf_bytes(), docx_bytes()):
        with pytest.raises(uploads.UploadTypeRefused):
            uploads.detect_kind(data, images_only)
    video = UploadPolicy(use="test.video", kinds=frozenset({FileKind.MP4, FileKind.WEBM}), max_bytes=100_000)
    mp4 = struct.pack(">I", 24) + b"ftypisom" + b"\0" * 12
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\0" * 16
    assert [uploads.detect_kind(mp4, video), uploads.detect_kind(webm, video)] == [FileKind.MP4, FileKind.WEBM]


class Endless(io.RawIOBase):
    """A stream of zeros without end that counts what was read from it."""

    def __init__(self) -> None:
        self.read_so_far = 0

    def read(self, size=-1):
        size = 1 << 20 if size is None or size < 0 else size
        self.read_so_far += size
        return b"\0" * size


def test_an_oversized_stream_is_refused_before_it_is_all_read(app):
    stream = Endless()
    with app.test_request_context(), pytest.raises(uploads.UploadTooLarge) as refused:
        uploads.read_limited(stream, ATTACHMENTS)
    assert refused.value.code == "upload_too_large" and refused.value.status == 413
    assert stream.read_so_far <= ATTACHMENTS.max_bytes + uploads.CHUNK
    with app.test_request_context(), pytest.raises(uploads.UploadEmpty):
        uploads.read_limited(io.BytesIO(b""), ATTACHMENTS)


def test_refusals_speak_vietnamese(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        with pytest.raises(uploads.UploadTooLarge) as refused:
            uploads.read_limited(Endless(), ATTACHMENTS)
        with pytest.raises(uploads.UploadTypeRefused) as wrong:
            uploads.detect_kind(EXE, ATTACHMENTS)
        assert "MB" in str(refused.value.message) and "lớn" in str(refused.value.message)
        assert "DOCX" in str(wrong.value.message) and "tệp" in str(wrong.value.message).lower()


@pytest.mark.parametrize(
    ("sent", "kind", "kept"),
    [
        ("C:\\Users\\An\\Báo cáo.pdf", FileKind.PDF, "Báo cáo.pdf"),
        ("../../etc/passwd", FileKind.PDF, "passwd.pdf"),
        ("bao-cao.exe", FileKind.PDF, "bao-cao.exe.pdf"),
        ("anh.JPEG", FileKind.JPEG, "anh.jpeg"),
        ("x\x00y\nz.png", FileKind.PNG, "x_y_z.png"),
        ("...", FileKind.DOCX, "tep.docx"),
        (None, FileKind.XLSX, "tep.xlsx"),
        ("a" * 300 + ".pdf", FileKind.PDF, "a" * 116 + ".pdf"),
    ],
)
def test_original_names_are_nfc_and_safe_and_end_as_what_the_file_is(sent, kind, kept):
    assert uploads.safe_name(sent, kind) == kept
    decomposed = unicodedata.normalize("NFD", "Hồ sơ.pdf")
    assert uploads.safe_name(decomposed, FileKind.PDF) == unicodedata.normalize("NFC", "Hồ sơ.pdf")


def _store(session, app, data, name="tep.pdf", existing=0):
    return uploads.store(
        session,
        io.BytesIO(data),
        filename=name,
        policy=ATTACHMENTS,
        instance_path=app.instance_path,
        user_id=None,
        now=NOW,
        existing=existing,
    )


def test_files_are_stored_once_by_content_hash_and_go_with_their_last_row(app, session):
    data = pdf_bytes()
    digest = hashlib.sha256(data).hexdigest()
    first = _store(session, app, data, "Báo cáo.pdf")
    second = _store(session, app, data, "ban-sao.pdf")
    session.commit()
    path = uploads.storage_path(app.instance_path, digest)
    assert path == os.path.join(app.instance_path, "uploads", digest[:2], digest[2:4], digest)
    with open(path, "rb") as handle:
        assert handle.read() == data
    assert not [name for name in os.listdir(os.path.dirname(path)) if name != digest]  # no partial file left
    assert (first.sha256, first.size, first.kind, first.use) == (digest, len(data), "pdf", "test.attachments")
    assert first.created_at == NOW and first.original_name == "Báo cáo.pdf"

    later = NOW.replace(year=2100)  # far past the grace period of a just-written file
    gone = uploads.remove(session, first)
    session.commit()
    assert uploads.discard_unreferenced(session, app.instance_path, [gone], now=later) == 0
    assert os.path.exists(path)  # the copy still names it
    gone = uploads.remove(session, second)
    session.commit()
    assert uploads.discard_unreferenced(session, app.instance_path, [gone], now=datetime.now(UTC)) == 0  # grace
    assert uploads.discard_unreferenced(session, app.instance_path, [gone], now=later) == 1
    assert not os.path.exists(path)


def test_retention_and_the_sweep_remove_what_no_row_names(app, session):
    kept = _store(session, app, image_bytes())
    old = _store(session, app, docx_bytes())
    old.created_at = NOW - timedelta(days=400)
    session.commit()
    hashes = uploads.remove_expired(session, "test.attachments", NOW - timedelta(days=365))
    session.commit()
    assert hashes == [old.sha256]
    assert session.scalar(select(func.count(StoredFile.id))) == 1
    later = NOW.replace(year=2100)
    orphan = uploads.storage_path(app.instance_path, "0" * 64)
    os.makedirs(os.path.dirname(orphan))
    open(orphan, "wb").close()  # left by a crash between a commit and its clean-up
    assert uploads.sweep(session, app.instance_path, now=later) == 2  # the expired file and the orphan
    assert os.path.exists(uploads.storage_path(app.instance_path, kept.sha256))
    assert uploads.sweep(session, app.instance_path, now=later) == 0


def test_a_use_takes_at_most_its_count(app, session):
    with app.test_request_context(), pytest.raises(uploads.TooManyUploads) as refused:
        _store(session, app, pdf_bytes(), existing=3)
    assert refused.value.code == "upload_too_many"
    assert session.scalar(select(func.count(StoredFile.id))) == 0
    assert not os.path.exists(os.path.join(app.instance_path, "uploads"))


def test_a_refused_upload_leaves_no_row_and_no_file(app, session):
    with app.test_request_context(), pytest.raises(uploads.UploadTypeRefused):
        _store(session, app, EXE, "bao-cao.pdf")
    assert session.scalar(select(func.count(StoredFile.id))) == 0
    assert not os.path.exists(os.path.join(app.instance_path, "uploads"))


def test_a_stored_file_is_served_as_an_attachment_with_nosniff_and_its_detected_type(app, session):
    record = _store(session, app, image_bytes(), unicodedata.normalize("NFD", "Ảnh hội thi.png"))
    session.commit()
    with app.test_request_context():
        response = uploads.send_stored(app.instance_path, record)
        response.direct_passthrough = False
        body = response.get_data()
    assert body == image_bytes()
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Anh hoi thi.png"; ')
    assert "filename*=UTF-8''%E1%BA%A2nh%20h%E1%BB%99i%20thi.png" in disposition
    os.remove(uploads.storage_path(app.instance_path, record.sha256))
    with app.test_request_context(), pytest.raises(Exception) as missing:
        uploads.send_stored(app.instance_path, record)
    assert getattr(missing.value, "code", None) == 404
