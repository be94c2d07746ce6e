"""What a file is, from its bytes alone, and whether the field accepts it.

The client's file name and content type are never trusted: the type is sniffed from the
content (`filetype`), checked against the field type's allow-list, and files that are two
things at once (a JPEG with a ZIP behind it, markup a browser would run) are refused.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import filetype

from backend.attachments.errors import UnsupportedFileType
from formengine.model import FieldType

JPEG, PNG = "image/jpeg", "image/png"
PDF, CSV = "application/pdf", "text/csv"
OFFICE = frozenset(
    {
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
# Office Open XML and OpenDocument files are ZIP archives by design.
ZIP_BASED = frozenset(t for t in OFFICE if "openxml" in t or "opendocument" in t)
IMAGE_TYPES = frozenset({JPEG, PNG})

AUDIO = frozenset({"audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg", "audio/amr"})
# Uncompressed or lossless recordings: large, so a tenant opts in (allow_list.py).
LOSSLESS_AUDIO = frozenset({"audio/x-wav", "audio/x-flac"})

# What each field type accepts unless the tenant says otherwise...
ALLOWED: dict[str, frozenset[str]] = {
    FieldType.PHOTO: IMAGE_TYPES,
    FieldType.SIGNATURE: IMAGE_TYPES,
    FieldType.AUDIO: AUDIO,
    FieldType.DOCUMENT: frozenset({PDF, CSV, *OFFICE, *IMAGE_TYPES}),
}
# ... and what a tenant may choose from: types the server sniffs, checks and serves safely
# (images only those it re-encodes).
PERMITTED: dict[str, frozenset[str]] = {
    **ALLOWED,
    FieldType.AUDIO: AUDIO | LOSSLESS_AUDIO,
}

HEAD_BYTES = 8192
TAIL_BYTES = 65_536 + 22  # the longest ZIP comment plus its end-of-central-directory record
CHUNK = 1024 * 1024
ZIP_END = b"PK\x05\x06"
# Markup a browser would render or run if it ever sniffed the file (an SVG with script, an
# HTML page dressed as a photo).
MARKUP = (b"<script", b"<svg", b"<html", b"<!doctype html", b"<iframe", b"<?xml")
PDF_ACTIONS = (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile")


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(CHUNK):
        yield chunk


def _refuse(message: str) -> UnsupportedFileType:
    return UnsupportedFileType(message, field="file")


def _is_csv(file: IO[bytes]) -> bool:
    """UTF-8 text without NUL bytes or markup: a CSV as spreadsheets export it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    try:
        for chunk in _chunks(file):
            if b"\x00" in chunk:
                return False
            window = (tail + chunk).lower()
            if any(marker in window for marker in MARKUP):
                return False
            tail = chunk[-16:]
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _contains(file: IO[bytes], needles: tuple[bytes, ...]) -> bool:
    tail = b""
    longest = max(len(n) for n in needles)
    for chunk in _chunks(file):
        window = tail + chunk
        if any(needle in window for needle in needles):
            return True
        tail = chunk[-longest:]
    return False


def _has_trailing_zip(file: IO[bytes], size: int) -> bool:
    file.seek(max(0, size - TAIL_BYTES))
    return ZIP_END in file.read(TAIL_BYTES)


def sniff(
    file: IO[bytes], size: int, field_type: str, file_name: str, allowed: frozenset[str]
) -> Sniffed:
    """The file's type as its content says, when it is `allowed` for the field type; else
    UNSUPPORTED_FILE_TYPE (renamed executables, SVG, polyglots, unknown content)."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    kind = filetype.guess(head)
    if kind is None:
        if CSV in allowed and file_name.lower().endswith(".csv") and size and _is_csv(file):
            return Sniffed(CSV, "csv")
        raise _refuse("The file's content is not a type this field accepts.")
    sniffed = Sniffed(kind.mime, kind.extension)
    if sniffed.content_type not in allowed:
        raise _refuse(
            f"The file is {sniffed.extension.upper()} by its content; this {field_type} field "
            f"accepts {', '.join(sorted(allowed))}."
        )
    if any(marker in head.lower() for marker in MARKUP):
        raise _refuse("The file also holds markup a browser would run.")
    if sniffed.content_type not in ZIP_BASED and _has_trailing_zip(file, size):
        raise _refuse("The file is also a ZIP archive (a polyglot).")
    if sniffed.content_type == PDF and _contains(file, PDF_ACTIONS):
        raise _refuse("The PDF carries scripts, launch actions or embedded files.")
    return sniffed
