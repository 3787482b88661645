"""Tell what a file is from its content, not its name: the kinds a problem may have attached.

Pure Python (no Django): `sniff` reads the first bytes of a seekable binary stream, and for a ZIP
the central directory only (never decompresses), so a large or hostile file costs little.
"""

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    extensions: tuple[str, ...]  # the first is used when a name has none of them


JPEG = FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("png", "image/png", (".png",))
WEBP = FileKind("webp", "image/webp", (".webp",))
PDF = FileKind("pdf", "application/pdf", (".pdf",))
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
TEXT = FileKind("text", "text/plain; charset=utf-8", (".txt", ".csv"))

KINDS = (JPEG, PNG, WEBP, PDF, DOCX, XLSX, TEXT)
IMAGE_KINDS = (JPEG, PNG, WEBP)

_HEAD_BYTES = 8192
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(stream: BinaryIO) -> FileKind | None:
    """Return the kind of the file by its content, or None when it is none of the allowed kinds.

    The stream is left at position 0.
    """
    stream.seek(0)
    head = stream.read(_HEAD_BYTES)
    stream.seek(0)
    try:
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return WEBP
        if b"%PDF-" in head[:1024]:  # the format allows a few bytes before the header
            return PDF
        if head.startswith(b"PK\x03\x04"):
            return _office(stream)
        if _is_text(head):
            return TEXT
        return None
    finally:
        stream.seek(0)


def _office(stream: BinaryIO) -> FileKind | None:
    """Return DOCX or XLSX for an Office Open XML package without macros, else None."""
    try:
        with zipfile.ZipFile(stream) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(head: bytes) -> bool:
    """Return whether the bytes read as UTF-8 or GB18030 text without control characters."""
    if not head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=False)  # a character cut at the end is not an error
        except UnicodeDecodeError:
            continue
        return not _TEXT_CONTROL.search(text)
    return False


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f;]+')


def safe_filename(name: str, kind: FileKind, *, max_length: int = 100) -> str:
    """Return a file name safe to show and to send in Content-Disposition, ending in the kind's extension.

    Drop any directory part, control and reserved characters; keep Chinese; replace an extension
    that does not belong to the kind (a PNG called "x.exe" becomes "x.png").
    """
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")
    stem, dot, ext = base.rpartition(".")
    if dot and f".{ext.lower()}" in kind.extensions:
        stem, suffix = stem, f".{ext.lower()}"
    else:
        stem, suffix = (stem if dot else base), kind.extensions[0]
    stem = " ".join(stem.split()).strip(" ._") or "附件"
    return stem[: max_length - len(suffix)] + suffix
