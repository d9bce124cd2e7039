"""Text as people type it, made safe to store: one Unicode spelling (NFC), ASCII digits where a number is
meant, and no invisible control characters. Plain functions (no Flask) for forms, services and imports."""

from __future__ import annotations

import unicodedata

# Line breaks and tabs are text in a multi-line box; everywhere else they are as unwanted as NUL.
_MULTILINE_ALLOWED = frozenset("\n\r\t")
# Bidirectional overrides and isolates make "gpj.exe" look like "exe.jpg": never needed in Vietnamese text.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of ``text`` that must not be stored: control characters (NUL, ESC, DEL, C1; line
    breaks and tabs too unless ``multiline``), bidirectional overrides and lone surrogates."""
    allowed = _MULTILINE_ALLOWED if multiline else frozenset()
    return [
        ch for ch in text if (unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed) or ch in _BIDI_CONTROLS
    ]


def nfc(text: str) -> str:
    """One spelling per letter: "ệ" typed as one code point or as e + two combining marks becomes the same."""
    return unicodedata.normalize("NFC", text)


def ascii_digits(text: str) -> str:
    """Fullwidth (０-９), Arabic-Indic (٠-٩) and every other decimal digit become 0-9; the rest is NFKC-folded
    (fullwidth "＋" becomes "+")."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded)
