"""A ticket as people see it: the QR code image of its token."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import MODE_ALPHA_NUM, QRData

from .tokens import B45_ALPHABET

QR_BOX = 10  # pixels per module: a 117-character token is a version 5 code, 37 modules wide (450 px with border)
QR_BORDER = 4  # the quiet zone readers need, in modules


def _code(text: str, box: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box, border=QR_BORDER)
    if text and all(char in B45_ALPHABET for char in text):
        code.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
    else:
        code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str, *, box: int = QR_BOX) -> bytes:
    """A PNG of the QR code holding ``text``; a base45 token goes in alphanumeric mode (the smallest, least dense
    code a cheap camera reads at once), with medium error correction for a scratched screen or a creased print."""
    buffer = io.BytesIO()
    _code(text, box).make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_size(text: str, *, box: int = QR_BOX) -> int:
    """The width (and height) in pixels of ``qr_png(text)``, for the page's <img> to hold its place."""
    return (_code(text, box).modules_count + 2 * QR_BORDER) * box


def qr_svg(text: str) -> tuple[int, str]:
    """The QR code holding ``text`` as (modules across, quiet zone included; an SVG path of its dark modules in
    those units), for a page to draw inline at any size: one rectangle per run of dark modules in a row."""
    matrix = _code(text, 1).get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return len(matrix), "".join(runs)
